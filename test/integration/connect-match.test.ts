/**
 * Connecting a clinic that already has appointments (issue 24): citas made here before the
 * connection and GHL's own copies of the same visits. On connecting, before any push, each
 * unlinked cita is looked for in GHL: one match is linked (not pushed), several are left for a
 * person («Vincular»), none is pushed; then the clinic's history comes in. Through the sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { syncRuns } from '../../src/db/schema';
import { addDays, dayInZone } from '../../src/domain/time';
import { ADMIN_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-con';
const CAL = 'cal-con';
const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});
const json = async (r: Response) => (await r.json()) as any;

describe('connecting a clinic whose citas GHL already holds', () => {
  it('links unique matches, leaves ambiguous ones for a person, pushes the rest, and imports the history', async () => {
    const day = addDays(dayInZone(new Date(), 'America/Lima'), 3);
    const past = addDays(dayInZone(new Date(), 'America/Lima'), -20);
    const at = (d: string, hhmm: string) => `${d}T${hhmm}:00-05:00`;
    const sandbox = createGhlSandbox({ seed: 240 });
    const ghlAppt = (id: string, title: string, from: string, to: string, d = day) => ({ id, calendarId: CAL, contactId: 'c-ana', title, startTime: at(d, from), endTime: at(d, to) });
    sandbox.seed({
      locations: [
        {
          id: LOC,
          timezone: 'America/Lima',
          calendars: [{ id: CAL, name: 'Dra. Gómez' }],
          contacts: [{ id: 'c-ana', firstName: 'Ana', lastName: 'Pérez' }, { id: 'c-jose', firstName: 'José', lastName: 'Huamán' }],
          appointments: [
            ghlAppt('ghl-same', 'Control', '09:00', '09:30'),
            // Two copies of one visit (the clinic booked it twice by hand): which one is ours is a person's call.
            ghlAppt('ghl-twin-1', 'Limpieza', '11:00', '11:30'),
            ghlAppt('ghl-twin-2', 'Limpieza', '11:00', '11:30'),
            // Same time, another patient: not the cita's.
            { ...ghlAppt('ghl-other', 'Control', '15:00', '15:30'), contactId: 'c-jose' },
            ghlAppt('ghl-past', 'Consulta pasada', '10:00', '10:30', past),
          ],
        },
      ],
    });
    const t = await createTestEnv({ ghl: sandbox });
    envs.push(t);
    // Before the connection: the front desk books the same visits here.
    expect((await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL, synced_calendar_ids: [CAL] })).status).toBe(200);
    const book = async (title: string, from: string, to: string) =>
      json(await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-ana', title, start_time: at(day, from), end_time: at(day, to) })));
    const same = await book('Control', '09:00', '09:30');
    const twin = await book('Limpieza', '11:00', '11:30');
    const fresh = await book('Nueva', '13:00', '13:30');
    const otherPatient = await book('Control', '15:00', '15:30');
    expect(same.sync.status).toBe('pending_sync');

    await t.connectPit(LOC);
    await t.settle();

    const read = async (id: string) => json(await t.api('GET', `/api/citas/${id}`));
    expect(await read(same.id)).toMatchObject({ ghl_appointment_id: 'ghl-same', sync: { status: 'synced' }, conflict: false });
    const waiting = await read(twin.id);
    expect(waiting).toMatchObject({ ghl_appointment_id: null, conflict: true, conflict_reason: 'ambiguous_match', sync: { status: 'pending_sync' } });
    expect(waiting.match_candidates.map((m: any) => m.ghl_appointment_id).sort()).toEqual(['ghl-twin-1', 'ghl-twin-2']);
    expect((await read(fresh.id)).sync.status).toBe('synced');
    expect((await read(otherPatient.id)).ghl_appointment_id).not.toBe('ghl-other');
    // GHL got only what it did not hold: the new cita, and ours at 15:00 (GHL's 15:00 is José's) —
    // no second 09:00 Control, no third Limpieza.
    const inGhl = sandbox.appointments({ locationId: LOC, calendarId: CAL }).filter((a) => a.startTime.startsWith(day));
    expect(inGhl.filter((a) => a.title === 'Control').map((a) => a.startTime.slice(11, 16)).sort()).toEqual(['09:00', '15:00', '15:00']);
    expect(inGhl.filter((a) => a.title === 'Limpieza')).toHaveLength(2);
    expect(inGhl.filter((a) => a.title === 'Nueva')).toHaveLength(1);
    // The report is in the sync run.
    const [run] = await t.deps.db.select().from(syncRuns).where(and(eq(syncRuns.locationId, LOC), eq(syncRuns.kind, 'connect')));
    expect(run).toMatchObject({ outcome: 'ok', counts: { unlinked: 4, linked: 1, ambiguous: 1, to_push: 2 } });

    // A person links it: synced, never pushed.
    const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
    const listed = await json(await t.api('GET', `/api/admin/matches?location_id=${LOC}`, undefined, admin));
    expect(listed.data.map((c: any) => c.id)).toEqual([twin.id]);
    expect((await t.api('POST', `/api/citas/${twin.id}/link`, { ghl_appointment_id: 'not-a-candidate' })).status).toBe(422);
    const linked = await t.api('POST', `/api/citas/${twin.id}/link`, { ghl_appointment_id: 'ghl-twin-1' });
    expect(linked.status).toBe(200);
    expect(await json(linked)).toMatchObject({ ghl_appointment_id: 'ghl-twin-1', match_candidates: null, conflict: false, sync: { status: 'synced' } });
    await t.settle();
    expect(sandbox.appointments({ locationId: LOC, calendarId: CAL }).filter((a) => a.title === 'Limpieza')).toHaveLength(2);

    // And the history: last month's visit is here, as GHL has it.
    const history = await json(await t.api('GET', `/api/citas?location_id=${LOC}&desde=${past}&hasta=${past}`));
    expect(history.data.map((c: any) => [c.ghl_appointment_id, c.sync.status])).toEqual([['ghl-past', 'synced']]);
  });
});
