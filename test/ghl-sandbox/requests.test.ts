import { describe, expect, it } from 'vitest';
import { BASE, CAL, LIMA, api, appointmentBody, seededSandbox, tokenRequest } from './support';

describe('sandbox.requests()', () => {
  it('records each API request with its parsed body, never a header or the client secret', async () => {
    const sandbox = seededSandbox();
    const pit = sandbox.createPrivateToken(LIMA);
    const client = api(sandbox, pit);
    const created = await client.post('/calendars/events/appointments', appointmentBody({ toNotify: false }));
    await client.put(`/calendars/events/appointments/${created.body.id}`, { appointmentStatus: 'cancelled', toNotify: true });
    await client.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=0&endTime=1`);
    await tokenRequest(sandbox, { grant_type: 'authorization_code', code: sandbox.issueAuthCode(LIMA) });
    await sandbox.fetch(`${BASE}/_sandbox/stats`);

    expect(sandbox.requests().map((r) => r.call)).toEqual([
      'POST /calendars/events/appointments',
      'PUT /calendars/events/appointments/:id',
      'GET /calendars/events',
      'POST /oauth/token',
    ]);
    expect(sandbox.requests({ call: 'POST /calendars/events/appointments' })[0]!.body).toMatchObject({ calendarId: CAL, toNotify: false });
    const [put] = sandbox.requests({ call: 'PUT /calendars/events/appointments/:id' });
    expect(put).toMatchObject({ method: 'PUT', path: `/calendars/events/appointments/${created.body.id}`, body: { appointmentStatus: 'cancelled', toNotify: true } });
    expect(sandbox.requests({ call: 'GET /calendars/events' })[0]).toMatchObject({ body: null, query: { locationId: LIMA, calendarId: CAL } });
    const [token] = sandbox.requests({ call: 'POST /oauth/token' });
    expect(token!.body).toMatchObject({ grant_type: 'authorization_code', client_secret: '(redacted)' });
    const everything = JSON.stringify(sandbox.requests());
    for (const secret of ['Bearer', pit, 'sandbox-client-secret']) expect(everything).not.toContain(secret);

    const overHttp = (await (await sandbox.fetch(`${BASE}/_sandbox/requests?call=${encodeURIComponent('PUT /calendars/events/appointments/:id')}`)).json()) as any;
    expect(overHttp.requests).toEqual([put]);
    sandbox.reset();
    expect(sandbox.requests()).toEqual([]);
  });
});
