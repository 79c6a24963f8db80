import { describe, expect, it } from 'vitest';
import { BOGOTA, LIMA, api, manualClock, oauthTokens, seededSandbox, tokenRequest } from './support';

function setup(opts: { max?: number; intervalMs?: number; dailyLimit?: number } = {}) {
  const clock = manualClock();
  const sandbox = seededSandbox({
    now: clock.now,
    rateLimit: { max: opts.max ?? 100, intervalMs: opts.intervalMs ?? 10_000 },
    dailyLimit: opts.dailyLimit,
  });
  const client = api(sandbox, sandbox.createPrivateToken(LIMA));
  const hit = () => client.get(`/locations/${LIMA}`);
  return { clock, sandbox, client, hit };
}

describe('rate limits', () => {
  it('100 per 10 s per location, then 429 without Retry-After; every answer carries the headers', async () => {
    const { sandbox, hit } = setup();
    const first = await hit();
    expect(Object.fromEntries([...first.headers].filter(([k]) => k.startsWith('x-ratelimit')))).toEqual({
      'x-ratelimit-max': '100',
      'x-ratelimit-remaining': '99',
      'x-ratelimit-interval-milliseconds': '10000',
      'x-ratelimit-limit-daily': '200000',
      'x-ratelimit-daily-remaining': '199999',
    });
    for (let i = 2; i <= 100; i++) expect((await hit()).status).toBe(200);
    const over = await hit();
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ statusCode: 429, message: 'Too many requests' });
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(over.headers.get('retry-after')).toBeNull();
    expect(sandbox.stats()).toMatchObject({ rateLimited: 1, maxInWindow: 101 });
  });

  it('the window slides: requests leave it one by one, not all at a boundary', async () => {
    const { clock, sandbox, hit } = setup({ max: 4, intervalMs: 10_000 });
    await hit(); // t=0
    await hit(); // t=0
    clock.advance(5_000);
    await hit(); // t=5
    await hit(); // t=5
    expect((await hit()).status).toBe(429); // 5 in the window
    clock.advance(5_001); // t=10.001: the two t=0 requests have left; the refused one at t=5 still counts
    const ok = await hit();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await hit()).status).toBe(429);
    // A fixed 10 s window would have reset completely here; a sliding one does not.
    expect(sandbox.stats()).toMatchObject({ rateLimited: 2, maxInWindow: 5 });
    clock.advance(10_000);
    expect((await hit()).status).toBe(200);
  });

  it('locations have separate budgets; /oauth/token and /_sandbox are not counted', async () => {
    const { sandbox, hit } = setup({ max: 2 });
    await hit();
    await hit();
    expect((await hit()).status).toBe(429);
    const bogota = api(sandbox, sandbox.createPrivateToken(BOGOTA));
    expect((await bogota.get(`/locations/${BOGOTA}`)).status).toBe(200);
    const tokens = await oauthTokens(sandbox);
    expect((await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(200);
    await sandbox.fetch('https://sandbox.ghl.test/_sandbox/stats');
    expect(sandbox.stats().maxInWindow).toBe(3);
  });

  it('maxInWindow shows whether a client kept under the limit', async () => {
    const { clock, sandbox, hit } = setup({ max: 10 });
    for (let i = 0; i < 30; i++) {
      await hit();
      clock.advance(1_000); // one per second: at most 10 in any 10 s
    }
    expect(sandbox.stats()).toMatchObject({ maxInWindow: 10, rateLimited: 0 });
  });

  it('the daily budget is enforced too', async () => {
    const { clock, hit, sandbox } = setup({ dailyLimit: 3 });
    for (let i = 0; i < 3; i++) {
      const res = await hit();
      expect(res.headers.get('x-ratelimit-daily-remaining')).toBe(String(2 - i));
      clock.advance(60_000);
    }
    const over = await hit();
    expect(over.status).toBe(429);
    expect(over.headers.get('x-ratelimit-daily-remaining')).toBe('0');
    expect(sandbox.stats().rateLimited).toBe(1);
    clock.advance(86_400_000);
    expect((await hit()).status).toBe(200);
  });

  it('errors after auth carry the headers as well', async () => {
    const { client } = setup();
    const res = await client.get(`/locations/${LIMA}`, { version: null });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('99');
  });
});
