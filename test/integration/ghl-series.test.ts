/**
 * Recurring series made in GHL (issue 24): every occurrence in reach is a cita of its own, linked
 * to its series, never twice whichever id arrives first — webhooks naming each instance, a webhook
 * naming the series itself, or a listing — and changes to one occurrence or to the series reach
 * the right citas. Both webhook id shapes, and a series across a DST change in New York.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { citas, type CitaRow } from '../../src/db/schema';
import { createTestEnv, type TestEnv } from '../support/harness';
import { addDays, dayInZone } from '../../src/domain/time';

const LOC = 'loc-gs';
const CAL = 'cal-gs';
const DAY = 86_400_000;
const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup(opts: { zone?: string; ids?: 'master' | 'instance' } = {}) {
  const zone = opts.zone ?? 'America/Lima';
  const sandbox = createGhlSandbox({ seed: 241, seriesWebhookIds: opts.ids ?? 'instance' });
  sandbox.seed({ locations: [{ id: LOC, timezone: zone, calendars: [{ id: CAL, name: 'Terapia' }], contacts: [{ id: 'c-ana', firstName: 'Ana', lastName: 'Pérez' }] }] });
  const keys = await sandbox.webhookKeys();
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, WEBHOOK_RATE_LIMIT_PER_MINUTE: '0' } });
  envs.push(t);
  await t.connectPit(LOC);
  await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL, synced_calendar_ids: [CAL] });
  sandbox.configureWebhooks({ deliver: (req) => t.request(req), retryDelayMs: 5 });
  const quiet = async () => {
    for (let i = 0; i < 3; i++) {
      await sandbox.webhooks.idle();
      await t.settle();
    }
  };
  const ours = async (): Promise<CitaRow[]> => (await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC))).sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  /** Every occurrence GHL lists is one cita here, same id, times and status; no other active cita. */
  const agree = async () => {
    const theirs = sandbox.occurrences({ locationId: LOC, calendarId: CAL, from: Date.now() - 100 * DAY, to: Date.now() + 100 * DAY });
    const rows = await ours();
    const out: string[] = [];
    for (const o of theirs) {
      const c = rows.find((r) => r.ghlAppointmentId === o.id);
      if (!c) out.push(`${o.id} only in GHL`);
      else if (c.startTime.getTime() !== Date.parse(o.startTime) || c.status !== o.appointmentStatus) out.push(`${o.id}: ${c.startTime.toISOString()} ${c.status} vs ${o.startTime} ${o.appointmentStatus}`);
    }
    for (const r of rows) if (r.status !== 'cancelled' && !theirs.some((o) => o.id === r.ghlAppointmentId)) out.push(`cita ${r.id} (${r.ghlAppointmentId}) active, not in GHL`);
    return out;
  };
  return { t, sandbox, quiet, ours, agree, zone };
}

function tuesdayAhead(zone: string): string {
  let d = addDays(dayInZone(new Date(), zone), 2);
  while (new Date(`${d}T12:00:00Z`).getUTCDay() !== 2) d = addDays(d, 1);
  return d;
}

