/**
 * Order-safety and the mass-sweep guard. GHL promises no order, loses events we do not answer 429,
 * and a calendar that answers empty looks exactly like one whose appointments were all deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { citas, sweepHolds } from '../../src/db/schema';
import { ADMIN_KEY, createTestEnv, type TestEnv } from '../support/harness';
import { disagreements } from '../support/agreement';

const LOC = 'loc-ord';
const CAL = 'cal-ord';
const DAY = 86_400_000;
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function setup(opts: { appointments?: number } = {}) {
  const sandbox = createGhlSandbox({ seed: 11, rateLimit: { max: 1000, intervalMs: 1000 } });
  const base = Math.ceil(Date.now() / 3600_000) * 3600_000 + DAY;
  const appointments = Array.from({ length: opts.appointments ?? 0 }, (_, i) => ({
    calendarId: CAL,
    contactId: 'c-o',
    title: `Seeded ${i}`,
    appointmentStatus: 'confirmed' as const,
    startTime: iso(base + i * 3600_000),
    endTime: iso(base + i * 3600_000 + 1800_000),
  }));
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Dra.' }], contacts: [{ id: 'c-o', firstName: 'Olga', email: 'o@example.com' }], appointments }] });
  const keys = await sandbox.webhookKeys();
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_RATE_LIMIT_INTERVAL_MS: '1000', GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem } });
  envs.push(t);
  await t.connectPit(LOC);
  await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL });
  const quiet = async () => {
    for (let i = 0; i < 4; i++) {
      await sandbox.webhooks.idle();
      await t.settle();
    }
  };
  return { t, sandbox, base, quiet };
}

async function deliver(t: TestEnv, sandbox: GhlSandbox, body: unknown) {
  const raw = JSON.stringify(body);
  const res = await t.request(new Request('http://localhost/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', ...(await sandbox.signWebhook(raw)) }, body: raw }));
  return { status: res.status, body: (await res.json()) as any };
}

const byGhlId = async (t: TestEnv, id: string) => (await t.deps.db.select().from(citas).where(eq(citas.ghlAppointmentId, id)))[0];
const runJob = async (t: TestEnv, kind: string) => (await (await t.job('/api/jobs/run', { kind, location_id: LOC })).json()) as any;

describe('order-safety', () => {
  it('a Delete delivered before its Create wins: the cita stays cancelled and the slot stays free', async () => {
    const { t, sandbox, base } = await setup();
    const appointment = { id: 'apt-early-delete', calendarId: CAL, contactId: 'c-o', title: 'Borrada', appointmentStatus: 'confirmed', startTime: iso(base), endTime: iso(base + 1800_000), dateUpdated: iso(Date.now() - 60_000) };
    const created = new Date(Date.now() - 30_000).toISOString();
    const deleted = new Date(Date.now() - 10_000).toISOString();
    const del = await deliver(t, sandbox, { type: 'AppointmentDelete', locationId: LOC, timestamp: deleted, webhookId: crypto.randomUUID(), appointment });
    expect(del).toMatchObject({ status: 200, body: { outcome: 'cancelled' } });
    const create = await deliver(t, sandbox, { type: 'AppointmentCreate', locationId: LOC, timestamp: created, webhookId: crypto.randomUUID(), appointment });
    expect(create).toMatchObject({ status: 200, body: { outcome: 'stale' } });
    const row = await byGhlId(t, appointment.id);
    expect(row).toMatchObject({ status: 'cancelled', ghlDeletedAt: new Date(deleted) });
    // The slot GHL freed is free here too.
    const res = await t.api('POST', '/api/citas', { location_id: LOC, calendar_id: CAL, contact_id: 'c-o', title: 'Nueva', start_time: iso(base), end_time: iso(base + 1800_000) });
    expect(res.status).toBe(201);
  });

  it('moved in GHL (webhook held), deleted (webhook lost), swept by the full sync: the late Update does not bring it back', async () => {
    const { t, sandbox, base, quiet } = await setup({ appointments: 4 });
    sandbox.configureWebhooks({ deliver: (req) => t.request(req), retryDelayMs: 5 });
    await runJob(t, 'full');
    const victim = sandbox.appointments({ locationId: LOC })[0]!;
    sandbox.webhooks.setMode({ hold: true });
    sandbox.actions.moveAppointment(victim.id, { startTime: iso(base + 20 * 3600_000) });
    sandbox.webhooks.setMode({ drop: true });
    sandbox.actions.deleteAppointment(victim.id);
    sandbox.webhooks.setMode({});
    await new Promise((r) => setTimeout(r, 5)); // the scan starts after GHL deleted it
    const run = await runJob(t, 'full');
    expect(run.counts).toMatchObject({ swept: 1, held: 0 });
    const swept = await byGhlId(t, victim.id);
    expect(swept).toMatchObject({ status: 'cancelled' });
    sandbox.webhooks.release('fifo');
    await quiet();
    const after = await byGhlId(t, victim.id);
    expect(after).toMatchObject({ status: 'cancelled', version: swept!.version });
    expect(after!.startTime.getTime()).toBe(Date.parse(victim.startTime)); // not moved either
    const log = sandbox.webhooks.log().filter((l) => l.type === 'AppointmentUpdate');
    expect(log.at(-1)?.status).toBe(200);
    expect(await disagreements(t, sandbox, LOC)).toEqual([]);
  });

  it('GHL deleting one of our citas while our edit is on its way: one cancellation, audited, version bumped', async () => {
    const { t, sandbox, base, quiet } = await setup();
    const res = await t.api('POST', '/api/citas', { location_id: LOC, calendar_id: CAL, contact_id: 'c-o', title: 'Mía', start_time: iso(base), end_time: iso(base + 1800_000) });
    const cita = (await res.json()) as any;
    await quiet();
    const pushed = (await (await t.api('GET', `/api/citas/${cita.id}`)).json()) as any;
    sandbox.actions.deleteAppointment(pushed.ghl_appointment_id); // no webhooks wired: only the push finds out
    const edit = await t.api('PATCH', `/api/citas/${cita.id}`, { title: 'Mía (editada)' }, { 'If-Match': `"${pushed.version}"` });
    expect(edit.status).toBe(200);
    await quiet();
    const row = (await (await t.api('GET', `/api/citas/${cita.id}`)).json()) as any;
    expect(row).toMatchObject({ status: 'cancelled', sync: { status: 'synced' }, version: pushed.version + 2 });
    const audit = (await (await t.api('GET', `/api/citas/${cita.id}/audit`)).json()) as any;
    expect(audit.entries.map((e: any) => e.action)).toEqual(['create', 'update', 'deleted_in_ghl']);
    // A stale If-Match cannot undo the cancellation.
    const stale = await t.api('PATCH', `/api/citas/${cita.id}`, { status: 'confirmed' }, { 'If-Match': `"${pushed.version + 1}"` });
    expect(stale.status).toBe(412);
  });
});

describe('the mass-sweep guard', () => {
  it('GHL answering an empty calendar (e.g. its data reset) holds the sweep; nothing is cancelled until an admin confirms', async () => {
    const { t, sandbox } = await setup({ appointments: 6 });
    await runJob(t, 'incremental');
    sandbox.importData({ ...sandbox.exportData(), appointments: [] });
    const run = await runJob(t, 'incremental');
    expect(run.counts).toMatchObject({ swept: 0, held: 6 });
    const active = await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC));
    expect(active.filter((c) => c.status === 'cancelled')).toHaveLength(0);

    // Visible to the person on call: sync-status, health and the admin list.
    const status = (await (await t.api('GET', '/api/admin/sync-status', undefined, admin)).json()) as any;
    const loc = status.locations.find((l: any) => l.location_id === LOC);
    expect(loc).toMatchObject({ health: 'degraded', held_sweep: { status: 'held', would_cancel: 6, of: 6 } });
    const health = (await (await t.request(new Request('http://localhost/healthz'))).json()) as any;
    expect(health).toMatchObject({ status: 'degraded', checks: { sync: { held_sweeps: 1 } } });
    expect(((await (await t.api('GET', '/api/admin/sync-health', undefined, admin)).json()) as any).held_sweeps).toEqual([LOC]);
    const metrics = (await (await t.api('GET', '/api/admin/metrics', undefined, admin)).json()) as any;
    expect(metrics.sync.held_sweeps).toBe(1);

    // A second run refreshes the same hold instead of piling up new ones.
    await runJob(t, 'incremental');
    const holds = (await (await t.api('GET', '/api/admin/sweeps?status=held', undefined, admin)).json()) as any;
    expect(holds.data).toHaveLength(1);

    const confirmed = await t.api('POST', `/api/admin/sweeps/${holds.data[0].id}/confirm`, undefined, admin);
    expect(confirmed.status).toBe(200);
    expect(((await confirmed.json()) as any)).toMatchObject({ status: 'confirmed', cancelled: 6 });
    const rows = await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC));
    expect(rows.every((c) => c.status === 'cancelled' && c.ghlDeletedAt !== null)).toBe(true);
    expect((await t.api('POST', `/api/admin/sweeps/${holds.data[0].id}/confirm`, undefined, admin)).status).toBe(409);
    expect((await t.api('POST', '/api/admin/sweeps/not-a-uuid/confirm', undefined, admin)).status).toBe(404);
    // Only admins decide.
    expect((await t.api('POST', `/api/admin/sweeps/${holds.data[0].id}/dismiss`)).status).toBe(403);
  });

  it('dismissing leaves the citas alone; a scan that still misses them holds again', async () => {
    const { t, sandbox } = await setup({ appointments: 3 });
    await runJob(t, 'incremental');
    sandbox.importData({ ...sandbox.exportData(), appointments: [] });
    await runJob(t, 'incremental');
    const [hold] = await t.deps.db.select().from(sweepHolds);
    const dismissed = await t.api('POST', `/api/admin/sweeps/${hold!.id}/dismiss`, undefined, admin);
    expect(((await dismissed.json()) as any)).toMatchObject({ status: 'dismissed', cancelled: 0 });
    const rows = await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC));
    expect(rows.every((c) => c.status === 'confirmed')).toBe(true);
    const again = await runJob(t, 'incremental');
    expect(again.counts.held).toBe(3);
    expect((await t.deps.db.select().from(sweepHolds)).map((h) => h.status).sort()).toEqual(['dismissed', 'held']);
  });

  it('a few deletions among many are swept as usual', async () => {
    const { t, sandbox } = await setup({ appointments: 6 });
    await runJob(t, 'incremental');
    sandbox.actions.deleteAppointment(sandbox.appointments({ locationId: LOC })[0]!.id);
    const run = await runJob(t, 'incremental');
    expect(run.counts).toMatchObject({ swept: 1, held: 0 });
  });
});
