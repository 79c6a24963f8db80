/**
 * The clinic's history (issue 24): `backfill` imports the past appointments of the location's
 * synced calendars, one GHL listing per window, never sweeping and never pushing; run again, it
 * brings what GHL changed since and writes nothing else. Against the GHL sandbox, through the
 * job route QStash and `npm run job` use, and the script itself in its own process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq, isNotNull } from 'drizzle-orm';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { serveApp } from '../../scripts/lib/node-server';
import { citas, syncRuns } from '../../src/db/schema';
import { backfillLocation } from '../../src/sync/backfill';
import { ADMIN_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-backfill';
const CALS = ['cal-b1', 'cal-b2'];
const DAY = 86_400_000;
const HOUR = 3_600_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const STATUSES = ['confirmed', 'showed', 'noshow', 'cancelled', 'new'] as const;

/**
 * 30 past appointments 1..88 days back (alternating calendars, mixed statuses), one 100 days back
 * (outside the default 90), and one in two days (the jobs' business, not the backfill's).
 */
async function setup(env: Record<string, string> = {}): Promise<{ t: TestEnv; sandbox: GhlSandbox; past: { id: string; start: number }[]; old: string; future: string }> {
  const sandbox = createGhlSandbox({ seed: 24, rateLimit: { max: 1000, intervalMs: 1000 } });
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  const past = Array.from({ length: 30 }, (_, i) => {
    const start = hour - (1 + i * 3) * DAY + (i % 3) * HOUR;
    return { id: `past-${i}`, calendarId: CALS[i % 2]!, contactId: 'c-b', title: `Pasada ${i}`, appointmentStatus: STATUSES[i % STATUSES.length], startTime: iso(start), endTime: iso(start + 1800_000) };
  });
  const oldStart = hour - 100 * DAY;
  const futureStart = hour + 2 * DAY;
  sandbox.seed({
    locations: [
      {
        id: LOC,
        timezone: 'America/Lima',
        calendars: CALS.map((id) => ({ id, name: id })),
        contacts: [{ id: 'c-b', firstName: 'Bea', email: 'bea@example.com' }],
        appointments: [
          ...past,
          { id: 'old-1', calendarId: CALS[0]!, contactId: 'c-b', title: 'Hace cien días', appointmentStatus: 'showed', startTime: iso(oldStart), endTime: iso(oldStart + 1800_000) },
          { id: 'future-1', calendarId: CALS[1]!, contactId: 'c-b', title: 'Próxima', appointmentStatus: 'confirmed', startTime: iso(futureStart), endTime: iso(futureStart + 1800_000) },
        ],
      },
    ],
  });
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_RATE_LIMIT_INTERVAL_MS: '1000', ...env } });
  cleanups.push(() => t.close());
  await t.connectPit(LOC);
  // Connecting ran its own match and backfill (no calendar chosen yet: nothing read); these tests
  // are about the backfills they run themselves.
  await t.settle();
  await t.deps.db.delete(syncRuns);
  await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CALS[0], synced_calendar_ids: CALS });
  return { t, sandbox, past: past.map((p) => ({ id: p.id, start: Date.parse(p.startTime) })), old: 'old-1', future: 'future-1' };
}

const backfill = async (t: TestEnv, body: Record<string, unknown> = {}) => {
  const res = await t.job('/api/jobs/run', { kind: 'backfill', location_id: LOC, ...body });
  return { status: res.status, body: (await res.json()) as any };
};

/** GHL calls since `from` (sandbox.stats().calls is cumulative), the ones that did happen only. */
const callsSince = (sandbox: GhlSandbox, from: Record<string, number>) =>
  Object.fromEntries(Object.entries(sandbox.stats().calls).flatMap(([k, v]) => (v - (from[k] ?? 0) > 0 ? [[k, v - (from[k] ?? 0)]] : [])));

async function localByGhlId(t: TestEnv) {
  const rows = await t.deps.db.select().from(citas).where(and(eq(citas.locationId, LOC), isNotNull(citas.ghlAppointmentId)));
  return new Map(rows.map((r) => [r.ghlAppointmentId!, r]));
}

