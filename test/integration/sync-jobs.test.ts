/**
 * The scheduled jobs against the GHL sandbox, called the way QStash calls them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, count, eq, sql } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { citas, ghlConnections, syncRuns, webhookEvents } from '../../src/db/schema';
import { ADMIN_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';
import { disagreements } from '../support/agreement';

const LOC = 'loc-jobs';
const CALS = ['cal-j1', 'cal-j2'];
const DAY = 86_400_000;

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

function iso(ms: number) {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

async function setup(opts: { appointments?: number; env?: Record<string, string> } = {}) {
  const sandbox = createGhlSandbox({ seed: 9, rateLimit: { max: 1000, intervalMs: 1000 } });
  const base = Math.ceil(Date.now() / 3600_000) * 3600_000 + DAY;
  const appointments = Array.from({ length: opts.appointments ?? 0 }, (_, i) => {
    // Spread over ~85 days, two calendars, 30-minute slots that never overlap.
    const start = base + Math.floor(i / 2) * 3600_000 + (i % 4 >= 2 ? 1800_000 : 0);
    return { calendarId: CALS[i % 2]!, contactId: 'c-j', title: `Seeded ${i}`, appointmentStatus: (i % 7 === 0 ? 'confirmed' : 'new') as 'new', startTime: iso(start), endTime: iso(start + 1800_000) };
  });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: CALS.map((id) => ({ id, name: id })), contacts: [{ id: 'c-j', firstName: 'Jo', email: 'jo@example.com' }], appointments }] });
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_RATE_LIMIT_INTERVAL_MS: '1000', ...opts.env } });
  envs.push(t);
  await t.connectPit(LOC);
  await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CALS[0], synced_calendar_ids: CALS });
  return { t, sandbox, base };
}

const runJob = async (t: TestEnv, kind: string) => {
  const res = await t.job('/api/jobs/run', { kind, location_id: LOC });
  return { status: res.status, body: (await res.json()) as any };
};

describe('job endpoints', () => {
  it('only QStash-signed calls for this exact URL get in', async () => {
    const { t } = await setup();
    const ok = await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
    expect(ok.status).toBe(200);
    const forged = await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC }, { key: 'sig_not_ours' });
    expect(forged.status).toBe(401);
    const wrongUrl = await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC }, { url: 'http://localhost/api/jobs/sync/full' });
    expect(wrongUrl.status).toBe(401);
    const unsigned = await t.request(new Request('http://localhost/api/jobs/sync/full', { method: 'POST' }));
    expect(unsigned.status).toBe(401);
    // An API key is no way in either.
    expect((await t.api('POST', '/api/jobs/sync/full', {}, { Authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(401);
  });

  it('the scheduled call fans out one signed message per connected location', async () => {
    const { t } = await setup({ appointments: 10 });
    const res = await t.job('/api/jobs/sync/incremental');
    expect(await res.json()).toMatchObject({ kind: 'incremental', published: 1 });
    expect(t.queue.delivered.map((d) => d.status)).toEqual([200]);
    // (Connecting recorded its own runs: the match of earlier citas and the history's backfill.)
    const runs = (await t.deps.db.select().from(syncRuns)).filter((r) => r.kind === 'incremental');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ kind: 'incremental', locationId: LOC, outcome: 'ok' });
  });

  it('a connection that needs re-authorisation answers 489, non-retryable', async () => {
    const { t } = await setup();
    await t.job('/api/jobs/run', { kind: 'full', location_id: LOC }); // connected: fine
    const other = await t.job('/api/jobs/run', { kind: 'full', location_id: 'loc-never-connected' });
    expect(other.status).toBe(489);
    expect(other.headers.get('upstash-nonretryable-error')).toBe('true');
  });
});

describe('reconciliation', () => {
  it('a bulk insert that collides with a concurrent writer writes nothing; the batch goes one by one and every appointment lands once', async () => {
    const { t, base } = await setup({ appointments: 12 });
    // A concurrent writer, played by the database: the first multi-row insert into citas fails as
    // the overlap guard would fail it; everything after goes through.
    // (A sequence, not a table, keeps count: the failing statement rolls back whatever it wrote.)
    await t.deps.db.execute(sql.raw('create sequence collide_once'));
    await t.deps.db.execute(sql.raw(`create function collide_once() returns trigger language plpgsql as $$
      begin
        if nextval('collide_once') = 1 then
          raise exception 'a concurrent writer took the slot' using errcode = 'exclusion_violation';
        end if;
        return null;
      end $$`));
    await t.deps.db.execute(sql.raw('create trigger collide_once after insert on citas for each statement execute function collide_once()'));
    const { status, body } = await runJob(t, 'full');
    expect(status).toBe(200);
    expect(body).toMatchObject({ outcome: 'ok', counts: { fetched: 12, created: 12, conflicts: 0 } });
    const rows = await t.deps.db.select({ ghlId: citas.ghlAppointmentId, start: citas.startTime }).from(citas).where(eq(citas.locationId, LOC));
    expect(new Set(rows.map((r) => r.ghlId)).size).toBe(12);
    expect(rows).toHaveLength(12);
    expect(Math.min(...rows.map((r) => r.start.getTime()))).toBe(base);
    // Six appointments per calendar, all in the first window: the first calendar's bulk insert
    // refused, then its six one by one, then the second calendar's in bulk — eight inserts.
    const fired = await t.deps.db.execute<{ n: string }>(sql.raw('select last_value as n from collide_once'));
    expect(Number((fired as unknown as { rows: { n: string }[] }).rows[0]!.n)).toBe(1 + 6 + 1);
    // Each cita has its one creation line in the audit log, from the one-by-one path.
    const audit = await t.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log a join citas c on c.id = a.cita_id where c.location_id = ${LOC}`);
    expect((audit as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(12);
  });

  it('a full sync of 2,000 seeded appointments over 3 months converges exactly; a rerun writes nothing', async () => {
    const { t, sandbox } = await setup({ appointments: 2000 });
    const started = Date.now();
    const first = await runJob(t, 'full');
    const ms = Date.now() - started;
    expect(first.body).toMatchObject({ outcome: 'ok', counts: { created: 2000, failed_windows: 0 } });
    expect(await disagreements(t, sandbox, LOC)).toEqual([]);
    const calls = sandbox.stats().calls['GET /calendars/events'];
    console.log(`[full-sync] 2000 appointments: ${calls} GHL list calls, ${ms} ms, counts ${JSON.stringify(first.body.counts)}`);

    const fingerprint = async () =>
      (await t.deps.db.select({ v: sql<number>`sum(${citas.version})::int`, u: sql<string>`max(${citas.updatedAt})::text`, n: count() }).from(citas))[0];
    const before = await fingerprint();
    t.statements.length = 0;
    const again = await runJob(t, 'full');
    // A replayed run writes nothing but its own sync_runs record.
    const writes = t.statements.filter((q) => /^\s*(insert|update|delete)/i.test(q));
    expect(writes.map((q) => q.match(/^\s*(\w+)\s+(?:into\s+|from\s+)?"?(\w+)"?/i)!.slice(1, 3).join(' ').toLowerCase())).toEqual(['insert sync_runs', 'update sync_runs']);
    expect(again.body.counts).toMatchObject({ created: 0, updated: 0, cancelled: 0, swept: 0, unchanged: 2000 });
    expect(await fingerprint()).toEqual(before);
  });

  it('an appointment deleted in GHL without a webhook is cancelled by the next incremental', async () => {
    const { t, sandbox } = await setup({ appointments: 6 });
    await runJob(t, 'incremental');
    const victim = sandbox.appointments({ locationId: LOC })[0]!;
    sandbox.actions.deleteAppointment(victim.id); // no webhooks configured: the event is "lost"
    const r = await runJob(t, 'incremental');
    expect(r.body.counts.swept).toBe(1);
    const [row] = await t.deps.db.select().from(citas).where(eq(citas.ghlAppointmentId, victim.id));
    expect(row!.status).toBe('cancelled');
    expect(await disagreements(t, sandbox, LOC)).toEqual([]);
  });

  it('GHL refusing the token stops the run at once: 489, nothing written, no window listed past the next', async () => {
    const { t, sandbox } = await setup({ appointments: 6 });
    sandbox.reset(); // GHL forgets every token: the PIT is refused, someone must set a new one
    const calls = (what: string) => Object.entries(sandbox.stats().calls).filter(([k]) => k.includes(what)).reduce((n, [, v]) => n + v, 0);
    const r = await t.job('/api/jobs/run', { kind: 'full', location_id: LOC });
    expect(r.status).toBe(489);
    // The first read refused (the calendar's blocks, read before its appointments), and no window
    // listed past the one fetched ahead.
    expect(calls('calendars/blocked-slots') + calls('calendars/events')).toBeGreaterThanOrEqual(1);
    expect(calls('calendars/events')).toBeLessThanOrEqual(2);
    expect(await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC))).toEqual([]);
    const [conn] = await t.deps.db.select().from(ghlConnections).where(eq(ghlConnections.locationId, LOC));
    expect(conn!.status).toBe('reauth_required');
  });

  it('a 500 on one window: no cancellations from that run, recorded as partial; the next run catches up', async () => {
    const { t, sandbox } = await setup({ appointments: 6 });
    await runJob(t, 'incremental');
    const victim = sandbox.appointments({ locationId: LOC, calendarId: CALS[0] })[0]!;
    sandbox.actions.deleteAppointment(victim.id);
    // Enough 500s for every attempt of the first events call (the client retries GETs).
    sandbox.injectFault({ kind: '500', match: { method: 'GET', path: 'calendars/events' }, count: 5 });
    const partial = await runJob(t, 'incremental');
    expect(partial.body).toMatchObject({ outcome: 'partial', counts: { failed_windows: 1, swept: 0 } });
    const [still] = await t.deps.db.select().from(citas).where(eq(citas.ghlAppointmentId, victim.id));
    expect(still!.status).not.toBe('cancelled');
    const [run] = await t.deps.db.select().from(syncRuns).where(eq(syncRuns.id, partial.body.runId));
    expect(run).toMatchObject({ outcome: 'partial', error: expect.stringMatching(/cal-j1/) });
    const next = await runJob(t, 'incremental');
    expect(next.body).toMatchObject({ outcome: 'ok', counts: { swept: 1 } });
  });

  it('overlapping appointments found by a sync are kept and flagged, against citas and each other', async () => {
    const { t, sandbox, base } = await setup();
    const at = (h: number) => iso(base + h * 3600_000);
    // An RV3 cita pushed to GHL, then GHL holds two more appointments overlapping it and each other.
    const mine = (await (await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CALS[0], contact_id: 'c-j', start_time: at(1), end_time: at(2) }))).json()) as any;
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CALS[0]!, contactId: 'c-j', title: 'clash-a', startTime: at(1.5), endTime: at(2.5) });
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CALS[0]!, contactId: 'c-j', title: 'clash-b', startTime: at(1.75), endTime: at(3) });
    // Overlapping only clash-a (itself outside the guard) would not be a conflict: flagged rows hold no slot.
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CALS[0]!, contactId: 'c-j', title: 'after-a', startTime: at(3), endTime: at(3.5) });
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CALS[0]!, contactId: 'c-j', title: 'free', startTime: at(4), endTime: at(5) });
    const r = await runJob(t, 'full');
    expect(r.body.counts).toMatchObject({ created: 2, conflicts: 2 });
    const rows = await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC));
    expect(Object.fromEntries(rows.map((x) => [x.title, x.conflict]))).toEqual({ 'Control - Ana Pérez': false, 'clash-a': true, 'clash-b': true, 'after-a': false, free: false });
    expect(rows.find((x) => x.id === mine.id)!.syncStatus).toBe('synced');
    expect(await disagreements(t, sandbox, LOC)).toEqual([]);
  });

  it('a slot GHL freed (webhook lost) is free for a new appointment found in the same sync', async () => {
    const { t, sandbox, base } = await setup();
    const at = (h: number) => iso(base + h * 3600_000);
    const moved = sandbox.actions.createAppointment({ locationId: LOC, calendarId: CALS[0]!, contactId: 'c-j', title: 'moved', startTime: at(1), endTime: at(2) });
    await runJob(t, 'full');
    // In GHL, with no webhooks reaching us: it moves an hour later, and a new one takes its old slot.
    sandbox.actions.moveAppointment(moved.id, { startTime: at(2), endTime: at(3) });
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CALS[0]!, contactId: 'c-j', title: 'new', startTime: at(1), endTime: at(2) });
    const r = await runJob(t, 'full');
    expect(r.body.counts).toMatchObject({ created: 1, updated: 1, conflicts: 0 });
    const rows = await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC));
    expect(Object.fromEntries(rows.map((x) => [x.title, x.conflict]))).toEqual({ moved: false, new: false });
    expect(await disagreements(t, sandbox, LOC)).toEqual([]);
  });

  it('two concurrent deliveries of the same job: one runs, the other is skipped', async () => {
    const { t } = await setup({ appointments: 40 });
    const [a, b] = await Promise.all([runJob(t, 'full'), runJob(t, 'full')]);
    const bodies = [a.body, b.body];
    expect(bodies.filter((x) => x.skipped === true)).toHaveLength(1);
    expect(bodies.filter((x) => x.skipped === false && x.outcome === 'ok')).toHaveLength(1);
    expect(Number((await t.deps.db.select({ n: count() }).from(citas))[0]!.n)).toBe(40);
  });

  it('pending pushes are retried by the job; cleanup gives sync_failed one more chance and verifies GHL', async () => {
    const { t, sandbox } = await setup({ appointments: 4 });
    // Three pushes (the API's, then two jobs'), each trying the create three times.
    sandbox.injectFault({ kind: '503', match: { method: 'POST', path: 'calendars/events/appointments' }, count: 9 });
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CALS[1], contact_id: 'c-j', start_time: '2027-03-01T09:00', end_time: '2027-03-01T09:30' }));
    const cita = (await res.json()) as any;
    const [afterPush] = await t.deps.db.select().from(citas).where(eq(citas.id, cita.id));
    expect(afterPush!.syncStatus).toBe('pending_sync');
    await runJob(t, 'incremental');
    await runJob(t, 'incremental');
    const [failed] = await t.deps.db.select().from(citas).where(eq(citas.id, cita.id));
    expect(failed).toMatchObject({ syncStatus: 'sync_failed', syncRetries: 3 });

    await runJob(t, 'incremental'); // synced citas, then the GHL copy of one disappears
    const gone = sandbox.appointments({ locationId: LOC })[0]!;
    sandbox.actions.deleteAppointment(gone.id);
    const cleanup = await runJob(t, 'cleanup');
    expect(cleanup.body).toMatchObject({ outcome: 'ok', counts: { retried: 1, retried_ok: 1, missing_cancelled: 1 } });
    const [retried] = await t.deps.db.select().from(citas).where(eq(citas.id, cita.id));
    expect(retried).toMatchObject({ syncStatus: 'synced', ghlAppointmentId: expect.any(String) });
    const [cancelled] = await t.deps.db.select().from(citas).where(and(eq(citas.ghlAppointmentId, gone.id)));
    expect(cancelled!.status).toBe('cancelled');
  });

  it('cleanup prunes webhook events and run records past the retention, and only those', async () => {
    const { t } = await setup();
    const old = new Date(Date.now() - 31 * DAY);
    const recent = new Date(Date.now() - 29 * DAY);
    await t.deps.db.insert(webhookEvents).values([
      { webhookId: 'old', type: 'AppointmentUpdate', payload: {}, receivedAt: old, outcome: 'applied' },
      { webhookId: 'recent', type: 'AppointmentUpdate', payload: {}, receivedAt: recent, outcome: 'applied' },
    ]);
    await t.deps.db.insert(syncRuns).values([
      { kind: 'incremental', locationId: LOC, startedAt: old, outcome: 'ok' },
      { kind: 'incremental', locationId: LOC, startedAt: recent, outcome: 'ok' },
    ]);
    const r = await runJob(t, 'cleanup');
    expect(r.body.counts).toMatchObject({ pruned_webhooks: 1, pruned_runs: 1 });
    expect((await t.deps.db.select().from(webhookEvents)).map((e) => e.webhookId)).toEqual(['recent']);
    expect((await t.deps.db.select().from(syncRuns)).filter((x) => x.startedAt.getTime() === old.getTime())).toEqual([]);
  });
});

describe('visibility', () => {
  it('sync-status per location and kind; /healthz degraded while the incremental sync is stale', async () => {
    const { t } = await setup({ appointments: 4, env: { SYNC_STALE_AFTER_MS: '60000' } });
    await t.deps.db.update(ghlConnections).set({ createdAt: new Date(Date.now() - 2 * 3600_000) });
    const stale = (await (await t.app.request('/healthz', {}, t.env)).json()) as any;
    expect(stale).toMatchObject({ status: 'degraded', checks: { sync: { ok: false, stale_locations: 1 } } });
    const named = (await (await t.api('GET', '/api/admin/sync-health', undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    expect(named.stale_locations).toEqual([LOC]);
    let status = (await (await t.api('GET', '/api/admin/sync-status', undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    expect(status.overall).toBe('degraded');

    await runJob(t, 'incremental');
    expect(((await (await t.app.request('/healthz', {}, t.env)).json()) as any).status).toBe('ok');
    status = (await (await t.api('GET', '/api/admin/sync-status', undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    const loc = status.locations.find((l: any) => l.location_id === LOC);
    expect(status.overall).toBe('healthy');
    expect(loc).toMatchObject({
      health: 'healthy',
      connection: { status: 'active' },
      citas: { pending_sync: 0, sync_failed: 0, conflicts: 0 },
      jobs: { incremental: { last_run: { outcome: 'ok', age_seconds: expect.any(Number), counts: { created: 4 } }, last_success: { outcome: 'ok' } }, full: { last_run: null } },
    });
    expect((await t.api('GET', '/api/admin/sync-status')).status).toBe(403);
  });

  it('metrics: JSON with the ratios operators ask for, and Prometheus text behind the admin key', async () => {
    const { t, sandbox } = await setup({ appointments: 2 });
    sandbox.injectFault({ kind: '429', match: { path: 'calendars/events' }, count: 1 });
    await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CALS[0], contact_id: 'c-j', start_time: '2027-03-02T09:00', end_time: '2027-03-02T09:30' }));
    await runJob(t, 'incremental');
    const m = (await (await t.api('GET', '/api/admin/metrics', undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    expect(m.counters['ghl.status.429']).toBe(1);
    expect(m.ghl_errors_per_100_operations['429']).toBeCloseTo((100 * 1) / m.counters['ghl.calls'], 1);
    expect(m.mean_create_to_ghl_ms).toEqual(expect.any(Number));
    expect(m.jobs.incremental).toMatchObject({ runs: 1, ok: 1 });
    expect(m.requests.ok).toBeGreaterThan(0);
    // GHL's X-RateLimit-* headers are kept per location as they were last reported.
    const limits = JSON.parse((await t.deps.store.get(`metrics:gauge:ghl.ratelimit.${LOC}`))!);
    expect(limits).toMatchObject({ max: '1000', interval_ms: '1000', remaining: expect.stringMatching(/^\d+$/), daily_limit: expect.any(String) });
    const prom = await t.app.request('/metrics', { headers: { Authorization: `Bearer ${ADMIN_KEY}` } }, t.env);
    expect(prom.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await prom.text();
    // Raw counters only: ratios (errors per 100 operations) are PromQL over them (ops/prometheus-rules.yml).
    expect(text).toMatch(/^citas_ghl_errors_total\{type="429"\} 1$/m);
    expect(text).toMatch(/^citas_ghl_request_duration_seconds_count\{operation="createAppointment",outcome="429"\} 1$/m);
    expect(text).toMatch(/^citas_sync_pushes_total\{outcome="synced"\} 1$/m);
    expect((await t.app.request('/metrics', {}, t.env)).status).toBe(401);
  });
});
