/**
 * One rule for the calendars a location may use, on every path that names one: the settings route,
 * a cita's create and a cita's move to another calendar. Same refusal (422 validation_failed, the
 * same field message) wherever the calendar is named, and nothing reaches GHL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-rule';
const CAL = 'cal-rule';
const SALA = 'cal-rule-sala';
const DRAFT = 'cal-rule-draft';
const CONTACT = 'contact-rule';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup(opts: { connect?: boolean } = {}) {
  const sandbox = createGhlSandbox({ seed: 12 });
  sandbox.seed({
    locations: [
      {
        id: LOC,
        timezone: 'America/Lima',
        calendars: [
          { id: CAL, name: 'Dra. Ríos' },
          { id: SALA, name: 'Sala 2' },
          { id: DRAFT, name: 'Borrador', isActive: false },
        ],
        contacts: [{ id: CONTACT, firstName: 'Inés', email: 'ines@example.com' }],
      },
    ],
  });
  const t = await createTestEnv({ ghl: sandbox });
  envs.push(t);
  if (opts.connect !== false) await t.connectPit(LOC);
  let hour = 7;
  const create = (calendarId: string | undefined) => {
    hour += 1;
    const hh = String(hour).padStart(2, '0');
    return t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: calendarId, contact_id: CONTACT, start_time: `2026-12-07T${hh}:00`, end_time: `2026-12-07T${hh}:30` }));
  };
  const settings = (body: unknown) => t.api('PUT', `/api/locations/${LOC}/settings`, body);
  return { t, sandbox, create, settings };
}

const refusal = async (res: Response) => ({ status: res.status, body: (await res.json()) as { code: string; fields: { field: string; message: string }[] } });

describe('the calendar rule', () => {
  it('a calendar inactive in GHL, or unknown to it, is refused alike by the settings route and by POST /api/citas', async () => {
    const { sandbox, create, settings } = await setup();
    for (const [id, message] of [
      [DRAFT, `calendar ${DRAFT} (Borrador) is inactive in GHL`],
      ['cal-ghost', `calendar cal-ghost does not exist in GHL location ${LOC}`],
    ] as const) {
      // The create first: what it checks against was listed when the location connected.
      const byCreate = await refusal(await create(id));
      const bySettings = await refusal(await settings({ default_calendar_id: id }));
      expect(bySettings).toMatchObject({ status: 422, body: { code: 'validation_failed', fields: [{ field: 'default_calendar_id', message }] } });
      expect(byCreate).toMatchObject({ status: 422, body: { code: 'validation_failed', fields: [{ field: 'calendar_id', message }] } });
    }
    expect(sandbox.stats().creates).toBe(0);
  });

  it('once a location has chosen its calendars, a cita goes only to one of them', async () => {
    const { sandbox, t, create, settings } = await setup();
    expect((await settings({ default_calendar_id: CAL })).status).toBe(200);
    const notSynced = await refusal(await create(SALA));
    expect(notSynced).toMatchObject({
      status: 422,
      body: { code: 'validation_failed', fields: [{ field: 'calendar_id', message: `calendar ${SALA} is not among the calendars synced for location ${LOC}` }] },
    });
    expect((await create(undefined)).status).toBe(201);
    expect((await create(CAL)).status).toBe(201);
    // Chosen (and active in GHL, which the settings route checks), it is accepted.
    expect((await settings({ synced_calendar_ids: [SALA] })).status).toBe(200);
    const moved = (await (await create(SALA)).json()) as any;
    expect(moved.calendar_id).toBe(SALA);
    await t.settle();
    expect(sandbox.stats().creates).toBe(3);

    // A move to another calendar follows the same rule.
    const toDraft = await refusal(await t.api('PATCH', `/api/citas/${moved.id}`, { calendar_id: DRAFT }));
    expect(toDraft).toMatchObject({ status: 422, body: { code: 'validation_failed', fields: [{ field: 'calendar_id', message: `calendar ${DRAFT} (Borrador) is inactive in GHL` }] } });
    expect((await t.api('PATCH', `/api/citas/${moved.id}`, { calendar_id: CAL })).status).toBe(200);
  });

  it('a calendar made inactive in GHL is refused once its calendars are listed again (the page does on opening the location)', async () => {
    const { sandbox, t, create } = await setup();
    expect((await create(SALA)).status).toBe(201);
    sandbox.seed({ locations: [{ id: LOC, calendars: [{ id: SALA, name: 'Sala 2', isActive: false }] }] });
    await t.api('GET', `/api/ghl/calendars?location_id=${LOC}&refresh=1`);
    expect(await refusal(await create(SALA))).toMatchObject({ status: 422, body: { fields: [{ field: 'calendar_id', message: `calendar ${SALA} (Sala 2) is inactive in GHL` }] } });
  });

  it('the create still runs two statements: the rule reads what the location statement already brings', async () => {
    // Not connected: no push runs beside the request to add its own statements.
    const { t, create, settings } = await setup({ connect: false });
    await settings({ default_calendar_id: CAL });
    t.statements.length = 0;
    expect((await create(CAL)).status).toBe(201);
    expect(t.statements).toHaveLength(2);
    t.statements.length = 0;
    expect((await create(SALA)).status).toBe(422);
    expect(t.statements).toHaveLength(1);
  });
});