describe('backfill', () => {
  it('imports the past 90 days with exactly one listing per window, as synced citas with GHL statuses, recorded as a backfill run', async () => {
    const { t, sandbox, past, old, future } = await setup();
    const before = { ...sandbox.stats().calls };
    const { status, body } = await backfill(t);
    expect(status).toBe(200);
    // 90 days in 14-day windows: 7 per calendar.
    const windows = CALS.length * Math.ceil(90 / 14);
    expect(body).toMatchObject({ skipped: false, outcome: 'ok', counts: { fetched: 30, created: 30, updated: 0, unchanged: 0, windows, failed_windows: 0 } });
    // Nothing but the listings: no blocked slots, no contacts, no writes.
    expect(callsSince(sandbox, before)).toEqual({ 'GET /calendars/events': windows });
    // The listings tile [now − 90 days, now) per calendar, oldest first, without gaps.
    const listings = sandbox.requests({ call: 'GET /calendars/events' }).slice(-windows);
    for (const cal of CALS) {
      const mine = listings.filter((r) => r.query.calendarId === cal).map((r) => [Number(r.query.startTime), Number(r.query.endTime)] as const);
      expect(mine).toHaveLength(windows / CALS.length);
      for (let i = 1; i < mine.length; i++) expect(mine[i]![0]).toBe(mine[i - 1]![1]);
      const [run] = await t.deps.db.select().from(syncRuns).where(eq(syncRuns.id, body.runId));
      expect(mine[mine.length - 1]![1]).toBe(run!.startedAt.getTime());
      expect(mine[0]![0]).toBe(run!.startedAt.getTime() - 90 * DAY);
    }

    const local = await localByGhlId(t);
    expect([...local.keys()].sort()).toEqual(past.map((p) => p.id).sort());
    expect(local.has(old)).toBe(false);
    expect(local.has(future)).toBe(false);
    for (const g of sandbox.appointments({ locationId: LOC }).filter((a) => local.has(a.id))) {
      const c = local.get(g.id)!;
      expect({ status: c.status, start: c.startTime.getTime(), cal: c.ghlCalendarId, sync: c.syncStatus, source: c.source }).toEqual({
        status: g.appointmentStatus,
        start: Date.parse(g.startTime),
        cal: g.calendarId,
        sync: 'synced',
        source: 'ghl',
      });
    }
    const runs = await t.deps.db.select().from(syncRuns).where(eq(syncRuns.locationId, LOC));
    expect(runs.map((r) => ({ kind: r.kind, outcome: r.outcome }))).toEqual([{ kind: 'backfill', outcome: 'ok' }]);
    expect(runs[0]!.counts).toMatchObject({ fetched: 30, created: 30, windows, failed_windows: 0 });

    // sync-status shows it beside the jobs.
    const st = (await (await t.api('GET', '/api/admin/sync-status', undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
    expect(st.locations.find((l: any) => l.location_id === LOC).jobs.backfill.last_run).toMatchObject({ outcome: 'ok', counts: { created: 30 } });
  });

  it('days: only that far back; the days between arrive with a longer backfill, the rest unchanged', async () => {
    const { t, sandbox, past } = await setup();
    const before = { ...sandbox.stats().calls };
    const r30 = await backfill(t, { days: 30 });
    const within30 = past.filter((p) => p.start >= Date.now() - 30 * DAY);
    expect(r30.body).toMatchObject({ outcome: 'ok', counts: { created: within30.length, windows: CALS.length * 3 } });
    expect(callsSince(sandbox, before)).toEqual({ 'GET /calendars/events': CALS.length * 3 });
    expect([...(await localByGhlId(t)).keys()].sort()).toEqual(within30.map((p) => p.id).sort());

    const r120 = await backfill(t, { days: 120 });
    expect(r120.body).toMatchObject({ outcome: 'ok', counts: { fetched: 31, created: 31 - within30.length, unchanged: within30.length, windows: CALS.length * 9 } });
    expect((await localByGhlId(t)).has('old-1')).toBe(true);
  });

  it('run again: nothing written when nothing changed; a showed / noshow GHL set afterwards arrives', async () => {
    const { t, sandbox, past } = await setup();
    await backfill(t);
    const snapshot = async () => [...(await localByGhlId(t)).values()].map((c) => `${c.ghlAppointmentId} v${c.version} ${c.status} ${c.updatedAt.toISOString()}`).sort();
    const first = await snapshot();

    const again = await backfill(t);
    expect(again.body).toMatchObject({ outcome: 'ok', counts: { fetched: 30, created: 0, updated: 0, cancelled: 0, unchanged: 30 } });
    expect(await snapshot()).toEqual(first);

    // The front desk marks in GHL, after the fact, who came and who did not (no webhook reaches us).
    const [a, b] = past.filter((p, i) => STATUSES[i % STATUSES.length] === 'confirmed');
    sandbox.actions.editAppointment(a!.id, { appointmentStatus: 'showed' });
    sandbox.actions.editAppointment(b!.id, { appointmentStatus: 'noshow' });
    const third = await backfill(t);
    expect(third.body).toMatchObject({ outcome: 'ok', counts: { fetched: 30, created: 0, updated: 2, unchanged: 28 } });
    const local = await localByGhlId(t);
    expect(local.get(a!.id)).toMatchObject({ status: 'showed', syncStatus: 'synced' });
    expect(local.get(b!.id)).toMatchObject({ status: 'noshow', syncStatus: 'synced' });
    // Audited as GHL's change, by the job.
    const audit = (await (await t.api('GET', `/api/citas/${local.get(a!.id)!.id}/audit`)).json()) as any;
    expect(audit.entries.map((e: any) => [e.actor, e.action])).toEqual(expect.arrayContaining([['job', 'update_from_ghl']]));
  });

  it('never sweeps: a past appointment deleted in GHL stays as it was, through backfills and the jobs', async () => {
    const { t, sandbox, past } = await setup();
    await backfill(t);
    const target = past.find((_, i) => STATUSES[i % STATUSES.length] === 'showed')!;
    const kept = (await localByGhlId(t)).get(target.id)!;
    sandbox.actions.deleteAppointment(target.id);

    const again = await backfill(t);
    expect(again.body).toMatchObject({ outcome: 'ok', counts: { fetched: 29, cancelled: 0, unchanged: 29 } });
    expect(again.body.counts).not.toHaveProperty('swept');
    // The scheduled jobs look ahead: their sweeps never reach the past either.
    for (const kind of ['incremental', 'full']) {
      const r = await t.job('/api/jobs/run', { kind, location_id: LOC });
      expect(((await r.json()) as any).counts).toMatchObject({ swept: 0, held: 0 });
    }
    const now = (await localByGhlId(t)).get(target.id)!;
    expect({ status: now.status, version: now.version, deletedAt: now.ghlDeletedAt, updatedAt: now.updatedAt }).toEqual({
      status: 'showed',
      version: kept.version,
      deletedAt: null,
      updatedAt: kept.updatedAt,
    });
  });

  it('never pushes: a cita waiting to go to GHL stays waiting; no write reaches GHL during the backfill', async () => {
    // No delayed retry of the push (the hourly sweep takes over): only the backfill could push meanwhile.
    const { t, sandbox } = await setup({ PUSH_RETRY_MAX: '0' });
    // One push, three tries, all refused: the cita waits for the jobs.
    sandbox.injectFault({ kind: '503', match: { method: 'POST', path: 'calendars/events/appointments' }, count: 3 });
    const soon = new Date(Date.now() + 3 * DAY);
    const day = soon.toISOString().slice(0, 10);
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CALS[0], contact_id: 'c-b', start_time: `${day}T09:00`, end_time: `${day}T09:30` }));
    const cita = (await res.json()) as any;
    const [waiting] = await t.deps.db.select().from(citas).where(eq(citas.id, cita.id));
    expect(waiting!.syncStatus).toBe('pending_sync');

    const before = { ...sandbox.stats().calls };
    const r = await backfill(t);
    expect(r.body).toMatchObject({ outcome: 'ok', counts: { created: 30 } });
    expect(callsSince(sandbox, before)).toEqual({ 'GET /calendars/events': CALS.length * 7 });
    const [after] = await t.deps.db.select().from(citas).where(eq(citas.id, cita.id));
    expect(after).toMatchObject({ syncStatus: 'pending_sync', ghlAppointmentId: null, version: waiting!.version });

    // What the backfill left alone is the incremental's to push (so the check above can fail).
    const inc = await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
    expect(((await inc.json()) as any).counts).toMatchObject({ pushed: 1 });
  });

  it('a window GHL fails is named and the run partial; the rest is imported, and a rerun fills the gap', async () => {
    const { t, sandbox, past } = await setup();
    const t0 = await t.deps.db.select().from(citas);
    expect(t0).toHaveLength(0);
    // GHL_MAX_ATTEMPTS tries of the first listing (the oldest window of the first calendar) fail.
    sandbox.injectFault({ kind: '500', match: { method: 'GET', path: 'calendars/events' }, count: t.deps.config.GHL_MAX_ATTEMPTS });
    const r = await backfill(t);
    expect(r.body).toMatchObject({ outcome: 'partial', counts: { windows: 14, failed_windows: 1 } });
    expect(r.body.error).toMatch(new RegExp(`^${CALS[0]} \\d{4}-\\d{2}-\\d{2}…\\d{4}-\\d{2}-\\d{2}: `));
    const missing = r.body.counts.fetched;
    expect(missing).toBeLessThan(30);
    const again = await backfill(t);
    expect(again.body).toMatchObject({ outcome: 'ok', counts: { fetched: 30, created: 30 - missing, unchanged: missing } });
    expect((await localByGhlId(t)).size).toBe(past.length);
  });

  it('the job route: days 1..366, only for a backfill', async () => {
    const { t } = await setup();
    for (const days of [0, 367, 1.5, '30']) {
      const r = await backfill(t, { days });
      expect(r.status, `days ${JSON.stringify(days)}`).toBe(422);
      expect(r.body.fields.map((e: any) => e.field)).toContain('days');
    }
    const r = await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC, days: 30 });
    expect(r.status).toBe(422);
    expect((((await r.json()) as any).fields as any[]).map((e) => [e.field, e.message])).toEqual([['days', 'unknown field']]);
    expect((await backfill(t, { days: 366 })).body).toMatchObject({ outcome: 'ok', counts: { windows: CALS.length * Math.ceil(366 / 14) } });
    // The scheduled fan-outs stay what they were: no backfill among them.
    expect((await t.job('/api/jobs/sync/backfill')).status).toBe(404);
  });

  it('backfillLocation refuses days outside 1..366 before it records anything', async () => {
    const { t } = await setup();
    await expect(backfillLocation(t.deps, { locationId: LOC, days: 0 })).rejects.toThrow(RangeError);
    await expect(backfillLocation(t.deps, { locationId: LOC, days: 367 })).rejects.toThrow(RangeError);
    expect(await t.deps.db.select().from(syncRuns)).toEqual([]);
    const r = await backfillLocation(t.deps, { locationId: LOC, days: 14 });
    expect(r).toMatchObject({ outcome: 'ok', counts: { windows: 2 } });
  });
});

