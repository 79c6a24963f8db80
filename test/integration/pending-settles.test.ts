/**
 * A cita is `pending_sync` only while a push for it is still to come. When GHL no longer has its
 * appointment there is nothing left to push: whichever way we learn it (the push meets a 404, a
 * Delete webhook arrives late), the cita is settled, and no sweep calls GHL for it again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { eq } from 'drizzle-orm';
import { citas } from '../../src/db/schema';
import { pushCita, sweepPending } from '../../src/sync/outbound';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-settle';
const CAL = 'cal-settle';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup() {
  const sandbox = createGhlSandbox({ seed: 33 });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Dr. Salas' }], contacts: [{ id: 'c-p', firstName: 'Pilar', email: 'pilar@example.com' }] }] });
  const keys = await sandbox.webhookKeys();
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, PUSH_RETRY_DELAYS_S: '0.02' } });
  envs.push(t);
  await t.connectPit(LOC);
  const quiet = async () => {
    for (let i = 0; i < 5; i++) {
      await sandbox.webhooks.idle();
      await t.queue.idle();
      await t.settle();
    }
  };
  return { t, sandbox, quiet };
}

async function syncedCita(t: TestEnv, quiet: () => Promise<void>) {
  const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-p', start_time: '2026-12-16T10:00', end_time: '2026-12-16T10:30' }));
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await quiet();
  const cita = await read(t, id);
  expect(cita.sync.status).toBe('synced');
  return cita as { id: string; ghl_appointment_id: string };
}
const read = async (t: TestEnv, id: string) => (await (await t.api('GET', `/api/citas/${id}`)).json()) as any;
const appointmentCalls = (sandbox: ReturnType<typeof createGhlSandbox>) =>
  Object.entries(sandbox.stats().calls)
    .filter(([k]) => k.includes('/calendars/events/appointments/:id'))
    .reduce((n, [, v]) => n + v, 0);

describe('nothing stays pending with nothing to push', () => {
  it('a cita cancelled here after GHL deleted its appointment (the Delete webhook lost) is settled by the push that meets the 404', async () => {
    const { t, sandbox, quiet } = await setup();
    const cita = await syncedCita(t, quiet);
    sandbox.configureWebhooks(null);
    sandbox.actions.deleteAppointment(cita.ghl_appointment_id);

    expect((await t.api('POST', `/api/citas/${cita.id}/cancel`)).status).toBe(200);
    await quiet();
    const after = await read(t, cita.id);
    expect(after.status).toBe('cancelled');
    expect(after.sync).toMatchObject({ status: 'synced', retries: 0, error: 'the appointment was deleted in GHL; nothing left to push' });

    // Settled: the sweeps that follow have nothing to push and never call GHL for it again.
    const calls = appointmentCalls(sandbox);
    expect(await sweepPending(t.deps, { locationId: LOC })).toMatchObject({ examined: 0, still_pending: 0 });
    const run = await t.job('/api/jobs/run', { kind: 'full', location_id: LOC });
    expect(run.status).toBe(200);
    expect(appointmentCalls(sandbox)).toBe(calls);
    expect((await read(t, cita.id)).sync.status).toBe('synced');
  });

  it('a Delete webhook that arrives for a cita cancelled here, before its cancellation was pushed, settles it', async () => {
    const { t, sandbox, quiet } = await setup();
    const cita = await syncedCita(t, quiet);
    // The cancellation cannot reach GHL yet (the location's circuit of failures is open)…
    sandbox.injectFault({ kind: '503', match: { path: 'calendars/events' }, count: 50 });
    expect((await t.api('POST', `/api/citas/${cita.id}/cancel`, undefined, {}, { settle: false })).status).toBe(200);
    // Every retry the queue holds runs while GHL still fails: one left for after the faults would
    // meet the 404 first, and settle the cita by the other path (the test above).
    await t.settle();
    await t.queue.idle();
    await t.settle();
    expect((await read(t, cita.id)).sync.status).toBe('pending_sync');
    // …and meanwhile GHL's staff deleted the appointment; its Delete webhook arrives.
    sandbox.clearFaults();
    const beforeList = await t.api('GET', `/api/citas?location_id=${LOC}&desde=2026-12-16&hasta=2026-12-16`);
    const etag = beforeList.headers.get('ETag')!;
    sandbox.configureWebhooks({ deliver: (req) => t.request(req), retryDelayMs: 5 });
    sandbox.actions.deleteAppointment(cita.ghl_appointment_id);
    await sandbox.webhooks.idle();
    await t.settle();
    const after = await read(t, cita.id);
    expect(after.sync).toMatchObject({ status: 'synced', retries: 0, error: 'the appointment was deleted in GHL; cancelled here' });
    // The page's list shows the new sync state: its ETag moved.
    const list = await t.api('GET', `/api/citas?location_id=${LOC}&desde=2026-12-16&hasta=2026-12-16`, undefined, { 'If-None-Match': etag });
    expect(list.status).toBe(200);
    await quiet();
    expect((await read(t, cita.id)).sync.status).toBe('synced');
  });
});

describe('a push that cannot start says why', () => {
  it('with the store down (no push lock) the cita stays pending with the reason on its row, and is pushed once the store is back', async () => {
    const { t, sandbox, quiet } = await setup();
    const { id } = await syncedCita(t, quiet);
    // A push still to come (a process died after the write, before its push)…
    await t.deps.db.update(citas).set({ syncStatus: 'pending_sync' }).where(eq(citas.id, id));
    // …finds the store down: no push lock, no push.
    const down = { ...t.deps, store: { ...t.deps.store, setIfAbsent: () => Promise.reject(new Error('store down')) } };
    expect(await pushCita(down, id)).toBe('retry');
    const waiting = await read(t, id);
    expect(waiting.sync).toMatchObject({ status: 'pending_sync', error: expect.stringMatching(/^store_unavailable: /) });
    await quiet();
    expect(await sweepPending(t.deps, { locationId: LOC })).toMatchObject({ still_pending: 0 });
    expect((await read(t, id)).sync).toMatchObject({ status: 'synced', error: null });
    expect(sandbox.appointments({ locationId: LOC })).toHaveLength(1);
  });
});
