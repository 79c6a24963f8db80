/**
 * Recurring appointments as GHL's calendars document describes them (issue 24): `rrule` on create
 * (only with ignoreFreeSlotValidation, at most 24 occurrences), the listing expanding a series into
 * instance ids `<masterId>_<startMillis>_<durationSeconds>`, GET/PUT/DELETE by master or instance id,
 * occurrences placed in the location's zone, and webhooks naming the master or each instance.
 */
import { describe, expect, it } from 'vitest';
import { createGhlSandbox, type SandboxOptions } from '../../scripts/ghl-sandbox';
import { MAX_OCCURRENCES, parseRule, ruleStarts } from '../../scripts/ghl-sandbox/rrule';
import { ANA, CAL, CAL_B, LIMA, SEED, api, appointmentBody, manualClock } from './support';

const NY = 'loc-ny';
const NY_CAL = 'cal-ny';
const NY_CONTACT = 'con-ny';
const DAY = 86_400_000;
const WEEK = 7 * DAY;

function setup(opts: SandboxOptions = {}) {
  const clock = manualClock();
  const sandbox = createGhlSandbox({ now: clock.now, ...opts });
  sandbox.seed(SEED);
  sandbox.seed({
    locations: [{ id: NY, timezone: 'America/New_York', calendars: [{ id: NY_CAL, name: 'Therapy' }], contacts: [{ id: NY_CONTACT, firstName: 'Sam' }] }],
  });
  const webhooks: any[] = [];
  sandbox.configureWebhooks({ deliver: async (req) => (webhooks.push(await req.json()), new Response('ok')) });
  const lima = api(sandbox, sandbox.createPrivateToken(LIMA));
  const ny = api(sandbox, sandbox.createPrivateToken(NY));
  /** The webhooks sent since the last call. */
  const sent = async () => {
    await sandbox.webhooks.idle();
    return webhooks.splice(0);
  };
  return { sandbox, clock, lima, ny, sent };
}

/** Tuesdays 10:30–11:00 in Lima from 2026-03-17, as a series. */
function tuesdays(rrule = 'RRULE:FREQ=WEEKLY;COUNT=10', overrides: Record<string, unknown> = {}) {
  return appointmentBody({ startTime: '2026-03-17T10:30:00-05:00', endTime: '2026-03-17T11:00:00-05:00', title: 'Terapia', rrule, ignoreFreeSlotValidation: true, ...overrides });
}
const FIRST = Date.parse('2026-03-17T10:30:00-05:00');