/** `npm run job -- backfill …` in its own process, as in job-script.test.ts. */
function job(t: TestEnv, url: string, args: string[]): Promise<{ code: number; out: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    QSTASH_CURRENT_SIGNING_KEY: t.qstashKey,
    ADMIN_KEY,
    CITAS_DATA_DIR: mkdtempSync(join(tmpdir(), 'job-backfill-')),
    PUBLIC_BASE_URL: undefined,
    SYNC_GHL_WINDOW_DAYS: undefined,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/job.ts', ...args, '--url', url, '--interval', '0.2'], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('npm run job -- backfill', () => {
  it('refuses what it cannot run, before reaching the service (exit 2)', async () => {
    const unused = { qstashKey: 'unused' } as TestEnv;
    const cases: [string[], string][] = [
      [['backfill'], 'backfill needs --location'],
      [['backfill', '--location', LOC, '--days', '0'], '--days needs a whole number of days from 1 to 366, got 0'],
      [['backfill', '--location', LOC, '--days', '367'], 'got 367'],
      [['backfill', '--location', LOC, '--days', '7.5'], 'got 7.5'],
      [['full', '--location', LOC, '--days', '30'], '--days is for backfill only'],
    ];
    for (const [args, message] of cases) {
      const r = await job(unused, 'http://127.0.0.1:9', args);
      expect(r.out, args.join(' ')).toContain(message);
      expect(r.out).toContain('npm run job -- backfill --location ID [--days N');
      expect(r.code).toBe(2);
    }
  });

  it('--location L --days N: the plan back in time, the run followed to its summary', async () => {
    const { t, past } = await setup();
    const served = await serveApp(t.app, { env: t.env, port: 0, hostname: '127.0.0.1' });
    cleanups.push(() => served.close());
    const r = await job(t, served.url, ['backfill', '--location', LOC, '--days', '30']);
    const within30 = past.filter((p) => p.start >= Date.now() - 30 * DAY).length;
    expect(r.out).toContain(`${LOC}: 2 calendars (${CALS.join(', ')}) × 3 windows of 14 days = 6 GHL reads, 30 days back (never swept, never pushed)`);
    expect(r.out).toMatch(new RegExp(`${LOC}: ✓ ok in .* · window 6/6`));
    expect(r.out).toMatch(new RegExp(`Summary: backfill, 1 location[\\s\\S]*✓ ok .* fetched ${within30} · created ${within30} · updated 0`));
    expect(r.out).toContain('windows  6 of 6 planned, 0 failed');
    expect(r.code).toBe(0);

    // Without --days: 90.
    const d = await job(t, served.url, ['backfill', '--location', LOC]);
    expect(d.out).toContain('× 7 windows of 14 days = 14 GHL reads, 90 days back');
    expect(d.out).toMatch(new RegExp(`fetched 30 · created ${30 - within30} · updated 0`));
    expect(d.code).toBe(0);
  });
});
