/**
 * RV3 → GHL against the GHL sandbox (in-process), on embedded and on real storage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { citas, ghlConnections } from '../../src/db/schema';
import { pushCita, sweepPending } from '../../src/sync/outbound';
import { buildDeps } from '../../src/runtime/build-deps';
import { createGhlServices } from '../../src/ghl/services';
import { citaIdFromDescription } from '../../src/sync/appointment-mapping';
import { ADMIN_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-clinic';
const CAL = 'cal-gomez';
const CONTACT = 'contact-ana';

function seeded(opts: Parameters<typeof createGhlSandbox>[0] = {}): GhlSandbox {
  const sandbox = createGhlSandbox({ seed: 7, ...opts });
  sandbox.seed({
    locations: [
      {
        id: LOC,
        name: 'Clínica San Isidro',
        timezone: 'America/Lima',
        calendars: [
          { id: CAL, name: 'Dra. Gómez', isActive: true, calendarType: 'personal', teamMembers: [{ userId: 'user-gomez', isPrimary: true }] },
          { id: 'cal-sala-2', name: 'Sala 2', isActive: true, calendarType: 'event' },
          { id: 'cal-old', name: 'Antiguo', isActive: false },
        ],
        contacts: [{ id: CONTACT, firstName: 'Ana', lastName: 'Pérez', email: 'ana@example.com', phone: '+51999000111' }],
      },
    ],
  });
  return sandbox;
}

const envs: TestEnv[] = [];
async function setup(opts: { sandbox?: GhlSandbox; env?: Record<string, string> } = {}) {
  const sandbox = opts.sandbox ?? seeded();
  const t = await createTestEnv({ ghl: sandbox, env: opts.env });
  envs.push(t);
  return { t, sandbox };
}
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

const at = (hour: number, day = 1) => ({
  start_time: `2026-12-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00`,
  end_time: `2026-12-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:30`,
});

async function createCita(t: TestEnv, over: Record<string, unknown> = {}) {
  const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, ...at(9), ...over }));
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as any;
}
const read = async (t: TestEnv, id: string) => (await (await t.api('GET', `/api/citas/${id}`)).json()) as any;

describe('connections and settings', () => {
  it('a private integration token is verified against GHL and teaches the location its zone', async () => {
    const { t } = await setup();
    const view = await t.connectPit(LOC);
    expect(view).toMatchObject({ connected: true, auth_type: 'pit', status: 'active', ghl_location: { name: 'Clínica San Isidro', time_zone: 'America/Lima' } });
    expect(JSON.stringify(await t.deps.db.select().from(ghlConnections))).not.toContain(view.token ?? 'pit-');

    const bad = await t.api('PUT', `/api/admin/locations/${LOC}/connection`, { private_integration_token: 'pit-not-a-real-token' }, { Authorization: `Bearer ${ADMIN_KEY}` });
    expect(bad.status).toBe(409);
    expect(((await bad.json()) as any).code).toBe('ghl_reauth_required');
    // Admin routes need the admin key.
    expect((await t.api('GET', `/api/admin/locations/${LOC}/connection`)).status).toBe(403);
  });

  it('an OAuth install stores encrypted tokens for the location', async () => {
    const { t } = await setup();
    const view = await t.connectOAuth(LOC);
    expect(view).toMatchObject({ installed: true, location_id: LOC, auth_type: 'oauth', connected: true });
    const [row] = await t.deps.db.select().from(ghlConnections).where(eq(ghlConnections.locationId, LOC));
    expect(row!.accessTokenEnc).toMatch(/^v1\./);
    expect(row!.refreshTokenEnc).toMatch(/^v1\./);
    expect(row!.accessExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const reused = await t.app.request('/oauth/callback?code=used-or-unknown', {}, t.env);
    expect(reused.status).toBe(409);
  });

  it('lists calendars from a 5-minute cache; refresh=1 asks GHL again', async () => {
    const { t, sandbox } = await setup();
    await t.connectPit(LOC);
    const calls = () => sandbox.stats().calls['GET /calendars/'] ?? 0;
    const first = (await (await t.api('GET', `/api/ghl/calendars?location_id=${LOC}`)).json()) as any;
    expect(first.cached).toBe(false);
    expect(first.calendars).toContainEqual({ id: CAL, name: 'Dra. Gómez', active: true, type: 'personal', team_members: [{ user_id: 'user-gomez', is_primary: true }], open_hours: null, slot_duration_minutes: expect.any(Number) });
    expect(first.calendars.find((c: any) => c.id === 'cal-old').active).toBe(false);
    const before = calls();
    expect(((await (await t.api('GET', `/api/ghl/calendars?location_id=${LOC}`)).json()) as any).cached).toBe(true);
    expect(calls()).toBe(before);
    await t.api('GET', `/api/ghl/calendars?location_id=${LOC}&refresh=1`);
    expect(calls()).toBe(before + 1);
    const unconnected = await t.api('GET', '/api/ghl/calendars?location_id=loc-nowhere');
    expect(unconnected.status).toBe(409);
  });

  it('settings: calendars must exist and be active in GHL; several per location', async () => {
    const { t } = await setup();
    await t.connectPit(LOC);
    const put = (body: unknown) => t.api('PUT', `/api/locations/${LOC}/settings`, body);
    const inactive = await put({ default_calendar_id: 'cal-old' });
    expect(inactive.status).toBe(422);
    expect(((await inactive.json()) as any).fields).toEqual([{ field: 'default_calendar_id', message: expect.stringMatching(/inactive/) }]);
    const unknown = await put({ synced_calendar_ids: [CAL, 'cal-ghost'] });
    expect(((await unknown.json()) as any).fields).toEqual([{ field: 'synced_calendar_ids.1', message: expect.stringMatching(/does not exist/) }]);

    const ok = await put({ default_calendar_id: CAL, synced_calendar_ids: ['cal-sala-2'] });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      default_calendar_id: CAL,
      synced_calendar_ids: expect.arrayContaining([CAL, 'cal-sala-2']),
      time_zone: 'America/Lima',
      time_zone_source: 'ghl',
      ghl_connected: true,
    });
  });
});

describe('outbound sync', () => {
  it('create, edit and cancel reach GHL; GHL ids and watermarks are stored; the caller never waits', async () => {
    const { t, sandbox } = await setup();
    await t.connectPit(LOC);

    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, ...at(9), notes: 'ayuno' }), {}, { settle: false });
    expect(res.status).toBe(201);
    const answered = (await res.json()) as any;
    expect(answered.sync.status).toBe('pending_sync');
    await t.settle();

    const cita = await read(t, answered.id);
    expect(cita).toMatchObject({ sync: { status: 'synced', retries: 0, error: null, last_synced_at: expect.any(String) }, ghl_appointment_id: expect.any(String) });
    const [stored] = sandbox.appointments({ locationId: LOC });
    expect(stored).toMatchObject({
      id: cita.ghl_appointment_id,
      calendarId: CAL,
      contactId: CONTACT,
      title: 'Control - Ana Pérez',
      startTime: '2026-12-01T09:00:00-05:00',
      endTime: '2026-12-01T09:30:00-05:00',
      appointmentStatus: 'new',
    });
    expect(citaIdFromDescription(stored!.description)).toBe(cita.id);
    const [row] = await t.deps.db.select().from(citas).where(eq(citas.id, cita.id));
    expect(row!.ghlDateUpdated?.toISOString()).toBe(new Date(stored!.dateUpdated).toISOString());

    await t.api('PATCH', `/api/citas/${cita.id}`, { start_time: '2026-12-01T11:00', title: 'Control 2', status: 'confirmed' });
    expect(sandbox.appointments({ locationId: LOC })[0]).toMatchObject({ startTime: '2026-12-01T11:00:00-05:00', endTime: '2026-12-01T11:30:00-05:00', title: 'Control 2', appointmentStatus: 'confirmed' });

    await t.api('POST', `/api/citas/${cita.id}/cancel`);
    expect(sandbox.appointments({ locationId: LOC })[0]!.appointmentStatus).toBe('cancelled');
    expect((await read(t, cita.id)).sync.status).toBe('synced');
    expect(sandbox.stats().creates).toBe(1);
  });

  it('an unchanged appointment costs no GHL call (content hash)', async () => {
    const { t, sandbox } = await setup();
    await t.connectPit(LOC);
    const cita = await createCita(t);
    const calls = () => Object.values(sandbox.stats().calls).reduce((a, b) => a + b, 0);
    const before = calls();
    // extras never go to GHL: the row changes, the appointment would not.
    const res = await t.api('PATCH', `/api/citas/${cita.id}`, { extras: { sede: 'Miraflores' } });
    expect(((await res.json()) as any).version).toBe(2);
    expect(calls()).toBe(before);
    expect((await read(t, cita.id)).sync.status).toBe('synced');
  });

  it('upserts the contact first when the cita carries contact details', async () => {
    const { t, sandbox } = await setup();
    await t.connectPit(LOC);
    const cita = await createCita(t, { contact_id: undefined, contact: { first_name: 'Luis', last_name: 'Quispe', phone: '+51988777666' } });
    const after = await read(t, cita.id);
    expect(after.sync.status).toBe('synced');
    expect(after.contact_id).toEqual(expect.any(String));
    expect(sandbox.appointments({ locationId: LOC })[0]!.contactId).toBe(after.contact_id);
    // The same person again matches the same GHL contact.
    const again = await createCita(t, { contact_id: undefined, contact: { first_name: 'Luis', phone: '+51988777666' }, ...at(10) });
    expect((await read(t, again.id)).contact_id).toBe(after.contact_id);
    const neither = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, contact_id: undefined, ...at(12) }));
    expect(neither.status).toBe(422);
  });

  it('a timeout after GHL wrote the create yields exactly one appointment', async () => {
    const { t, sandbox } = await setup({ env: { GHL_TIMEOUT_MS: '300' } });
    await t.connectPit(LOC);
    sandbox.injectFault({ kind: 'timeout_after_write', match: { method: 'POST', path: 'calendars/events/appointments' }, count: 1, latencyMs: 5000 });
    const cita = await createCita(t);
    const after = await read(t, cita.id);
    expect(after.sync.status).toBe('synced');
    const stored = sandbox.appointments({ locationId: LOC });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).toBe(after.ghl_appointment_id);
    expect(sandbox.stats().creates).toBe(1);
  });

  it('after 3 failed attempts a cita is sync_failed, with the error kept', async () => {
    const { t } = await setup();
    await t.connectPit(LOC);
    // A contact GHL does not have (a calendar it does not have is refused before saving: calendar-rule.test.ts).
    const cita = await createCita(t, { contact_id: 'contact-ghost' });
    let row = await read(t, cita.id);
    expect(row.sync).toMatchObject({ status: 'pending_sync', retries: 1, error: expect.stringMatching(/^validation: .*Contact not found/) });
    await sweepPending(t.deps);
    await sweepPending(t.deps);
    row = await read(t, cita.id);
    expect(row.sync).toMatchObject({ status: 'sync_failed', retries: 3 });
    // Failed citas are not swept again.
    expect((await sweepPending(t.deps)).examined).toBe(0);
  });

  it('citas created before the location was connected wait untried, and go to GHL when it connects', async () => {
    const { t, sandbox } = await setup();
    const a = await createCita(t, at(9));
    const b = await createCita(t, at(10));
    expect((await read(t, a.id)).sync).toMatchObject({ status: 'pending_sync', retries: 0, error: null });
    expect(Object.keys(sandbox.stats().calls)).toEqual([]);
    await t.connectPit(LOC);
    expect((await read(t, a.id)).sync).toMatchObject({ status: 'synced' });
    expect(sandbox.appointments({ locationId: LOC }).map((x) => citaIdFromDescription(x.description)).sort()).toEqual([a.id, b.id].sort());
    // The sweep (here asked by hand) finds nothing left.
    const res = await t.api('POST', '/api/admin/sync/push-pending', {}, { Authorization: `Bearer ${ADMIN_KEY}` });
    expect(await res.json()).toMatchObject({ examined: 0, still_pending: 0 });

    // A connection waiting for re-authorisation is not one to push through: the next cita waits too.
    await t.deps.db.update(ghlConnections).set({ status: 'reauth_required' }).where(eq(ghlConnections.locationId, LOC));
    const creates = sandbox.stats().calls['POST /calendars/events/appointments'];
    const c = await createCita(t, at(11));
    await t.settle();
    expect((await read(t, c.id)).sync).toMatchObject({ status: 'pending_sync', retries: 0, error: null });
    expect(sandbox.stats().calls['POST /calendars/events/appointments']).toBe(creates);
  });

  it('a scope 401 is final: no refresh loop, no attempt burnt on retries of it', async () => {
    const { t, sandbox } = await setup();
    const token = sandbox.createPrivateToken(LOC, { scopes: ['locations.readonly', 'calendars.readonly'] });
    await t.api('PUT', `/api/admin/locations/${LOC}/connection`, { private_integration_token: token }, { Authorization: `Bearer ${ADMIN_KEY}` });
    const cita = await createCita(t);
    expect((await read(t, cita.id)).sync.error).toMatch(/^scope: /);
    expect(sandbox.stats().calls['POST /calendars/events/appointments']).toBe(1);
    expect(sandbox.stats().tokenRequests).toBe(0);
  });

  it('a GHL that keeps failing opens the circuit: work stays pending without burning attempts', async () => {
    const { t, sandbox } = await setup({ env: { GHL_BREAKER_THRESHOLD: '3', GHL_MAX_ATTEMPTS: '2' } });
    await t.connectPit(LOC);
    sandbox.injectFault({ kind: '503', match: { path: 'calendars/events' } });
    const first = await createCita(t, at(9));
    const second = await createCita(t, at(10));
    const third = await createCita(t, at(11));
    const rows = await Promise.all([first, second, third].map((c) => read(t, c.id)));
    expect(rows.map((r) => r.sync.status)).toEqual(['pending_sync', 'pending_sync', 'pending_sync']);
    expect(rows[2].sync).toMatchObject({ retries: 0, error: expect.stringMatching(/^circuit_open/) });
    const view = (await (await t.api('GET', `/api/admin/locations/${LOC}/connection`, undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    expect(view.circuit_open).toBe(true);
  });
});

describe('tokens under concurrency', () => {
  async function oauthWithPending(n: number) {
    // These tests are about tokens: GHL's request budget is widened (ours to 90 / 1 s) so 150 calls don't wait out 10-second windows.
    const { t, sandbox } = await setup({ sandbox: seeded({ rateLimit: { max: 1000, intervalMs: 1000 } }), env: { GHL_RATE_LIMIT_INTERVAL_MS: '1000' } });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await createCita(t, { ...at(8 + Math.floor(i / 25), 1 + (i % 25)), title: `Cita ${i}` })).id);
    // Connecting pushes them all at once; each then gets an edit still to push, which is what these tests race.
    await t.connectOAuth(LOC);
    await t.settle();
    await t.deps.db.update(citas).set({ syncStatus: 'pending_sync', title: sql`${citas.title} || ' (editada)'`, version: sql`${citas.version} + 1` });
    return { t, sandbox, ids };
  }

  it('50 concurrent pushes with an access token expired by our clock: one refresh, no reuse, all synced', async () => {
    const { t, sandbox, ids } = await oauthWithPending(50);
    await t.deps.db.update(ghlConnections).set({ accessExpiresAt: new Date(Date.now() - 1000) });
    const before = sandbox.stats();
    const outcomes = await Promise.all(ids.map((id) => pushCita(t.deps, id)));
    expect(outcomes.every((o) => o === 'synced')).toBe(true);
    expect(sandbox.stats().refreshes - before.refreshes).toBe(1);
    expect(sandbox.stats().reusedRefreshTokens).toBe(0);
    expect(sandbox.appointments({ locationId: LOC })).toHaveLength(50);
  });

  it('50 concurrent pushes whose token GHL expired, from two processes sharing only the store: one refresh', async () => {
    const { t, sandbox, ids } = await oauthWithPending(50);
    sandbox.expireAccessTokens(LOC);
    // A second process: its own token manager and single-flight map, same database and store.
    const other = buildDeps({ ...t.deps, fetch: sandbox.fetch, ghl: createGhlServices });
    const outcomes = await Promise.all(ids.map((id, i) => pushCita(i % 2 ? other : t.deps, id)));
    expect(outcomes.filter((o) => o === 'synced')).toHaveLength(50);
    expect(sandbox.stats().refreshes).toBe(1);
    expect(sandbox.stats().reusedRefreshTokens).toBe(0);
    expect(sandbox.appointments({ locationId: LOC })).toHaveLength(50);
  });

  it('a refresh token used elsewhere marks the connection reauth_required, visible in health', async () => {
    const { t, sandbox } = await setup();
    await t.connectOAuth(LOC);
    const [row] = await t.deps.db.select().from(ghlConnections);
    const stolen = await t.deps.ghl.cipher.decrypt(row!.refreshTokenEnc!, LOC);
    // Someone else redeems our refresh token (e.g. a stale copy of the app).
    await t.deps.ghl.oauth.refresh(stolen);
    sandbox.expireAccessTokens(LOC);
    const cita = await createCita(t);
    // The create's look at GHL's blocks (its copy was stale) met the refusal first: the connection is
    // marked, and the cita waits for the reconnection without an attempt spent.
    expect((await read(t, cita.id)).sync).toMatchObject({ status: 'pending_sync', retries: 0 });
    const health = (await (await t.app.request('/healthz', {}, t.env)).json()) as any;
    expect(health.status).toBe('degraded');
    expect(health.checks.ghl.reauth_required).toBe(1);
    expect(sandbox.stats().reusedRefreshTokens).toBe(1);
  });
});
