/**
 * The app's own webhooks, as the sandbox sends them (INSTALL when an OAuth install completes,
 * UNINSTALL when a location removes the app), through the real webhook route.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { webhookEvents } from '../../src/db/schema';
import { ADMIN_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-app';
const CAL = 'cal-app';
const CONTACT = 'contact-app';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup() {
  const sandbox = createGhlSandbox({ seed: 9 });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Dra. Núñez' }], contacts: [{ id: CONTACT, firstName: 'Rosa', email: 'rosa@example.com' }] }] });
  const keys = await sandbox.webhookKeys();
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, GHL_WEBHOOK_RSA_PUBLIC_KEY: keys.rsaPublicKeyPem } });
  envs.push(t);
  sandbox.configureWebhooks({ deliver: (req) => t.request(req), retryDelayMs: 20 });
  const quiet = async () => {
    for (let i = 0; i < 4; i++) {
      await sandbox.webhooks.idle();
      await t.settle();
    }
  };
  const connection = async () =>
    (await (await t.api('GET', `/api/admin/locations/${LOC}/connection`, undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).json()) as any;
  const events = async (type: string) => (await t.deps.db.select().from(webhookEvents).where(eq(webhookEvents.type, type))).map((e) => e.outcome);
  let hour = 8;
  const create = async () => {
    hour += 1;
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: CONTACT, start_time: `2026-12-03T${String(hour).padStart(2, '0')}:00`, end_time: `2026-12-03T${String(hour).padStart(2, '0')}:30` }));
    expect(res.status).toBe(201);
    return ((await res.json()) as any).id as string;
  };
  const sync = async (id: string) => ((await (await t.api('GET', `/api/citas/${id}`)).json()) as any).sync;
  return { t, sandbox, quiet, connection, events, create, sync };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('INSTALL and UNINSTALL', () => {
  it('INSTALL is recorded; UNINSTALL stops pushes until the location installs the app again', async () => {
    const { t, sandbox, quiet, connection, events, create, sync } = await setup();
    await t.connectOAuth(LOC);
    await quiet();
    expect(await events('INSTALL')).toEqual(['applied']);
    const first = await create();
    await quiet();
    expect((await sync(first)).status).toBe('synced');

    sandbox.actions.uninstallApp(LOC);
    await quiet();
    expect(await events('UNINSTALL')).toEqual(['applied']);
    expect(await connection()).toMatchObject({ connected: false, status: 'uninstalled' });
    const creates = sandbox.stats().creates;
    const waiting = await create();
    await quiet();
    // Waiting for a new install is no attempt, and nothing reaches GHL (whose tokens are revoked anyway).
    expect(await sync(waiting)).toMatchObject({ status: 'pending_sync', retries: 0 });
    expect(sandbox.stats().creates).toBe(creates);

    await tick();
    await t.connectOAuth(LOC);
    await quiet();
    expect(await events('INSTALL')).toEqual(['applied', 'applied']);
    expect(await connection()).toMatchObject({ connected: true, status: 'active' });
    expect((await sync(waiting)).status).toBe('synced');
  });

  it('a late UNINSTALL, emitted before the app was installed again, does not undo the new install', async () => {
    const { t, sandbox, quiet, connection, events, create, sync } = await setup();
    await t.connectOAuth(LOC);
    await quiet();
    // The UNINSTALL is held back (as GHL holds one it re-delivers after a 429, up to an hour later)…
    sandbox.webhooks.setMode({ hold: true });
    sandbox.actions.uninstallApp(LOC);
    sandbox.webhooks.setMode({});
    await tick();
    // …while the location installs the app again.
    await t.connectOAuth(LOC);
    await quiet();
    sandbox.webhooks.release();
    await quiet();
    expect(await events('UNINSTALL')).toEqual(['stale']);
    expect(await connection()).toMatchObject({ connected: true, status: 'active' });
    const cita = await create();
    await quiet();
    expect((await sync(cita)).status).toBe('synced');
  });

  it('UNINSTALL leaves a private integration token connected: GHL does not revoke it with the app', async () => {
    const { t, sandbox, quiet, connection, events, create, sync } = await setup();
    await t.connectPit(LOC);
    sandbox.actions.uninstallApp(LOC);
    await quiet();
    expect(await events('UNINSTALL')).toEqual(['ignored']);
    expect(await connection()).toMatchObject({ connected: true, status: 'active', auth_type: 'pit' });
    const cita = await create();
    await quiet();
    expect((await sync(cita)).status).toBe('synced');
    expect(t.logs.some((l) => String(l.msg).includes('private integration token still works'))).toBe(true);
  });
});
