import { describe, expect, it } from 'vitest';
import { createGhlSandbox, DEMO_SEED, type GhlSandbox, type SandboxData } from '../../scripts/ghl-sandbox';
import { ANA, BASE, BOGOTA, CAL, LIMA, OTHER_CONTACT, api, appointmentBody, manualClock, seededSandbox } from './support';

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const GHL_ID = /^[A-Za-z0-9]{20}$/;

function setup(clock = manualClock()) {
  const sandbox = seededSandbox({ now: clock.now });
  return { sandbox, clock, client: api(sandbox, sandbox.createPrivateToken(LIMA), { version: '2021-07-28' }) };
}

/** Records every webhook body the sandbox delivers. */
function received(sandbox: GhlSandbox) {
  const got: Array<{ raw: string; body: any; headers: Headers }> = [];
  sandbox.configureWebhooks({
    deliver: async (req) => {
      const raw = await req.text();
      got.push({ raw, body: JSON.parse(raw), headers: req.headers });
      return new Response('ok');
    },
  });
  return got;
}

/** A few patients of LIMA, added a minute apart in this order (ANA, seeded first, is the oldest). */
function seedPatients(sandbox: GhlSandbox) {
  sandbox.seed({
    locations: [
      {
        id: LIMA,
        contacts: [
          { id: 'con-jose', firstName: 'José', lastName: 'Huamán Flores', phone: '+51 987 654 321', email: 'Jose.Huaman@Example.com', dateAdded: '2026-03-10T10:01:00-05:00' },
          { id: 'con-rosa', firstName: 'Rosa', lastName: 'Mamani Condori', phone: '+51956123478', dateAdded: '2026-03-10T10:02:00-05:00' },
          { id: 'con-luis', firstName: 'Luis', lastName: 'Quispe Ramos', email: 'luis.quispe@example.com', dateAdded: '2026-03-10T10:03:00-05:00' },
          { id: 'con-maria', name: 'María Fernández Díaz', phone: '+51923456789', dateAdded: '2026-03-10T10:04:00-05:00' },
        ],
      },
    ],
  });
}

