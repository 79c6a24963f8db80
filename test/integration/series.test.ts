/**
 * Recurring series booked here (issue 24): «10 sesiones, cada martes» in one request, every
 * occurrence judged first (other citas, blocks, hours) — all or nothing, or the free ones — each
 * reaching GHL as its own appointment; edits and cancels of one occurrence, the following ones, or
 * the whole series. Through the sandbox as GHL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { addDays, dayInZone } from '../../src/domain/time';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-ser';
const CAL = 'cal-ser';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

/** The next Tuesday at least two days ahead, in the zone. */
function nextTuesday(zone: string): string {
  let d = addDays(dayInZone(new Date(), zone), 2);
  while (new Date(`${d}T12:00:00Z`).getUTCDay() !== 2) d = addDays(d, 1);
  return d;
}
const local = (iso: string) => iso.slice(0, 16).replace('T', ' ');

async function setup(zone = 'America/Lima') {
  const sandbox = createGhlSandbox({ seed: 24 });
  sandbox.seed({ locations: [{ id: LOC, timezone: zone, calendars: [{ id: CAL, name: 'Terapia' }], contacts: [{ id: 'c-ana', firstName: 'Ana', lastName: 'Pérez' }] }] });
  const t = await createTestEnv({ ghl: sandbox });
  envs.push(t);
  await t.connectPit(LOC);
  expect((await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL, synced_calendar_ids: [CAL], time_zone: zone })).status).toBe(200);
  return { t, sandbox };
}
const json = async (r: Response) => (await r.json()) as any;
const series = (t: TestEnv, day: string, extra: Record<string, unknown> = {}) =>
  t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', title: 'Terapia', start_time: `${day}T10:00`, end_time: `${day}T10:45`, repeat: { freq: 'weekly', count: 10 }, ...extra }));

