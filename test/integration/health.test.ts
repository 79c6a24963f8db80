import { describe, expect, it } from 'vitest';
import { createTestEnv, servicesMode } from '../support/harness';

describe('health and readiness', () => {
  it('runs on the storage this suite was asked for', async () => {
    const t = await createTestEnv();
    try {
      expect(t.mode).toBe(servicesMode() ? 'postgres' : 'pglite');
    } finally {
      await t.close();
    }
  });

  it('/healthz reports each dependency with its latency; /readyz is ready once migrated', async () => {
    const t = await createTestEnv();
    try {
      const res = await t.app.request('/healthz', {}, t.env);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'ok',
        checks: {
          database: { ok: true, latency_ms: expect.any(Number) },
          store: { ok: true, latency_ms: expect.any(Number) },
          ghl: { connections: {}, reauth_required: 0, ok: true },
          sync: { stale_locations: [], held_sweeps: [], ok: true },
        },
      });
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const ready = await t.app.request('/readyz', {}, t.env);
      expect(ready.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('503 when the database is down', async () => {
    const t = await createTestEnv();
    await t.close();
    const res = await t.app.request('/healthz', {}, t.env);
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body.status).toBe('down');
    expect(body.checks.database).toMatchObject({ ok: false, error: expect.any(String) });
    expect((await t.app.request('/readyz', {}, t.env)).status).toBe(503);
  });

  it('degraded, still 200, when only the store is unreachable', async () => {
    const t = await createTestEnv({ env: { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', UPSTASH_REDIS_REST_TOKEN: 'x' } });
    try {
      const res = await t.app.request('/healthz', {}, t.env);
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.status).toBe('degraded');
      expect(body.checks.store.ok).toBe(false);
    } finally {
      await t.close();
    }
  });
});
