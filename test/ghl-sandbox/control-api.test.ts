import { describe, expect, it } from 'vitest';
import { createGhlSandbox, DEMO_SEED, demoSeed, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { BASE, api, appointmentBody, tokenRequest } from './support';

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

describe('/_sandbox control API', () => {
  it('drives a whole session over HTTP without auth', async () => {
    const sandbox = createGhlSandbox();
    const ctl = control(sandbox);
    expect((await ctl('POST', '/seed', DEMO_SEED)).status).toBe(200);

    const { body: codeBody } = await ctl('POST', '/oauth/code', { locationId: 'demo-location', scopes: ['calendars.readonly'] });
    const tokens = await tokenRequest(sandbox, { grant_type: 'authorization_code', code: codeBody.code });
    expect(tokens.body.scope).toBe('calendars.readonly');

    const { body: pitBody } = await ctl('POST', '/private-token', { locationId: 'demo-location' });
    const client = api(sandbox, pitBody.token);
    const created = await client.post(
      '/calendars/events/appointments',
      appointmentBody({ calendarId: 'demo-cal-dra-gomez', locationId: 'demo-location', contactId: 'demo-contact-ana' }),
    );
    expect(created.status).toBe(200);
    expect(created.body.assignedUserId).toBe('demo-user-gomez');

    // DEMO_SEED's past visits (demo-past-*) aside.
    const made = (list: any[]) => list.filter((a) => !a.id.startsWith('demo-past-'));
    const listed = await ctl('GET', '/appointments?locationId=demo-location&calendarId=demo-cal-dra-gomez');
    expect(made(listed.body.appointments)).toEqual([expect.objectContaining({ id: created.body.id, dateAdded: expect.stringMatching(/-05:00$/) })]);
    expect(made((await ctl('GET', '/appointments?calendarId=demo-cal-sala-2')).body.appointments)).toEqual([]);

    expect((await ctl('POST', '/expire-tokens', {})).status).toBe(200);
    expect((await api(sandbox, tokens.body.access_token).get('/calendars/?locationId=demo-location')).status).toBe(401);
    expect((await client.get('/calendars/?locationId=demo-location')).status).toBe(200);

    const { body: faultBody } = await ctl('POST', '/faults', { kind: '503', count: 1 });
    expect(faultBody.id).toEqual(expect.any(String));
    expect((await client.get('/locations/demo-location')).status).toBe(503);
    await ctl('POST', '/faults', { kind: '500' });
    expect((await ctl('DELETE', '/faults')).status).toBe(200);
    expect((await client.get('/locations/demo-location')).status).toBe(200);

    const stats = (await ctl('GET', '/stats')).body;
    expect(stats).toMatchObject({ creates: 1, appointments: DEMO_SEED.locations[0]!.appointments!.length + 1, tokenRequests: 1, injected: { '503': 1 } });
    // The control plane itself is not GHL traffic.
    expect(Object.keys(stats.calls).some((k) => k.includes('_sandbox'))).toBe(false);

    expect((await ctl('POST', '/reset')).status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ calls: {}, appointments: 0, creates: 0 });
    expect((await client.get('/locations/demo-location')).status).toBe(401);
  });

  it('says what is wrong with a bad request', async () => {
    const ctl = control(createGhlSandbox());
    const badFault = await ctl('POST', '/faults', { kind: 'explode' });
    expect(badFault.status).toBe(400);
    expect(badFault.body.error).toMatch(/kind/);
    expect((await ctl('POST', '/oauth/code', { locationId: 'unknown' })).body).toEqual({ error: 'unknown location unknown: seed it first' });
    const badSeed = await ctl('POST', '/seed', {
      locations: [{ id: 'l', calendars: [{ id: 'c', name: 'C' }], contacts: [{ id: 'p' }], appointments: [{ calendarId: 'c', contactId: 'p', startTime: '2026-01-01T10:00', endTime: '2026-01-01T11:00' }] }],
    });
    expect(badSeed.status).toBe(400);
    expect(badSeed.body.error).toMatch(/offset/);
    expect((await ctl('GET', '/nope')).status).toBe(404);
  });
});

