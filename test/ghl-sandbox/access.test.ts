import { describe, expect, it } from 'vitest';
import { ANA, BOGOTA, CAL, CAL_OTHER, LIMA, OTHER_CONTACT, api, appointmentBody, seededSandbox } from './support';

const SCOPE_401 = { statusCode: 401, message: 'The token is not authorized for this scope.', error: 'Unauthorized' };
const FORBIDDEN = { statusCode: 403, message: 'The token does not have access to this location.' };

describe('Version header', () => {
  it('is required on API routes', async () => {
    const sandbox = seededSandbox();
    const client = api(sandbox, sandbox.createPrivateToken(LIMA));
    const res = await client.get(`/calendars/?locationId=${LIMA}`, { version: null });
    expect(res).toMatchObject({ status: 400, body: { statusCode: 400, message: 'Version header is required' } });
    expect((await client.get(`/calendars/?locationId=${LIMA}`, { version: '2021-07-28' })).status).toBe(200);
  });
});

describe('scopes', () => {
  it('a token without the scope gets the scope 401, not Invalid JWT', async () => {
    const sandbox = seededSandbox();
    const none = api(sandbox, sandbox.createPrivateToken(LIMA, { scopes: [] }));
    const readOnly = api(sandbox, sandbox.createPrivateToken(LIMA, { scopes: ['calendars/events.readonly'] }));
    for (const res of [
      await none.get(`/locations/${LIMA}`),
      await none.get(`/calendars/?locationId=${LIMA}`),
      await none.get(`/calendars/${CAL}`),
      await none.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=0&endTime=1`),
      await none.post('/contacts/upsert', { locationId: LIMA, email: 'x@y.z' }, { version: '2021-07-28' }),
      await none.get(`/contacts/${ANA}`, { version: '2021-07-28' }),
      await readOnly.post('/calendars/events/appointments', appointmentBody()),
      await readOnly.put('/calendars/events/appointments/whatever', { title: 'x' }),
      await readOnly.del('/calendars/events/whatever'),
    ]) {
      expect(res).toMatchObject({ status: 401, body: SCOPE_401 });
    }
    expect((await readOnly.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=0&endTime=1`)).status).toBe(200);
  });
});

describe('location binding', () => {
  it("another location's resources are 403", async () => {
    const sandbox = seededSandbox();
    const bogota = api(sandbox, sandbox.createPrivateToken(BOGOTA));
    const lima = api(sandbox, sandbox.createPrivateToken(LIMA));
    const created = await lima.post('/calendars/events/appointments', appointmentBody());
    expect(created.status).toBe(200);
    const id = created.body.id;

    for (const res of [
      await bogota.get(`/locations/${LIMA}`),
      await bogota.get(`/calendars/?locationId=${LIMA}`),
      await bogota.get(`/calendars/${CAL}`),
      await bogota.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=0&endTime=1`),
      await bogota.get(`/calendars/events?locationId=${BOGOTA}&calendarId=${CAL}&startTime=0&endTime=1`),
      await bogota.get(`/calendars/events/appointments/${id}`),
      await bogota.put(`/calendars/events/appointments/${id}`, { title: 'hijack' }),
      await bogota.del(`/calendars/events/${id}`),
      await bogota.post('/calendars/events/appointments', appointmentBody()),
      await bogota.get(`/contacts/${ANA}`, { version: '2021-07-28' }),
      await bogota.post('/contacts/upsert', { locationId: LIMA, email: 'a@b.c' }, { version: '2021-07-28' }),
    ]) {
      expect(res).toMatchObject({ status: 403, body: FORBIDDEN });
    }
    // Its own location is fine; a Lima calendar named from Bogotá's location is simply not there.
    expect((await bogota.get(`/calendars/${CAL_OTHER}`)).status).toBe(200);
    const crossCalendar = await bogota.post('/calendars/events/appointments', appointmentBody({ locationId: BOGOTA, contactId: OTHER_CONTACT }));
    expect(crossCalendar).toMatchObject({ status: 400, body: { statusCode: 400, message: 'Calendar not found' } });
    expect(sandbox.appointments()[0]!.title).toBe('Control - Ana Pérez');
  });
});

describe('unknown routes', () => {
  it('answer 404 the NestJS way', async () => {
    const sandbox = seededSandbox();
    const res = await api(sandbox, sandbox.createPrivateToken(LIMA)).get('/nothing/here');
    expect(res).toMatchObject({ status: 404, body: { statusCode: 404, message: 'Cannot GET /nothing/here', error: 'Not Found' } });
  });
});
