/**
 * Minutes, not hours, to GHL: a push that fails for a reason time fixes is retried by a delayed,
 * de-duplicated queue message (the local queue here, QStash when deployed), not by the hourly sweep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { localQueue } from '../../scripts/lib/local-qstash';
import { retryDelaySeconds } from '../../src/sync/push-retry';
import { citaIdFromDescription } from '../../src/sync/appointment-mapping';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-retry';
const CAL = 'cal-retry';
const CREATE = { method: 'POST', path: 'calendars/events/appointments' };

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup(env: Record<string, string> = {}) {
  const sandbox = createGhlSandbox({ seed: 21 });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Dra. Vega' }], contacts: [{ id: 'c-r', firstName: 'Rita', email: 'rita@example.com' }] }] });
  // Production waits 10 s, 30 s, 60 s…; milliseconds here, the same path.
  const t = await createTestEnv({ ghl: sandbox, env: { PUSH_RETRY_DELAYS_S: '0.02,0.05', ...env } });
  envs.push(t);
  await t.connectPit(LOC);
  const quiet = async () => {
    for (let i = 0; i < 10; i++) {
      await t.queue.idle();
      await t.settle();
    }
  };
  return { t, sandbox, quiet };
}

async function create(t: TestEnv) {
  const res = await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-r', start_time: '2026-12-15T10:00', end_time: '2026-12-15T10:30' }), {}, { settle: false });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}
const read = async (t: TestEnv, id: string) => (await (await t.api('GET', `/api/citas/${id}`)).json()) as any;
const pushMessages = (t: TestEnv) => t.queue.delivered.filter((d) => d.status === 200).length;

describe('push retries through the queue', () => {
  it('a create that meets three 5xx in a row reaches GHL on a delayed retry, once', async () => {
    const { t, sandbox, quiet } = await setup();
    // One push tries the create up to three times (looking for it in GHL in between): all three fail.
    sandbox.injectFault({ kind: '503', match: CREATE, count: 3 });
    const cita = await create(t);
    await t.settle();
    expect((await read(t, cita.id)).sync).toMatchObject({ status: 'pending_sync', retries: 1, error: expect.stringMatching(/^server/) });
    await quiet();
    expect((await read(t, cita.id)).sync).toMatchObject({ status: 'synced', retries: 0 });
    expect(pushMessages(t)).toBe(1);
    const stored = sandbox.appointments({ locationId: LOC });
    expect(stored.map((a) => citaIdFromDescription(a.description))).toEqual([cita.id]);
  });

  it('attempts run out → sync_failed; POST /api/citas/{id}/push starts over and it reaches GHL', async () => {
    const { t, sandbox, quiet } = await setup();
    sandbox.injectFault({ kind: '503', match: CREATE, count: 9 });
    const cita = await create(t);
    await quiet();
    const failed = await read(t, cita.id);
    expect(failed.sync).toMatchObject({ status: 'sync_failed', retries: 3 });
    // Attempts 2 and 3 came from the queue; nothing was scheduled after the last.
    expect(pushMessages(t)).toBe(2);

    const again = await t.api('POST', `/api/citas/${cita.id}/push`, undefined, {}, { settle: false });
    expect(again.status).toBe(202);
    expect(((await again.json()) as any).sync).toMatchObject({ status: 'pending_sync', retries: 0 });
    await quiet();
    expect((await read(t, cita.id)).sync).toMatchObject({ status: 'synced' });
    expect(sandbox.appointments({ locationId: LOC })).toHaveLength(1);
    // Already in GHL: nothing to push, 200.
    expect((await t.api('POST', `/api/citas/${cita.id}/push`)).status).toBe(200);
  });

  it('an open circuit is waited out by retries that do not use up attempts', async () => {
    const { t, sandbox, quiet } = await setup({ GHL_BREAKER_THRESHOLD: '2', GHL_BREAKER_COOLDOWN_MS: '150', GHL_MAX_ATTEMPTS: '1', PUSH_RETRY_DELAYS_S: '0.1' });
    sandbox.injectFault({ kind: '503', match: { path: 'calendars/events' }, count: 4 });
    const ids = [(await create(t)).id];
    await quiet();
    const row = await read(t, ids[0]!);
    expect(row.sync.status).toBe('synced');
    expect(row.sync.retries).toBe(0);
    expect(sandbox.appointments({ locationId: LOC })).toHaveLength(1);
  });
});

describe('the local queue, like QStash', () => {
  it('delivers a message with the same de-duplication id once, after its delay', async () => {
    const seen: number[] = [];
    const started = Date.now();
    const q = localQueue({ signingKey: 'k'.repeat(32), deliver: async () => (seen.push(Date.now() - started), new Response('ok')) });
    const a = await q.publish({ url: 'http://localhost/api/jobs/push', body: { n: 1 }, deduplicationId: 'push-x-1', delaySeconds: 0.05 });
    const b = await q.publish({ url: 'http://localhost/api/jobs/push', body: { n: 1 }, deduplicationId: 'push-x-1', delaySeconds: 0.05 });
    await q.idle();
    expect(b).toEqual({ messageId: a.messageId, deduplicated: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(45);
  });
});

describe('retry delays', () => {
  it('follow the configured steps (the last repeats) within ±20%', () => {
    const steps = [10, 30, 60];
    for (const [hop, base] of [[0, 10], [1, 30], [2, 60], [7, 60]] as const) {
      expect(retryDelaySeconds(steps, hop, () => 0)).toBeCloseTo(base * 0.8);
      expect(retryDelaySeconds(steps, hop, () => 0.999999)).toBeCloseTo(base * 1.2, 3);
    }
  });
});
