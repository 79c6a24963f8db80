import { describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { ghlConnections, sweepHolds } from '../../src/db/schema';
import { ADMIN_KEY, createTestEnv, servicesMode } from '../support/harness';

/** What no answer may carry, to anyone: SQL, driver words, stack frames, file paths, host names. */
const LEAK = /select|insert|update .* set|failed query|from citas|pglite|drizzle|postgres|neon|ECONN|\bat \S+:\d+|\/work\/|\/src\/|node_modules|\.ts\b|127\.0\.0\.1|localhost/i;

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
          sync: { stale_locations: 0, held_sweeps: 0, ok: true },
        },
      });
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const ready = await t.app.request('/readyz', {}, t.env);
      expect(ready.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('503 when the database is down, saying so in one fixed word: the driver\'s message (SQL, hosts) goes to the log only', async () => {
    const t = await createTestEnv();
    await t.close();
    const res = await t.app.request('/healthz', { headers: { 'X-Request-Id': 'health-down' } }, t.env);
    expect(res.status).toBe(503);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.status).toBe('down');
    expect(body.checks.database).toEqual({ ok: false, latency_ms: expect.any(Number), error: 'unavailable' });
    expect(text).not.toMatch(LEAK);

    const ready = await t.app.request('/readyz', {}, t.env);
    expect(ready.status).toBe(503);
    const readyText = await ready.text();
    expect(JSON.parse(readyText)).toEqual({ ready: false, error: 'unavailable' });
    expect(readyText).not.toMatch(LEAK);
    // The API answers the same outage with its problem code, nothing of the driver either.
    const api = await t.api('GET', '/api/citas?location_id=loc-1', undefined, {}, { settle: false });
    expect(api.status).toBe(503);
    expect(await api.text()).not.toMatch(LEAK);

    // Whoever runs the service still learns what failed, under the request id.
    const logged = t.logs.find((l) => l.msg === 'health check failed' && l.request_id === 'health-down');
    expect(logged).toMatchObject({ level: 'warn', check: 'database' });
    expect(JSON.stringify(logged)).toMatch(/select/i);
  });

  it('public /healthz counts stale syncs, held sweeps and dead connections; only the admin route names the clinics', async () => {
    const ghl = createGhlSandbox({ seed: 5 });
    const names = ['clinica-norte', 'clinica-sur', 'clinica-este'];
    ghl.seed({ locations: names.map((id) => ({ id, name: id, timezone: 'America/Lima', calendars: [{ id: `cal-${id}`, name: 'Consultorio' }] })) });
    const t = await createTestEnv({ ghl, env: { SYNC_STALE_AFTER_MS: '60000' } });
    try {
      for (const id of names) await t.connectPit(id);
      // Norte has not synced for two hours; Sur holds a sweep for review; Este needs a reinstall.
      const now = Date.now();
      await t.deps.db.update(ghlConnections).set({ createdAt: new Date(now - 2 * 3600_000) });
      await t.deps.db.update(ghlConnections).set({ createdAt: new Date() }).where(inArray(ghlConnections.locationId, ['clinica-sur', 'clinica-este']));
      await t.deps.db.update(ghlConnections).set({ status: 'reauth_required' }).where(eq(ghlConnections.locationId, 'clinica-este'));
      const when = new Date(now);
      await t.deps.db.insert(sweepHolds).values({ locationId: 'clinica-sur', citaIds: [], candidates: 4, scanStartedAt: when, createdAt: when, updatedAt: when });

      const res = await t.app.request('/healthz', {}, t.env);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({
        status: 'degraded',
        checks: { ghl: { reauth_required: 1, ok: false }, sync: { stale_locations: 1, held_sweeps: 1, ok: false } },
      });
      for (const id of names) expect(text).not.toContain(id);

      const named = await t.api('GET', '/api/admin/sync-health', undefined, { Authorization: `Bearer ${ADMIN_KEY}` });
      expect(named.status).toBe(200);
      expect(await named.json()).toEqual({ ok: false, stale_locations: ['clinica-norte'], held_sweeps: ['clinica-sur'], reauth_required: ['clinica-este'] });
      // Not for anyone else.
      expect((await t.api('GET', '/api/admin/sync-health')).status).toBe(403);
      expect((await t.app.request('/api/admin/sync-health', {}, t.env)).status).toBe(401);
    } finally {
      await t.close();
    }
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
