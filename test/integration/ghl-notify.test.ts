/**
 * Each location chooses whether GHL's automations message its patients about our pushes: the
 * choice goes out as `toNotify` on every create, edit and cancel, read here from the requests the
 * GHL sandbox received.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { sweepPending } from '../../src/sync/outbound';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-notify';
const CAL = 'cal-notify';
const CONTACT = 'contact-notify';
const CREATE = 'POST /calendars/events/appointments';
const UPDATE = 'PUT /calendars/events/appointments/:id';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup() {
  const sandbox = createGhlSandbox({ seed: 4 });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Dr. Salas' }], contacts: [{ id: CONTACT, firstName: 'Eva', email: 'eva@example.com' }] }] });
  const t = await createTestEnv({ ghl: sandbox });
  envs.push(t);
  await t.connectPit(LOC);
  let hour = 8;
  /** Create, move and cancel one cita; the `toNotify` of each request GHL received for it. */
  const roundTrip = async () => {
    hour += 1;
    const hh = String(hour).padStart(2, '0');
    const before = { creates: sandbox.requests({ call: CREATE }).length, updates: sandbox.requests({ call: UPDATE }).length };
    const created = (await (await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, start_time: `2026-12-04T${hh}:00`, end_time: `2026-12-04T${hh}:30` }))).json()) as any;
    await t.api('PATCH', `/api/citas/${created.id}`, { start_time: `2026-12-05T${hh}:00` });
    await t.api('POST', `/api/citas/${created.id}/cancel`);
    const cita = (await (await t.api('GET', `/api/citas/${created.id}`)).json()) as any;
    expect(cita.sync.status).toBe('synced');
    const creates = sandbox.requests({ call: CREATE }).slice(before.creates);
    const updates = sandbox.requests({ call: UPDATE }).slice(before.updates);
    expect(creates).toHaveLength(1);
    expect(updates.map((u) => (u.body as any).appointmentStatus)).toEqual(['new', 'cancelled']);
    return [...creates, ...updates].map((r) => (r.body as { toNotify?: unknown }).toNotify);
  };
  return { t, sandbox, roundTrip };
}

describe('notify_patients → toNotify', () => {
  it('by default every push lets GHL notify (toNotify: true, sent explicitly)', async () => {
    const { t, roundTrip } = await setup();
    expect(((await (await t.api('GET', `/api/locations/${LOC}/settings`)).json()) as any).notify_patients).toBe(true);
    expect(await roundTrip()).toEqual([true, true, true]);
  });

  it('a clinic that turns it off sends toNotify: false on create, edit and cancel; turning it on again sends true', async () => {
    const { t, sandbox, roundTrip } = await setup();
    const off = await t.api('PUT', `/api/locations/${LOC}/settings`, { notify_patients: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ notify_patients: false });
    expect(((await (await t.api('GET', '/api/locations')).json()) as any).data[0]).toMatchObject({ location_id: LOC, notify_patients: false });
    expect(await roundTrip()).toEqual([false, false, false]);

    // The choice is how a push is made, not content GHL holds: changing it pushes nothing again,
    // nor does an edit GHL would not see (extras), made after the change.
    const kept = (await (await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, start_time: '2026-12-06T09:00', end_time: '2026-12-06T09:30' }))).json()) as any;
    const calls = () => Object.values(sandbox.stats().calls).reduce((a, b) => a + b, 0);
    const before = calls();
    await t.api('PUT', `/api/locations/${LOC}/settings`, { notify_patients: true });
    await sweepPending(t.deps);
    await t.api('PATCH', `/api/citas/${kept.id}`, { extras: { sala: 'B' } });
    expect(calls()).toBe(before);
    expect(await roundTrip()).toEqual([true, true, true]);
  });

  it('only a boolean is accepted', async () => {
    const { t } = await setup();
    const bad = await t.api('PUT', `/api/locations/${LOC}/settings`, { notify_patients: 'no' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as any).fields).toEqual([expect.objectContaining({ field: 'notify_patients' })]);
  });
});
