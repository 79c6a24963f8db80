import { describe, expect, it } from 'vitest';
import type { GhlSandbox } from '../../scripts/ghl-sandbox';
import { BASE, LIMA, api, appointmentBody, oauthTokens, seededSandbox, tokenRequest } from './support';

function setup(seed?: number) {
  const sandbox = seededSandbox(seed === undefined ? {} : { seed });
  return { sandbox, client: api(sandbox, sandbox.createPrivateToken(LIMA)) };
}

async function statuses(sandbox: GhlSandbox, n: number): Promise<number[]> {
  const client = api(sandbox, sandbox.createPrivateToken(LIMA));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await client.get(`/locations/${LIMA}`)).status);
  return out;
}

describe('status faults', () => {
  it('500 and 503 answer JSON, 502 answers an HTML page', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: '500', count: 1 });
    sandbox.injectFault({ kind: '502', count: 1 });
    sandbox.injectFault({ kind: '503', count: 1 });
    expect(await client.get(`/locations/${LIMA}`)).toMatchObject({ status: 500, body: { statusCode: 500 } });
    const bad = await client.get(`/locations/${LIMA}`);
    expect(bad.status).toBe(502);
    expect(bad.headers.get('content-type')).toMatch(/text\/html/);
    expect(bad.body).toContain('502 Bad Gateway');
    expect(await client.get(`/locations/${LIMA}`)).toMatchObject({ status: 503, body: { statusCode: 503 } });
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(200);
    expect(sandbox.stats().injected).toEqual({ '500': 1, '502': 1, '503': 1 });
  });

  it('an injected 429 has the rate headers (remaining > 0), optional Retry-After, and is not counted as rateLimited', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: '429', count: 1, retryAfterSeconds: 7 });
    sandbox.injectFault({ kind: '429', count: 1 });
    const first = await client.get(`/locations/${LIMA}`);
    expect(first).toMatchObject({ status: 429, body: { statusCode: 429, message: 'Too many requests' } });
    expect(first.headers.get('retry-after')).toBe('7');
    expect(Number(first.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    const second = await client.get(`/locations/${LIMA}`);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeNull();
    expect(sandbox.stats()).toMatchObject({ rateLimited: 0, injected: { '429': 2 } });
  });

  it('match narrows by method and by path (substring or RegExp source)', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: '503', match: { method: 'post', path: '/calendars/events/appointments' } });
    sandbox.injectFault({ kind: '500', match: { path: '^/contacts/con-[a-z]+$' } });
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(200);
    expect((await client.post('/calendars/events/appointments', appointmentBody())).status).toBe(503);
    expect((await client.get('/calendars/events/appointments/x')).status).toBe(404);
    expect((await client.get('/contacts/con-ana')).status).toBe(500);
    expect((await client.post('/contacts/upsert', { locationId: LIMA, email: 'a@b.c' })).status).toBe(200);
    sandbox.clearFaults();
    expect((await client.post('/calendars/events/appointments', appointmentBody())).status).toBe(200);
  });

  it('apply after auth: a bad token gets its 401 and spends nothing', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: '500', count: 1 });
    expect((await api(sandbox, 'bad').get(`/locations/${LIMA}`)).status).toBe(401);
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(500);
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(200);
  });

  it('faulted requests still count against the rate limit', async () => {
    const sandbox = seededSandbox({ rateLimit: { max: 2, intervalMs: 10_000 } });
    const client = api(sandbox, sandbox.createPrivateToken(LIMA));
    sandbox.injectFault({ kind: '500' });
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(500);
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(500);
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(429);
    expect(sandbox.stats()).toMatchObject({ rateLimited: 1, injected: { '500': 2 } });
  });
});