async function list(client: ReturnType<typeof api>, fromMs: number, toMs: number, calendarId = CAL, locationId = LIMA) {
  const res = await client.get(`/calendars/events?locationId=${locationId}&calendarId=${calendarId}&startTime=${fromMs}&endTime=${toMs}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.events as any[];
}

describe('a recurring appointment through the API', () => {
  it('create answers the master; the listing shows each occurrence in the window with its instance id', async () => {
    const { lima } = setup();
    const created = await lima.post('/calendars/events/appointments', tuesdays());
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ isRecurring: true, rrule: 'RRULE:FREQ=WEEKLY;COUNT=10', startTime: '2026-03-17T10:30:00-05:00', endTime: '2026-03-17T11:00:00-05:00' });
    const master = created.body.id as string;

    const all = await list(lima, FIRST - DAY, FIRST + 20 * WEEK);
    expect(all).toHaveLength(10);
    all.forEach((e, i) => {
      const start = FIRST + i * WEEK; // Lima has no DST: a week is always 7 × 24 h
      expect(e).toMatchObject({ id: `${master}_${start}_1800`, masterEventId: master, isRecurring: true, rrule: 'RRULE:FREQ=WEEKLY;COUNT=10', title: 'Terapia', calendarId: CAL });
      expect(Date.parse(e.startTime)).toBe(start);
      expect(Date.parse(e.endTime)).toBe(start + 1_800_000);
      expect(e.startTime).toMatch(/T10:30:00-05:00$/);
    });
    // The master itself is never listed; a window shows what intersects it (an occurrence cut by an edge too).
    expect(all.map((e) => e.id)).not.toContain(master);
    const third = FIRST + 2 * WEEK;
    expect((await list(lima, third + 600_000, FIRST + 3 * WEEK + 1)).map((e) => e.id)).toEqual([`${master}_${third}_1800`, `${master}_${FIRST + 3 * WEEK}_1800`]);
    // Touching is not intersecting, as for one-off appointments.
    expect(await list(lima, third + 1_800_000, FIRST + 3 * WEEK)).toEqual([]);
    expect(await list(lima, FIRST + 10 * WEEK, FIRST + 30 * WEEK)).toEqual([]);
  });

  it('GET by master id is the series (first occurrence, rule); by instance id, that occurrence; anything else 404', async () => {
    const { lima } = setup();
    const master = (await lima.post('/calendars/events/appointments', tuesdays())).body.id as string;
    const series = await lima.get(`/calendars/events/appointments/${master}`);
    expect(series.status).toBe(200);
    expect(series.body.event).toMatchObject({ id: master, isRecurring: true, rrule: 'RRULE:FREQ=WEEKLY;COUNT=10', startTime: '2026-03-17T10:30:00-05:00' });
    expect(series.body.event).not.toHaveProperty('masterEventId');

    const fourth = FIRST + 3 * WEEK;
    const one = await lima.get(`/calendars/events/appointments/${master}_${fourth}_1800`);
    expect(one.status).toBe(200);
    expect(one.body.event).toMatchObject({ id: `${master}_${fourth}_1800`, masterEventId: master, isRecurring: true, startTime: '2026-04-07T10:30:00-05:00', endTime: '2026-04-07T11:00:00-05:00' });

    for (const wrong of [`${master}_${fourth + 1}_1800`, `${master}_${fourth}_1801`, `${master}_${FIRST + 10 * WEEK}_1800`, `nope_${fourth}_1800`]) {
      expect((await lima.get(`/calendars/events/appointments/${wrong}`)).status, wrong).toBe(404);
    }
  });

  it('PUT with an instance id changes that occurrence only (its id stays); with the master id, the whole series', async () => {
    const { lima } = setup();
    const master = (await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=WEEKLY;COUNT=4'))).body.id as string;
    const ids = [0, 1, 2, 3].map((i) => `${master}_${FIRST + i * WEEK}_1800`);

    // Second one moved to the afternoon and renamed; third one cancelled.
    const moved = await lima.put(`/calendars/events/appointments/${ids[1]}`, { startTime: '2026-03-24T15:00:00-05:00', title: 'Terapia (tarde)' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ id: ids[1], startTime: '2026-03-24T15:00:00-05:00', endTime: '2026-03-24T15:30:00-05:00', title: 'Terapia (tarde)' });
    expect((await lima.put(`/calendars/events/appointments/${ids[2]}`, { appointmentStatus: 'cancelled' })).status).toBe(200);
    let listed = await list(lima, FIRST - DAY, FIRST + 5 * WEEK);
    expect(listed.map((e) => [e.id, e.startTime, e.title, e.appointmentStatus])).toEqual([
      [ids[0], '2026-03-17T10:30:00-05:00', 'Terapia', 'confirmed'],
      [ids[1], '2026-03-24T15:00:00-05:00', 'Terapia (tarde)', 'confirmed'],
      [ids[2], '2026-03-31T10:30:00-05:00', 'Terapia', 'cancelled'],
      [ids[3], '2026-04-07T10:30:00-05:00', 'Terapia', 'confirmed'],
    ]);
    expect((await lima.get(`/calendars/events/appointments/${ids[1]}`)).body.event.title).toBe('Terapia (tarde)');
    // The series is unchanged by its occurrences' edits.
    expect((await lima.get(`/calendars/events/appointments/${master}`)).body.event).toMatchObject({ title: 'Terapia', startTime: '2026-03-17T10:30:00-05:00', appointmentStatus: 'confirmed' });
    // A rule belongs to the series.
    expect((await lima.put(`/calendars/events/appointments/${ids[1]}`, { rrule: 'RRULE:FREQ=DAILY;COUNT=2', ignoreFreeSlotValidation: true })).status).toBe(400);

    // The series renamed: every occurrence, the one renamed on its own too; the one moved stays moved.
    expect((await lima.put(`/calendars/events/appointments/${master}`, { title: 'Terapia grupal' })).status).toBe(200);
    listed = await list(lima, FIRST - DAY, FIRST + 5 * WEEK);
    expect(listed.map((e) => e.title)).toEqual(['Terapia grupal', 'Terapia grupal', 'Terapia grupal', 'Terapia grupal']);
    expect(listed[1].startTime).toBe('2026-03-24T15:00:00-05:00');
    expect(listed[2].appointmentStatus).toBe('cancelled');

    // The series cancelled: all of them.
    expect((await lima.put(`/calendars/events/appointments/${master}`, { appointmentStatus: 'cancelled' })).status).toBe(200);
    expect((await list(lima, FIRST - DAY, FIRST + 5 * WEEK)).map((e) => e.appointmentStatus)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('new series times move every occurrence (new instance ids); deleted ones stay deleted; a new rrule replaces the rule', async () => {
    const { lima } = setup();
    const master = (await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=WEEKLY;COUNT=4'))).body.id as string;
    expect((await lima.del(`/calendars/events/${master}_${FIRST + WEEK}_1800`)).status).toBe(201);

    const res = await lima.put(`/calendars/events/appointments/${master}`, { startTime: '2026-03-17T16:00:00-05:00', endTime: '2026-03-17T16:45:00-05:00' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const start = Date.parse('2026-03-17T16:00:00-05:00');
    expect((await list(lima, FIRST - DAY, FIRST + 5 * WEEK)).map((e) => e.id)).toEqual([0, 2, 3].map((i) => `${master}_${start + i * WEEK}_2700`));
    expect(res.body.rrule).toBe(`RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE:${stamp(start + WEEK)}`);

    const replaced = await lima.put(`/calendars/events/appointments/${master}`, { rrule: 'FREQ=DAILY;INTERVAL=2;COUNT=3', ignoreFreeSlotValidation: true });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.rrule).toBe('RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3');
    expect((await list(lima, FIRST - DAY, FIRST + 5 * WEEK)).map((e) => e.startTime)).toEqual(['2026-03-17T16:00:00-05:00', '2026-03-19T16:00:00-05:00', '2026-03-21T16:00:00-05:00']);
    // As on create: a rule without ignoreFreeSlotValidation is refused.
    expect((await lima.put(`/calendars/events/appointments/${master}`, { rrule: 'FREQ=DAILY;COUNT=2' })).status).toBe(400);
  });

  it('DELETE with an instance id removes that occurrence as an EXDATE; with the master id, the whole series', async () => {
    const { lima } = setup();
    const master = (await lima.post('/calendars/events/appointments', tuesdays())).body.id as string;
    const fifth = `${master}_${FIRST + 4 * WEEK}_1800`;
    expect((await lima.del(`/calendars/events/${fifth}`)).status).toBe(201);
    const listed = await list(lima, FIRST - DAY, FIRST + 20 * WEEK);
    expect(listed).toHaveLength(9);
    expect(listed.map((e) => e.id)).not.toContain(fifth);
    expect((await lima.get(`/calendars/events/appointments/${fifth}`)).status).toBe(404);
    expect((await lima.del(`/calendars/events/${fifth}`)).status).toBe(404);
    // COUNT still counts it (RFC 5545): the series does not grow an eleventh week.
    expect((await lima.get(`/calendars/events/appointments/${master}`)).body.event.rrule).toBe(`RRULE:FREQ=WEEKLY;COUNT=10\nEXDATE:${stamp(FIRST + 4 * WEEK)}`);
    expect(listed.at(-1).startTime).toBe('2026-05-19T10:30:00-05:00');

    expect((await lima.del(`/calendars/events/${master}`)).status).toBe(201);
    expect(await list(lima, FIRST - DAY, FIRST + 20 * WEEK)).toEqual([]);
    expect((await lima.get(`/calendars/events/appointments/${master}`)).status).toBe(404);
    expect((await lima.get(`/calendars/events/appointments/${master}_${FIRST}_1800`)).status).toBe(404);
  });

  it('a weekly 10:00 in New York stays 10:00 local across 2026-11-01 and 2027-03-14', async () => {
    const { ny } = setup();
    const body = { calendarId: NY_CAL, locationId: NY, contactId: NY_CONTACT, ignoreFreeSlotValidation: true };
    const fall = await ny.post('/calendars/events/appointments', { ...body, startTime: '2026-10-20T10:00:00-04:00', endTime: '2026-10-20T10:50:00-04:00', rrule: 'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4' });
    expect(fall.status, JSON.stringify(fall.body)).toBe(200);
    const fallEvents = await list(ny, Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-12-01T00:00:00Z'), NY_CAL, NY);
    expect(fallEvents.map((e) => e.startTime)).toEqual(['2026-10-20T10:00:00-04:00', '2026-10-27T10:00:00-04:00', '2026-11-03T10:00:00-05:00', '2026-11-10T10:00:00-05:00']);
    expect(fallEvents.map((e) => e.endTime)).toEqual(['2026-10-20T10:50:00-04:00', '2026-10-27T10:50:00-04:00', '2026-11-03T10:50:00-05:00', '2026-11-10T10:50:00-05:00']);
    // The instance ids carry each occurrence's own instant: the week across the change is 7 days and an hour.
    const starts = fallEvents.map((e) => Number(e.id.split('_')[1]));
    expect(starts[2]! - starts[1]!).toBe(WEEK + 3_600_000);
    expect(fallEvents.every((e) => e.id.endsWith('_3000'))).toBe(true);

    const spring = await ny.post('/calendars/events/appointments', { ...body, startTime: '2027-03-09T10:00:00-05:00', endTime: '2027-03-09T11:00:00-05:00', rrule: 'RRULE:FREQ=WEEKLY;UNTIL=20270324T000000Z' });
    expect(spring.status, JSON.stringify(spring.body)).toBe(200);
    const springEvents = await list(ny, Date.parse('2027-03-01T00:00:00Z'), Date.parse('2027-04-01T00:00:00Z'), NY_CAL, NY);
    expect(springEvents.map((e) => e.startTime)).toEqual(['2027-03-09T10:00:00-05:00', '2027-03-16T10:00:00-04:00', '2027-03-23T10:00:00-04:00']);
    expect(Number(springEvents[1].id.split('_')[1]) - Number(springEvents[0].id.split('_')[1])).toBe(WEEK - 3_600_000);
  });

  it('COUNT, UNTIL (date-time and date), INTERVAL, BYDAY and MONTHLY make the occurrences RFC 5545 says', async () => {
    const { lima } = setup();
    const starts = async (rrule: string, startTime: string) => {
      const res = await lima.post('/calendars/events/appointments', appointmentBody({ calendarId: CAL_B, startTime, endTime: undefined, rrule, ignoreFreeSlotValidation: true }));
      expect(res.status, `${rrule}: ${JSON.stringify(res.body)}`).toBe(200);
      const events = await list(lima, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-06-01T00:00:00Z'), CAL_B);
      await lima.del(`/calendars/events/${res.body.id}`);
      // CAL_B's slots are 45 minutes: an absent endTime takes the calendar's slot, for every occurrence.
      for (const e of events) expect(Date.parse(e.endTime) - Date.parse(e.startTime)).toBe(45 * 60_000);
      return events.map((e) => e.startTime.slice(0, 16));
    };
    expect(await starts('RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3', '2026-03-30T09:00:00-05:00')).toEqual(['2026-03-30T09:00', '2026-04-01T09:00', '2026-04-03T09:00']);
    expect(await starts('RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;COUNT=5', '2026-03-19T09:00:00-05:00')).toEqual([
      '2026-03-19T09:00', '2026-03-24T09:00', '2026-03-26T09:00', '2026-03-31T09:00', '2026-04-02T09:00',
    ]);
    expect(await starts('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;COUNT=4', '2026-03-16T09:00:00-05:00')).toEqual(['2026-03-16T09:00', '2026-03-20T09:00', '2026-03-30T09:00', '2026-04-03T09:00']);
    // UNTIL is inclusive: 09:00 Lima is 14:00Z.
    expect(await starts('RRULE:FREQ=WEEKLY;UNTIL=20260407T140000Z', '2026-03-17T09:00:00-05:00')).toEqual(['2026-03-17T09:00', '2026-03-24T09:00', '2026-03-31T09:00', '2026-04-07T09:00']);
    expect(await starts('RRULE:FREQ=DAILY;UNTIL=20260319', '2026-03-17T18:00:00-05:00')).toEqual(['2026-03-17T18:00', '2026-03-18T18:00', '2026-03-19T18:00']);
    // Monthly on the 31st skips the months without one.
    expect(await starts('RRULE:FREQ=MONTHLY;COUNT=3', '2026-01-31T09:00:00-05:00')).toEqual(['2026-01-31T09:00', '2026-03-31T09:00', '2026-05-31T09:00']);
    expect(await starts('RRULE:FREQ=MONTHLY;INTERVAL=3;COUNT=3', '2026-02-10T09:00:00-05:00')).toEqual(['2026-02-10T09:00', '2026-05-10T09:00', '2026-08-10T09:00']);
    // EXDATE given on create (UTC and the location's wall time) leaves those out.
    expect(await starts('RRULE:FREQ=DAILY;COUNT=4\nEXDATE:20260318T140000Z\nEXDATE;TZID=America/Lima:20260320T090000', '2026-03-17T09:00:00-05:00')).toEqual(['2026-03-17T09:00', '2026-03-19T09:00']);
  });

  it('refuses more than 24 occurrences, a rule with no end, rules it cannot follow, and rrule without ignoreFreeSlotValidation', async () => {
    const { lima, sandbox } = setup();
    expect((await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=DAILY;COUNT=24'))).status).toBe(200);
    expect(await list(lima, FIRST, FIRST + 30 * DAY)).toHaveLength(24);
    const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
      ['RRULE:FREQ=DAILY;COUNT=25', {}, /over 24/],
      ['RRULE:FREQ=DAILY;UNTIL=20260801T000000Z', {}, /more than 24/],
      ['RRULE:FREQ=DAILY;UNTIL=20260501T000000Z', {}, /before startTime/],
      ['RRULE:FREQ=WEEKLY', {}, /COUNT or UNTIL/],
      ['RRULE:FREQ=YEARLY;COUNT=2', {}, /FREQ/],
      ['RRULE:FREQ=WEEKLY;BYMONTH=3;COUNT=2', {}, /BYMONTH is not supported/],
      ['RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2', {}, /BYDAY/],
      ['RRULE:FREQ=DAILY;COUNT=2;UNTIL=20260401T000000Z', {}, /exclude/],
      ['RRULE:FREQ=WEEKLY;COUNT=2', { ignoreFreeSlotValidation: false }, /ignoreFreeSlotValidation/],
      ['RRULE:FREQ=WEEKLY;COUNT=2', { ignoreFreeSlotValidation: undefined }, /ignoreFreeSlotValidation/],
      ['', {}, /rrule/],
    ];
    for (const [rrule, extra, message] of refusals) {
      const res = await lima.post('/calendars/events/appointments', tuesdays(rrule, { startTime: '2026-06-02T10:30:00-05:00', endTime: '2026-06-02T11:00:00-05:00', ...extra }));
      expect(res.status, rrule).toBe(400);
      expect(res.body, rrule).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
    }
    expect((await lima.post('/calendars/events/appointments', tuesdays(123 as unknown as string))).status).toBe(400);
    // Only the one series was stored.
    expect(sandbox.appointments({ locationId: LIMA })).toHaveLength(1);
    expect(MAX_OCCURRENCES).toBe(24);
  });

  it("occurrences take their slots: a one-off on an occurrence is refused without ignoreFreeSlotValidation, free-slots leaves them out", async () => {
    const { lima, sandbox } = setup();
    await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=WEEKLY;COUNT=3'));
    const onThird = appointmentBody({ startTime: '2026-03-31T10:45:00-05:00', endTime: '2026-03-31T11:15:00-05:00' });
    expect((await lima.post('/calendars/events/appointments', onThird)).status).toBe(400);
    expect((await lima.post('/calendars/events/appointments', { ...onThird, startTime: '2026-04-07T10:45:00-05:00', endTime: '2026-04-07T11:15:00-05:00' })).status).toBe(200);
    sandbox.actions.setOpenHours(CAL, [{ daysOfTheWeek: [2], hours: [{ openHour: 10, openMinute: 0, closeHour: 12, closeMinute: 0 }] }]);
    const day = Date.parse('2026-03-24T00:00:00-05:00');
    const slots = await lima.get(`/calendars/${CAL}/free-slots?startDate=${day}&endDate=${day + DAY - 1}`);
    expect(slots.body['2026-03-24'].slots).toEqual(['2026-03-24T10:00:00-05:00', '2026-03-24T11:00:00-05:00', '2026-03-24T11:30:00-05:00']);
  });
});

describe('series webhooks', () => {
  it("'instance' (default): one webhook per occurrence changed, with instance ids and masterEventId", async () => {
    const { lima, sent } = setup();
    const master = (await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=WEEKLY;COUNT=3'))).body.id as string;
    const ids = [0, 1, 2].map((i) => `${master}_${FIRST + i * WEEK}_1800`);
    let got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id, w.appointment.masterEventId])).toEqual(ids.map((id) => ['AppointmentCreate', id, master]));
    expect(got[1].appointment).toMatchObject({ startTime: '2026-03-24T10:30:00-05:00', endTime: '2026-03-24T11:00:00-05:00', title: 'Terapia' });
    expect(got[1].appointment).not.toHaveProperty('rrule');

    await lima.put(`/calendars/events/appointments/${ids[1]}`, { startTime: '2026-03-25T10:30:00-05:00' });
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id, w.appointment.startTime])).toEqual([['AppointmentUpdate', ids[1], '2026-03-25T10:30:00-05:00']]);

    await lima.put(`/calendars/events/appointments/${master}`, { title: 'Terapia grupal' });
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id, w.appointment.title])).toEqual(ids.map((id) => ['AppointmentUpdate', id, 'Terapia grupal']));

    // Extending the rule: a new occurrence, and the others updated (their rule reads COUNT=4 now).
    await lima.put(`/calendars/events/appointments/${master}`, { rrule: 'RRULE:FREQ=WEEKLY;COUNT=4', ignoreFreeSlotValidation: true });
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id])).toEqual([...ids.map((id) => ['AppointmentUpdate', id]), ['AppointmentCreate', `${master}_${FIRST + 3 * WEEK}_1800`]]);
    // The moved one stays moved: the new rule still has its start.
    expect(got[1].appointment.startTime).toBe('2026-03-25T10:30:00-05:00');

    await lima.del(`/calendars/events/${ids[0]}`);
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id, w.appointment.masterEventId])).toEqual([['AppointmentDelete', ids[0], master]]);

    // New series times: every instance id changes, so the old ones go and the new ones come.
    await lima.put(`/calendars/events/appointments/${master}`, { startTime: '2026-03-17T12:00:00-05:00' });
    got = await sent();
    const noon = Date.parse('2026-03-17T12:00:00-05:00');
    expect(got.filter((w) => w.type === 'AppointmentDelete').map((w) => w.appointment.id)).toEqual([ids[1], ids[2], `${master}_${FIRST + 3 * WEEK}_1800`]);
    expect(got.filter((w) => w.type === 'AppointmentCreate').map((w) => w.appointment.id)).toEqual([1, 2, 3].map((i) => `${master}_${noon + i * WEEK}_1800`));

    await lima.del(`/calendars/events/${master}`);
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id])).toEqual([1, 2, 3].map((i) => ['AppointmentDelete', `${master}_${noon + i * WEEK}_1800`]));
  });

  it("'master': one webhook with the master id, its first times and rrule for series changes; an occurrence's own change still names the instance", async () => {
    const { lima, sent } = setup({ seriesWebhookIds: 'master' });
    const master = (await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=WEEKLY;COUNT=3'))).body.id as string;
    let got = await sent();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'AppointmentCreate', appointment: { id: master, rrule: 'RRULE:FREQ=WEEKLY;COUNT=3', startTime: '2026-03-17T10:30:00-05:00', endTime: '2026-03-17T11:00:00-05:00' } });
    expect(got[0].appointment).not.toHaveProperty('masterEventId');

    const second = `${master}_${FIRST + WEEK}_1800`;
    await lima.put(`/calendars/events/appointments/${second}`, { appointmentStatus: 'cancelled' });
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id, w.appointment.masterEventId, w.appointment.appointmentStatus])).toEqual([['AppointmentUpdate', second, master, 'cancelled']]);

    await lima.put(`/calendars/events/appointments/${master}`, { title: 'Terapia grupal', startTime: '2026-03-17T11:00:00-05:00' });
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id, w.appointment.title, w.appointment.startTime])).toEqual([['AppointmentUpdate', master, 'Terapia grupal', '2026-03-17T11:00:00-05:00']]);

    const third = `${master}_${Date.parse('2026-03-31T11:00:00-05:00')}_1800`;
    await lima.del(`/calendars/events/${third}`);
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id])).toEqual([['AppointmentDelete', third]]);
    await lima.del(`/calendars/events/${master}`);
    got = await sent();
    expect(got.map((w) => [w.type, w.appointment.id])).toEqual([['AppointmentDelete', master]]);
    expect(got[0].appointment.rrule).toBe(`RRULE:FREQ=WEEKLY;COUNT=3\nEXDATE:${stamp(Date.parse('2026-03-31T11:00:00-05:00'))}`);
  });

  it('the mode can be switched on a running sandbox (programmatically and over /_sandbox); one-offs never carry series fields', async () => {
    const { sandbox, lima, sent } = setup();
    sandbox.setSeriesWebhookIds('master');
    await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=DAILY;COUNT=2'));
    expect(await sent()).toHaveLength(1);
    const res = await sandbox.fetch('https://sandbox.ghl.test/_sandbox/webhooks/series-ids', { method: 'POST', body: JSON.stringify({ seriesWebhookIds: 'instance' }) });
    expect(await res.json()).toEqual({ ok: true, seriesWebhookIds: 'instance' });
    await lima.post('/calendars/events/appointments', tuesdays('RRULE:FREQ=DAILY;COUNT=2', { startTime: '2026-04-17T10:30:00-05:00', endTime: '2026-04-17T11:00:00-05:00' }));
    expect(await sent()).toHaveLength(2);
    expect((await sandbox.fetch('https://sandbox.ghl.test/_sandbox/webhooks/series-ids', { method: 'POST', body: JSON.stringify({ seriesWebhookIds: 'both' }) })).status).toBe(400);
    expect(() => createGhlSandbox({ seriesWebhookIds: 'both' as never })).toThrow(/seriesWebhookIds/);

    await lima.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-05-12T10:30:00-05:00', endTime: '2026-05-12T11:00:00-05:00' }));
    const [single] = await sent();
    expect(single.appointment).not.toHaveProperty('masterEventId');
    expect(single.appointment).not.toHaveProperty('rrule');
    expect((await lima.get(`/calendars/events/appointments/${single.appointment.id}`)).body.event.isRecurring).toBe(false);
  });
});

describe('series by GHL staff and the control API', () => {
  it('actions create a series and move, edit, cancel or delete one occurrence or the whole series; expand=1 shows what the listing shows', async () => {
    const { sandbox, lima, sent } = setup();
    const ctl = async (path: string, body?: unknown) => {
      const res = await sandbox.fetch(`https://sandbox.ghl.test/_sandbox${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const created = await ctl('/actions/create', { locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: '2026-03-17T10:30:00-05:00', endTime: '2026-03-17T11:00:00-05:00', title: 'Sesión', rrule: 'RRULE:FREQ=WEEKLY;COUNT=5' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const master = created.body.appointment.id as string;
    expect(created.body.appointment).toMatchObject({ isRecurring: true, rrule: 'RRULE:FREQ=WEEKLY;COUNT=5', createdBy: { source: 'calendar_page' } });
    expect((await sent()).map((w) => w.appointment.id)).toHaveLength(5);
    const id = (i: number) => `${master}_${FIRST + i * WEEK}_1800`;

    expect((await ctl('/actions/move', { id: id(1), startTime: '2026-03-24T17:00:00-05:00' })).body.appointment).toMatchObject({ id: id(1), startTime: '2026-03-24T17:00:00-05:00', endTime: '2026-03-24T17:30:00-05:00' });
    expect((await ctl('/actions/edit', { id: id(2), title: 'Sesión 3', notes: 'traer informe' })).body.appointment).toMatchObject({ id: id(2), title: 'Sesión 3', notes: 'traer informe' });
    expect((await ctl('/actions/cancel', { id: id(3) })).body.appointment).toMatchObject({ id: id(3), appointmentStatus: 'cancelled' });
    expect((await ctl('/actions/delete', { id: id(4) })).body.appointment).toMatchObject({ id: id(4), masterEventId: master });
    expect((await sent()).map((w) => [w.type, w.appointment.id])).toEqual([
      ['AppointmentUpdate', id(1)],
      ['AppointmentUpdate', id(2)],
      ['AppointmentUpdate', id(3)],
      ['AppointmentDelete', id(4)],
    ]);

    const from = FIRST - DAY;
    const to = FIRST + 6 * WEEK;
    const expanded = await ctl(`/appointments?locationId=${LIMA}&calendarId=${CAL}&expand=1&from=${from}&to=${to}`);
    const listed = await list(lima, from, to);
    expect(expanded.body.appointments).toEqual(listed);
    expect(sandbox.occurrences({ locationId: LIMA, calendarId: CAL, from, to })).toEqual(listed);
    expect(listed.map((e) => [e.id, e.startTime, e.title, e.appointmentStatus])).toEqual([
      [id(0), '2026-03-17T10:30:00-05:00', 'Sesión', 'confirmed'],
      [id(1), '2026-03-24T17:00:00-05:00', 'Sesión', 'confirmed'],
      [id(2), '2026-03-31T10:30:00-05:00', 'Sesión 3', 'confirmed'],
      [id(3), '2026-04-07T10:30:00-05:00', 'Sesión', 'cancelled'],
    ]);
    // A narrower window, and without expand: the stored series once, as its master.
    expect((await ctl(`/appointments?locationId=${LIMA}&expand=1&from=${FIRST + WEEK}&to=${FIRST + 2 * WEEK}`)).body.appointments.map((a: any) => a.id)).toEqual([id(1)]);
    expect((await ctl(`/appointments?locationId=${LIMA}`)).body.appointments.map((a: any) => a.id)).toEqual([master]);
    expect((await ctl(`/appointments?locationId=${LIMA}&expand=1&from=soon`)).status).toBe(400);

    // The whole series: moved (the rule again from the new first start), edited, cancelled, deleted.
    expect((await ctl('/actions/move', { id: master, startTime: '2026-03-18T09:00:00-05:00' })).body.appointment).toMatchObject({ id: master, startTime: '2026-03-18T09:00:00-05:00', endTime: '2026-03-18T09:30:00-05:00' });
    expect(sandbox.occurrences({ locationId: LIMA }).map((a) => a.startTime)).toEqual(['2026-03-18T09:00:00-05:00', '2026-03-25T09:00:00-05:00', '2026-04-01T09:00:00-05:00', '2026-04-08T09:00:00-05:00']);
    expect(sandbox.occurrences({ locationId: LIMA }).map((a) => a.title)).toEqual(['Sesión', 'Sesión', 'Sesión 3', 'Sesión']);
    (await ctl('/actions/edit', { id: master, calendarId: CAL_B }));
    expect(sandbox.occurrences({ locationId: LIMA, calendarId: CAL_B })).toHaveLength(4);
    await ctl('/actions/cancel', { id: master });
    expect(sandbox.occurrences({ locationId: LIMA }).every((a) => a.appointmentStatus === 'cancelled')).toBe(true);
    await ctl('/actions/delete', { id: master });
    expect(sandbox.occurrences({ locationId: LIMA })).toEqual([]);
    expect((await ctl('/actions/cancel', { id: id(0) })).status).toBe(400);
    expect((await ctl('/actions/create', { locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: '2026-03-17T10:30:00-05:00', endTime: '2026-03-17T11:00:00-05:00', rrule: 'RRULE:FREQ=DAILY;COUNT=30' })).body.error).toMatch(/over 24/);
  });

  it('seed data may hold series and past appointments; export and import keep series with their edits', async () => {
    const { sandbox, clock } = setup();
    const past = new Date(clock.now() - 20 * DAY).toISOString();
    sandbox.seed({
      locations: [
        {
          id: LIMA,
          appointments: [
            { id: 'old-one', calendarId: CAL, contactId: ANA, startTime: past, endTime: new Date(clock.now() - 20 * DAY + 1_800_000).toISOString(), appointmentStatus: 'showed' },
            { id: 'old-series', calendarId: CAL, contactId: ANA, startTime: '2026-02-03T10:00:00-05:00', endTime: '2026-02-03T10:30:00-05:00', rrule: 'RRULE:FREQ=WEEKLY;COUNT=3' },
          ],
        },
      ],
    });
    const lima = api(sandbox, sandbox.createPrivateToken(LIMA));
    const listed = await list(lima, clock.now() - 60 * DAY, clock.now());
    // By start: the series' three Tuesdays in February, then the one-off of 2026-02-18.
    expect(listed.map((e) => e.id)).toEqual(['old-series_1770130800000_1800', 'old-series_1770735600000_1800', 'old-series_1771340400000_1800', 'old-one']);
    expect(listed.find((e) => e.id === 'old-one')).toMatchObject({ appointmentStatus: 'showed', isRecurring: false });
    expect(Date.parse('2026-02-03T10:00:00-05:00')).toBe(1770130800000);
    expect(() => sandbox.seed({ locations: [{ id: LIMA, appointments: [{ calendarId: CAL, contactId: ANA, startTime: past, endTime: new Date(clock.now()).toISOString(), rrule: 'FREQ=DAILY' }] }] })).toThrow(/COUNT or UNTIL/);

    sandbox.actions.moveAppointment('old-series_1770735600000_1800', { startTime: '2026-02-11T10:00:00-05:00' });
    sandbox.actions.deleteAppointment('old-series_1771340400000_1800');
    const copy = createGhlSandbox({ now: clock.now });
    copy.importData(sandbox.exportData());
    expect(copy.occurrences({ locationId: LIMA })).toEqual(sandbox.occurrences({ locationId: LIMA }));
    expect(copy.occurrences({ locationId: LIMA }).map((e) => e.startTime)).toContain('2026-02-11T10:00:00-05:00');
    expect(copy.occurrences({ locationId: LIMA })).toHaveLength(3);
  });
});

