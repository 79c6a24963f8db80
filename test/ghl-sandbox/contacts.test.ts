import { describe, expect, it } from 'vitest';
import { ANA, BOGOTA, LIMA, api, seededSandbox } from './support';

function setup() {
  const sandbox = seededSandbox();
  return { sandbox, client: api(sandbox, sandbox.createPrivateToken(LIMA), { version: '2021-07-28' }) };
}

describe('POST /contacts/upsert', () => {
  it('creates when nothing matches', async () => {
    const { client } = setup();
    const res = await client.post('/contacts/upsert', { locationId: LIMA, firstName: 'Luis', lastName: 'Rojas', email: 'Luis@Example.com', phone: '+51988777666' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      new: true,
      contact: {
        id: expect.stringMatching(/^[A-Za-z0-9]{20}$/),
        locationId: LIMA,
        firstName: 'Luis',
        lastName: 'Rojas',
        name: 'Luis Rojas',
        email: 'luis@example.com',
        phone: '+51988777666',
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
    const byPhone = await client.post('/contacts/upsert', { locationId: LIMA, phone: '+51999000111', email: 'ana.new@example.com' });
    expect(byPhone.body).toMatchObject({ new: false, contact: { id: ANA, email: 'ana.new@example.com' } });
  });

  it('never matches across locations', async () => {
    const { sandbox } = setup();
    const bogota = api(sandbox, sandbox.createPrivateToken(BOGOTA), { version: '2021-07-28' });
    const res = await bogota.post('/contacts/upsert', { locationId: BOGOTA, email: 'ana@example.com' });
    expect(res.body.new).toBe(true);
    expect(res.body.contact.id).not.toBe(ANA);
  });

  it('needs a locationId; unknown contacts are 404', async () => {
    const { client } = setup();
    expect(await client.post('/contacts/upsert', { email: 'x@y.z' })).toMatchObject({ status: 422, body: { message: ['locationId should not be empty'] } });
    expect((await client.get('/contacts/nope')).status).toBe(404);
  });
});