describe('count and rate', () => {
  it('count: exactly the next N matching requests', async () => {
    const { sandbox } = setup();
    sandbox.injectFault({ kind: '503', count: 2 });
    expect(await statuses(sandbox, 4)).toEqual([503, 503, 200, 200]);
  });

  it('rate: reproducible for a seed, different for another, replayed after reset()', async () => {
    const run = async (seed: number) => {
      const { sandbox } = setup(seed);
      sandbox.injectFault({ kind: '500', rate: 0.5 });
      return { sandbox, pattern: await statuses(sandbox, 24) };
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(a.pattern).toEqual(b.pattern);
    expect(a.pattern).not.toEqual(c.pattern);
    expect(a.pattern).toContain(500);
    expect(a.pattern).toContain(200);
    a.sandbox.reset();
    a.sandbox.seed({ locations: [{ id: LIMA }] });
    a.sandbox.injectFault({ kind: '500', rate: 0.5 });
    expect(await statuses(a.sandbox, 24)).toEqual(a.pattern);
  });

  it('rate with count: N failures in all, where the draws fall', async () => {
    const { sandbox } = setup(3);
    sandbox.injectFault({ kind: '503', rate: 0.3, count: 3 });
    const pattern = await statuses(sandbox, 40);
    expect(pattern.filter((s) => s === 503)).toHaveLength(3);
    expect(sandbox.stats().injected['503']).toBe(3);
  });

  it('rate 0 never fires, rate 1 always does', async () => {
    const { sandbox } = setup();
    sandbox.injectFault({ kind: '500', rate: 0 });
    expect(await statuses(sandbox, 5)).toEqual([200, 200, 200, 200, 200]);
    sandbox.clearFaults();
    sandbox.injectFault({ kind: '500', rate: 1 });
    expect(await statuses(sandbox, 3)).toEqual([500, 500, 500]);
  });

  it('bad specs are refused', () => {
    const { sandbox } = setup();
    expect(() => sandbox.injectFault({ kind: '500', rate: 2 })).toThrow(RangeError);
    expect(() => sandbox.injectFault({ kind: '500', count: 0 })).toThrow(RangeError);
    expect(() => sandbox.injectFault({ kind: 'boom' as never })).toThrow(RangeError);
  });
});

describe('latency', () => {
  it('delays, then answers normally', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: 'latency', latencyMs: 80, count: 1 });
    const started = performance.now();
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    expect(sandbox.stats().injected.latency).toBe(1);
  });

  it('adds up with a status fault after it', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: 'latency', latencyMs: 50, count: 1 });
    sandbox.injectFault({ kind: '503', count: 1 });
    const started = performance.now();
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
  });

  it('an abort ends the wait at once', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: 'latency', latencyMs: 30_000 });
    const started = performance.now();
    await expect(client.get(`/locations/${LIMA}`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('timeout_after_write', () => {
  it('the write lands, the answer never comes, and an abort frees the caller at once', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: 'timeout_after_write', match: { method: 'POST' }, count: 1 });
    const started = performance.now();
    await expect(client.post('/calendars/events/appointments', appointmentBody(), { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(sandbox.appointments()).toHaveLength(1);
    expect(sandbox.stats()).toMatchObject({ creates: 1, injected: { timeout_after_write: 1 } });
    // The retry a naive client makes now collides with its own first write.
    expect((await client.post('/calendars/events/appointments', appointmentBody())).body.message).toBe(
      'The slot you have selected is no longer available.',
    );
  });

  it('inside the app, an aborted request resolves early instead of holding a 30 s timer', async () => {
    const { sandbox } = setup();
    const token = sandbox.createPrivateToken(LIMA);
    sandbox.injectFault({ kind: 'timeout_after_write' });
    const controller = new AbortController();
    const pending = sandbox.app.fetch(
      new Request(`${BASE}/locations/${LIMA}`, { headers: { Authorization: `Bearer ${token}`, Version: '2021-07-28' }, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const res = await pending;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(res.status).toBe(499);
  });

  it('without an abort, the normal answer comes after latencyMs', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: 'timeout_after_write', latencyMs: 60 });
    const started = performance.now();
    const res = await client.post('/calendars/events/appointments', appointmentBody());
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });
});

describe('network', () => {
  it('rejects with TypeError("fetch failed") and never handles the request', async () => {
    const { sandbox, client } = setup();
    sandbox.injectFault({ kind: 'network', match: { method: 'POST' }, count: 1 });
    const err = await client.post('/calendars/events/appointments', appointmentBody()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe('fetch failed');
    expect(sandbox.appointments()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ creates: 0, injected: { network: 1 }, calls: { 'POST /calendars/events/appointments': 1 } });
    expect((await client.post('/calendars/events/appointments', appointmentBody())).status).toBe(200);
  });
});

describe('the token endpoint', () => {
  it('is hit only by faults that name its path', async () => {
    const { sandbox } = setup();
    sandbox.injectFault({ kind: '500' });
    const tokens = await oauthTokens(sandbox);
    sandbox.clearFaults();
    sandbox.injectFault({ kind: '503', match: { path: '/oauth/token' }, count: 1 });
    expect((await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(503);
    // Refused before handling: the refresh token was not spent.
    expect((await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(200);
  });

  it('a refresh whose answer is lost has still rotated the token', async () => {
    const { sandbox } = setup();
    const tokens = await oauthTokens(sandbox);
    sandbox.injectFault({ kind: 'timeout_after_write', match: { path: '/oauth/token' }, count: 1 });
    const body = new URLSearchParams({
      client_id: 'sandbox-client-id',
      client_secret: 'sandbox-client-secret',
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    await expect(
      sandbox.fetch(`${BASE}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    const retry = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(retry).toMatchObject({ status: 400, body: { statusCode: 400, message: expect.stringMatching(/^Invalid grant: refresh token/) } });
    expect(sandbox.stats()).toMatchObject({ refreshes: 1, reusedRefreshTokens: 1 });
  });
});
