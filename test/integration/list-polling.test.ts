/**
 * Cheap polling: GET /api/citas answers 304 to If-None-Match while nothing in the location changed
 * — API edits, GHL's webhooks, settings — without touching the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { createNodeDeps } from '../../scripts/lib/node-deps';
import { loadConfig } from '../../src/config/config';
import { createFullApp } from '../../src/app';
import { sharedDeps } from '../../src/runtime/provider';
import { matchesIfNoneMatch } from '../../src/locations/location-rev';
import { API_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-poll';
const CAL = 'cal-poll';
const LIST = `/api/citas?location_id=${LOC}&desde=2026-12-01&hasta=2026-12-31`;

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup() {
  const sandbox = createGhlSandbox({ seed: 9 });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Dr. Ríos' }], contacts: [{ id: 'c-p', firstName: 'Pía', email: 'pia@example.com' }] }] });
  const keys = await sandbox.webhookKeys();
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem } });
  envs.push(t);
  await t.connectPit(LOC);
  sandbox.configureWebhooks({ deliver: (req) => t.request(req), scheme: 'ed25519', retryDelayMs: 20 });
  return { t, sandbox };
}

const get = (t: TestEnv, etag?: string, path = LIST) => t.api('GET', path, undefined, etag ? { 'If-None-Match': etag } : {});
const create = async (t: TestEnv, hour: number) => {
  const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-p', start_time: `2026-12-10T${String(hour).padStart(2, "0")}:00`, end_time: `2026-12-10T${String(hour).padStart(2, "0")}:30` }));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; ghl_appointment_id: string | null };
};

describe('polling the list', () => {
  it('304 while nothing changed; a new tag after an API write, a GHL webhook and a settings change', async () => {
    const { t, sandbox } = await setup();
    const first = await get(t);
    expect(first.status).toBe(200);
    const tag0 = first.headers.get('etag')!;
    expect(tag0).toMatch(/^W\/"/);

    const same = await get(t, tag0);
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    expect(same.headers.get('etag')).toBe(tag0);

    // An API write. GHL's echo of its push is held back until the list has been read.
    sandbox.webhooks.setMode({ hold: true });
    const cita = await create(t, 9);
    const afterCreate = await get(t, tag0);
    expect(afterCreate.status).toBe(200);
    expect(((await afterCreate.json()) as any).data.map((c: any) => c.id)).toEqual([cita.id]);
    const tag1 = afterCreate.headers.get('etag')!;
    expect(tag1).not.toBe(tag0);
    expect((await get(t, tag1)).status).toBe(304);

    // The echo changes nothing a list shows: the tag holds (polling agendas do not download again).
    sandbox.webhooks.setMode({});
    sandbox.webhooks.release();
    await sandbox.webhooks.idle();
    await t.settle();
    expect(sandbox.webhooks.log().filter((e) => e.type === 'AppointmentCreate' && e.status === 200)).toHaveLength(1);
    expect((await get(t, tag1)).status).toBe(304);

    // GHL moves it: the webhook's change shows in the next poll.
    const [appointment] = sandbox.appointments({ locationId: LOC });
    sandbox.actions.moveAppointment(appointment!.id, { startTime: '2026-12-10T11:00:00-05:00', endTime: '2026-12-10T11:30:00-05:00' });
    await sandbox.webhooks.idle();
    await t.settle();
    const afterWebhook = await get(t, tag1);
    expect(afterWebhook.status).toBe(200);
    expect(((await afterWebhook.json()) as any).data[0].start_time).toBe('2026-12-10T11:00:00-05:00');
    const tag2 = afterWebhook.headers.get('etag')!;

    // The zone shapes every time shown: a settings change is a change of the list.
    const put = await t.api('PUT', `/api/locations/${LOC}/settings`, { time_zone: 'America/Bogota' });
    expect(put.status).toBe(200);
    expect((await get(t, tag2)).status).toBe(200);
  });

  it('a tag names its query: another filter or page never validates against it', async () => {
    const { t } = await setup();
    const tag = (await get(t)).headers.get('etag')!;
    expect((await get(t, tag, `${LIST}&status=confirmed`)).status).toBe(200);
    expect(matchesIfNoneMatch(`"x", ${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch(tag.replace(/^W\//, ''), tag)).toBe(true);
    expect(matchesIfNoneMatch('"other"', tag)).toBe(false);
  });

  it('a 304 touches no database (answered with the database down); auth and access still come first', async () => {
    const { t } = await setup();
    const tag = (await get(t)).headers.get('etag')!;
    // The same service and store, its database unreachable.
    const dead = await createNodeDeps(loadConfig({ DATABASE_URL: 'memory://' }));
    await dead.close();
    const down = createFullApp(sharedDeps({ ...t.deps, db: dead.deps.db }));
    const ask = (headers: Record<string, string>) => down.request(LIST, { headers }, t.env);
    expect((await ask({ Authorization: `Bearer ${API_KEY}`, 'If-None-Match': tag })).status).toBe(304);
    expect((await ask({ Authorization: `Bearer ${API_KEY}` })).status).toBe(503);
    expect((await ask({ 'If-None-Match': tag })).status).toBe(401);
  });
});
