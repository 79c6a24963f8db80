import { describe, expect, it } from 'vitest';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { ANA, CAL, CAL_B, LIMA, api, appointmentBody, manualClock, seededSandbox } from './support';

const SLOT_TAKEN = { statusCode: 400, message: 'The slot you have selected is no longer available.', error: 'Bad Request' };
const OFFSET_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-05:00$/;

function setup() {
  const clock = manualClock(Date.parse('2026-03-01T16:22:05.678Z'));
  const sandbox = seededSandbox({ now: clock.now });
  return { clock, sandbox, client: api(sandbox, sandbox.createPrivateToken(LIMA)) };
}

describe('create', () => {
  it('200 (as calendars.json says), unwrapped, no dateAdded/dateUpdated, GHL-style id', async () => {
    const { client, sandbox } = setup();
    const res = await client.post('/calendars/events/appointments', {
      ...appointmentBody({ startTime: '2026-03-12T15:30:00Z', endTime: '2026-03-12T16:00:00Z' }),
      address: 'Consultorio 2',
      description: 'primera visita',
      toNotify: false,
      ignoreDateRange: true,
      meetingLocationType: 'address',
      somethingGhlAddsLater: { x: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9]{20}$/),
      calendarId: CAL,
      locationId: LIMA,
      contactId: ANA,
      // Sent in UTC, answered in the location's offset.
      startTime: '2026-03-12T10:30:00-05:00',
      endTime: '2026-03-12T11:00:00-05:00',
      title: 'Control - Ana Pérez',
      appointmentStatus: 'confirmed',
      assignedUserId: 'usr-gomez',
      address: 'Consultorio 2',
      description: 'primera visita',
      isRecurring: false,
      traceId: expect.any(String),
    });
    expect(sandbox.stats()).toMatchObject({ creates: 1, appointments: 1 });
  });

  it('defaults: end = start + slot duration, status new without autoConfirm, title from the contact', async () => {
    const { client } = setup();
    const res = await client.post('/calendars/events/appointments', {
      calendarId: CAL_B,
      locationId: LIMA,
      contactId: ANA,
      startTime: '2026-03-12T09:00:00-05:00',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ endTime: '2026-03-12T09:45:00-05:00', appointmentStatus: 'new', title: 'Ana Pérez', assignedUserId: '' });
  });

  it('400 (calendars.json declares no 422) naming every missing or invalid field in one message', async () => {
    const { client } = setup();
    const res = await client.post('/calendars/events/appointments', { startTime: '2026-03-12 10:30', appointmentStatus: 'maybe', title: 7 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    for (const problem of [
      'calendarId should not be empty',
      'locationId should not be empty',
      'contactId should not be empty',
      'startTime must be a valid ISO 8601 date string with an offset',
      'title must be a string',
      'appointmentStatus must be one of',
    ]) {
      expect(res.body.message).toContain(problem);
    }
    // A wall time without an offset is ambiguous, so it is refused too.
    const noOffset = await client.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T10:30:00' }));
    expect(noOffset.status).toBe(400);
    const backwards = await client.post('/calendars/events/appointments', appointmentBody({ endTime: '2026-03-12T10:00:00-05:00' }));
    expect(backwards.status).toBe(400);
  });

  it('unknown calendar or contact: 400 with GHL messages', async () => {
    const { client } = setup();
    expect(await client.post('/calendars/events/appointments', appointmentBody({ calendarId: 'nope' }))).toMatchObject({
      status: 400,
      body: { statusCode: 400, message: 'Calendar not found' },
    });
    expect(await client.post('/calendars/events/appointments', appointmentBody({ contactId: 'nope' }))).toMatchObject({
      status: 400,
      body: { statusCode: 400, message: 'Contact not found' },
    });
  });
});

describe('slot check', () => {
  it('an overlapping live appointment blocks; touching, cancelled, other calendars and ignoreFreeSlotValidation do not', async () => {
    const { client, sandbox } = setup();
    expect((await client.post('/calendars/events/appointments', appointmentBody())).status).toBe(200);

    const overlap = await client.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T10:45:00-05:00', endTime: '2026-03-12T11:15:00-05:00' }));
    expect(overlap.status).toBe(400);
    expect(overlap.body).toEqual({ ...SLOT_TAKEN, traceId: expect.any(String) });

    const touching = await client.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T11:00:00-05:00', endTime: '2026-03-12T11:30:00-05:00' }));
    expect(touching.status).toBe(200);
    expect((await client.post('/calendars/events/appointments', appointmentBody({ calendarId: CAL_B }))).status).toBe(200);
    const forced = await client.post('/calendars/events/appointments', appointmentBody({ ignoreFreeSlotValidation: true }));
    expect(forced.status).toBe(200);

    await client.put(`/calendars/events/appointments/${touching.body.id}`, { appointmentStatus: 'cancelled' });
    const reuse = await client.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T11:00:00-05:00', endTime: '2026-03-12T11:30:00-05:00' }));
    expect(reuse.status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ creates: 5, appointments: 5 });
  });

  it('applies to moves, not to edits that leave the time alone', async () => {
    const { client } = setup();
    const a = (await client.post('/calendars/events/appointments', appointmentBody())).body;
    const b = (await client.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T12:00:00-05:00', endTime: '2026-03-12T12:30:00-05:00' }))).body;
    const onto = await client.put(`/calendars/events/appointments/${b.id}`, { startTime: '2026-03-12T10:30:00-05:00', endTime: '2026-03-12T11:00:00-05:00' });
    expect(onto).toMatchObject({ status: 400, body: SLOT_TAKEN });
    const forced = await client.put(`/calendars/events/appointments/${b.id}`, { startTime: '2026-03-12T10:30:00-05:00', ignoreFreeSlotValidation: true });
    // A new start alone keeps the length.
    expect(forced).toMatchObject({ status: 200, body: { startTime: '2026-03-12T10:30:00-05:00', endTime: '2026-03-12T11:00:00-05:00' } });
    // Both now overlap; retitling one is not a move and must not trip the check.
    expect((await client.put(`/calendars/events/appointments/${a.id}`, { title: 'renamed' })).status).toBe(200);
    // Moving to another calendar is a move: free there.
    expect((await client.put(`/calendars/events/appointments/${a.id}`, { calendarId: CAL_B })).body.calendarId).toBe(CAL_B);
  });
});

describe('read, update, delete', () => {
  it('GET has the dates in the location offset; update answers without them; dateUpdated strictly increases', async () => {
    const { client, clock } = setup();
    const created = (await client.post('/calendars/events/appointments', appointmentBody({ address: 'Consultorio 2' }))).body;
    const first = await client.get(`/calendars/events/appointments/${created.id}`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      event: {
        id: created.id,
        title: 'Control - Ana Pérez',
        calendarId: CAL,
        locationId: LIMA,
        contactId: ANA,
        groupId: '',
        appointmentStatus: 'confirmed',
        assignedUserId: 'usr-gomez',
        users: [],
        notes: '',
        description: '',
        address: 'Consultorio 2',
        isRecurring: false,
        startTime: '2026-03-12T10:30:00-05:00',
        endTime: '2026-03-12T11:00:00-05:00',
        // Second precision: the clock's .678 is dropped.
        dateAdded: '2026-03-01T11:22:05-05:00',
        dateUpdated: '2026-03-01T11:22:05-05:00',
        createdBy: { userId: expect.any(String), source: 'third_party' },
      },
      traceId: expect.any(String),
    });

    // Same instant, twice: each update is still visibly later.
    const seen = [first.body.event.dateUpdated as string];
    for (const title of ['one', 'two']) {
      const upd = await client.put(`/calendars/events/appointments/${created.id}`, { title });
      expect(upd.status).toBe(200);
      expect(upd.body).not.toHaveProperty('dateUpdated');
      expect(upd.body).not.toHaveProperty('dateAdded');
      expect(upd.body).toMatchObject({ id: created.id, title, traceId: expect.any(String) });
      seen.push((await client.get(`/calendars/events/appointments/${created.id}`)).body.event.dateUpdated);
    }
    expect(seen).toEqual(['2026-03-01T11:22:05-05:00', '2026-03-01T11:22:06-05:00', '2026-03-01T11:22:07-05:00']);
    clock.advance(3_600_000);
    await client.put(`/calendars/events/appointments/${created.id}`, { appointmentStatus: 'cancelled' });
    const after = (await client.get(`/calendars/events/appointments/${created.id}`)).body.event;
    expect(after).toMatchObject({ appointmentStatus: 'cancelled', dateUpdated: '2026-03-01T12:22:05-05:00', dateAdded: '2026-03-01T11:22:05-05:00' });
    expect(after.dateUpdated).toMatch(OFFSET_DATE);
  });

  it('offsets follow the zone at each instant (DST)', async () => {
    const sandbox = createGhlSandbox({ now: () => Date.parse('2026-01-15T12:00:00Z') });
    sandbox.seed({
      locations: [{ id: 'ny', timezone: 'America/New_York', calendars: [{ id: 'c', name: 'C' }], contacts: [{ id: 'p', email: 'p@x.y' }] }],
    });
    const client = api(sandbox, sandbox.createPrivateToken('ny'));
    const res = await client.post('/calendars/events/appointments', { calendarId: 'c', locationId: 'ny', contactId: 'p', startTime: '2026-07-01T14:00:00Z' });
    expect(res.body).toMatchObject({ startTime: '2026-07-01T10:00:00-04:00', endTime: '2026-07-01T10:30:00-04:00' });
    const event = (await client.get(`/calendars/events/appointments/${res.body.id}`)).body.event;
    expect(event.dateAdded).toBe('2026-01-15T07:00:00-05:00');
  });

  it('update validates like create and 404s unknown ids', async () => {
    const { client } = setup();
    const created = (await client.post('/calendars/events/appointments', appointmentBody())).body;
    expect((await client.put(`/calendars/events/appointments/${created.id}`, { appointmentStatus: 'gone' })).status).toBe(400);
    expect(await client.put(`/calendars/events/appointments/${created.id}`, { calendarId: 'nope' })).toMatchObject({
      status: 400,
      body: { message: 'Calendar not found' },
    });
    expect(await client.put('/calendars/events/appointments/nope', { title: 'x' })).toMatchObject({
      status: 404,
      body: { statusCode: 404, message: 'Appointment not found' },
    });
  });

  it('DELETE answers 201 succeeded and the appointment vanishes from every read', async () => {
    const { client, sandbox } = setup();
    const created = (await client.post('/calendars/events/appointments', appointmentBody())).body;
    const del = await client.del(`/calendars/events/${created.id}`);
    expect(del).toMatchObject({ status: 201, body: { succeeded: true, traceId: expect.any(String) } });
    expect(await client.get(`/calendars/events/appointments/${created.id}`)).toMatchObject({
      status: 404,
      body: { statusCode: 404, message: 'Appointment not found' },
    });
    expect((await client.put(`/calendars/events/appointments/${created.id}`, { title: 'x' })).status).toBe(404);
    expect((await client.del(`/calendars/events/${created.id}`)).status).toBe(404);
    expect(sandbox.appointments()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ appointments: 0, creates: 1 });
    // Its slot is free again.
    expect((await client.post('/calendars/events/appointments', appointmentBody())).status).toBe(200);
  });

  it('appointments() filters by location and calendar and includes cancelled ones', async () => {
    const { client, sandbox } = setup();
    await client.post('/calendars/events/appointments', appointmentBody());
    await client.post('/calendars/events/appointments', appointmentBody({ calendarId: CAL_B, appointmentStatus: 'cancelled' }));
    expect(sandbox.appointments({ locationId: LIMA }).map((a) => a.calendarId).sort()).toEqual([CAL, CAL_B].sort());
    expect(sandbox.appointments({ calendarId: CAL_B })).toEqual([expect.objectContaining({ appointmentStatus: 'cancelled' })]);
    expect(sandbox.appointments({ locationId: 'loc-bogota' })).toEqual([]);
  });
});

