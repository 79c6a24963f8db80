import { describe, expect, it } from 'vitest';
import { CAL, CAL_B, LIMA, api, appointmentBody, seededSandbox } from './support';

const at = (hhmm: string) => `2026-03-12T${hhmm}:00-05:00`;
const ms = (hhmm: string) => String(Date.parse(at(hhmm)));

async function setup() {
  const sandbox = seededSandbox();
  const client = api(sandbox, sandbox.createPrivateToken(LIMA));
  // Overlaps are the point here, so the slot check is off.
  const make = async (title: string, start: string, end: string, extra: Record<string, unknown> = {}) => {
    const res = await client.post('/calendars/events/appointments', appointmentBody({ title, startTime: at(start), endTime: at(end), ignoreFreeSlotValidation: true, ...extra }));
    expect(res.status).toBe(200);
    return res.body.id as string;
  };
  return { sandbox, client, make };
}

describe('GET /calendars/events', () => {
  it('returns the appointments intersecting [startTime, endTime): cancelled in, deleted and other calendars out', async () => {
    const { client, make } = await setup();
    await make('before', '08:00', '09:00');
    await make('touches start', '09:00', '10:00');
    await make('straddles start', '09:30', '10:30');
    await make('inside', '10:30', '11:00', { appointmentStatus: 'cancelled' });
    await make('straddles end', '11:30', '12:30');
    await make('touches end', '12:00', '13:00');
    const deleted = await make('deleted', '11:00', '11:30');
    await make('other calendar', '10:30', '11:00', { calendarId: CAL_B });
    expect((await client.del(`/calendars/events/${deleted}`)).status).toBe(201);

    const res = await client.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=${ms('10:00')}&endTime=${ms('12:00')}`);
    expect(res.status).toBe(200);
    expect(res.body.traceId).toEqual(expect.any(String));
    expect(res.body.events.map((e: any) => e.title)).toEqual(['straddles start', 'inside', 'straddles end']);
    expect(res.body.events[1]).toMatchObject({
      appointmentStatus: 'cancelled',
      startTime: at('10:30'),
      endTime: at('11:00'),
      dateAdded: expect.stringMatching(/-05:00$/),
      dateUpdated: expect.stringMatching(/-05:00$/),
      isRecurring: false,
      users: [],
      createdBy: { userId: expect.any(String), source: 'third_party' },
    });
  });

  it('needs calendarId, userId or groupId (400), and filters by user', async () => {
    const { client, make } = await setup();
    await make('gomez', '10:00', '10:30');
    await make('other doctor', '11:00', '11:30', { assignedUserId: 'usr-other' });
    const missing = await client.get(`/calendars/events?locationId=${LIMA}&startTime=${ms('00:00')}&endTime=${ms('23:00')}`);
    expect(missing).toMatchObject({ status: 400, body: { statusCode: 400, message: 'calendarId, userId or groupId is required' } });
    const byUser = await client.get(`/calendars/events?locationId=${LIMA}&userId=usr-gomez&startTime=${ms('00:00')}&endTime=${ms('23:00')}`);
    expect(byUser.body.events.map((e: any) => e.title)).toEqual(['gomez']);
  });

  it('validates the window and the calendar', async () => {
    const { client } = await setup();
    const noWindow = await client.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}`);
    expect(noWindow.status).toBe(400);
    expect(noWindow.body.message).toBe('startTime should not be empty; endTime should not be empty');
    const isoWindow = await client.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=${at('10:00')}&endTime=${ms('11:00')}`);
    expect(isoWindow.status).toBe(400);
    expect((await client.get(`/calendars/events?locationId=${LIMA}&calendarId=nope&startTime=0&endTime=1`)).status).toBe(400);
  });
});