describe('a series made in GHL', () => {
  it('webhooks naming each instance: ten citas numbered 1..10; one occurrence cancelled or deleted changes that cita only; the series edited or deleted reaches all', async () => {
    const { t, sandbox, quiet, ours, agree } = await setup();
    const day = tuesdayAhead('America/Lima');
    const master = sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: 'c-ana', title: 'Terapia', startTime: `${day}T10:00:00-05:00`, endTime: `${day}T10:45:00-05:00`, rrule: 'RRULE:FREQ=WEEKLY;COUNT=10' });
    await quiet();
    let rows = await ours();
    expect(rows).toHaveLength(10);
    // GHL's webhooks say neither the rule nor the place: numbered from the instance ids, size unknown…
    expect(rows.map((r) => [r.seriesId, r.seriesIndex, r.seriesCount])).toEqual(rows.map((_, i) => [master.id, i + 1, null]));
    // …until a listing brings the rule.
    await t.job('/api/jobs/run', { kind: 'full', location_id: LOC });
    rows = await ours();
    expect(rows.map((r) => r.seriesCount)).toEqual(Array(10).fill(10));
    const view = (await (await t.api('GET', `/api/citas/${rows[2]!.id}`)).json()) as any;
    expect(view.series).toEqual({ id: master.id, rule: expect.stringContaining('FREQ=WEEKLY'), index: 3, count: 10, source: 'ghl' });

    const third = sandbox.occurrences({ locationId: LOC, calendarId: CAL })[2]!;
    sandbox.actions.cancelAppointment(third.id);
    const fifth = sandbox.occurrences({ locationId: LOC, calendarId: CAL })[4]!;
    sandbox.actions.deleteAppointment(fifth.id);
    await quiet();
    rows = await ours();
    expect(rows.filter((r) => r.status === 'cancelled').map((r) => r.seriesIndex)).toEqual([3, 5]);
    expect(await agree()).toEqual([]);

    // One occurrence moved in GHL: that cita only, still the same occurrence of the series.
    const seventh = sandbox.occurrences({ locationId: LOC, calendarId: CAL }).find((o) => o.id === rows[6]!.ghlAppointmentId)!;
    sandbox.actions.moveAppointment(seventh.id, { startTime: new Date(Date.parse(seventh.startTime) + 3600_000).toISOString() });
    await quiet();
    const moved = await ours();
    const byIndex = (i: number) => moved.find((r) => r.seriesIndex === i)!;
    expect(byIndex(7).startTime.getTime()).toBe(Date.parse(seventh.startTime) + 3600_000);
    expect(byIndex(8).startTime.getTime() - byIndex(6).startTime.getTime()).toBe(14 * DAY);
    expect(await agree()).toEqual([]);

    sandbox.actions.editAppointment(master.id, { title: 'Terapia física' });
    await quiet();
    rows = await ours();
    expect(rows.filter((r) => r.status !== 'cancelled').every((r) => r.title === 'Terapia física')).toBe(true);

    sandbox.actions.deleteAppointment(master.id);
    await quiet();
    expect((await ours()).every((r) => r.status === 'cancelled')).toBe(true);
    expect(await agree()).toEqual([]);
  });

  it('a listing first, then the late webhooks: never twice', async () => {
    const { t, sandbox, quiet, ours, agree } = await setup();
    const day = tuesdayAhead('America/Lima');
    sandbox.webhooks.setMode({ hold: true });
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: 'c-ana', title: 'Terapia', startTime: `${day}T10:00:00-05:00`, endTime: `${day}T10:45:00-05:00`, rrule: 'RRULE:FREQ=WEEKLY;COUNT=6' });
    const run = (await (await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC })).json()) as any;
    // The incremental job's two weeks hold the first session, and the second too unless the Tuesday
    // is a week away (run on a Monday or a Tuesday): the rest come by the late webhooks alone.
    expect(run.counts.created).toBeGreaterThanOrEqual(1);
    sandbox.webhooks.setMode({});
    sandbox.webhooks.release('reverse');
    await quiet();
    const full = (await (await t.job('/api/jobs/run', { kind: 'full', location_id: LOC })).json()) as any;
    expect(full.outcome).toBe('ok');
    const rows = await ours();
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.ghlAppointmentId)).size).toBe(6);
    expect(rows.map((r) => r.seriesIndex)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await agree()).toEqual([]);
  });

  it('a webhook naming the series itself (New York, across the DST change): the occurrences by the ids a listing gives, then no duplicates', async () => {
    const { t, sandbox, quiet, ours, agree } = await setup({ zone: 'America/New_York', ids: 'master' });
    // Weekly ×6 from a Tuesday before 2027-03-14: the wall time stays 10:00.
    const start = new Date(Date.now() + 3 * DAY);
    let day = dayInZone(start, 'America/New_York');
    while (new Date(`${day}T12:00:00Z`).getUTCDay() !== 2) day = addDays(day, 1);
    const offset = (d: string) => (new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'longOffset' }).format(new Date(`${d}T15:00:00Z`)).match(/GMT([+-]\d{2}:\d{2})/)?.[1] ?? '-05:00');
    const master = sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: 'c-ana', title: 'Terapia', startTime: `${day}T10:00:00${offset(day)}`, endTime: `${day}T10:45:00${offset(day)}`, rrule: 'RRULE:FREQ=WEEKLY;COUNT=6' });
    await quiet();
    let rows = await ours();
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r.seriesIndex)).toEqual([1, 2, 3, 4, 5, 6]);
    const wall = rows.map((r) => new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' }).format(r.startTime));
    expect(wall).toEqual(Array(6).fill('10:00'));
    expect(await agree()).toEqual([]);
    const full = (await (await t.job('/api/jobs/run', { kind: 'full', location_id: LOC })).json()) as any;
    expect(full.counts).toMatchObject({ created: 0, cancelled: 0 });
    expect(await ours()).toHaveLength(6);

    // The series without its third: an EXDATE by deleting that occurrence; then the whole series deleted.
    const third = sandbox.occurrences({ locationId: LOC, calendarId: CAL })[2]!;
    sandbox.actions.deleteAppointment(third.id);
    await quiet();
    rows = await ours();
    expect(rows.filter((r) => r.status === 'cancelled').map((r) => r.seriesIndex)).toEqual([3]);
    sandbox.actions.deleteAppointment(master.id);
    await quiet();
    expect((await t.deps.db.select().from(citas).where(and(eq(citas.locationId, LOC), eq(citas.status, 'cancelled'))))).toHaveLength(6);
    expect(await agree()).toEqual([]);
  });
});