describe('a series booked here', () => {
  it('«cada martes, 10 sesiones»: ten citas in one request, numbered, each its own appointment in GHL', async () => {
    const { t, sandbox } = await setup();
    const day = nextTuesday('America/Lima');
    const r = await series(t, day);
    expect(r.status).toBe(201);
    const body = await json(r);
    expect(body.series_citas).toHaveLength(10);
    expect(body.series_citas.map((c: any) => c.series.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(body.series_citas.every((c: any) => c.series.count === 10 && c.series.rule === 'RRULE:FREQ=WEEKLY;COUNT=10' && c.series.source === 'rv3')).toBe(true);
    expect(body.series_citas.map((c: any) => local(c.start_time).slice(11))).toEqual(Array(10).fill('10:00'));
    expect(body.series_citas.map((c: any) => new Date(c.start_time).getUTCDay())).toEqual(Array(10).fill(2));
    expect(body.id).toBe(body.series_citas[0].id);
    await t.settle();
    const inGhl = sandbox.appointments({ locationId: LOC, calendarId: CAL });
    expect(inGhl).toHaveLength(10);
    const list = await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${day}&hasta=${addDays(day, 70)}`));
    expect(list.data.every((c: any) => c.sync.status === 'synced' && c.ghl_appointment_id)).toBe(true);
  });

  it('collisions: all or nothing names every colliding occurrence; skip books the others', async () => {
    const { t, sandbox } = await setup();
    const day = nextTuesday('America/Lima');
    const fourth = addDays(day, 21);
    const sixth = addDays(day, 35);
    expect((await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', title: 'Otra', start_time: `${fourth}T10:30`, end_time: `${fourth}T11:00` }))).status).toBe(201);
    sandbox.actions.createBlock({ locationId: LOC, calendarId: CAL, title: 'Congreso', startTime: `${sixth}T08:00:00-05:00`, endTime: `${sixth}T18:00:00-05:00` });
    const refused = await series(t, day);
    expect(refused.status).toBe(409);
    const problem = await json(refused);
    expect(problem.code).toBe('series_conflict');
    expect(problem.collisions.map((c: any) => [c.index, c.reason])).toEqual([[4, 'slot_taken'], [6, 'slot_blocked']]);
    expect(problem.collisions[0].cita.title).toBe('Otra');
    expect(problem.collisions[1].block.title).toBe('Congreso');
    // Nothing was booked.
    expect((await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${day}&hasta=${addDays(day, 70)}`))).data).toHaveLength(1);

    const skipped = await json(await series(t, day, { on_conflict: 'skip' }));
    expect(skipped.series_citas.map((c: any) => c.series.index)).toEqual([1, 2, 3, 5, 7, 8, 9, 10]);
    expect(skipped.skipped.map((s: any) => [s.index, s.reason])).toEqual([[4, 'slot_taken'], [6, 'slot_blocked']]);
  });

  it('cancel «esta y las siguientes» from the 6th; move «toda la serie» to 11:00; one session alone', async () => {
    const { t, sandbox } = await setup();
    const day = nextTuesday('America/Lima');
    const made = (await json(await series(t, day))).series_citas as any[];
    const sixth = made[5];
    const cancel = await t.api('POST', `/api/citas/${sixth.id}/cancel?scope=following`);
    expect(cancel.status).toBe(200);
    expect(await json(cancel)).toMatchObject({ status: 'cancelled', series_updated: 4 });
    const now = (await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${day}&hasta=${addDays(day, 70)}`))).data as any[];
    expect(now.map((c) => [c.series.index, c.status])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => [i, i < 6 ? 'new' : 'cancelled']));
    await t.settle();
    expect(sandbox.appointments({ locationId: LOC, calendarId: CAL }).filter((a) => a.appointmentStatus !== 'cancelled')).toHaveLength(5);

    const second = made[1];
    const moved = await t.api('PATCH', `/api/citas/${second.id}`, { start_time: `${addDays(day, 7)}T11:00`, scope: 'all' });
    expect(moved.status).toBe(200);
    expect((await json(moved)).series_updated).toBe(9);
    const after = (await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${day}&hasta=${addDays(day, 70)}`))).data as any[];
    expect(after.map((c) => local(c.start_time).slice(11))).toEqual(Array(10).fill('11:00'));
    expect(after.map((c) => local(c.end_time).slice(11))).toEqual(Array(10).fill('11:45'));

    const one = await t.api('PATCH', `/api/citas/${made[2].id}`, { title: 'Terapia (evaluación)' });
    expect((await json(one)).series_updated).toBeUndefined();
    const titles = (await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${day}&hasta=${addDays(day, 70)}`))).data.map((c: any) => c.title);
    expect(titles.filter((x: string) => x === 'Terapia (evaluación)')).toHaveLength(1);
    await t.settle();
    expect(sandbox.appointments({ locationId: LOC, calendarId: CAL }).filter((a) => a.title === 'Terapia (evaluación)')).toHaveLength(1);
  });

  it('a weekly series across a DST change (New York) keeps its wall-clock time; a scope on a single cita is refused', async () => {
    const { t } = await setup('America/New_York');
    // Tuesday 2027-02-23 10:00 EST, weekly ×5: crosses 2027-03-14 (EDT).
    const r = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', title: 'Terapia', start_time: '2027-02-23T10:00', end_time: '2027-02-23T10:45', repeat: { freq: 'weekly', count: 5 } }));
    const made = (await json(r)).series_citas as any[];
    expect(made.map((c) => c.start_time)).toEqual(['2027-02-23T10:00:00-05:00', '2027-03-02T10:00:00-05:00', '2027-03-09T10:00:00-05:00', '2027-03-16T10:00:00-04:00', '2027-03-23T10:00:00-04:00']);
    const single = await json(await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', start_time: '2027-04-06T10:00', end_time: '2027-04-06T10:30' })));
    const refused = await t.api('POST', `/api/citas/${single.id}/cancel?scope=all`);
    expect(refused.status).toBe(422);
    expect((await json(refused)).fields).toEqual([{ field: 'scope', message: 'this cita is not part of a series' }]);
    const tooMany = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', start_time: '2027-05-04T10:00', end_time: '2027-05-04T10:30', repeat: { freq: 'daily', until: '2027-06-30' } }));
    expect((await json(tooMany)).fields).toEqual([{ field: 'repeat.until', message: 'a series has at most 24 occurrences' }]);
  });
});