describe('GET /contacts/{contactId}', () => {
  it('answers the contact with its names, phone, email and GHL-style dates', async () => {
    const { client, clock } = setup();
    const res = await client.get(`/contacts/${ANA}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      contact: {
        id: ANA,
        locationId: LIMA,
        firstName: 'Ana',
        lastName: 'Pérez',
        name: 'Ana Pérez',
        email: 'ana@example.com',
        // GHL keeps E.164: the seeded '+51 999 000 111' loses its spaces.
        phone: '+51999000111',
        dateAdded: new Date(clock.now()).toISOString(),
        dateUpdated: new Date(clock.now()).toISOString(),
      },
      traceId: expect.any(String),
    });
    expect(res.body.contact.dateAdded).toMatch(ISO_MS_UTC);
  });

  it('404 for an unknown or deleted contact, 403 for another location’s, 401 without contacts.readonly', async () => {
    const { sandbox, client } = setup();
    expect(await client.get('/contacts/nope')).toMatchObject({ status: 404, body: { statusCode: 404, message: 'Contact not found' } });
    expect((await client.get(`/contacts/${OTHER_CONTACT}`)).status).toBe(403);
    sandbox.actions.deleteContact(ANA);
    expect(await client.get(`/contacts/${ANA}`)).toMatchObject({ status: 404, body: { statusCode: 404 } });
    const writeOnly = api(sandbox, sandbox.createPrivateToken(LIMA, { scopes: ['contacts.write'] }), { version: '2021-07-28' });
    expect((await writeOnly.get('/contacts/nope')).status).toBe(401);
  });
});

describe('POST /contacts/search', () => {
  const search = (client: ReturnType<typeof api>, body: Record<string, unknown>) => client.post('/contacts/search', { locationId: LIMA, pageLimit: 20, ...body });
  const ids = (res: { body: any }) => res.body.contacts.map((c: any) => c.id);

  it('without query: the location’s contacts, oldest first, paged from page 1, with the total', async () => {
    const { sandbox, client } = setup();
    seedPatients(sandbox);
    const all = await search(client, {});
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual([ANA, 'con-jose', 'con-rosa', 'con-luis', 'con-maria']);
    expect(all.body.total).toBe(5);
    expect(ids(await search(client, { pageLimit: 2 }))).toEqual([ANA, 'con-jose']);
    expect(ids(await search(client, { pageLimit: 2, page: 2 }))).toEqual(['con-rosa', 'con-luis']);
    const last = await search(client, { pageLimit: 2, page: 3 });
    expect(ids(last)).toEqual(['con-maria']);
    expect(last.body.total).toBe(5);
    expect(await search(client, { pageLimit: 2, page: 4 })).toMatchObject({ status: 200, body: { contacts: [], total: 5 } });
  });

  it('orders contacts added at the same moment by id', async () => {
    const { sandbox, client } = setup();
    // The clock stands still: all of LIMA's contacts were added at the same instant.
    sandbox.seed({ locations: [{ id: LIMA, contacts: [{ id: 'con-zb', firstName: 'B' }, { id: 'con-za', firstName: 'A' }, { id: 'con-zc', firstName: 'C' }] }] });
    expect(ids(await search(client, {}))).toEqual([ANA, 'con-za', 'con-zb', 'con-zc']);
  });

  it('items carry the names (given and lower-cased), contactName, phone, email and dates', async () => {
    const { sandbox, client } = setup();
    seedPatients(sandbox);
    const [jose] = (await search(client, { query: 'jose' })).body.contacts;
    expect(jose).toEqual({
      id: 'con-jose',
      locationId: LIMA,
      firstName: 'José',
      lastName: 'Huamán Flores',
      firstNameLowerCase: 'josé',
      lastNameLowerCase: 'huamán flores',
      contactName: 'José Huamán Flores',
      email: 'jose.huaman@example.com',
      phone: '+51987654321',
      dateAdded: '2026-03-10T15:01:00.000Z',
      dateUpdated: '2026-03-10T15:01:00.000Z',
      tags: [],
    });
    // A contact known only by its full name has no first or last name, and no email where none was given.
    const [maria] = (await search(client, { query: 'maría' })).body.contacts;
    expect(maria).not.toHaveProperty('firstName');
    expect(maria).not.toHaveProperty('email');
    expect(maria.contactName).toBe('María Fernández Díaz');
  });

  it('query: every word contained in the names, email or phone, ignoring case and accents', async () => {
    const { sandbox, client } = setup();
    seedPatients(sandbox);
    const found = async (query: string) => ids(await search(client, { query }));
    expect(await found('perez')).toEqual([ANA]);
    expect(await found('HUAMÁN')).toEqual(['con-jose']);
    expect(await found('maria diaz')).toEqual(['con-maria']);
    expect(await found('  Quis  ')).toEqual(['con-luis']);
    expect(await found('ana quispe')).toEqual([]);
    expect(await found('jose.huaman@')).toEqual(['con-jose']);
    expect(await found('example.com')).toEqual([ANA, 'con-jose', 'con-luis']);
    // Phones by their digits, however they are typed.
    expect(await found('987654321')).toEqual(['con-jose']);
    expect(await found('+51 956 123')).toEqual(['con-rosa']);
    expect(await found('956-123-478')).toEqual(['con-rosa']);
    expect(await found('51')).toEqual([ANA, 'con-jose', 'con-rosa', 'con-maria']);
    expect(await found('zzz')).toEqual([]);
    // The total counts matches, not the location's contacts.
    expect((await search(client, { query: 'example.com', pageLimit: 1 })).body).toMatchObject({ total: 3, contacts: [{ id: ANA }] });
    // An empty query is no query.
    expect(await found('')).toHaveLength(5);
  });

  it('never lists another location’s contacts, nor deleted ones', async () => {
    const { sandbox, client } = setup();
    seedPatients(sandbox);
    sandbox.seed({ locations: [{ id: BOGOTA, contacts: [{ id: 'con-bo-jose', firstName: 'José', lastName: 'Huamán' }] }] });
    sandbox.actions.deleteContact('con-rosa');
    expect(ids(await search(client, { query: 'huaman' }))).toEqual(['con-jose']);
    const all = await search(client, {});
    expect(ids(all)).toEqual([ANA, 'con-jose', 'con-luis', 'con-maria']);
    expect(all.body.total).toBe(4);
    expect(ids(await search(client, { query: 'rosa' }))).toEqual([]);
  });

  it('refuses a bad body as GHL: 400 naming every failing field', async () => {
    const { client } = setup();
    const refused = async (body: unknown) => {
      const res = await client.post('/contacts/search', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      return res.body.message as string;
    };
    expect(await refused({ locationId: LIMA })).toBe('pageLimit should not be empty');
    expect(await refused({ locationId: LIMA, pageLimit: 501 })).toBe('pageLimit must not be greater than 500');
    expect(await refused({ locationId: LIMA, pageLimit: 0 })).toBe('pageLimit must not be less than 1');
    expect(await refused({ locationId: LIMA, pageLimit: 2.5 })).toBe('pageLimit must be an integer number');
    expect(await refused({ locationId: LIMA, pageLimit: '20' })).toBe('pageLimit must be an integer number');
    expect(await refused({ locationId: LIMA, pageLimit: 20, page: 0 })).toBe('page must not be less than 1');
    expect(await refused({ locationId: LIMA, pageLimit: 20, query: 5 })).toBe('query must be a string');
    expect(await refused({ pageLimit: 20, page: 'x' })).toBe('locationId should not be empty; page must be an integer number');
    // Filters GHL has and the sandbox does not: refused, never silently ignored.
    expect(await refused({ locationId: LIMA, pageLimit: 20, filters: [{ field: 'email', operator: 'eq', value: 'x' }] })).toMatch(/^filters is not implemented/);
    expect(await client.post('/contacts/search', [])).toMatchObject({ status: 400, body: { statusCode: 400, message: 'Request body must be a JSON object' } });
    expect((await client.post('/contacts/search', { locationId: LIMA, pageLimit: 500, filters: [] })).status).toBe(200);
  });

  it('needs contacts.readonly and the token’s own location', async () => {
    const { sandbox, client } = setup();
    expect((await client.post('/contacts/search', { locationId: BOGOTA, pageLimit: 10 })).status).toBe(403);
    const calendarsOnly = api(sandbox, sandbox.createPrivateToken(LIMA, { scopes: ['calendars.readonly'] }), { version: '2021-07-28' });
    expect((await calendarsOnly.post('/contacts/search', { locationId: LIMA, pageLimit: 10 })).status).toBe(401);
    expect(sandbox.stats().calls['POST /contacts/search']).toBe(2);
  });
});

describe('POST /contacts/upsert', () => {
  it('creates when nothing matches', async () => {
    const { client, clock } = setup();
    const res = await client.post('/contacts/upsert', { locationId: LIMA, firstName: 'Luis', lastName: 'Rojas', email: 'Luis@Example.com', phone: '+51 988 777 666' });
    expect(res.status).toBe(200);
    const at = new Date(clock.now()).toISOString();
    expect(res.body).toEqual({
      new: true,
      contact: {
        id: expect.stringMatching(GHL_ID),
        locationId: LIMA,
        firstName: 'Luis',
        lastName: 'Rojas',
        name: 'Luis Rojas',
        email: 'luis@example.com',
        phone: '+51988777666',
        dateAdded: at,
        dateUpdated: at,
      },
      traceId: expect.any(String),
    });
    const got = await client.get(`/contacts/${res.body.contact.id}`);
    expect(got.body.contact).toEqual(res.body.contact);
  });

  it('matches by email (any case) or by phone (any formatting) and updates that contact', async () => {
    const { client } = setup();
    const byEmail = await client.post('/contacts/upsert', { locationId: LIMA, email: 'ANA@example.com', lastName: 'Pérez Soto' });
    expect(byEmail.body).toMatchObject({ new: false, contact: { id: ANA, firstName: 'Ana', lastName: 'Pérez Soto', name: 'Ana Pérez Soto' } });
    const byPhone = await client.post('/contacts/upsert', { locationId: LIMA, phone: '+51-999-000-111', email: 'ana.new@example.com' });
    expect(byPhone.body).toMatchObject({ new: false, contact: { id: ANA, email: 'ana.new@example.com' } });
  });

  it('never matches across locations, nor a deleted contact', async () => {
    const { sandbox } = setup();
    const bogota = api(sandbox, sandbox.createPrivateToken(BOGOTA), { version: '2021-07-28' });
    const res = await bogota.post('/contacts/upsert', { locationId: BOGOTA, email: 'ana@example.com' });
    expect(res.body.new).toBe(true);
    expect(res.body.contact.id).not.toBe(ANA);

    sandbox.actions.deleteContact(ANA);
    const lima = api(sandbox, sandbox.createPrivateToken(LIMA), { version: '2021-07-28' });
    const again = await lima.post('/contacts/upsert', { locationId: LIMA, email: 'ana@example.com', firstName: 'Ana' });
    expect(again.body.new).toBe(true);
    expect(again.body.contact.id).not.toBe(ANA);
  });

  it('sends ContactCreate for a new contact and ContactUpdate for an existing one; dateUpdated moves, dateAdded stays', async () => {
    const { sandbox, client, clock } = setup();
    const got = received(sandbox);
    const before = (await client.get(`/contacts/${ANA}`)).body.contact;
    const created = await client.post('/contacts/upsert', { locationId: LIMA, firstName: 'Luis', email: 'luis@example.com' });
    clock.advance(5_000);
    const updated = await client.post('/contacts/upsert', { locationId: LIMA, email: 'ana@example.com', phone: '+51911222333' });
    // The clock stands still: the next save is still strictly later.
    const again = await client.post('/contacts/upsert', { locationId: LIMA, email: 'ana@example.com' });
    await sandbox.webhooks.idle();

    expect(got.map((g) => [g.body.type, g.body.id])).toEqual([
      ['ContactCreate', created.body.contact.id],
      ['ContactUpdate', ANA],
      ['ContactUpdate', ANA],
    ]);
    expect(got[1]!.body).toMatchObject({ phone: '+51911222333', email: 'ana@example.com', name: 'Ana Pérez' });
    expect(updated.body.contact.dateAdded).toBe(before.dateAdded);
    expect(Date.parse(updated.body.contact.dateUpdated)).toBe(clock.now());
    expect(Date.parse(again.body.contact.dateUpdated)).toBe(clock.now() + 1);
    expect(got.map((g) => g.body.timestamp)).toEqual([created.body.contact.dateUpdated, updated.body.contact.dateUpdated, again.body.contact.dateUpdated]);
  });
});

describe('contact actions: a staff member keeping patients in GHL', () => {
  it('createContact: stored as GHL would (name derived, email lower-cased, phone E.164), found by GET and search, ContactCreate sent', async () => {
    const { sandbox, client, clock } = setup();
    const got = received(sandbox);
    const rosa = sandbox.actions.createContact({ locationId: LIMA, firstName: 'Rosa', lastName: 'Mamani Condori', phone: '+51 956 123 478', email: ' Rosa.Mamani@Example.com ' });
    expect(rosa).toEqual({
      id: expect.stringMatching(GHL_ID),
      locationId: LIMA,
      firstName: 'Rosa',
      lastName: 'Mamani Condori',
      name: 'Rosa Mamani Condori',
      phone: '+51956123478',
      email: 'rosa.mamani@example.com',
      dateAdded: new Date(clock.now()).toISOString(),
      dateUpdated: new Date(clock.now()).toISOString(),
    });
    expect((await client.get(`/contacts/${rosa.id}`)).body.contact).toEqual(rosa);
    expect((await client.post('/contacts/search', { locationId: LIMA, pageLimit: 10, query: 'mamani' })).body.contacts.map((c: any) => c.id)).toEqual([rosa.id]);
    // Only a phone is enough; a name given whole stays whole.
    expect(sandbox.actions.createContact({ locationId: LIMA, phone: '+51912873465' })).not.toHaveProperty('name');
    expect(sandbox.actions.createContact({ locationId: LIMA, name: 'Jorge Chávez Torres' })).toMatchObject({ name: 'Jorge Chávez Torres' });
    await sandbox.webhooks.idle();
    expect(got.map((g) => g.body.type)).toEqual(['ContactCreate', 'ContactCreate', 'ContactCreate']);
    expect(got[0]!.body).toMatchObject({ id: rosa.id, locationId: LIMA, name: 'Rosa Mamani Condori', phone: '+51956123478' });
    expect(sandbox.contacts({ locationId: LIMA }).map((c) => c.id)).toContain(rosa.id);
  });

  it('createContact refuses what GHL’s UI refuses: a duplicate email or phone, nothing to go by, an unknown location', () => {
    const { sandbox } = setup();
    expect(() => sandbox.actions.createContact({ locationId: LIMA, firstName: 'Otra', email: 'ANA@example.com' })).toThrow(`contact ${ANA} in ${LIMA} already has this email or phone`);
    expect(() => sandbox.actions.createContact({ locationId: LIMA, phone: '+51 999-000-111' })).toThrow(/already has this email or phone/);
    expect(() => sandbox.actions.createContact({ locationId: LIMA, firstName: ' ' })).toThrow(/needs a name, a phone or an email/);
    expect(() => sandbox.actions.createContact({ locationId: 'nowhere', firstName: 'X' })).toThrow(/unknown location/);
    // Another location's patient may share the phone.
    expect(sandbox.actions.createContact({ locationId: BOGOTA, phone: '+51999000111' }).locationId).toBe(BOGOTA);
  });

  it('editContact: only the given fields change, names re-derive the name, dateUpdated moves, ContactUpdate sent', async () => {
    const { sandbox, client, clock } = setup();
    const got = received(sandbox);
    const before = (await client.get(`/contacts/${ANA}`)).body.contact;
    clock.advance(60_000);
    const renamed = sandbox.actions.editContact(ANA, { lastName: 'Pérez Quispe' });
    expect(renamed).toMatchObject({ firstName: 'Ana', lastName: 'Pérez Quispe', name: 'Ana Pérez Quispe', email: 'ana@example.com', phone: '+51999000111', dateAdded: before.dateAdded });
    expect(Date.parse(renamed.dateUpdated)).toBe(clock.now());
    // Same instant, another edit: still strictly later.
    const phoned = sandbox.actions.editContact(ANA, { phone: '+51 987 111 222', email: '' });
    expect(phoned).not.toHaveProperty('email');
    expect(phoned).toMatchObject({ phone: '+51987111222', name: 'Ana Pérez Quispe' });
    expect(Date.parse(phoned.dateUpdated)).toBe(clock.now() + 1);
    expect(sandbox.actions.editContact(ANA, { name: 'Anita' }).name).toBe('Anita');
    expect((await client.get(`/contacts/${ANA}`)).body.contact).toMatchObject({ name: 'Anita', phone: '+51987111222' });
    await sandbox.webhooks.idle();
    expect(got.map((g) => [g.body.type, g.body.id, g.body.name])).toEqual([
      ['ContactUpdate', ANA, 'Ana Pérez Quispe'],
      ['ContactUpdate', ANA, 'Ana Pérez Quispe'],
      ['ContactUpdate', ANA, 'Anita'],
    ]);
    expect(got[1]!.body).not.toHaveProperty('email');
  });

  it('editContact refuses an unknown or deleted id, no change, a duplicate, or emptying the contact', () => {
    const { sandbox } = setup();
    const luis = sandbox.actions.createContact({ locationId: LIMA, firstName: 'Luis', email: 'luis@example.com' });
    expect(() => sandbox.actions.editContact('nope', { firstName: 'X' })).toThrow('action: no live contact nope');
    expect(() => sandbox.actions.editContact(luis.id, {})).toThrow(/at least one field/);
    expect(() => sandbox.actions.editContact(luis.id, { email: 'ana@example.com' })).toThrow(`contact ${ANA}`);
    expect(() => sandbox.actions.editContact(luis.id, { firstName: '', email: '' })).toThrow(/keeps at least/);
    sandbox.actions.deleteContact(luis.id);
    expect(() => sandbox.actions.editContact(luis.id, { firstName: 'X' })).toThrow(`action: no live contact ${luis.id}`);
  });

  it('deleteContact: GET 404, out of search and sandbox.contacts(), ContactDelete sent; its appointments stay, new ones are refused', async () => {
    const { sandbox, clock } = setup();
    const got = received(sandbox);
    const calendars = api(sandbox, sandbox.createPrivateToken(LIMA));
    const booked = (await calendars.post('/calendars/events/appointments', appointmentBody())).body.id as string;
    clock.advance(1_000);
    const gone = sandbox.actions.deleteContact(ANA);
    expect(gone).toMatchObject({ id: ANA, name: 'Ana Pérez', dateUpdated: new Date(clock.now()).toISOString() });
    expect(sandbox.contacts({ locationId: LIMA })).toEqual([]);
    expect(sandbox.appointments().map((a) => [a.id, a.contactId])).toEqual([[booked, ANA]]);
    expect((await calendars.get(`/calendars/events/appointments/${booked}`)).body.event.contactId).toBe(ANA);
    expect(await calendars.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T12:00:00-05:00', endTime: '2026-03-12T12:30:00-05:00' }))).toMatchObject({ status: 400, body: { message: 'Contact not found' } });
    expect(() => sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: '2026-03-12T12:00:00-05:00', endTime: '2026-03-12T12:30:00-05:00' })).toThrow(/no contact/);
    expect(() => sandbox.actions.deleteContact(ANA)).toThrow(`action: no live contact ${ANA}`);
    await sandbox.webhooks.idle();
    expect(got.map((g) => g.body.type)).toEqual(['AppointmentCreate', 'ContactDelete']);
    // The contact as it was deleted, so a receiver still knows whom it was.
    expect(got[1]!.body).toMatchObject({ id: ANA, locationId: LIMA, firstName: 'Ana', lastName: 'Pérez', name: 'Ana Pérez', email: 'ana@example.com', phone: '+51999000111' });
  });
});

describe('contact webhooks', () => {
  const PAYLOAD_KEYS = ['type', 'locationId', 'id', 'firstName', 'lastName', 'name', 'email', 'phone', 'dateAdded', 'dnd', 'tags', 'customFields', 'timestamp', 'webhookId'];

  it('carry the contact at the top level as the Contact* pages show, plus timestamp and webhookId, signed like every webhook', async () => {
    const { sandbox, clock } = setup();
    const got = received(sandbox);
    const jose = sandbox.actions.createContact({ locationId: LIMA, firstName: 'José', lastName: 'Huamán Flores', phone: '+51987654321', email: 'jose.huaman@example.com' });
    await sandbox.webhooks.idle();
    const [delivery] = got;
    expect(Object.keys(delivery!.body)).toEqual(PAYLOAD_KEYS);
    expect(delivery!.body).toEqual({
      type: 'ContactCreate',
      locationId: LIMA,
      id: jose.id,
      firstName: 'José',
      lastName: 'Huamán Flores',
      name: 'José Huamán Flores',
      email: 'jose.huaman@example.com',
      phone: '+51987654321',
      dateAdded: jose.dateAdded,
      dnd: false,
      tags: [],
      customFields: [],
      timestamp: new Date(clock.now()).toISOString(),
      webhookId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    // Verified with the published key over the exact bytes received.
    const { ed25519PublicKeyPem } = await sandbox.webhookKeys();
    const spki = Uint8Array.from(atob(ed25519PublicKeyPem.replace(/-----[A-Z ]+-----|\s/g, '')), (ch) => ch.charCodeAt(0));
    const key = await crypto.subtle.importKey('spki', spki, { name: 'Ed25519' }, false, ['verify']);
    const signature = Uint8Array.from(atob(delivery!.headers.get('x-ghl-signature')!), (ch) => ch.charCodeAt(0));
    expect(await crypto.subtle.verify('Ed25519', key, signature, new TextEncoder().encode(delivery!.raw))).toBe(true);
    expect(sandbox.webhooks.log()).toEqual([
      { webhookId: delivery!.body.webhookId, type: 'ContactCreate', appointmentId: null, contactId: jose.id, attempt: 1, status: 200, at: new Date(clock.now()).toISOString() },
    ]);
  });

  it('are taken at the change: a later edit does not leak into a held one; hold + release(reverse), drop and duplicate apply', async () => {
    const { sandbox } = setup();
    const got = received(sandbox);
    sandbox.webhooks.setMode({ hold: true });
    sandbox.actions.editContact(ANA, { firstName: 'Anita' });
    sandbox.actions.editContact(ANA, { firstName: 'Ana María' });
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(0);
    sandbox.webhooks.setMode({});
    sandbox.webhooks.release('reverse');
    await sandbox.webhooks.idle();
    expect(got.map((g) => g.body.firstName)).toEqual(['Ana María', 'Anita']);
    // Out of order on purpose: the timestamps still say which change is newer.
    expect(Date.parse(got[0]!.body.timestamp)).toBeGreaterThan(Date.parse(got[1]!.body.timestamp));

    sandbox.webhooks.setMode({ drop: true });
    sandbox.actions.editContact(ANA, { lastName: 'Soto' });
    sandbox.webhooks.setMode({ duplicate: true });
    sandbox.actions.deleteContact(ANA);
    await sandbox.webhooks.idle();
    expect(got.slice(2).map((g) => g.body.type)).toEqual(['ContactDelete', 'ContactDelete']);
    expect(got[2]!.raw).toBe(got[3]!.raw);
    expect(sandbox.webhooks.log().map((e) => [e.type, e.contactId, e.status])).toEqual([
      ['ContactUpdate', ANA, 'held'],
      ['ContactUpdate', ANA, 'held'],
      ['ContactUpdate', ANA, 200],
      ['ContactUpdate', ANA, 200],
      ['ContactUpdate', ANA, 'dropped'],
      ['ContactDelete', ANA, 200],
      ['ContactDelete', ANA, 200],
    ]);
  });

  it('go out in emission order with the location’s appointment webhooks; seeding sends none', async () => {
    const { sandbox } = setup();
    const got = received(sandbox);
    seedPatients(sandbox);
    const luis = sandbox.actions.createContact({ locationId: LIMA, firstName: 'Luis', phone: '+51944332211' });
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: luis.id, startTime: '2026-03-12T09:00:00-05:00', endTime: '2026-03-12T09:30:00-05:00' });
    sandbox.actions.editContact(luis.id, { lastName: 'Quispe Ramos' });
    await sandbox.webhooks.idle();
    expect(got.map((g) => g.body.type)).toEqual(['ContactCreate', 'AppointmentCreate', 'ContactUpdate']);
    expect(got[1]!.body.appointment.contactId).toBe(luis.id);
  });
});

describe('contacts over the control API', () => {
  const control = (sandbox: GhlSandbox) => async (method: string, path: string, body?: unknown) => {
    const res = await sandbox.fetch(`${BASE}/_sandbox${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('contact, contact-edit, contact-delete and GET /_sandbox/contacts, with their webhooks', async () => {
    const { sandbox, clock } = setup();
    const got = received(sandbox);
    const ctl = control(sandbox);
    clock.advance(1_000); // added after the seeded ones
    const created = await ctl('POST', '/actions/contact', { locationId: LIMA, firstName: 'Carmen', lastName: 'Rojas Vargas', phone: '+51998877665', email: 'carmen.rojas@example.com' });
    expect(created).toMatchObject({ status: 200, body: { contact: { name: 'Carmen Rojas Vargas', phone: '+51998877665' } } });
    const id = created.body.contact.id as string;
    const edited = await ctl('POST', '/actions/contact-edit', { id, lastName: 'Rojas de Vargas' });
    expect(edited).toMatchObject({ status: 200, body: { contact: { id, name: 'Carmen Rojas de Vargas' } } });
    expect(Date.parse(edited.body.contact.dateUpdated)).toBeGreaterThan(Date.parse(created.body.contact.dateUpdated));
    expect((await ctl('GET', `/contacts?locationId=${LIMA}`)).body.contacts.map((c: any) => c.id)).toEqual([ANA, id]);
    expect((await ctl('GET', '/contacts')).body.contacts.map((c: any) => c.id)).toEqual([ANA, id, OTHER_CONTACT]);
    expect(await ctl('POST', '/actions/contact-delete', { id })).toMatchObject({ status: 200, body: { deleted: true, contact: { id } } });
    expect((await ctl('GET', `/contacts?locationId=${LIMA}`)).body.contacts.map((c: any) => c.id)).toEqual([ANA]);
    await sandbox.webhooks.idle();
    expect(got.map((g) => [g.body.type, g.body.id])).toEqual([
      ['ContactCreate', id],
      ['ContactUpdate', id],
      ['ContactDelete', id],
    ]);
  });

  it('says what is wrong with a bad contact action', async () => {
    const ctl = control(setup().sandbox);
    expect((await ctl('POST', '/actions/contact', { firstName: 'X' })).status).toBe(400);
    expect(await ctl('POST', '/actions/contact', { locationId: LIMA, email: 'ana@example.com' })).toEqual({ status: 400, body: { error: `action: contact ${ANA} in ${LIMA} already has this email or phone` } });
    expect(await ctl('POST', '/actions/contact-edit', { id: 'nope', firstName: 'X' })).toEqual({ status: 400, body: { error: 'action: no live contact nope' } });
    expect((await ctl('POST', '/actions/contact-edit', { id: ANA, phone: 5 })).status).toBe(400);
    expect((await ctl('POST', '/actions/contact-delete', {})).status).toBe(400);
  });
});

describe('seeding contacts', () => {
  it('takes names, phones, emails and dates; merges by id; brings a deleted id back', async () => {
    const { sandbox, client } = setup();
    sandbox.seed({ locations: [{ id: LIMA, contacts: [{ id: 'con-x', name: 'Pedro Sánchez', phone: '+51 900 111 222', email: 'P@E.com', dateAdded: '2025-01-02T08:00:00-05:00', dateUpdated: '2025-02-03T08:00:00-05:00' }] }] });
    expect((await client.get('/contacts/con-x')).body.contact).toEqual({
      id: 'con-x',
      locationId: LIMA,
      name: 'Pedro Sánchez',
      phone: '+51900111222',
      email: 'p@e.com',
      dateAdded: '2025-01-02T13:00:00.000Z',
      dateUpdated: '2025-02-03T13:00:00.000Z',
    });
    sandbox.actions.deleteContact('con-x');
    sandbox.seed({ locations: [{ id: LIMA, contacts: [{ id: 'con-x', firstName: 'Pedro' }] }] });
    expect((await client.get('/contacts/con-x')).body.contact).toMatchObject({ firstName: 'Pedro', name: 'Pedro', phone: '+51900111222', dateAdded: '2025-01-02T13:00:00.000Z' });
    expect(() => sandbox.seed({ locations: [{ id: LIMA, contacts: [{ id: 'con-y', dateAdded: 'yesterday' }] }] })).toThrow(/dateAdded must be ISO-8601/);
    expect(() => sandbox.seed({ locations: [{ id: BOGOTA, contacts: [{ id: ANA }] }] })).toThrow(/already belongs/);
  });

  it('DEMO_SEED has Peruvian patients with +51 mobiles; demo-contact-ana keeps its id', async () => {
    const sandbox = createGhlSandbox();
    sandbox.seed(DEMO_SEED);
    const patients = sandbox.contacts({ locationId: 'demo-location' });
    expect(patients.length).toBeGreaterThanOrEqual(7);
    for (const p of patients) {
      expect(p.phone, p.id).toMatch(/^\+519\d{8}$/);
      expect(p.firstName, p.id).toBeTruthy();
      expect(p.lastName!.split(' '), p.id).toHaveLength(2);
    }
    expect(patients.map((p) => p.name)).toEqual(expect.arrayContaining(['Ana Pérez Quispe', 'José Huamán Flores', 'Rosa Mamani Condori', 'Luis Quispe Ramos', 'Carmen Rojas Vargas', 'Jorge Chávez Torres', 'María Fernández Díaz']));
    expect(new Set(patients.map((p) => p.phone)).size).toBe(patients.length);
    expect(patients[0]).toMatchObject({ id: 'demo-contact-ana', name: 'Ana Pérez Quispe' });
    const client = api(sandbox, sandbox.createPrivateToken('demo-location'), { version: '2021-07-28' });
    const found = await client.post('/contacts/search', { locationId: 'demo-location', pageLimit: 10, query: 'quispe' });
    expect(found.body.contacts.map((c: any) => c.contactName)).toEqual(['Ana Pérez Quispe', 'Luis Quispe Ramos']);
  });

  it('importData takes contacts saved before contacts had dates', async () => {
    const clock = manualClock();
    const sandbox = createGhlSandbox({ now: clock.now });
    const old = {
      locations: [{ id: LIMA, companyId: 'c', name: 'Lima', timezone: 'America/Lima' }],
      calendars: [],
      contacts: [{ id: 'con-old', locationId: LIMA, firstName: 'Ana', lastName: null, name: 'Ana', email: null, phone: '+51999000111' }],
      appointments: [],
    } as unknown as SandboxData;
    sandbox.importData(old);
    expect(sandbox.contacts()).toEqual([
      { id: 'con-old', locationId: LIMA, firstName: 'Ana', name: 'Ana', phone: '+51999000111', dateAdded: new Date(clock.now()).toISOString(), dateUpdated: new Date(clock.now()).toISOString() },
    ]);
    // And the round trip keeps everything, deleted contacts included.
    sandbox.actions.deleteContact('con-old');
    const copy = createGhlSandbox({ now: clock.now });
    copy.importData(sandbox.exportData());
    expect(copy.exportData()).toEqual(sandbox.exportData());
    expect(copy.contacts()).toEqual([]);
  });
});
