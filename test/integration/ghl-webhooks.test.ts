/**
 * GHL → RV3 through signed webhooks, with the sandbox as GHL (its users' actions and its own
 * echoes of our writes), on embedded and on real storage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { createNodeDeps } from '../../scripts/lib/node-deps';
import { loadConfig } from '../../src/config/config';
import { createFullApp } from '../../src/app';
import { createNeonDb } from '../../src/db/neon';
import { citas, webhookEvents } from '../../src/db/schema';
import type { Clock } from '../../src/lib/clock';
import { sharedDeps } from '../../src/runtime/provider';
import { ADMIN_KEY, citaBody, createTestEnv, servicesMode, type TestEnv } from '../support/harness';

const LOC = 'loc-wh';
const CAL = 'cal-wh';
const CONTACT = 'contact-wh';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup(opts: { env?: Record<string, string>; scheme?: 'ed25519' | 'rsa' | 'both'; wire?: boolean; retryDelayMs?: number; clock?: Clock } = {}) {
  const sandbox = createGhlSandbox({ seed: 5 });
  sandbox.seed({
    locations: [
      {
        id: LOC,
        timezone: 'America/Lima',
        calendars: [{ id: CAL, name: 'Dr. Ruiz', teamMembers: [{ userId: 'u-ruiz', isPrimary: true }] }, { id: 'cal-wh-2', name: 'Sala' }],
        contacts: [{ id: CONTACT, firstName: 'Rosa', email: 'rosa@example.com' }],
      },
    ],
  });
  const keys = await sandbox.webhookKeys();
  const t = await createTestEnv({
    ghl: sandbox,
    clock: opts.clock,
    env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, GHL_WEBHOOK_RSA_PUBLIC_KEY: keys.rsaPublicKeyPem, ...opts.env },
  });
  envs.push(t);
  await t.connectPit(LOC);
  if (opts.wire !== false) sandbox.configureWebhooks({ deliver: (req) => t.request(req), scheme: opts.scheme ?? 'ed25519', retryDelayMs: opts.retryDelayMs ?? 20 });
  /** Everything in flight on both sides: sandbox deliveries and our deferred pushes. */
  const quiet = async () => {
    for (let i = 0; i < 5; i++) {
      await sandbox.webhooks.idle();
      await t.settle();
    }
  };
  return { t, sandbox, quiet };
}

const read = async (t: TestEnv, id: string) => (await (await t.api('GET', `/api/citas/${id}`)).json()) as any;
const countRows = async (t: TestEnv, table: typeof citas | typeof webhookEvents) => Number((await t.deps.db.select({ n: count() }).from(table))[0]!.n);

/** A GHL-shaped appointment webhook, signed by the sandbox's keys unless told otherwise. */
function payload(over: Record<string, unknown> = {}, appt: Record<string, unknown> = {}) {
  return {
    type: 'AppointmentCreate',
    locationId: LOC,
    timestamp: new Date().toISOString(),
    webhookId: crypto.randomUUID(),
    appointment: {
      id: `apt-${crypto.randomUUID().slice(0, 8)}`,
      address: '',
      title: 'Desde GHL',
      calendarId: CAL,
      contactId: CONTACT,
      groupId: '',
      appointmentStatus: 'confirmed',
      assignedUserId: 'u-ruiz',
      users: [],
      notes: '',
      source: 'booking_widget',
      startTime: '2026-12-10T15:00:00-05:00',
      endTime: '2026-12-10T15:30:00-05:00',
      dateAdded: '2026-11-23T10:00:00-05:00',
      dateUpdated: '2026-11-23T10:00:00-05:00',
      ...appt,
    },
    ...over,
  };
}

