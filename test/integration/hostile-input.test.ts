/**
 * Input Postgres cannot store, or that only looks like a date: refused at the edge with a problem
 * naming the field (API 422; signed webhook 400, recorded as invalid) — never a 500, never a
 * silently different value, never a webhook answered 429 forever.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { webhookEvents } from '../../src/db/schema';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function env() {
  const t = await createTestEnv();
  envs.push(t);
  return t;
}

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  return (await res.json()) as { status: number; code: string; fields?: { field: string; message: string }[] };
}

describe('hostile input on the API', () => {
  it('a NUL or an unpaired surrogate in any string, key or id is a 422 naming the field', async () => {
    const t = await env();
    const cases: [Record<string, unknown>, string][] = [
      [{ title: 'Con\u0000trol' }, 'title'],
      [{ notes: 'a\u0000b' }, 'notes'],
      [{ contact_id: 'c\u0000' }, 'contact_id'],
      [{ location_id: 'loc\u0000' }, 'location_id'],
      [{ extras: { k: 'v\u0000' } }, 'extras.k'],
      [{ extras: { 'k\u0000': 1 } }, 'extras'],
      [{ extras: { k: 'x\udc00y' } }, 'extras.k'],
      [{ extras: { 'x\ud800': 'y' } }, 'extras'],
      [{ title: 'x\ud83dy' }, 'title'],
    ];
    for (const [over, field] of cases) {
      const res = await t.api('POST', '/api/citas', citaBody(over));
      expect(res.status, JSON.stringify(over)).toBe(422);
      const p = await problem(res);
      expect(p.code).toBe('validation_failed');
      expect(p.fields?.map((f) => f.field)).toContain(field);
    }
    // A real emoji (a surrogate pair) is fine.
    expect((await t.api('POST', '/api/citas', citaBody({ title: 'Control 🦷', extras: { nota: '😀' } }))).status).toBe(201);
  });

  it('%00 in a path id is a 404 (no such thing can exist), in a query a 422 naming it', async () => {
    const t = await env();
    expect((await t.api('GET', '/api/citas/%00')).status).toBe(404);
    expect((await t.api('PATCH', '/api/citas/abc%00', { title: 'x' })).status).toBe(404);
    const list = await t.api('GET', '/api/citas?location_id=loc%00');
    expect(list.status).toBe(422);
    expect((await problem(list)).fields?.[0]?.field).toBe('location_id');
    expect((await t.api('GET', '/api/locations/loc%00/settings')).status).toBe(404);
  });

  it('extras nested thousands deep, or too large, is a 422, not a stack overflow', async () => {
    const t = await env();
    // Written out by hand: 5,000 levels are more than JSON.stringify itself can take.
    const deep = `${'{"d":'.repeat(5000)}"bottom"${'}'.repeat(5000)}`;
    const body = JSON.stringify(citaBody({ extras: 'DEEP' })).replace('"DEEP"', deep);
    const res = await t.api('POST', '/api/citas', body);
    expect(res.status).toBe(422);
    expect((await problem(res)).fields?.[0]?.message).toMatch(/nested/);
    const big = await t.api('POST', '/api/citas', citaBody({ extras: { blob: 'x'.repeat(9000) } }));
    expect(big.status).toBe(422);
    const nestedOk = await t.api('POST', '/api/citas', citaBody({ extras: { a: { b: { c: 1 } } } }));
    expect(nestedOk.status).toBe(201);
  });

  it('years outside 1900–2199 and offsets beyond ±14:00 are refused, not stored as another instant', async () => {
    const t = await env();
    for (const [start, end] of [
      ['9999-12-31T23:00', '9999-12-31T23:30'],
      ['0001-01-01T10:00', '0001-01-01T10:30'],
      ['2027-11-20T09:00:00+99:99', '2027-11-20T09:30:00+99:99'],
      ['2027-11-20T09:00:00+14:30', '2027-11-20T09:30:00+14:30'],
      ['2027-11-20T09:00:00+05:60', '2027-11-20T09:30:00+05:60'],
    ]) {
      const res = await t.api('POST', '/api/citas', citaBody({ start_time: start, end_time: end }));
      expect(res.status, start).toBe(422);
      expect((await problem(res)).fields?.map((f) => f.field)).toContain('start_time');
    }
    const ok = await t.api('POST', '/api/citas', citaBody({ start_time: '2027-11-20T09:00:00+14:00', end_time: '2027-11-20T09:30:00+14:00' }));
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as any).start_time_utc).toBe('2027-11-19T19:00:00Z');
    const far = await t.api('GET', '/api/citas?location_id=loc-1&desde=9999-01-01');
    expect(far.status).toBe(422);
  });

  it('invented methods cannot grow the metrics: they are answered and counted under one label', async () => {
    const t = await env();
    for (const method of ['BREW', 'X1', 'X2', 'get']) {
      const res = await t.api(method, '/api/citas');
      expect(res.status, method).toBeGreaterThanOrEqual(400);
      expect(res.status, method).toBeLessThan(500);
    }
    const series = Object.keys(await t.deps.metrics.read()).filter((k) => k.startsWith('http_request_duration_seconds_count'));
    const methods = new Set(series.map((k) => /method="([^"]*)"/.exec(k)?.[1]));
    // `get` is GET (the Request normalises the standard names); the invented ones are one label.
    expect([...methods].sort()).toEqual(['GET', 'OTHER']);
  });
});

describe('hostile input on the webhook path', () => {
  async function setup() {
    const sandbox = createGhlSandbox({ seed: 9 });
    const keys = await sandbox.webhookKeys();
    const t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem } });
    envs.push(t);
    const deliver = async (body: string) => {
      const sig = await sandbox.signWebhook(body);
      return t.request(new Request('http://localhost/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', ...sig }, body }));
    };
    return { t, deliver };
  }

  const event = (appt: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => ({
    type: 'AppointmentCreate',
    locationId: 'loc-h',
    timestamp: new Date().toISOString(),
    webhookId: crypto.randomUUID(),
    appointment: {
      id: `apt-${crypto.randomUUID().slice(0, 8)}`,
      calendarId: 'cal-h',
      contactId: 'c-h',
      title: 'Desde GHL',
      appointmentStatus: 'confirmed',
      startTime: '2026-12-10T15:00:00-05:00',
      endTime: '2026-12-10T15:30:00-05:00',
      dateUpdated: '2026-11-23T10:00:00-05:00',
      ...appt,
    },
    ...over,
  });

  it('a NUL or a lone surrogate anywhere (even a field we ignore) → 400, recorded as invalid; GHL is not asked again', async () => {
    const { t, deliver } = await setup();
    const bodies = [
      event({ title: 'a\u0000b' }),
      event({ address: 'Consultorio \u0000 2' }),
      event({ users: ['u\udc00'] }),
      event({}, { extra: { 'k\ud800': 1 } }),
    ];
    for (const b of bodies) {
      const res = await deliver(JSON.stringify(b));
      expect(res.status).toBe(400);
      expect((await problem(res)).code).toBe('invalid_payload');
    }
    const recorded = await t.deps.db.select().from(webhookEvents);
    expect(recorded.map((r) => r.outcome)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    // What was refused is kept, made storable, for a person to look at (and replay after a fix).
    expect(JSON.stringify(recorded.map((r) => r.payload))).toContain('a\uFFFDb');
  });

  it('endTime not after startTime, or a year out of range → 400 invalid, not a 429 loop', async () => {
    const { t, deliver } = await setup();
    for (const appt of [
      { endTime: '2026-12-10T15:00:00-05:00' },
      { endTime: '2026-12-10T14:00:00-05:00' },
      { startTime: '9999-12-10T15:00:00-05:00', endTime: '9999-12-10T15:30:00-05:00' },
    ]) {
      const b = event(appt);
      const res = await deliver(JSON.stringify(b));
      expect(res.status, JSON.stringify(appt)).toBe(400);
      const [row] = await t.deps.db.select().from(webhookEvents).where(eq(webhookEvents.webhookId, b.webhookId));
      expect(row?.outcome).toBe('invalid');
    }
  });

  it('a body nested 100,000 deep is a recorded 400, not a crash', async () => {
    const { deliver } = await setup();
    const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await deliver(body);
    expect(res.status).toBe(400);
  });
});
