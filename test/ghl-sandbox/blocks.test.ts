import { describe, expect, it } from 'vitest';
import type { GhlSandbox } from '../../scripts/ghl-sandbox';
import { BASE, BOGOTA, CAL, CAL_B, CAL_OTHER, LIMA, api, appointmentBody, manualClock, seededSandbox } from './support';

/** 2026-03-12 in Lima (-05:00), as epoch ms for the listing's window. */
const ms = (iso: string) => String(Date.parse(iso));
const DAY = { from: ms('2026-03-12T00:00:00-05:00'), to: ms('2026-03-13T00:00:00-05:00') };

function setup() {
  const clock = manualClock(Date.parse('2026-03-01T16:22:05.678Z'));
  const sandbox = seededSandbox({ now: clock.now });
  return { clock, sandbox, client: api(sandbox, sandbox.createPrivateToken(LIMA)) };
}

function blockBody(overrides: Record<string, unknown> = {}) {
  return { locationId: LIMA, calendarId: CAL, title: 'Almuerzo', startTime: '2026-03-12T13:00:00-05:00', endTime: '2026-03-12T14:00:00-05:00', ...overrides };
}

function control(sandbox: GhlSandbox) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await sandbox.fetch(`${BASE}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

describe('blocked slots over the API', () => {
  it('POST creates (201, the write shape in the location offset), GET lists it as an event, PUT edits (201), DELETE removes (201)', async () => {
    const { client, clock, sandbox } = setup();
    const created = await client.post('/calendars/events/block-slots', blockBody({ startTime: '2026-03-12T18:00:00Z', endTime: '2026-03-12T19:00:00Z' }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9]{20}$/),
      locationId: LIMA,
      title: 'Almuerzo',
      // Sent in UTC, answered in the location's offset, as appointments are.
      startTime: '2026-03-12T13:00:00-05:00',
      endTime: '2026-03-12T14:00:00-05:00',
      calendarId: CAL,
      traceId: expect.any(String),
    });
    const id = created.body.id as string;

    const listed = await client.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL}&startTime=${DAY.from}&endTime=${DAY.to}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      events: [
        {
          id,
          title: 'Almuerzo',
          calendarId: CAL,
          locationId: LIMA,
          contactId: '',
          groupId: '',
          appointmentStatus: '',
          assignedUserId: '',
          users: [],
          isRecurring: false,
          startTime: '2026-03-12T13:00:00-05:00',
          endTime: '2026-03-12T14:00:00-05:00',
          dateAdded: '2026-03-01T11:22:05-05:00',
          dateUpdated: '2026-03-01T11:22:05-05:00',
        },
      ],
      traceId: expect.any(String),
    });
    expect(sandbox.blocks({ locationId: LIMA })).toEqual(listed.body.events);
    // A block is not an appointment: the appointments listing and GET by id do not show it.
    expect((await client.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=${DAY.from}&endTime=${DAY.to}`)).body.events).toEqual([]);
    expect((await client.get(`/calendars/events/appointments/${id}`)).status).toBe(404);

    clock.advance(60_000);
    const edited = await client.put(`/calendars/events/block-slots/${id}`, { locationId: LIMA, calendarId: CAL_B, startTime: '2026-03-12T15:00:00-05:00', title: 'Reunión' });
    expect(edited.status).toBe(201);
    // A new start alone keeps the length; the calendar moved.
    expect(edited.body).toMatchObject({ id, calendarId: CAL_B, title: 'Reunión', startTime: '2026-03-12T15:00:00-05:00', endTime: '2026-03-12T16:00:00-05:00' });
    expect(sandbox.blocks()).toEqual([expect.objectContaining({ id, calendarId: CAL_B, dateUpdated: '2026-03-01T11:23:05-05:00', dateAdded: '2026-03-01T11:22:05-05:00' })]);
    expect((await client.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL}&startTime=${DAY.from}&endTime=${DAY.to}`)).body.events).toEqual([]);

    const deleted = await client.del(`/calendars/events/${id}`);
    expect(deleted).toMatchObject({ status: 201, body: { succeeded: true } });
    expect(sandbox.blocks()).toEqual([]);
    expect((await client.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL_B}&startTime=${DAY.from}&endTime=${DAY.to}`)).body.events).toEqual([]);
    // Gone: a second delete or an edit is 404.
    expect((await client.del(`/calendars/events/${id}`)).status).toBe(404);
    expect((await client.put(`/calendars/events/block-slots/${id}`, { locationId: LIMA, calendarId: CAL, title: 'x' })).status).toBe(404);
  });

  it('DELETE /calendars/events/:id still deletes appointments (with their webhook) beside blocks', async () => {
    const { client, sandbox } = setup();
    const apt = (await client.post('/calendars/events/appointments', appointmentBody())).body.id as string;
    expect((await client.del(`/calendars/events/${apt}`)).status).toBe(201);
    expect(sandbox.appointments()).toEqual([]);
  });

  it('lists only blocks that intersect the window, by calendar, group or user; touching ones do not count', async () => {
    const { client, sandbox } = setup();
    sandbox.seed({ locations: [{ id: LIMA, calendars: [{ id: 'cal-grupo', name: 'Grupo', groupId: 'grp-1' }] }] });
    const mk = (startTime: string, endTime: string, calendarId = CAL) => sandbox.actions.createBlock({ locationId: LIMA, calendarId, startTime, endTime, title: startTime });
    mk('2026-03-11T22:00:00-05:00', '2026-03-12T00:00:00-05:00'); // ends where the window starts
    const across = mk('2026-03-11T23:00:00-05:00', '2026-03-12T01:00:00-05:00');
    const inside = mk('2026-03-12T09:00:00-05:00', '2026-03-12T10:00:00-05:00');
    const late = mk('2026-03-12T23:30:00-05:00', '2026-03-13T08:00:00-05:00');
    mk('2026-03-13T00:00:00-05:00', '2026-03-13T01:00:00-05:00'); // starts where it ends
    const grouped = mk('2026-03-12T09:00:00-05:00', '2026-03-12T09:30:00-05:00', 'cal-grupo');

    const list = async (by: string) =>
      (await client.get(`/calendars/blocked-slots?locationId=${LIMA}&${by}&startTime=${DAY.from}&endTime=${DAY.to}`)).body.events.map((e: any) => e.id);
    expect(await list(`calendarId=${CAL}`)).toEqual([across.id, inside.id, late.id]);
    expect(await list('groupId=grp-1')).toEqual([grouped.id]);
    expect(grouped.groupId).toBe('grp-1');
    // Calendar blocks have no user.
    expect(await list('userId=usr-gomez')).toEqual([]);
  });

  it('refuses bad input with the calendars API 400 shape; another location is 403; scopes as documented', async () => {
    const { client, sandbox } = setup();
    const bad = async (body: Record<string, unknown>) => (await client.post('/calendars/events/block-slots', body)).body;
    expect(await bad({ title: 7 })).toEqual({
      statusCode: 400,
      message: 'endTime should not be empty; startTime should not be empty; locationId should not be empty; calendarId should not be empty; title must be a string',
      error: 'Bad Request',
    });
    expect((await bad(blockBody({ startTime: '2026-03-12 13:00' }))).message).toBe('startTime must be a valid ISO 8601 date string with an offset');
    expect((await bad(blockBody({ endTime: '2026-03-12T13:00:00-05:00' }))).message).toBe('endTime must be after startTime');
    expect((await bad(blockBody({ calendarId: 'nope' }))).message).toBe('Calendar not found');
    expect((await bad(blockBody({ calendarId: CAL_OTHER }))).message).toBe('Calendar not found');
    expect((await bad(blockBody({ assignedUserId: 'usr-gomez' }))).message).toBe('Either calendarId or assignedUserId can be set, not both');
    expect((await client.post('/calendars/events/block-slots', blockBody({ locationId: BOGOTA, calendarId: CAL_OTHER }))).status).toBe(403);

    const id = (await client.post('/calendars/events/block-slots', blockBody())).body.id as string;
    // The edit's body needs calendarId and locationId too (BlockSlotEditRequestDTO).
    expect((await client.put(`/calendars/events/block-slots/${id}`, { title: 'x' })).body.message).toBe('locationId should not be empty; calendarId should not be empty');
    expect((await client.put(`/calendars/events/block-slots/${id}`, { locationId: LIMA, calendarId: CAL, endTime: '2026-03-12T12:00:00-05:00' })).body.message).toBe('endTime must be after startTime');

    const listBad = await client.get(`/calendars/blocked-slots?locationId=${LIMA}&startTime=abc`);
    expect(listBad.body).toEqual({
      statusCode: 400,
      message: 'startTime must be a number string (epoch milliseconds); endTime should not be empty; calendarId, userId or groupId is required',
      error: 'Bad Request',
    });
    expect((await client.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=nope&startTime=0&endTime=1`)).body.message).toBe('Calendar not found');
    expect((await client.get(`/calendars/blocked-slots?locationId=${BOGOTA}&calendarId=${CAL_OTHER}&startTime=0&endTime=1`)).status).toBe(403);

    // Reading needs calendars/events.readonly; writing calendars/events.write.
    const readOnly = api(sandbox, sandbox.createPrivateToken(LIMA, { scopes: ['calendars/events.readonly'] }));
    expect((await readOnly.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL}&startTime=0&endTime=1`)).status).toBe(200);
    expect((await readOnly.post('/calendars/events/block-slots', blockBody())).body).toMatchObject({ statusCode: 401, message: 'The token is not authorized for this scope.' });
    expect((await readOnly.del(`/calendars/events/${id}`)).status).toBe(401);
    const noEvents = api(sandbox, sandbox.createPrivateToken(LIMA, { scopes: ['calendars.readonly'] }));
    expect((await noEvents.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL}&startTime=0&endTime=1`)).status).toBe(401);
    // Nothing refused was stored.
    expect(sandbox.blocks()).toHaveLength(1);
  });

  it('is rate-limited and faultable like the rest of the API', async () => {
    const sandbox = seededSandbox({ rateLimit: { max: 1, intervalMs: 60_000 } });
    const client = api(sandbox, sandbox.createPrivateToken(LIMA));
    expect((await client.post('/calendars/events/block-slots', blockBody())).status).toBe(201);
    expect((await client.post('/calendars/events/block-slots', blockBody())).status).toBe(429);
    const faulty = seededSandbox();
    faulty.injectFault({ kind: '503', match: { path: 'blocked-slots' }, count: 1 });
    const c2 = api(faulty, faulty.createPrivateToken(LIMA));
    const url = `/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL}&startTime=${DAY.from}&endTime=${DAY.to}`;
    expect((await c2.get(url)).status).toBe(503);
    expect((await c2.get(url)).status).toBe(200);
    expect(faulty.stats().calls).toMatchObject({ 'GET /calendars/blocked-slots': 2 });
  });

  it('sends no webhook for any block change, API or staff', async () => {
    const { client, sandbox } = setup();
    const sent: string[] = [];
    sandbox.configureWebhooks({ deliver: async (req) => (sent.push(((await req.json()) as { type: string }).type), new Response('ok')) });
    const id = (await client.post('/calendars/events/block-slots', blockBody())).body.id as string;
    await client.put(`/calendars/events/block-slots/${id}`, { locationId: LIMA, calendarId: CAL, title: 'otro' });
    await client.del(`/calendars/events/${id}`);
    const b = sandbox.actions.createBlock({ locationId: LIMA, calendarId: CAL, startTime: '2026-03-12T08:00:00-05:00', endTime: '2026-03-12T09:00:00-05:00' });
    sandbox.actions.editBlock(b.id, { title: 'x' });
    sandbox.actions.deleteBlock(b.id);
    sandbox.actions.setOpenHours(CAL, [{ daysOfTheWeek: [1], hours: [{ openHour: 9, openMinute: 0, closeHour: 12, closeMinute: 0 }] }]);
    // An appointment still sends its own: the receiver works.
    await client.post('/calendars/events/appointments', appointmentBody());
    await sandbox.webhooks.idle();
    expect(sent).toEqual(['AppointmentCreate']);
    expect(sandbox.webhooks.log()).toHaveLength(1);
  });
});

describe('blocks and hours as GHL staff (sandbox.actions and /_sandbox)', () => {
  it('actions create, edit (a new start keeps the length) and delete blocks; bad input throws', () => {
    const { sandbox, clock } = setup();
    const b = sandbox.actions.createBlock({ locationId: LIMA, calendarId: CAL, startTime: '2026-03-12T13:00:00-05:00', endTime: '2026-03-12T14:00:00-05:00' });
    expect(b).toMatchObject({ title: '', startTime: '2026-03-12T13:00:00-05:00', endTime: '2026-03-12T14:00:00-05:00', calendarId: CAL, locationId: LIMA });
    clock.advance(5_000);
    const moved = sandbox.actions.editBlock(b.id, { startTime: '2026-03-12T16:00:00-05:00', title: 'Vacaciones' });
    expect(moved).toMatchObject({ startTime: '2026-03-12T16:00:00-05:00', endTime: '2026-03-12T17:00:00-05:00', title: 'Vacaciones' });
    expect(Date.parse(moved.dateUpdated)).toBeGreaterThan(Date.parse(b.dateUpdated));
    expect(sandbox.actions.editBlock(b.id, { endTime: '2026-03-12T18:00:00-05:00' }).endTime).toBe('2026-03-12T18:00:00-05:00');
    expect(() => sandbox.actions.editBlock(b.id, { endTime: '2026-03-12T15:00:00-05:00' })).toThrow(/endTime must be after startTime/);
    expect(() => sandbox.actions.createBlock({ locationId: LIMA, calendarId: CAL_OTHER, startTime: '2026-03-12T13:00:00-05:00', endTime: '2026-03-12T14:00:00-05:00' })).toThrow(/no calendar/);
    expect(() => sandbox.actions.createBlock({ locationId: LIMA, calendarId: CAL, startTime: '13:00', endTime: '2026-03-12T14:00:00-05:00' })).toThrow(/ISO-8601/);
    expect(sandbox.actions.deleteBlock(b.id)).toMatchObject({ id: b.id, title: 'Vacaciones' });
    expect(() => sandbox.actions.deleteBlock(b.id)).toThrow(/no live block/);
    expect(sandbox.blocks()).toEqual([]);
  });

  it('/_sandbox/actions/block, block-edit, block-delete, hours and GET /_sandbox/blocks, without auth or counting', async () => {
    const { sandbox } = setup();
    const ctl = control(sandbox);
    const made = await ctl('POST', '/actions/block', { locationId: LIMA, calendarId: CAL, startTime: '2026-03-12T13:00:00-05:00', endTime: '2026-03-12T14:00:00-05:00', title: 'Almuerzo' });
    expect(made.status).toBe(200);
    expect(made.body.block).toMatchObject({ title: 'Almuerzo', calendarId: CAL, startTime: '2026-03-12T13:00:00-05:00' });
    const id = made.body.block.id as string;

    const edited = await ctl('POST', '/actions/block-edit', { id, endTime: '2026-03-12T15:00:00-05:00' });
    expect(edited.body.block).toMatchObject({ id, endTime: '2026-03-12T15:00:00-05:00', title: 'Almuerzo' });
    expect((await ctl('GET', `/blocks?locationId=${LIMA}&calendarId=${CAL}`)).body).toEqual({ blocks: [edited.body.block] });
    expect((await ctl('GET', `/blocks?calendarId=${CAL_B}`)).body).toEqual({ blocks: [] });

    const hours = [{ daysOfTheWeek: [1, 2, 3, 4, 5], hours: [{ openHour: 9, openMinute: 0, closeHour: 13, closeMinute: 0 }, { openHour: 14, openMinute: 0, closeHour: 18, closeMinute: 0 }] }];
    const set = await ctl('POST', '/actions/hours', { calendarId: CAL, openHours: hours });
    expect(set.body.calendar).toMatchObject({ id: CAL, openHours: hours });
    const client = api(sandbox, sandbox.createPrivateToken(LIMA));
    expect((await client.get(`/calendars/${CAL}`)).body.calendar.openHours).toEqual(hours);
    expect((await ctl('POST', '/actions/hours', { calendarId: CAL, openHours: null })).body.calendar.openHours).toEqual([]);
    expect((await ctl('POST', '/actions/hours', { calendarId: CAL, openHours: hours })).status).toBe(200);
    expect((await ctl('POST', '/actions/hours', { calendarId: CAL, openHours: [] })).body.calendar.openHours).toEqual([]);

    // Bad input: 400 {error}.
    expect(await ctl('POST', '/actions/hours', { calendarId: CAL, openHours: [{ daysOfTheWeek: [7], hours: [] }] })).toEqual({ status: 400, body: { error: expect.stringMatching(/daysOfTheWeek/) } });
    expect(await ctl('POST', '/actions/hours', { calendarId: CAL, openHours: [{ daysOfTheWeek: [1], hours: [{ openHour: 24, openMinute: 0, closeHour: 1, closeMinute: 0 }] }] })).toEqual({ status: 400, body: { error: expect.stringMatching(/openHour/) } });
    expect((await ctl('POST', '/actions/hours', { calendarId: 'nope', openHours: [] })).status).toBe(400);
    expect((await ctl('POST', '/actions/block', { locationId: LIMA, calendarId: CAL, startTime: '2026-03-12T13:00:00-05:00' })).status).toBe(400);
    expect((await ctl('POST', '/actions/block-edit', { id: 'nope', title: 'x' })).status).toBe(400);

    // Seeding over HTTP takes hours, slot settings and blocks too.
    const seeded = await ctl('POST', '/seed', {
      locations: [{ id: LIMA, calendars: [{ id: 'cal-http', name: 'HTTP', openHours: hours, slotInterval: 15, appoinmentPerSlot: 3 }], blocks: [{ id: 'blk-http', calendarId: 'cal-http', startTime: '2026-03-13T09:00:00-05:00', endTime: '2026-03-13T10:00:00-05:00' }] }],
    });
    expect(seeded.status).toBe(200);
    expect((await ctl('GET', '/blocks?calendarId=cal-http')).body.blocks).toEqual([expect.objectContaining({ id: 'blk-http', title: '' })]);
    expect((await client.get('/calendars/cal-http')).body.calendar).toMatchObject({ openHours: hours, slotInterval: 15, appoinmentPerSlot: 3 });
    await ctl('POST', '/actions/block-delete', { id: 'blk-http' });

    expect(await ctl('POST', '/actions/block-delete', { id })).toEqual({ status: 200, body: { deleted: true, block: expect.objectContaining({ id }) } });
    expect((await ctl('GET', '/blocks')).body.blocks).toEqual([]);
    expect(sandbox.stats().calls).toEqual({ 'GET /calendars/:id': 2 });
  });

  it('seeds blocks and hours; calendars seeded without hours have none; export/import keeps blocks', async () => {
    const { sandbox } = setup();
    const hours = [{ daysOfTheWeek: [0, 6], hours: [{ openHour: 10, openMinute: 0, closeHour: 14, closeMinute: 30 }] }];
    sandbox.seed({
      locations: [
        {
          id: LIMA,
          calendars: [{ id: 'cal-hours', name: 'Con horario', openHours: hours, slotInterval: 15, slotBuffer: 5, preBuffer: 10, appoinmentPerSlot: 2 }],
          blocks: [{ id: 'blk-1', calendarId: 'cal-hours', title: 'Feriado', startTime: '2026-03-14T00:00:00-05:00', endTime: '2026-03-15T00:00:00-05:00' }],
        },
      ],
    });
    const client = api(sandbox, sandbox.createPrivateToken(LIMA));
    const listed = (await client.get(`/calendars/?locationId=${LIMA}`)).body.calendars;
    expect(listed.find((c: any) => c.id === CAL).openHours).toEqual([]);
    expect(listed.find((c: any) => c.id === 'cal-hours')).toMatchObject({
      openHours: hours,
      slotDuration: 30,
      slotDurationUnit: 'mins',
      slotInterval: 15,
      slotIntervalUnit: 'mins',
      slotBuffer: 5,
      preBuffer: 10,
      appoinmentPerSlot: 2,
    });
    expect(sandbox.blocks()).toEqual([expect.objectContaining({ id: 'blk-1', title: 'Feriado', startTime: '2026-03-14T00:00:00-05:00' })]);
    expect(() => sandbox.seed({ locations: [{ id: LIMA, blocks: [{ calendarId: CAL_OTHER, startTime: '2026-03-14T00:00:00-05:00', endTime: '2026-03-15T00:00:00-05:00' }] }] })).toThrow(/no calendar/);
    expect(() => sandbox.seed({ locations: [{ id: LIMA, calendars: [{ id: 'x', name: 'x', openHours: [{ daysOfTheWeek: [1], hours: [{ openHour: 9, openMinute: 61, closeHour: 10, closeMinute: 0 }] }] }] }] })).toThrow(/openMinute/);

    const copy = seededSandbox();
    copy.importData(sandbox.exportData());
    expect(copy.blocks()).toEqual(sandbox.blocks());
    // Data saved before blocks existed still loads.
    const { blocks: _dropped, ...old } = sandbox.exportData();
    copy.importData(old);
    expect(copy.blocks()).toEqual([]);
  });
});