describe('the expander (rrule.ts)', () => {
  it('keeps the wall time in the zone, counts EXDATE-less starts, and refuses past 24', () => {
    const zone = 'America/New_York';
    const dtstart = Date.parse('2026-10-30T09:30:00-04:00');
    const starts = ruleStarts(parseRule('RRULE:FREQ=DAILY;COUNT=4', zone), dtstart, zone);
    expect(starts.map((ms) => new Date(ms).toISOString())).toEqual(['2026-10-30T13:30:00.000Z', '2026-10-31T13:30:00.000Z', '2026-11-01T14:30:00.000Z', '2026-11-02T14:30:00.000Z']);
    // A wall time the spring change skips is pushed forward an hour, as luxon places it.
    const gap = ruleStarts(parseRule('FREQ=DAILY;COUNT=2', zone), Date.parse('2027-03-13T02:30:00-05:00'), zone);
    expect(new Date(gap[1]!).toISOString()).toBe('2027-03-14T07:30:00.000Z');
    expect(() => ruleStarts(parseRule('FREQ=WEEKLY;UNTIL=20300101T000000Z', zone), dtstart, zone)).toThrow(/more than 24/);
    expect(() => parseRule('DTSTART:20261030T093000\nRRULE:FREQ=DAILY;COUNT=2', zone)).toThrow(/DTSTART/);
    expect(() => parseRule('RRULE:FREQ=MONTHLY;BYDAY=MO;COUNT=2', zone)).toThrow(/BYDAY/);
  });
});

/** An EXDATE value as the sandbox writes it: UTC, `YYYYMMDDTHHMMSSZ`. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

