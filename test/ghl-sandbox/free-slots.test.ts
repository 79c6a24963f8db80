import { describe, expect, it } from 'vitest';
import { createGhlSandbox, type OpenHours, type SeedData } from '../../scripts/ghl-sandbox';
import { ANA, CAL, CAL_OTHER, LIMA, api, appointmentBody, manualClock, seededSandbox } from './support';

const ms = (iso: string) => Date.parse(iso);
const span = (openHour: number, openMinute: number, closeHour: number, closeMinute: number) => ({ openHour, openMinute, closeHour, closeMinute });
const WEEKDAYS_9_12: OpenHours = [{ daysOfTheWeek: [1, 2, 3, 4, 5], hours: [span(9, 0, 12, 0)] }];

/** Lima, clock on Tuesday 2026-03-10; CAL has 30-minute slots every 30 minutes. */
function setup(openHours: OpenHours = WEEKDAYS_9_12, calendar: Partial<NonNullable<SeedData['locations'][number]['calendars']>[number]> = {}) {
  const clock = manualClock(ms('2026-03-10T15:00:00Z'));
  const sandbox = seededSandbox({ now: clock.now });
  sandbox.seed({ locations: [{ id: LIMA, calendars: [{ id: CAL, name: 'Dra. Gómez', openHours, ...calendar }] }] });
  const client = api(sandbox, sandbox.createPrivateToken(LIMA));
  const slots = async (from: string, to: string, extra = '', calendarId = CAL) => {
    const res = await client.get(`/calendars/${calendarId}/free-slots?startDate=${ms(from)}&endDate=${ms(to)}${extra}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Record<string, { slots: string[] }>;
  };
  return { clock, sandbox, client, slots };
}

/** The slots of a Lima day, as wall times. */
const times = (day: string, ...hhmm: string[]) => hhmm.map((t) => `${day}T${t}:00-05:00`);

describe('GET /calendars/:id/free-slots', () => {
  it("offers each working day's slots in the location's offset, keyed by date; days off and empty days are left out", async () => {
    const { slots } = setup();
    // Friday 13 to Monday 16 (the weekend in between is off).
    const got = await slots('2026-03-13T00:00:00-05:00', '2026-03-16T23:59:59.999-05:00');
    expect(got).toEqual({
      '2026-03-13': { slots: times('2026-03-13', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30') },
      '2026-03-16': { slots: times('2026-03-16', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30') },
    });
  });

  it('takes out blocks and booked appointments (cancelled ones free the slot), up to appoinmentPerSlot', async () => {
    const { sandbox, client, slots } = setup();
    const day = ['2026-03-16T00:00:00-05:00', '2026-03-16T23:59:59-05:00'] as const;
    sandbox.actions.createBlock({ locationId: LIMA, calendarId: CAL, startTime: '2026-03-16T10:00:00-05:00', endTime: '2026-03-16T10:45:00-05:00', title: 'Reunión' });
    expect((await client.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-16T11:00:00-05:00', endTime: '2026-03-16T11:30:00-05:00' }))).status).toBe(200);
    const cancelled = sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: '2026-03-16T09:00:00-05:00', endTime: '2026-03-16T09:30:00-05:00' });
    sandbox.actions.cancelAppointment(cancelled.id);
    // A block touching a slot's end does not take it; one overlapping by a minute does (10:30–11:00 by 10:45).
    expect(await slots(...day)).toEqual({ '2026-03-16': { slots: times('2026-03-16', '09:00', '09:30', '11:30') } });

    // Deleting the block gives its slots back.
    sandbox.actions.deleteBlock(sandbox.blocks()[0]!.id);
    expect((await slots(...day))['2026-03-16']!.slots).toEqual(times('2026-03-16', '09:00', '09:30', '10:00', '10:30', '11:30'));

    // Two seats per slot: one booking leaves it offered, the second takes it.
    sandbox.seed({ locations: [{ id: LIMA, calendars: [{ id: CAL, name: 'Dra. Gómez', appoinmentPerSlot: 2 }] }] });
    expect((await slots(...day))['2026-03-16']!.slots).toContain('2026-03-16T11:00:00-05:00');
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: '2026-03-16T11:00:00-05:00', endTime: '2026-03-16T11:30:00-05:00' });
    expect((await slots(...day))['2026-03-16']!.slots).not.toContain('2026-03-16T11:00:00-05:00');
  });

  it('slotDuration is how long a slot is, slotInterval the step between starts; the last slot ends by the close', async () => {
    const { slots } = setup([{ daysOfTheWeek: [1], hours: [span(9, 0, 10, 30)] }], { slotDuration: 45, slotInterval: 15 });
    expect(await slots('2026-03-16T00:00:00-05:00', '2026-03-16T23:59:59-05:00')).toEqual({
      '2026-03-16': { slots: times('2026-03-16', '09:00', '09:15', '09:30', '09:45') },
    });
  });

  it('an appointment keeps its preBuffer free before it and its slotBuffer after it', async () => {
    const { sandbox, slots } = setup([{ daysOfTheWeek: [1], hours: [span(9, 0, 12, 0)] }], { slotInterval: 15, preBuffer: 10, slotBuffer: 15 });
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: '2026-03-16T10:00:00-05:00', endTime: '2026-03-16T10:30:00-05:00' });
    // Busy 9:50–10:45: 9:30 (to 10:00) and 10:30 are taken; 9:15 (to 9:45) and 10:45 are not.
    expect((await slots('2026-03-16T00:00:00-05:00', '2026-03-16T23:59:59-05:00'))['2026-03-16']!.slots).toEqual(
      times('2026-03-16', '09:00', '09:15', '10:45', '11:00', '11:15', '11:30'),
    );
  });

  it('several spans a day (a lunch break), the range bounds (start and end included) and past slots left out', async () => {
    const { clock, slots } = setup([{ daysOfTheWeek: [1, 2], hours: [span(9, 0, 10, 0), span(15, 0, 16, 0)] }]);
    expect(await slots('2026-03-16T09:30:00-05:00', '2026-03-17T09:30:00-05:00')).toEqual({
      '2026-03-16': { slots: times('2026-03-16', '09:30', '15:00', '15:30') },
      '2026-03-17': { slots: times('2026-03-17', '09:00', '09:30') },
    });
    // Now is Monday 15:10: today's earlier slots are gone.
    clock.set(ms('2026-03-16T15:10:00-05:00'));
    expect(await slots('2026-03-16T00:00:00-05:00', '2026-03-16T23:59:59-05:00')).toEqual({ '2026-03-16': { slots: times('2026-03-16', '15:30') } });
  });

  it('a span that closes after midnight runs into the next day (close at or before open)', async () => {
    const { slots } = setup([{ daysOfTheWeek: [5], hours: [span(22, 0, 1, 0)] }], { slotDuration: 60, slotInterval: 60 });
    expect(await slots('2026-03-13T00:00:00-05:00', '2026-03-14T23:59:59-05:00')).toEqual({
      '2026-03-13': { slots: ['2026-03-13T22:00:00-05:00', '2026-03-13T23:00:00-05:00'] },
      '2026-03-14': { slots: ['2026-03-14T00:00:00-05:00'] },
    });
    // Asked from Saturday only, Friday's span still reaches it.
    expect(await slots('2026-03-14T00:00:00-05:00', '2026-03-14T23:59:59-05:00')).toEqual({ '2026-03-14': { slots: ['2026-03-14T00:00:00-05:00'] } });
  });

  it('`timezone` writes the slots (dates and offsets) in that zone; the hours stay the location’s', async () => {
    const { slots } = setup([{ daysOfTheWeek: [1], hours: [span(9, 0, 10, 0), span(21, 0, 22, 0)] }]);
    const day = ['2026-03-16T00:00:00-05:00', '2026-03-16T23:59:59-05:00'] as const;
    // New York is on daylight time by the 16th (-04:00): Lima's 9:00 is 10:00 there.
    expect(await slots(...day, '&timezone=America/New_York')).toEqual({
      '2026-03-16': { slots: ['2026-03-16T10:00:00-04:00', '2026-03-16T10:30:00-04:00', '2026-03-16T22:00:00-04:00', '2026-03-16T22:30:00-04:00'] },
    });
    // In Tokyo the evening slots fall on the 17th.
    expect(await slots(...day, '&timezone=Asia/Tokyo')).toEqual({
      '2026-03-16': { slots: ['2026-03-16T23:00:00+09:00', '2026-03-16T23:30:00+09:00'] },
      '2026-03-17': { slots: ['2026-03-17T11:00:00+09:00', '2026-03-17T11:30:00+09:00'] },
    });
  });

  describe('DST in a US zone (America/New_York)', () => {
    function newYork(openHours: OpenHours) {
      const clock = manualClock(ms('2026-01-01T00:00:00Z'));
      const sandbox = createGhlSandbox({ now: clock.now });
      sandbox.seed({ locations: [{ id: 'loc-ny', timezone: 'America/New_York', calendars: [{ id: 'cal-ny', name: 'NY', openHours }] }] });
      const client = api(sandbox, sandbox.createPrivateToken('loc-ny'));
      return async (from: string, to: string) => {
        const res = await client.get(`/calendars/cal-ny/free-slots?startDate=${ms(from)}&endDate=${ms(to)}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body as Record<string, { slots: string[] }>;
      };
    }

    it('the same wall hours carry each day’s own offset across the spring change (2026-03-08)', async () => {
      const slots = newYork([{ daysOfTheWeek: [0, 6], hours: [span(9, 0, 10, 0)] }]);
      expect(await slots('2026-03-07T00:00:00-05:00', '2026-03-08T23:59:59-04:00')).toEqual({
        '2026-03-07': { slots: ['2026-03-07T09:00:00-05:00', '2026-03-07T09:30:00-05:00'] },
        '2026-03-08': { slots: ['2026-03-08T09:00:00-04:00', '2026-03-08T09:30:00-04:00'] },
      });
    });

    it('a night span over the spring change is an hour shorter (02:00–03:00 does not exist)', async () => {
      const slots = newYork([{ daysOfTheWeek: [0], hours: [span(1, 0, 4, 0)] }]);
      expect(await slots('2026-03-08T00:00:00-05:00', '2026-03-08T23:59:59-04:00')).toEqual({
        '2026-03-08': { slots: ['2026-03-08T01:00:00-05:00', '2026-03-08T01:30:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T03:30:00-04:00'] },
      });
    });

    it('a night span over the autumn change (2026-11-01) is an hour longer: 01:00–02:00 comes twice', async () => {
      const slots = newYork([{ daysOfTheWeek: [0], hours: [span(1, 0, 3, 0)] }]);
      expect(await slots('2026-11-01T00:00:00-04:00', '2026-11-01T23:59:59-05:00')).toEqual({
        '2026-11-01': {
          slots: [
            '2026-11-01T01:00:00-04:00',
            '2026-11-01T01:30:00-04:00',
            '2026-11-01T01:00:00-05:00',
            '2026-11-01T01:30:00-05:00',
            '2026-11-01T02:00:00-05:00',
            '2026-11-01T02:30:00-05:00',
          ],
        },
      });
    });
  });

  it('a calendar without working hours offers no slots; userId narrows to the calendar’s team', async () => {
    const { sandbox, slots } = setup();
    sandbox.actions.setOpenHours(CAL, null);
    const day = ['2026-03-16T00:00:00-05:00', '2026-03-16T23:59:59-05:00'] as const;
    expect(await slots(...day)).toEqual({});
    sandbox.actions.setOpenHours(CAL, WEEKDAYS_9_12);
    expect(Object.keys(await slots(...day, '&userId=usr-gomez'))).toEqual(['2026-03-16']);
    expect(await slots(...day, '&userId=usr-nobody')).toEqual({});
    // Seeded calendars without hours (CAL_B) have none.
    expect(await slots(...day, '', 'cal-sala')).toEqual({});
  });

  it('refuses bad input in the calendars API 400 shape; another location is 403; needs calendars.readonly', async () => {
    const { sandbox, client } = setup();
    const from = ms('2026-03-01T00:00:00-05:00');
    const get = (q: string, calendarId = CAL) => client.get(`/calendars/${calendarId}/free-slots?${q}`);
    expect((await get('')).body).toEqual({ statusCode: 400, message: 'startDate should not be empty; endDate should not be empty', error: 'Bad Request' });
    expect((await get(`startDate=${from}&endDate=tomorrow`)).body.message).toBe('endDate must be a number (epoch milliseconds)');
    expect((await get(`startDate=${from}&endDate=${from - 1}`)).body.message).toBe('endDate must not be before startDate');
    // 31 days is the most.
    expect((await get(`startDate=${from}&endDate=${from + 31 * 86_400_000}`)).status).toBe(200);
    expect((await get(`startDate=${from}&endDate=${from + 31 * 86_400_000 + 1}`)).body).toEqual({ statusCode: 400, message: 'Date range cannot be more than 31 days', error: 'Bad Request' });
    expect((await get(`startDate=${from}&endDate=${from + 1}&timezone=Mars/Olympus`)).body.message).toBe('timezone must be a valid IANA time zone');
    expect((await get(`startDate=${from}&endDate=${from + 1}`, 'nope')).body).toEqual({ statusCode: 400, message: 'Calendar not found' });
    expect((await get(`startDate=${from}&endDate=${from + 1}`, CAL_OTHER)).status).toBe(403);
    const eventsOnly = api(sandbox, sandbox.createPrivateToken(LIMA, { scopes: ['calendars/events.readonly'] }));
    expect((await eventsOnly.get(`/calendars/${CAL}/free-slots?startDate=${from}&endDate=${from + 1}`)).status).toBe(401);
    expect(sandbox.stats().calls['GET /calendars/:id/free-slots']).toBe(9);
  });
});