async function deliver(t: TestEnv, sandbox: GhlSandbox, body: string, opts: { scheme?: 'ed25519' | 'rsa' | 'both'; headers?: Record<string, string>; path?: string } = {}) {
  const sig = await sandbox.signWebhook(body, { scheme: opts.scheme ?? 'ed25519' });
  return t.request(
    new Request(`http://localhost${opts.path ?? '/api/webhooks/ghl'}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...sig, ...opts.headers },
      body,
    }),
  );
}

describe('round trip through GHL', () => {
  it('moved, cancelled and created in GHL → the same cita moves, cancels, and a new one appears', async () => {
    const { t, sandbox, quiet } = await setup();
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, start_time: '2026-12-01T09:00', end_time: '2026-12-01T09:30' }));
    const cita = (await res.json()) as any;
    await quiet();
    const pushed = await read(t, cita.id);
    expect(pushed.sync.status).toBe('synced');

    sandbox.actions.moveAppointment(pushed.ghl_appointment_id, { startTime: '2026-12-02T16:00:00-05:00' });
    await quiet();
    const moved = await read(t, cita.id);
    expect(moved).toMatchObject({ start_time: '2026-12-02T16:00:00-05:00', end_time: '2026-12-02T16:30:00-05:00', sync: { status: 'synced' } });

    sandbox.actions.cancelAppointment(pushed.ghl_appointment_id);
    await quiet();
    expect(await read(t, cita.id)).toMatchObject({ status: 'cancelled', cancelled_at: expect.any(String) });

    const made = sandbox.actions.createAppointment({ locationId: LOC, calendarId: 'cal-wh-2', contactId: CONTACT, startTime: '2026-12-03T10:00:00-05:00', endTime: '2026-12-03T10:45:00-05:00', title: 'Reservado en GHL', notes: 'vía widget' });
    await quiet();
    const list = (await (await t.api('GET', `/api/citas?location_id=${LOC}&desde=2026-12-03&hasta=2026-12-03`)).json()) as any;
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ ghl_appointment_id: made.id, source: 'ghl', title: 'Reservado en GHL', notes: 'vía widget', calendar_id: 'cal-wh-2', end_time: '2026-12-03T10:45:00-05:00', sync: { status: 'synced' } });

    sandbox.actions.deleteAppointment(made.id);
    await quiet();
    const deleted = await read(t, list.data[0].id);
    // What every "gone from GHL" path leaves (src/sync/gone-from-ghl.ts): a new version, synced, the reason.
    expect(deleted).toMatchObject({
      status: 'cancelled',
      cancelled_at: expect.any(String),
      version: list.data[0].version + 1,
      sync: { status: 'synced', error: 'the appointment was deleted in GHL; cancelled here', retries: 0 },
    });
    const deletedTrail = (await (await t.api('GET', `/api/citas/${list.data[0].id}/audit`)).json()) as any;
    expect(deletedTrail.entries.at(-1)).toMatchObject({ actor: 'webhook', action: 'deleted_in_ghl', changes: { status: { after: 'cancelled' } } });

    // The audit trail says who changed what: the API created, GHL (via webhooks) moved and cancelled.
    const trail = (await (await t.api('GET', `/api/citas/${cita.id}/audit`)).json()) as any;
    expect(trail.entries.map((e: any) => [e.actor, e.action])).toEqual([
      ['api', 'create'],
      ...trail.entries.slice(1, -2).map(() => ['webhook', 'update_from_ghl']),
      ['webhook', 'update_from_ghl'],
      ['webhook', 'update_from_ghl'],
    ]);
    const moveEntry = trail.entries.find((e: any) => e.action === 'update_from_ghl' && e.changes.start_time);
    expect(moveEntry.changes.start_time).toEqual({ before: '2026-12-01T14:00:00.000Z', after: '2026-12-02T21:00:00.000Z' });
    expect(trail.entries[0].request_id).toEqual(expect.any(String));
    // Nothing that came from GHL went back to GHL.
    expect(sandbox.stats().calls['PUT /calendars/events/appointments/:id'] ?? 0).toBe(0);
  });

  it('our own push echoed back changes nothing and pushes nothing', async () => {
    const { t, sandbox, quiet } = await setup();
    const cita = (await (await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, assigned_user_id: 'u-ruiz', status: 'confirmed', start_time: '2026-12-05T09:00', end_time: '2026-12-05T09:30' }))).json()) as any;
    await quiet();
    const total = () => Object.values(sandbox.stats().calls).reduce((a, b) => a + b, 0);
    const before = total();
    await t.api('PATCH', `/api/citas/${cita.id}`, { title: 'Control post-operatorio' });
    await quiet();
    const after = await read(t, cita.id);
    expect(after).toMatchObject({ version: 2, title: 'Control post-operatorio', sync: { status: 'synced' } });
    // The edit cost one PUT and its re-read; the echo of each write cost nothing.
    expect(total() - before).toBe(2);
    const events = await t.deps.db.select().from(webhookEvents);
    expect(events.map((e) => e.outcome).sort()).toEqual(['echo', 'echo']);
  });

  it('an appointment from GHL overlapping an active cita is kept and flagged as a conflict', async () => {
    const { t, sandbox, quiet } = await setup();
    const cita = (await (await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, start_time: '2026-12-07T09:00', end_time: '2026-12-07T10:00' }))).json()) as any;
    await quiet();
    const clash = sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: CONTACT, startTime: '2026-12-07T09:30:00-05:00', endTime: '2026-12-07T10:30:00-05:00', title: 'Doble' });
    await quiet();
    const conflicts = (await (await t.api('GET', `/api/citas?location_id=${LOC}&conflict=true`)).json()) as any;
    expect(conflicts.data).toHaveLength(1);
    expect(conflicts.data[0]).toMatchObject({ ghl_appointment_id: clash.id, conflict: true });
    expect((await read(t, cita.id)).conflict).toBe(false);
    // The constraint still holds for everything else.
    const again = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, start_time: '2026-12-07T09:15', end_time: '2026-12-07T09:45' }));
    expect(again.status).toBe(409);
    // Moved in GHL to a free slot, the flag goes.
    sandbox.actions.moveAppointment(clash.id, { startTime: '2026-12-07T11:00:00-05:00' });
    await quiet();
    expect((await read(t, conflicts.data[0].id)).conflict).toBe(false);
  });
});

describe('idempotency and order', () => {
  it('50 concurrent deliveries of one webhook: one change, one webhook_events row', async () => {
    const { t, sandbox } = await setup({ wire: false });
    const body = JSON.stringify(payload());
    const responses = await Promise.all(Array.from({ length: 50 }, () => deliver(t, sandbox, body)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const outcomes = (await Promise.all(responses.map((r) => r.json()))).map((b: any) => b.outcome);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(49);
    expect(await countRows(t, webhookEvents)).toBe(1);
    expect((await t.api('GET', `/api/citas?location_id=${LOC}`).then((r) => r.json()) as any).data).toHaveLength(1);
  });

  it('a newer update then an older one: the newer data stays', async () => {
    const { t, sandbox } = await setup({ wire: false });
    const id = 'apt-order';
    await deliver(t, sandbox, JSON.stringify(payload({}, { id })));
    const newer = payload({ type: 'AppointmentUpdate' }, { id, startTime: '2026-12-10T17:00:00-05:00', endTime: '2026-12-10T17:30:00-05:00', dateUpdated: '2026-11-23T12:00:00-05:00' });
    const older = payload({ type: 'AppointmentUpdate' }, { id, startTime: '2026-12-10T16:00:00-05:00', endTime: '2026-12-10T16:30:00-05:00', dateUpdated: '2026-11-23T11:00:00-05:00' });
    expect(((await (await deliver(t, sandbox, JSON.stringify(newer))).json()) as any).outcome).toBe('applied');
    expect(((await (await deliver(t, sandbox, JSON.stringify(older))).json()) as any).outcome).toBe('stale');
    const [row] = await t.deps.db.select().from(citas).where(eq(citas.ghlAppointmentId, id));
    expect(row!.startTime.toISOString()).toBe('2026-12-10T22:00:00.000Z');
  });

  it('GHL actions delivered twice and in reverse order converge on GHL’s latest state', async () => {
    const { t, sandbox, quiet } = await setup();
    const made = sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: CONTACT, startTime: '2026-12-12T09:00:00-05:00', endTime: '2026-12-12T09:30:00-05:00' });
    await quiet();
    sandbox.webhooks.setMode({ hold: true, duplicate: true });
    sandbox.actions.moveAppointment(made.id, { startTime: '2026-12-12T10:00:00-05:00' });
    sandbox.actions.moveAppointment(made.id, { startTime: '2026-12-12T11:00:00-05:00' });
    sandbox.actions.editAppointment(made.id, { title: 'Final' });
    sandbox.webhooks.release('reverse');
    sandbox.webhooks.setMode({});
    await quiet();
    const [row] = await t.deps.db.select().from(citas).where(eq(citas.ghlAppointmentId, made.id));
    expect(row).toMatchObject({ title: 'Final', startTime: new Date('2026-12-12T16:00:00Z') });
    const outcomes = (await t.deps.db.select().from(webhookEvents)).map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'stale').length).toBeGreaterThanOrEqual(1);
  });

  it('database unavailable during a delivery → 429, the key records the failure; the re-delivery applies once', async () => {
    const { t, sandbox } = await setup({ wire: false });
    // A second instance of the service whose database is really unreachable, sharing the store.
    let broken: Awaited<ReturnType<typeof createNodeDeps>>['deps']['db'];
    let closeBroken: () => Promise<void>;
    if (servicesMode()) {
      const url = new URL(t.env.DATABASE_URL!);
      url.pathname = '/no_such_database';
      const n = createNeonDb(url.toString(), { wsProxy: t.env.NEON_WS_PROXY });
      broken = n.db;
      closeBroken = n.close;
    } else {
      const n = await createNodeDeps(loadConfig({ DATABASE_URL: 'memory://' }));
      await n.close(); // a closed PGlite refuses every query
      broken = n.deps.db;
      closeBroken = async () => {};
    }
    const down = createFullApp(sharedDeps({ ...t.deps, db: broken }));
    const body = JSON.stringify(payload());
    const sig = await sandbox.signWebhook(body);
    const post = (app: { request: typeof down.request }) =>
      app.request('/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', ...sig }, body }, t.env);
    const first = await post(down);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBeTruthy();
    expect(((await first.json()) as any).request_id).toEqual(expect.any(String));
    await closeBroken();
    // The fast key now says the delivery failed (the database could not record it): the re-delivery is let through.
    expect(await t.deps.store.get(`webhook:${JSON.parse(body).webhookId}`)).toBe('failed:1');

    const again = await post(t.app);
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).outcome).toBe('created');
    const third = await post(t.app);
    expect(((await third.json()) as any).outcome).toBe('duplicate');
    const [event] = await t.deps.db.select().from(webhookEvents);
    expect(event).toMatchObject({ outcome: 'created', deliveries: 2 });
    expect(await countRows(t, citas)).toBe(1);
    const stats = (await (await t.api('GET', '/api/admin/webhooks/stats', undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    expect(stats.counters).toMatchObject({ received: 3, failed: 1, created: 1, duplicate: 1, first_delivery: 0 });
    expect(stats.first_delivery).toEqual({ processed: 1, first_delivery: 0, rate: 0 });
  });

  it('GHL re-delivers after our 429 (sandbox retry), and the replay route reprocesses idempotently', async () => {
    // GHL's retry is held back (60 s) so the test decides when it comes, after the limit window.
    // Our clock runs a little ahead of GHL's on demand, so the limit window can pass without waiting.
    let ahead = 0;
    const clock: Clock = { now: () => new Date(Date.now() + ahead) };
    const { t, sandbox, quiet } = await setup({ env: { WEBHOOK_RATE_LIMIT_PER_MINUTE: '1' }, retryDelayMs: 60_000, clock });
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: CONTACT, startTime: '2026-12-14T09:00:00-05:00', endTime: '2026-12-14T09:30:00-05:00' });
    const second = sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: CONTACT, startTime: '2026-12-14T10:00:00-05:00', endTime: '2026-12-14T10:30:00-05:00' });
    await quiet();
    // The per-IP limit answered 429 to the second; GHL's retry arrives in the next window.
    const log = sandbox.webhooks.log();
    expect(log.some((l) => l.status === 429)).toBe(true);
    expect(await countRows(t, citas)).toBe(1);
    ahead = 60_000;
    sandbox.webhooks.retryNow();
    await quiet();
    expect(await countRows(t, citas)).toBe(2);

    const [event] = await t.deps.db.select().from(webhookEvents).where(eq(webhookEvents.appointmentId, second.id));
    const replay = await t.api('POST', `/api/admin/webhooks/${event!.webhookId}/replay`, {}, { Authorization: `Bearer ${ADMIN_KEY}` });
    expect(await replay.json()).toMatchObject({ replayed: true, previous_outcome: 'created', outcome: 'unchanged' });
    expect(await countRows(t, citas)).toBe(2);
  });
});

describe('what gets refused', () => {
  it('forged, truncated, re-signed with another key, missing header, 3 h old, future: 401 and no change', async () => {
    const { t, sandbox } = await setup({ wire: false });
    const other = createGhlSandbox();
    const body = JSON.stringify(payload());
    const good = await sandbox.signWebhook(body);
    const post = (b: string, headers: Record<string, string>) =>
      t.request(new Request('http://localhost/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: b }));
    const cases: [string, Promise<Response>][] = [
      ['forged', post(body, { 'x-ghl-signature': btoa('x'.repeat(64)) })],
      ['truncated', post(body.slice(0, -20), good)],
      ['tampered', post(body.replace('Desde GHL', 'Desde GHM'), good)],
      ['other key', post(body, await other.signWebhook(body))],
      ['missing header', post(body, {})],
      ['not base64', post(body, { 'x-ghl-signature': '***' })],
      ['3 hours old', deliver(t, sandbox, JSON.stringify(payload({ timestamp: new Date(Date.now() - 3 * 3600_000).toISOString() })))],
      ['future', deliver(t, sandbox, JSON.stringify(payload({ timestamp: new Date(Date.now() + 10 * 60_000).toISOString() })))],
      // An Ed25519 header that fails never falls back to a valid RSA one.
      ['bad ed25519 + good rsa', post(body, { ...(await sandbox.signWebhook(body, { scheme: 'rsa' })), 'x-ghl-signature': good['x-ghl-signature']!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })],
    ];
    for (const [name, res] of cases) {
      const r = await res;
      expect(r.status, name).toBe(401);
    }
    expect(await countRows(t, citas)).toBe(0);
    expect(await countRows(t, webhookEvents)).toBe(0);
    expect(JSON.stringify(t.logs)).not.toContain('Desde GHL');
  });

  it('accepts both schemes with the right keys, on both paths', async () => {
    const { t, sandbox } = await setup({ wire: false });
    const ed = await deliver(t, sandbox, JSON.stringify(payload({}, { startTime: '2026-12-20T09:00:00-05:00', endTime: '2026-12-20T09:30:00-05:00' })), { scheme: 'ed25519' });
    const rsa = await deliver(t, sandbox, JSON.stringify(payload({}, { startTime: '2026-12-20T10:00:00-05:00', endTime: '2026-12-20T10:30:00-05:00' })), { scheme: 'rsa', path: '/api/webhooks/ghl/appointments' });
    expect([ed.status, rsa.status]).toEqual([200, 200]);
    expect(await countRows(t, citas)).toBe(2);
  });

  it('signed but malformed → 400 recorded; other types → 200 ignored; UNINSTALL leaves a PIT connected (see ghl-app-lifecycle)', async () => {
    const { t, sandbox } = await setup({ wire: false });
    const bad = await deliver(t, sandbox, JSON.stringify(payload({}, { startTime: 'someday' })));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).fields[0].field).toBe('appointment.startTime');
    const notJson = await deliver(t, sandbox, '{"type":');
    expect(notJson.status).toBe(400);
    const other = await deliver(t, sandbox, JSON.stringify({ type: 'OpportunityCreate', locationId: LOC, timestamp: new Date().toISOString(), webhookId: crypto.randomUUID() }));
    expect(((await other.json()) as any).outcome).toBe('ignored');
    // A contact event we handle, signed but without the contact's id: refused and recorded like a bad appointment.
    const noId = await deliver(t, sandbox, JSON.stringify({ type: 'ContactCreate', locationId: LOC, timestamp: new Date().toISOString(), webhookId: crypto.randomUUID() }));
    expect(noId.status).toBe(400);
    const uninstall = await deliver(t, sandbox, JSON.stringify({ type: 'UNINSTALL', appId: 'app', locationId: LOC, timestamp: new Date().toISOString(), webhookId: crypto.randomUUID() }));
    expect(uninstall.status).toBe(200);
    const conn = (await (await t.api('GET', `/api/admin/locations/${LOC}/connection`, undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    expect(conn.status).toBe('active');
    const outcomes = (await t.deps.db.select().from(webhookEvents)).map((e) => e.outcome).sort();
    expect(outcomes).toEqual(['ignored', 'ignored', 'invalid', 'invalid', 'invalid']);
    expect(await countRows(t, citas)).toBe(0);
  });

  it('fuzz: malformed and oversized bodies never cause a 5xx or a partial write', async () => {
    const { t, sandbox } = await setup({ wire: false });
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let base = payload();
    const mutations: (() => unknown)[] = [
      () => ({ ...base, appointment: { ...base.appointment, id: rand() > 0.5 ? 42 : null } }),
      () => ({ ...base, appointment: { ...base.appointment, endTime: '2026-13-45T99:99:99Z' } }),
      () => ({ ...base, appointment: null }),
      () => ({ ...base, type: 'AppointmentUpdate', appointment: { id: 'x' } }),
      () => ({ ...base, webhookId: '' }),
      () => ({ ...base, locationId: { nested: true } }),
      () => [1, 2, 3],
      () => 'just a string',
      () => ({ ...base, appointment: { ...base.appointment, calendarId: 'x'.repeat(5000) } }),
      () => ({ ...base, timestamp: 'yesterday' }),
    ];
    for (let i = 0; i < 60; i++) {
      base = payload(); // a fresh webhookId: a repeated id would rightly be answered as a duplicate
      const value = mutations[Math.floor(rand() * mutations.length)]!();
      let body = JSON.stringify({ v: value }).slice(5, -1);
      if (rand() < 0.2) body = body.slice(0, Math.floor(rand() * body.length));
      if (rand() < 0.1) body = body + '\u0000\uffff';
      const res = await deliver(t, sandbox, body);
      expect(res.status, body.slice(0, 200)).toBeLessThan(500);
      expect([400, 401]).toContain(res.status);
    }
    const huge = JSON.stringify(payload({ padding: 'x'.repeat(300 * 1024) }));
    const big = await deliver(t, sandbox, huge);
    expect(big.status).toBe(413);
    expect(await countRows(t, citas)).toBe(0);
    expect((await t.deps.db.select().from(webhookEvents)).every((e) => e.outcome === 'invalid')).toBe(true);
  });
});
