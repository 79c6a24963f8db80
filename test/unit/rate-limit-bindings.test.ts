/**
 * Rate limits on Workers are Cloudflare's Rate Limiting bindings (wrangler.toml `[[ratelimits]]`):
 * every Worker binds the limiters its routes use, under the names the routes look for, with the
 * config's default limit per minute, so a deployment limits what the documentation says it does.
 */
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { loadConfig } from '../../src/config/config';

type Limiter = { name: string; namespace_id: string; simple: { limit: number; period: number } };

const defaults = loadConfig({});
const expected = {
  API_LIMITER: defaults.API_RATE_LIMIT_PER_MINUTE,
  WEBHOOK_LIMITER: defaults.WEBHOOK_RATE_LIMIT_PER_MINUTE,
  OAUTH_LIMITER: defaults.OAUTH_RATE_LIMIT_PER_MINUTE,
};
/** Which limiters each Worker's routes use (src/apps/base.ts: the API key's on /api; the webhooks' and OAuth's own). */
const byEnvironment: Record<string, (keyof typeof expected)[]> = {
  '(top level: every route)': ['API_LIMITER', 'WEBHOOK_LIMITER', 'OAUTH_LIMITER'],
  citas: ['API_LIMITER'],
  webhooks: ['WEBHOOK_LIMITER'],
  jobs: ['API_LIMITER'],
};

describe('the rate-limit bindings wrangler.toml gives each Worker', () => {
  it.each(Object.entries(byEnvironment))('%s binds its limiters with the config defaults per minute, one namespace per limiter', (env, names) => {
    const config = unstable_readConfig({ config: 'wrangler.toml', env: env.startsWith('(') ? undefined : env });
    const bound = Object.fromEntries((config.ratelimits as Limiter[]).map((r) => [r.name, r]));
    expect(Object.keys(bound).sort()).toEqual([...names].sort());
    for (const name of names) expect(bound[name]!.simple, name).toEqual({ limit: expected[name], period: 60 });
    // The same namespace wherever a limiter is bound: a key's budget is one, whichever Worker serves it.
    const top = unstable_readConfig({ config: 'wrangler.toml' }).ratelimits as Limiter[];
    for (const name of names) expect(bound[name]!.namespace_id, name).toBe(top.find((r) => r.name === name)!.namespace_id);
  });

  it('the routes look for those names', async () => {
    const { readFileSync } = await import('node:fs');
    const sources = ['src/apps/base.ts', 'src/routes/webhooks/index.ts', 'src/routes/oauth/index.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
    const named = [...sources.matchAll(/binding: '(\w+)'/g)].map((m) => m[1]).sort();
    expect(named).toEqual(Object.keys(expected).sort());
  });
});