describe('seeding', () => {
  it('DEMO_SEED has the demo clinic', () => {
    const sandbox = createGhlSandbox();
    sandbox.seed(DEMO_SEED);
    const loc = DEMO_SEED.locations[0]!;
    expect(loc).toMatchObject({ id: 'demo-location', name: 'Clínica Demo', timezone: 'America/Lima' });
    expect(loc.calendars!.map((c) => [c.id, c.isActive])).toEqual([
      ['demo-cal-dra-gomez', true],
      ['demo-cal-sala-2', true],
      ['demo-cal-old', false],
    ]);
  });

  it('is additive and merges by id, appointments included', async () => {
    const sandbox = createGhlSandbox({ now: () => Date.parse('2026-03-01T12:00:00Z') });
    sandbox.seed(DEMO_SEED);
    sandbox.seed({
      locations: [
        {
          id: 'demo-location',
          calendars: [{ id: 'demo-cal-sala-2', name: 'Sala Dos' }],
          contacts: [{ id: 'demo-contact-luis', firstName: 'Luis' }],
          appointments: [
            {
              id: 'seeded-apt-1',
              calendarId: 'demo-cal-sala-2',
              contactId: 'demo-contact-ana',
              startTime: '2026-03-12T15:00:00Z',
              endTime: '2026-03-12T15:30:00Z',
              appointmentStatus: 'cancelled',
              dateAdded: '2026-02-01T09:00:00-05:00',
            },
          ],
        },
      ],
    });
    const client = api(sandbox, sandbox.createPrivateToken('demo-location'));
    const cals = (await client.get('/calendars/?locationId=demo-location')).body.calendars;
    expect(cals.map((c: any) => c.name)).toEqual(['Dra. Gómez', 'Sala Dos', 'Antiguo']);
    expect((await client.get('/calendars/?locationId=demo-location&showDrafted=false')).body.calendars).toHaveLength(2);
    expect((await client.get('/locations/demo-location')).body.location.name).toBe('Clínica Demo');
    expect((await client.get('/contacts/demo-contact-ana')).body.contact).toMatchObject({ name: 'Ana Pérez Quispe', email: 'ana.perez@example.com' });
    // DEMO_SEED's own past visits aside (demo-past-*).
    const seeded = () => sandbox.appointments().filter((a) => !a.id.startsWith('demo-past-'));
    expect(seeded()).toEqual([
      expect.objectContaining({
        id: 'seeded-apt-1',
        title: 'Ana Pérez Quispe',
        appointmentStatus: 'cancelled',
        startTime: '2026-03-12T10:00:00-05:00',
        dateAdded: '2026-02-01T09:00:00-05:00',
        dateUpdated: '2026-02-01T09:00:00-05:00',
      }),
    ]);
    sandbox.seed({ locations: [{ id: 'demo-location', appointments: [{ id: 'seeded-apt-1', calendarId: 'demo-cal-sala-2', contactId: 'demo-contact-luis', startTime: '2026-03-12T15:00:00Z', endTime: '2026-03-12T16:00:00Z' }] }] });
    expect(seeded()).toEqual([
      expect.objectContaining({ id: 'seeded-apt-1', contactId: 'demo-contact-luis', appointmentStatus: 'cancelled', endTime: '2026-03-12T11:00:00-05:00' }),
    ]);
    expect(sandbox.stats()).toMatchObject({ appointments: DEMO_SEED.locations[0]!.appointments!.length + 1, creates: 0 });
  });

  it('DEMO_SEED has a little history: past visits of the demo clinic in the last 60 days, none this week, listed by the API', async () => {
    const now = Date.parse('2026-12-07T15:00:00Z');
    const sandbox = createGhlSandbox({ now: () => now });
    const seed = demoSeed(now);
    sandbox.seed(seed);
    const past = sandbox.appointments({ locationId: 'demo-location' });
    expect(past.length).toBeGreaterThanOrEqual(3);
    for (const a of past) {
      expect(Date.parse(a.endTime), a.id).toBeLessThan(now - 8 * 86_400_000);
      expect(Date.parse(a.startTime), a.id).toBeGreaterThan(now - 60 * 86_400_000);
      expect(a.startTime, a.id).toMatch(/-05:00$/);
    }
    expect(new Set(past.map((a) => a.appointmentStatus))).toEqual(new Set(['showed', 'noshow', 'cancelled']));
    const client = api(sandbox, sandbox.createPrivateToken('demo-location'));
    const listed = await Promise.all(
      ['demo-cal-dra-gomez', 'demo-cal-sala-2'].map(async (cal) => (await client.get(`/calendars/events?locationId=demo-location&calendarId=${cal}&startTime=${now - 60 * 86_400_000}&endTime=${now}`)).body.events),
    );
    expect(listed.flat().map((e: any) => e.id).sort()).toEqual(past.map((a) => a.id).sort());
    // Nothing ahead of now: the demo's future is what people make in it.
    expect((await client.get(`/calendars/events?locationId=demo-location&calendarId=demo-cal-dra-gomez&startTime=${now}&endTime=${now + 365 * 86_400_000}`)).body.events).toEqual([]);
    // The same days whenever it is seeded from the same instant; DEMO_SEED is this process's.
    expect(demoSeed(now)).toEqual(seed);
    expect(DEMO_SEED.locations[0]!.appointments!.map((a) => a.id)).toEqual(seed.locations[0]!.appointments!.map((a) => a.id));
  });
});

describe('stats.calls', () => {
  it('keys calls by method and path with ids replaced', async () => {
    const sandbox = createGhlSandbox();
    sandbox.seed(DEMO_SEED);
    const client = api(sandbox, sandbox.createPrivateToken('demo-location'));
    const id = (await client.post('/calendars/events/appointments', appointmentBody({ calendarId: 'demo-cal-sala-2', locationId: 'demo-location', contactId: 'demo-contact-ana' }))).body.id;
    await client.get(`/calendars/events/appointments/${id}`);
    await client.put(`/calendars/events/appointments/${id}`, { title: 'x' });
    await client.put(`/calendars/events/appointments/${id}`, { title: 'y' });
    await client.get(`/calendars/events?locationId=demo-location&calendarId=demo-cal-sala-2&startTime=0&endTime=1`);
    await client.del(`/calendars/events/${id}`);
    await client.get('/calendars/?locationId=demo-location');
    await client.get('/calendars/demo-cal-old');
    await client.get('/locations/demo-location');
    await client.post('/contacts/upsert', { locationId: 'demo-location', email: 'z@z.z' });
    await client.get('/contacts/demo-contact-ana');
    await api(sandbox, 'bad').get('/locations/demo-location');
    await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: 'x' });
    expect(sandbox.stats().calls).toEqual({
      'POST /calendars/events/appointments': 1,
      'GET /calendars/events/appointments/:id': 1,
      'PUT /calendars/events/appointments/:id': 2,
      'GET /calendars/events': 1,
      'DELETE /calendars/events/:id': 1,
      'GET /calendars/': 1,
      'GET /calendars/:id': 1,
      'GET /locations/:id': 2,
      'POST /contacts/upsert': 1,
      'GET /contacts/:id': 1,
      'POST /oauth/token': 1,
    });
  });
});
