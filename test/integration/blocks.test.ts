/**
 * Blocked time and working hours (issue 23): never book a patient when the doctor is away. GHL's
 * blocks reach us by scan (before a booking, and in the jobs), ours reach GHL as block slots, the
 * database refuses bookings into them, and the calendar's openHours refuse bookings outside them;
 * `force` books past both on purpose and says who did. Through the sandbox as GHL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { calendarBlocks } from '../../src/db/schema';
import { addDays, dayInZone } from '../../src/domain/time';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-blk';
const CAL = 'cal-blk';
const ZONE = 'America/Lima';
const WEEKDAYS = [1, 2, 3, 4, 5];
const NINE_TO_SIX = [{ daysOfTheWeek: WEEKDAYS, hours: [{ openHour: 9, openMinute: 0, closeHour: 18, closeMinute: 0 }] }];

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

/** The next weekday at least `ahead` days from today, in Lima (the sandbox's and our clock are real). */
function weekday(ahead = 2): string {
  let d = addDays(dayInZone(new Date(), ZONE), ahead);
  while ([0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay())) d = addDays(d, 1);
  return d;
}
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00-05:00`;

async function setup(opts: { hours?: boolean } = {}) {
  const sandbox = createGhlSandbox({ seed: 23 });
  sandbox.seed({ locations: [{ id: LOC, timezone: ZONE, calendars: [{ id: CAL, name: 'Dra. Gómez', ...(opts.hours ? { openHours: NINE_TO_SIX } : {}) }], contacts: [{ id: 'c-ana', firstName: 'Ana', lastName: 'Pérez' }] }] });
  const t = await createTestEnv({ ghl: sandbox });
  envs.push(t);
  await t.connectPit(LOC);
  const put = await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL, synced_calendar_ids: [CAL] });
  expect(put.status).toBe(200);
  return { t, sandbox };
}

const book = (t: TestEnv, day: string, from: string, to: string, extra: Record<string, unknown> = {}) =>
  t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', start_time: at(day, from), end_time: at(day, to), ...extra }));
const json = async (r: Response) => (await r.json()) as any;

describe('a block made in GHL', () => {
  it('refuses a create and a move into it (409 naming it) without waiting for a job; force books it, and says who', async () => {
    const { t, sandbox } = await setup();
    const day = weekday();
    const lunch = sandbox.actions.createBlock({ locationId: LOC, calendarId: CAL, title: 'Almuerzo', startTime: at(day, '13:00'), endTime: at(day, '14:00') });

    const refused = await book(t, day, '13:30', '14:00');
    expect(refused.status).toBe(409);
    const problem = await json(refused);
    expect(problem).toMatchObject({ code: 'slot_blocked', block: { title: 'Almuerzo', calendar_id: CAL, start_time: at(day, '13:00'), end_time: at(day, '14:00') } });
    // Read from GHL on demand (GHL sends no webhook for blocks): one listing, then the stored copy serves.
    expect(sandbox.stats().calls['GET /calendars/blocked-slots']).toBe(1);
    const [stored] = await t.deps.db.select().from(calendarBlocks).where(eq(calendarBlocks.ghlBlockId, lunch.id));
    expect(stored).toMatchObject({ source: 'ghl', title: 'Almuerzo', deletedAt: null });

    const morning = await book(t, day, '10:00', '10:30');
    expect(morning.status).toBe(201);
    expect(sandbox.stats().calls['GET /calendars/blocked-slots']).toBe(1);
    const cita = await json(morning);
    const move = await t.api('PATCH', `/api/citas/${cita.id}`, { start_time: at(day, '12:45') });
    expect(move.status).toBe(409);
    expect(await json(move)).toMatchObject({ code: 'slot_blocked', block: { title: 'Almuerzo' } });

    const forced = await book(t, day, '13:00', '13:30', { force: true, title: 'Urgencia' });
    expect(forced.status).toBe(201);
    const made = await json(forced);
    expect(made.booking_override).toMatchObject({ rules: ['slot_blocked'], by: expect.any(String) });
    expect(made.conflict).toBe(false);
    const trail = await json(await t.api('GET', `/api/citas/${made.id}/audit`));
    expect(trail.entries[0].changes.booking_override.after).toMatchObject({ rules: ['slot_blocked'] });
    // And GHL gets it, as any cita.
    await t.settle();
    expect(sandbox.appointments({ locationId: LOC, calendarId: CAL }).some((a) => a.title === 'Urgencia')).toBe(true);

    // A forced move keeps the override; an ordinary move out of the block clears it.
    const away = await t.api('PATCH', `/api/citas/${made.id}`, { start_time: at(day, '15:00') });
    expect(await json(away)).toMatchObject({ booking_override: null });
  });

  it('an idempotent create (its write in a transaction) re-reads the blocks before it, not inside it', async () => {
    const { t, sandbox } = await setup();
    const day = weekday(6);
    sandbox.actions.createBlock({ locationId: LOC, calendarId: CAL, title: 'Curso', startTime: at(day, '09:00'), endTime: at(day, '11:00') });
    const once = () => t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', start_time: at(day, '10:00'), end_time: at(day, '10:30') }), { 'Idempotency-Key': 'blk-1' });
    const first = await once();
    expect(first.status).toBe(409);
    expect(await json(first)).toMatchObject({ code: 'slot_blocked', block: { title: 'Curso' } });
    // The refusal was not kept as the key's answer: the same request is judged again.
    expect((await once()).status).toBe(409);
  });

  it('a block deleted in GHL stops refusing after the next scan', async () => {
    const { t, sandbox } = await setup();
    const day = weekday(3);
    const course = sandbox.actions.createBlock({ locationId: LOC, calendarId: CAL, title: 'Curso', startTime: at(day, '08:00'), endTime: at(day, '12:00') });
    expect((await book(t, day, '09:00', '09:30')).status).toBe(409);
    sandbox.actions.deleteBlock(course.id);
    const run = await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
    expect(run.status).toBe(200);
    expect(((await run.json()) as any).counts).toMatchObject({ blocks_gone: 1 });
    expect((await book(t, day, '09:00', '09:30')).status).toBe(201);
    const list = await json(await t.api('GET', `/api/blocks?location_id=${LOC}&desde=${day}&hasta=${day}`));
    expect(list.data).toEqual([]);
  });

  it('an appointment booked in GHL inside a block is kept and flagged (conflict: blocked), never refused; the flag goes with the block', async () => {
    const { t, sandbox } = await setup();
    const day = weekday(4);
    const vacation = sandbox.actions.createBlock({ locationId: LOC, calendarId: CAL, title: 'Vacaciones', startTime: at(day, '00:00'), endTime: at(addDays(day, 1), '00:00') });
    sandbox.actions.createAppointment({ locationId: LOC, calendarId: CAL, contactId: 'c-ana', title: 'Reservada en GHL', startTime: at(day, '10:00'), endTime: at(day, '10:30') });
    const run = await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
    expect(((await run.json()) as any).counts).toMatchObject({ blocks_changed: 1, created: 1 });
    const listed = await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${day}&hasta=${day}`));
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({ title: 'Reservada en GHL', conflict: true, conflict_reason: 'blocked', blocked_by: { title: 'Vacaciones', start_time: at(day, '00:00') } });
    const conflicts = await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${day}&hasta=${day}&conflict=true`));
    expect(conflicts.data.map((c: any) => c.title)).toEqual(['Reservada en GHL']);

    sandbox.actions.deleteBlock(vacation.id);
    await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
    const after = await json(await t.api('GET', `/api/citas/${listed.data[0].id}`));
    expect(after).toMatchObject({ conflict: false, conflict_reason: null, blocked_by: null });
  });
});

describe('a block made here', () => {
  it('appears in GHL as a block slot; moving and removing it here does the same there; bookings into it are refused meanwhile', async () => {
    const { t, sandbox } = await setup();
    const day = weekday(5);
    const existing = await json(await book(t, day, '16:30', '17:00', { title: 'Ya agendada' }));
    const made = await t.api('POST', '/api/blocks', { location_id: LOC, calendar_id: CAL, title: 'Reunión de staff', start_time: `${day}T16:00`, end_time: `${day}T18:00` });
    expect(made.status).toBe(201);
    const block = await json(made);
    expect(block).toMatchObject({ source: 'rv3', title: 'Reunión de staff', start_time: at(day, '16:00'), sync: { status: 'pending_sync' } });
    // The cita already there stays, named in the answer and marked for a person to look at.
    expect(block.overlapping_citas).toEqual([{ id: existing.id, title: 'Ya agendada', start_time: at(day, '16:30'), end_time: at(day, '17:00') }]);
    expect(await json(await t.api('GET', `/api/citas/${existing.id}`))).toMatchObject({ conflict: true, conflict_reason: 'blocked', blocked_by: { id: block.id } });
    expect((await book(t, day, '17:00', '17:30')).status).toBe(409);

    await t.settle();
    const inGhl = sandbox.blocks({ locationId: LOC, calendarId: CAL });
    expect(inGhl).toHaveLength(1);
    expect(inGhl[0]).toMatchObject({ title: 'Reunión de staff', startTime: at(day, '16:00'), endTime: at(day, '18:00') });
    const synced = await json(await t.api('GET', `/api/blocks/${block.id}`));
    expect(synced).toMatchObject({ ghl_block_id: inGhl[0]!.id, sync: { status: 'synced' } });

    const moved = await t.api('PATCH', `/api/blocks/${block.id}`, { start_time: `${day}T17:00` }, { 'If-Match': `"${synced.version}"` });
    expect(moved.status).toBe(200);
    await t.settle();
    expect(sandbox.blocks({ locationId: LOC, calendarId: CAL })[0]).toMatchObject({ startTime: at(day, '17:00'), endTime: at(day, '19:00') });
    // Moved off the cita: its mark goes.
    expect(await json(await t.api('GET', `/api/citas/${existing.id}`))).toMatchObject({ conflict: false, blocked_by: null });

    const removed = await t.api('DELETE', `/api/blocks/${block.id}`);
    expect(await json(removed)).toMatchObject({ deleted: true });
    await t.settle();
    expect(sandbox.blocks({ locationId: LOC, calendarId: CAL })).toEqual([]);
    expect((await book(t, day, '17:00', '17:30')).status).toBe(201);
    // A scan after the delete does not bring it back.
    await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
    expect((await json(await t.api('GET', `/api/blocks?location_id=${LOC}&desde=${day}&hasta=${day}`))).data).toEqual([]);
  });

  it('bad input is a 422 naming the fields; another key cannot see it', async () => {
    const { t } = await setup();
    const day = weekday();
    const bad = await t.api('POST', '/api/blocks', { location_id: LOC, calendar_id: CAL, title: ' ', start_time: `${day}T18:00`, end_time: `${day}T17:00` });
    expect(bad.status).toBe(422);
    const problem = await json(bad);
    expect(problem.fields.map((f: any) => f.field).sort()).toEqual(['title']);
    const order = await t.api('POST', '/api/blocks', { location_id: LOC, calendar_id: CAL, title: 'x', start_time: `${day}T18:00`, end_time: `${day}T17:00` });
    expect((await json(order)).fields).toEqual([{ field: 'end_time', message: 'must be after start_time' }]);
    expect((await t.api('GET', `/api/blocks/${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe('working hours', () => {
  it('refuse a 20:00 cita on a calendar open 09:00–18:00 (422 naming the hours); force books it', async () => {
    const { t } = await setup({ hours: true });
    // The calendar's hours come with GHL's calendar list (kept beside the settings when listed).
    const cals = await json(await t.api('GET', `/api/ghl/calendars?location_id=${LOC}&refresh=1`));
    expect(cals.calendars[0].open_hours).toEqual([{ days: WEEKDAYS, hours: [{ open: '09:00', close: '18:00' }] }]);
    const day = weekday();
    const late = await book(t, day, '20:00', '20:30');
    expect(late.status).toBe(422);
    const problem = await json(late);
    expect(problem).toMatchObject({ code: 'outside_working_hours', working_hours: { fecha: day, hours: [{ open: '09:00', close: '18:00' }] }, fields: [{ field: 'start_time' }] });
    // Ending past the close is outside too; ending at it is not.
    expect((await book(t, day, '17:30', '18:30')).status).toBe(422);
    expect((await book(t, day, '17:30', '18:00')).status).toBe(201);
    const forced = await book(t, day, '20:00', '20:30', { force: true });
    expect(forced.status).toBe(201);
    expect((await json(forced)).booking_override).toMatchObject({ rules: ['outside_working_hours'] });
    // Saturday: closed all day.
    let saturday = day;
    while (new Date(`${saturday}T12:00:00Z`).getUTCDay() !== 6) saturday = addDays(saturday, 1);
    const closed = await json(await book(t, saturday, '10:00', '10:30'));
    expect(closed).toMatchObject({ code: 'outside_working_hours', working_hours: { hours: [] } });
  });
});

describe('free slots', () => {
  it("come from GHL's free-slots for the calendar and day, each with its end", async () => {
    const { t, sandbox } = await setup({ hours: true });
    await t.api('GET', `/api/ghl/calendars?location_id=${LOC}&refresh=1`);
    const day = weekday();
    sandbox.actions.createBlock({ locationId: LOC, calendarId: CAL, title: 'Almuerzo', startTime: at(day, '13:00'), endTime: at(day, '14:00') });
    const r = await t.api('GET', `/api/ghl/calendars/${CAL}/free-slots?location_id=${LOC}&fecha=${day}`);
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body).toMatchObject({ calendar_id: CAL, fecha: day, time_zone: ZONE });
    const starts = body.slots.map((s: any) => s.start_time);
    expect(starts[0]).toBe(at(day, '09:00'));
    expect(starts).not.toContain(at(day, '13:00'));
    expect(body.slots[0].end_time).toBe(at(day, '09:30'));
    expect(sandbox.stats().calls['GET /calendars/:id/free-slots']).toBe(1);
  });
});