describe('calendars and locations', () => {
  it('list and get calendars in the GHL shape', async () => {
    const sandbox = seededSandbox();
    const client = api(sandbox, sandbox.createPrivateToken(LIMA));
    const list = await client.get(`/calendars/?locationId=${LIMA}`);
    expect(list.status).toBe(200);
    expect(list.body.calendars).toHaveLength(2);
    expect(list.body.calendars[0]).toMatchObject({
      id: CAL,
      locationId: LIMA,
      name: 'Dra. Gómez',
      calendarType: 'personal',
      isActive: true,
      teamMembers: [{ userId: 'usr-gomez', priority: 0.5, isPrimary: true }],
      slotDuration: 30,
      slotDurationUnit: 'mins',
      description: '',
      groupId: '',
      autoConfirm: true,
    });
    expect((await client.get(`/calendars?locationId=${LIMA}`)).body.calendars).toHaveLength(2);
    expect((await client.get(`/calendars/${CAL_B}`)).body.calendar).toMatchObject({ id: CAL_B, slotDuration: 45, autoConfirm: false });
    expect((await client.get('/calendars/nope')).status).toBe(404);
    expect((await client.get('/calendars/')).status).toBe(400);
  });

  it('GET /locations/:id gives the timezone', async () => {
    const sandbox = seededSandbox();
    const res = await api(sandbox, sandbox.createPrivateToken(LIMA), { version: '2021-07-28' }).get(`/locations/${LIMA}`);
    expect(res.body.location).toMatchObject({ id: LIMA, timezone: 'America/Lima', name: 'Clínica Lima' });
  });
});
