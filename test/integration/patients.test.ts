/**
 * Patients, not ids: every cita carries its patient as GHL keeps it (name, phone, email), from
 * whichever side it was made; renames and deletions in GHL reach the citas; the front desk finds a
 * patient by typing. Through the sandbox as GHL (its Contact* webhooks, contacts API and search).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { citas, contacts } from '../../src/db/schema';
import { saveContacts } from '../../src/contacts/contacts-repo';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-pac';
const OTHER = 'loc-pac-b';
const CAL = 'cal-pac';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup(opts: { connect?: boolean } = {}) {
  const sandbox = createGhlSandbox({ seed: 22 });
  sandbox.seed({
    locations: [
      {
        id: LOC,
        timezone: 'America/Lima',
        calendars: [{ id: CAL, name: 'Dra. Gómez' }],
        contacts: [
          { id: 'c-ana', firstName: 'Ana', lastName: 'Pérez Quispe', phone: '+51987654321', email: 'ana.perez@correo.pe' },
          { id: 'c-jose', firstName: 'José', lastName: 'Huamán Flores', phone: '+51912345678', email: 'jose.huaman@correo.pe' },
        ],
      },
      { id: OTHER, timezone: 'America/Lima', calendars: [{ id: 'cal-b', name: 'Dr. Otro' }], contacts: [{ id: 'c-b', firstName: 'Beatriz', lastName: 'Secreta', phone: '+51955555555' }] },
    ],
  });
  const keys = await sandbox.webhookKeys();
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem } });
  envs.push(t);
  if (opts.connect !== false) await t.connectPit(LOC);
  await t.connectPit(OTHER);
  sandbox.configureWebhooks({ deliver: (req) => t.request(req), retryDelayMs: 5 });
  const quiet = async () => {
    for (let i = 0; i < 5; i++) {
      await sandbox.webhooks.idle();
      await t.queue.idle();
      await t.settle();
    }
  };
  return { t, sandbox, quiet };
}

const read = async (t: TestEnv, id: string) => (await (await t.api('GET', `/api/citas/${id}`)).json()) as any;
const citaFor = (t: TestEnv, ghlId: string) => t.api('GET', `/api/citas?location_id=${LOC}&desde=2026-12-01&hasta=2026-12-31`).then(async (r) => ((await r.json()) as any).data.find((c: any) => c.ghl_appointment_id === ghlId));
const appointment = (contactId: string, day = '2026-12-15', title = 'Control') => ({
  locationId: LOC,
  calendarId: CAL,
  contactId,
  title,
  startTime: `${day}T10:00:00-05:00`,
  endTime: `${day}T10:30:00-05:00`,
});

describe('a GHL booking shows who is coming', () => {
  it('for a patient GHL told us about (ContactCreate): the name and phone arrive with the cita', async () => {
    const { t, sandbox, quiet } = await setup();
    const rosa = sandbox.actions.createContact({ locationId: LOC, firstName: 'Rosa', lastName: 'Mamani Condori', phone: '+51944444444', email: 'rosa.mamani@correo.pe' });
    await quiet();
    const made = sandbox.actions.createAppointment(appointment(rosa.id));
    await quiet();
    const cita = await citaFor(t, made.id);
    expect(cita.contact).toEqual({ id: rosa.id, name: 'Rosa Mamani Condori', first_name: 'Rosa', last_name: 'Mamani Condori', phone: '+51944444444', email: 'rosa.mamani@correo.pe', deleted: false });
    // Known: the database copied the details as it stored the cita; nothing was asked of GHL.
    expect(sandbox.stats().calls['GET /contacts/:id'] ?? 0).toBe(0);
  });

  it('a week of bookings for one patient we never heard of asks GHL for that patient once', async () => {
    const { t, sandbox, quiet } = await setup();
    sandbox.webhooks.setMode({ drop: true });
    const luz = sandbox.actions.createContact({ locationId: LOC, firstName: 'Luz', lastName: 'Torres Mendoza', phone: '+51966666666' });
    await quiet();
    sandbox.webhooks.setMode({});
    const made = ['2026-12-14', '2026-12-15', '2026-12-16', '2026-12-17', '2026-12-18'].map((day) => sandbox.actions.createAppointment(appointment(luz.id, day)));
    await quiet();
    expect(sandbox.stats().calls['GET /contacts/:id'] ?? 0).toBe(1);
    for (const a of made) expect((await citaFor(t, a.id)).contact).toMatchObject({ name: 'Luz Torres Mendoza' });
  });

  it('for a patient we never heard of (its webhook lost): fetched from GHL after the answer, and the list shows it', async () => {
    const { t, sandbox, quiet } = await setup();
    sandbox.webhooks.setMode({ drop: true });
    const luis = sandbox.actions.createContact({ locationId: LOC, firstName: 'Luis', lastName: 'Quispe Ramos', phone: '+51933333333' });
    await quiet();
    sandbox.webhooks.setMode({});
    const list = await t.api('GET', `/api/citas?location_id=${LOC}&desde=2026-12-15&hasta=2026-12-15`);
    const etag = list.headers.get('ETag')!;
    const before = sandbox.stats().calls['GET /contacts/:id'] ?? 0;
    const made = sandbox.actions.createAppointment(appointment(luis.id));
    await quiet();
    expect(sandbox.stats().calls['GET /contacts/:id'] ?? 0).toBe(before + 1);
    const cita = await citaFor(t, made.id);
    expect(cita.contact).toMatchObject({ id: luis.id, name: 'Luis Quispe Ramos', phone: '+51933333333', deleted: false });
    // A polling agenda hears of it: the list's ETag moved.
    expect((await t.api('GET', `/api/citas?location_id=${LOC}&desde=2026-12-15&hasta=2026-12-15`, undefined, { 'If-None-Match': etag })).status).toBe(200);
  });

  it('a rename in GHL renames the patient on every cita; an older update arriving late changes nothing', async () => {
    const { t, sandbox, quiet } = await setup();
    const a = sandbox.actions.createAppointment(appointment('c-ana', '2026-12-15'));
    const b = sandbox.actions.createAppointment(appointment('c-ana', '2026-12-16'));
    await quiet();
    expect((await citaFor(t, a.id)).contact.name).toBe('Ana Pérez Quispe');
    sandbox.webhooks.setMode({ hold: true });
    sandbox.actions.editContact('c-ana', { lastName: 'Pérez Rojas' });
    sandbox.actions.editContact('c-ana', { phone: '+51900000001' });
    // Delivered newest first: the first edit's webhook arrives last and must not undo the second.
    sandbox.webhooks.release('reverse');
    await quiet();
    for (const id of [a.id, b.id]) expect((await citaFor(t, id)).contact).toMatchObject({ name: 'Ana Pérez Rojas', last_name: 'Pérez Rojas', phone: '+51900000001' });
  });

  it('a patient deleted in GHL: the citas stay, with the last known name, marked deleted', async () => {
    const { t, sandbox, quiet } = await setup();
    const a = sandbox.actions.createAppointment(appointment('c-jose'));
    await quiet();
    sandbox.actions.deleteContact('c-jose');
    await quiet();
    const cita = await citaFor(t, a.id);
    expect(cita.status).not.toBe('cancelled');
    expect(cita.contact).toMatchObject({ id: 'c-jose', name: 'José Huamán Flores', deleted: true });
    expect((await t.api('GET', `/api/contacts/c-jose?location_id=${LOC}`).then((r) => r.json())) as any).toMatchObject({ deleted: true, name: 'José Huamán Flores' });
    // Left out of the search box.
    expect(((await (await t.api('GET', `/api/contacts?location_id=${LOC}&q=jose`)).json()) as any).data).toEqual([]);
  });
});

describe('citas made here carry their patient', () => {
  it('a cita for a picked patient answers with the name at once; its patient changes only before it reaches GHL', async () => {
    const { t, quiet } = await setup({ connect: false });
    // Patients the search box learnt (as GHL's search would give them); the clinic not connected yet.
    await saveContacts(t.deps.db, LOC, [
      { id: 'c-ana', fields: { firstName: 'Ana', lastName: 'Pérez Quispe', name: 'Ana Pérez Quispe', phone: '+51987654321', email: null }, at: new Date() },
      { id: 'c-jose', fields: { firstName: 'José', lastName: 'Huamán Flores', name: 'José Huamán Flores', phone: '+51912345678', email: null }, at: new Date() },
    ]);
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', start_time: '2026-12-17T09:00', end_time: '2026-12-17T09:30' }));
    expect(res.status).toBe(201);
    const cita = (await res.json()) as any;
    expect(cita.contact).toMatchObject({ id: 'c-ana', name: 'Ana Pérez Quispe', phone: '+51987654321' });
    // Not in GHL yet: another patient is just another contact id to push.
    const early = await t.api('PATCH', `/api/citas/${cita.id}`, { contact_id: 'c-jose' });
    expect(early.status).toBe(200);
    expect(((await early.json()) as any).contact).toMatchObject({ id: 'c-jose', name: 'José Huamán Flores' });
    await t.connectPit(LOC);
    await quiet();
    const pushed = await read(t, cita.id);
    expect(pushed).toMatchObject({ sync: { status: 'synced' }, contact: { id: 'c-jose', name: 'José Huamán Flores' } });
    // In GHL: its appointment keeps its patient (GHL's update takes no contactId), so the API says so.
    const late = await t.api('PATCH', `/api/citas/${cita.id}`, { contact_id: 'c-ana' });
    expect(late.status).toBe(422);
    expect(((await late.json()) as any).fields).toEqual([{ field: 'contact_id', message: expect.stringMatching(/^GHL cannot give an appointment another patient/) }]);
  });

  it('a cita booked by the id of a patient we never saw: its details are asked of GHL after the answer', async () => {
    const { t, sandbox, quiet } = await setup();
    sandbox.injectFault({ kind: '503', match: { path: 'calendars/events' }, count: 100 });
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-jose', start_time: '2026-12-19T09:00', end_time: '2026-12-19T09:30' }), {}, { settle: false });
    const cita = (await res.json()) as any;
    expect(cita.contact).toMatchObject({ id: 'c-jose', name: null });
    await t.settle();
    // Learnt even though the appointment itself has not reached GHL (no echo to learn it from).
    expect((await read(t, cita.id)).contact).toMatchObject({ id: 'c-jose', name: 'José Huamán Flores', phone: '+51912345678' });
    sandbox.clearFaults();
    await quiet();
  });

  it('a cita made with a new patient\'s details: GHL upserts the patient, which joins the location\'s patients', async () => {
    const { t, sandbox, quiet } = await setup();
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: undefined, contact: { first_name: 'Carmen', last_name: 'Rojas Vargas', phone: '+51922222222' }, start_time: '2026-12-18T09:00', end_time: '2026-12-18T09:30' }));
    const cita = (await res.json()) as any;
    expect(cita.contact).toMatchObject({ id: null, name: 'Carmen Rojas Vargas' });
    await quiet();
    const after = await read(t, cita.id);
    expect(after.contact).toMatchObject({ name: 'Carmen Rojas Vargas', phone: '+51922222222' });
    expect(after.contact.id).toBe(sandbox.appointments({ locationId: LOC })[0]!.contactId);
    const found = ((await (await t.api('GET', `/api/contacts?location_id=${LOC}&q=carmen`)).json()) as any).data;
    expect(found.map((c: any) => c.id)).toEqual([after.contact.id]);
  });
});

describe('finding and creating patients', () => {
  it('search: ours first, then GHL\'s; accents, case and phone formatting do not matter', async () => {
    const { t } = await setup();
    const first = (await (await t.api('GET', `/api/contacts?location_id=${LOC}&q=PEREZ`)).json()) as any;
    expect(first).toMatchObject({ ghl_search: 'used', data: [{ id: 'c-ana', name: 'Ana Pérez Quispe', phone: '+51987654321' }] });
    // Now ours: by phone digits, typed the way people type them; by a piece of the email.
    for (const q of ['987 654 321', '987-654', 'ana.perez@', 'ána']) {
      const r = (await (await t.api('GET', `/api/contacts?location_id=${LOC}&q=${encodeURIComponent(q)}&limit=1`)).json()) as any;
      expect(r.data.map((c: any) => c.id), q).toEqual(['c-ana']);
      expect(r.ghl_search, q).toBe('not_needed');
    }
  });

  it("a key limited to one clinic never sees another clinic's patients", async () => {
    const { t } = await setup();
    const key = (await (await t.api('POST', '/api/admin/api-keys', { name: 'solo A', location_ids: [LOC] }, { Authorization: `Bearer ${(await import('../support/harness')).ADMIN_KEY}` })).json()) as any;
    const asA = { Authorization: `Bearer ${key.key}` };
    await t.api('GET', `/api/contacts?location_id=${OTHER}&q=beatriz`); // we hold B's patient now
    const search = await t.api('GET', `/api/contacts?location_id=${OTHER}&q=beatriz`, undefined, asA);
    const byId = await t.api('GET', `/api/contacts/c-b?location_id=${OTHER}`, undefined, asA);
    const crossed = await t.api('GET', `/api/contacts/c-b?location_id=${LOC}`, undefined, asA);
    for (const r of [search, byId]) {
      expect(r.status).toBe(404);
      expect(JSON.stringify(await r.json())).not.toMatch(/Beatriz|Secreta|955555555/);
    }
    expect(crossed.status).toBe(404);
    expect(JSON.stringify(await crossed.json())).not.toMatch(/Beatriz|Secreta|955555555/);
  });

  it('POST /api/contacts creates the patient in GHL; the same phone again finds it (200), never a second one', async () => {
    const { t, sandbox } = await setup();
    const made = await t.api('POST', '/api/contacts', { location_id: LOC, first_name: 'María', last_name: 'Fernández Díaz', phone: '+51911111111' });
    expect(made.status).toBe(201);
    const maria = (await made.json()) as any;
    expect(maria).toMatchObject({ name: 'María Fernández Díaz', phone: '+51911111111', deleted: false });
    const again = await t.api('POST', '/api/contacts', { location_id: LOC, first_name: 'María', phone: '+51911111111' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).id).toBe(maria.id);
    expect(sandbox.contacts({ locationId: LOC }).filter((c) => c.phone === '+51911111111')).toHaveLength(1);
    const bad = await t.api('POST', '/api/contacts', { location_id: LOC, first_name: 'Sin datos' });
    expect(bad.status).toBe(422);
  });

  it('GET /api/contacts/{id}: a contact not seen yet is asked of GHL; one GHL does not have is a 404', async () => {
    const { t } = await setup();
    expect((await (await t.api('GET', `/api/contacts/c-jose?location_id=${LOC}`)).json()) as any).toMatchObject({ id: 'c-jose', name: 'José Huamán Flores' });
    expect((await t.api('GET', `/api/contacts/nadie?location_id=${LOC}`)).status).toBe(404);
  });
});

describe('the sync jobs keep patients current', () => {
  it('a rename and a deletion whose webhooks were lost arrive with the full sync; the incremental learns unknown contacts', async () => {
    const { t, sandbox, quiet } = await setup();
    const a = sandbox.actions.createAppointment(appointment('c-ana', '2026-12-15'));
    const b = sandbox.actions.createAppointment(appointment('c-jose', '2026-12-16'));
    await quiet();
    sandbox.webhooks.setMode({ drop: true });
    sandbox.actions.editContact('c-ana', { firstName: 'Anita' });
    sandbox.actions.deleteContact('c-jose');
    await quiet();
    expect((await citaFor(t, a.id)).contact.first_name).toBe('Ana');
    const run = (await (await t.job('/api/jobs/run', { kind: 'full', location_id: LOC })).json()) as any;
    expect(run.outcome).toBe('ok');
    expect((await citaFor(t, a.id)).contact).toMatchObject({ first_name: 'Anita', deleted: false });
    expect((await citaFor(t, b.id)).contact).toMatchObject({ name: 'José Huamán Flores', deleted: true });

    // A cita written while its patient's first account was being saved, left without the details:
    // the incremental run fills it from what we hold.
    await t.deps.db.update(citas).set({ contact: null }).where(eq(citas.ghlAppointmentId, a.id));
    await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
    expect((await citaFor(t, a.id)).contact).toMatchObject({ first_name: 'Anita' });

    // Forgotten here (as after a restore): the incremental run learns it again.
    await t.deps.db.delete(contacts).where(eq(contacts.locationId, LOC));
    const inc = (await (await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC })).json()) as any;
    expect(inc.counts.contacts_learnt).toBeGreaterThanOrEqual(1);
    expect((await t.deps.db.select().from(contacts).where(eq(contacts.locationId, LOC))).map((c) => c.id).sort()).toEqual(['c-ana', 'c-jose']);
  });

  it('names, phones and emails never reach the log', async () => {
    const { t, sandbox, quiet } = await setup();
    sandbox.actions.createAppointment(appointment('c-ana'));
    await t.api('GET', `/api/contacts?location_id=${LOC}&q=perez`);
    await t.api('POST', '/api/contacts', { location_id: LOC, first_name: 'Jorge', last_name: 'Chávez Torres', phone: '+51977777777', email: 'jorge.chavez@correo.pe' });
    await t.job('/api/jobs/run', { kind: 'full', location_id: LOC });
    await quiet();
    const logs = JSON.stringify(t.logs);
    for (const secret of ['Pérez', 'Quispe', 'Chávez', '987654321', '977777777', 'correo.pe']) expect(logs).not.toContain(secret);
  });
});
