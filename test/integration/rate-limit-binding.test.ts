/**
 * The per-key API limit when the Worker has Cloudflare's Rate Limiting binding (wrangler.toml
 * `API_LIMITER`): the binding decides, the store is not asked, and a binding that fails lets the
 * request through (as the store's windows do when the store is down). The real binding, as
 * wrangler.toml ships it, runs in workerd in test/edge/worker-bundle.test.ts; here it is a stand-in
 * with the binding's one method, so its refusals and failures can be chosen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, createTestEnv, type TestEnv } from '../support/harness';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
  await t.api('PUT', '/api/locations/loc-rl/settings', { time_zone: 'America/Lima' });
});
afterAll(() => t?.close());

const list = (binding: unknown) =>
  t.app.request('/api/citas?location_id=loc-rl', { headers: { Authorization: `Bearer ${API_KEY}` } }, { ...t.env, API_LIMITER: binding });

describe('API_LIMITER, the Rate Limiting binding', () => {
  it('decides alone: its no is a 429 with Retry-After and no RateLimit-* headers; its yes carries none either', async () => {
    const keys: string[] = [];
    const refusing = { limit: async ({ key }: { key: string }) => (keys.push(key), { success: false }) };
    const refused = await list(refusing);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(refused.headers.get('RateLimit-Remaining')).toBeNull();
    // Counted per API key, as the store's windows count.
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toBe('anonymous');

    const allowed = await list({ limit: async () => ({ success: true }) });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('RateLimit-Limit')).toBeNull();
    // Without the binding (Node), the store's window answers, with its headers.
    const node = await t.api('GET', '/api/citas?location_id=loc-rl');
    expect(node.headers.get('RateLimit-Limit')).toBe('600');
  });

  it('a binding that fails, even by throwing at once, lets the request through and says so in the log', async () => {
    const res = await list({
      limit: () => {
        throw new Error('binding unavailable');
      },
    });
    expect(res.status).toBe(200);
    expect(t.logs.some((l) => l.msg === 'rate limit not checked: the binding failed' && l.limiter === 'api')).toBe(true);
  });
});
