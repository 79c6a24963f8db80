/**
 * Outages mid-stream, against the real PostgreSQL and Redis through the production clients: the
 * Neon WebSocket proxy and the Upstash REST bridge run as child processes and are killed with
 * SIGKILL while signed webhooks stream in, then started again. GHL re-delivers only after a 429,
 * so every delivery must end 200 or 429 (never a 5xx, never a dropped connection), and once the
 * 429s are re-sent as GHL would, every appointment must be present exactly once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { webcrypto } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { Pool } from '@neondatabase/serverless';
import ws from 'ws';
import { createFullApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { useWsProxy } from '../../src/db/neon';
import { citas, webhookEvents } from '../../src/db/schema';
import { memoryLogger } from '../../src/observability/logger';
import { sharedDeps } from '../../src/runtime/provider';
import { createNodeDeps } from '../../scripts/lib/node-deps';
import { killableUpstashBridge, killableWsProxy, type Killable } from '../support/killable';

const services = inject('services')!;
const LOC = 'loc-outage';
let pg: Killable & { proxy: string };
let redis: Killable & { url: string };
let node: Awaited<ReturnType<typeof createNodeDeps>>;
let app: ReturnType<typeof createFullApp>;
let env: Record<string, string>;
let dbName: string;
let sign: (body: string) => Promise<string>;
const logger = memoryLogger('warn');

async function admin(statement: string) {
  useWsProxy(services.wsProxy, ws);
  const pool = new Pool({ connectionString: services.pgAdminUrl, max: 1 });
  try {
    await pool.query(statement);
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  dbName = `citas_outage_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin(`CREATE DATABASE ${dbName}`);
  const token = `outage-${crypto.randomUUID()}`;
  [pg, redis] = await Promise.all([killableWsProxy(), killableUpstashBridge(token)]);
  const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  sign = async (body) => Buffer.from(await webcrypto.subtle.sign('Ed25519', keys.privateKey, new TextEncoder().encode(body))).toString('base64');
  const url = new URL(services.pgAdminUrl);
  url.pathname = `/${dbName}`;
  env = {
    DATABASE_URL: url.toString(),
    NEON_WS_PROXY: pg.proxy,
    UPSTASH_REDIS_REST_URL: redis.url,
    UPSTASH_REDIS_REST_TOKEN: token,
    API_KEYS: 'k',
    GHL_WEBHOOK_ED25519_PUBLIC_KEY: Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey)).toString('base64'),
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
  };
  // From here on this file's connections go through the killable proxy (neonConfig is per process).
  node = await createNodeDeps(loadConfig(env), { migrate: true, logger, storePrefix: `outage:${crypto.randomUUID()}:` });
  app = createFullApp(sharedDeps(node.deps));
}, 120_000);

afterAll(async () => {
  await Promise.race([node?.close(), new Promise((r) => setTimeout(r, 5_000))]);
  await Promise.all([pg?.stop(), redis?.stop()]);
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
});

let slot = 0;
/** Signed AppointmentCreate deliveries for `n` new appointments, in distinct slots. */
function creates(n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, i) => {
    const start = new Date(Date.UTC(2027, 2, 1 + Math.floor(slot / 10), 13 + (slot % 10)));
    slot++;
    return JSON.stringify({
      type: 'AppointmentCreate',
      locationId: LOC,
      timestamp: new Date().toISOString(),
      webhookId: crypto.randomUUID(),
      appointment: {
        id: `apt-${tag}-${i}`,
        calendarId: 'cal-outage',
        contactId: 'c-1',
        title: `Outage ${tag} ${i}`,
        appointmentStatus: 'confirmed',
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 30 * 60_000).toISOString(),
        dateUpdated: new Date().toISOString(),
      },
    });
  });
}

async function deliver(body: string): Promise<number> {
  const res = await app.request(
    '/api/webhooks/ghl',
    { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-ghl-signature': await sign(body) }, body },
    env,
  );
  await res.arrayBuffer();
  return res.status;
}

/**
 * Streams the deliveries at `concurrency`, running `fault` after `faultAfter` of them; then, as
 * GHL does, re-delivers whatever got a 429 (up to 6 times). Returns every status seen.
 */
async function stream(bodies: string[], opts: { concurrency: number; faultAfter: number; fault: () => Promise<void>; recover: () => Promise<void> }) {
  const statuses: number[] = [];
  const retry: string[] = [];
  const queue = [...bodies];
  let sent = 0;
  let faulted: Promise<void> | undefined;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let body = queue.shift(); body; body = queue.shift()) {
        if (++sent === opts.faultAfter) faulted = opts.fault();
        const status = await deliver(body);
        statuses.push(status);
        if (status === 429) retry.push(body);
      }
    }),
  );
  await faulted;
  const first429 = retry.length;
  await opts.recover();
  for (let round = 0; round < 6 && retry.length; round++) {
    for (const body of retry.splice(0)) {
      const status = await deliver(body);
      statuses.push(status);
      if (status === 429) retry.push(body);
    }
    if (retry.length) await new Promise((r) => setTimeout(r, 500));
  }
  return { statuses, first429, lost: retry.length };
}

async function stored(ids: string[]) {
  const rows = await node.deps.db.select({ id: citas.ghlAppointmentId }).from(citas).where(inArray(citas.ghlAppointmentId, ids));
  const events = await node.deps.db.select({ n: sql<number>`count(*)::int` }).from(webhookEvents).where(sql`${webhookEvents.outcome} <> 'failed'`);
  return { rows: rows.length, distinct: new Set(rows.map((r) => r.id)).size, events: Number(events[0]!.n) };
}

const idsOf = (bodies: string[]) => bodies.map((b) => (JSON.parse(b) as { appointment: { id: string } }).appointment.id);
const tally = (xs: number[]) => xs.reduce<Record<number, number>>((a, s) => ((a[s] = (a[s] ?? 0) + 1), a), {});

describe('outages mid-stream of signed webhooks', () => {
  it('the database connection dropped (proxy killed) at concurrency 2: 429s, no exit, each appointment once', async () => {
    const bodies = creates(60, 'db');
    const before = (await stored([])).events;
    const r = await stream(bodies, {
      concurrency: 2,
      faultAfter: 15,
      fault: async () => {
        await pg.kill();
        // While it is down: health says so, and deliveries keep being answered (429).
        const health = await app.request('/healthz', {}, env);
        expect(health.status).toBe(503);
        // The API says the same, with a code and Retry-After, not a 500.
        const api = await app.request('/api/citas?location_id=loc-x', { headers: { Authorization: 'Bearer k' } }, env);
        expect(api.status).toBe(503);
        expect(api.headers.get('retry-after')).toBe('5');
        expect(((await api.json()) as any).code).toBe('database_unavailable');
        await new Promise((r) => setTimeout(r, 300));
      },
      recover: () => pg.start(),
    });
    console.log(`[outage db] ${bodies.length} deliveries: statuses ${JSON.stringify(tally(r.statuses))}, 429 on first delivery ${r.first429}, lost ${r.lost}`);
    expect(r.statuses.filter((s) => s >= 500)).toEqual([]);
    expect(r.statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(r.first429).toBeGreaterThan(0); // the fault really hit
    expect(r.lost).toBe(0);
    const s = await stored(idsOf(bodies));
    expect(s).toMatchObject({ rows: 60, distinct: 60 });
    expect(s.events - before).toBe(60);
  });

  it('the store gone (bridge killed) mid-stream, with duplicates: webhooks go on through the database', async () => {
    const fresh = creates(50, 'kv');
    // Every fifth delivered twice: with the store down, the claim row alone keeps them idempotent.
    const bodies = fresh.flatMap((b, i) => (i % 5 === 0 ? [b, b] : [b]));
    const before = (await stored([])).events;
    const r = await stream(bodies, { concurrency: 4, faultAfter: 10, fault: () => redis.kill(), recover: () => redis.start() });
    console.log(`[outage store] ${bodies.length} deliveries (${fresh.length} distinct): statuses ${JSON.stringify(tally(r.statuses))}, 429 on first delivery ${r.first429}, lost ${r.lost}`);
    expect(r.statuses.filter((s) => s >= 500)).toEqual([]);
    expect(r.lost).toBe(0);
    const s = await stored(idsOf(fresh));
    expect(s).toMatchObject({ rows: 50, distinct: 50 });
    expect(s.events - before).toBe(50);
    expect(logger.lines.some((l) => /store unavailable/.test(String(l.msg)))).toBe(true);
  });

  it('both down at once, then back: nothing lost, nothing doubled', async () => {
    const bodies = creates(50, 'both');
    const r = await stream(bodies, {
      concurrency: 3,
      faultAfter: 12,
      fault: async () => {
        await Promise.all([pg.kill(), redis.kill()]);
        await new Promise((r) => setTimeout(r, 300));
      },
      recover: async () => {
        await Promise.all([pg.start(), redis.start()]);
      },
    });
    console.log(`[outage both] ${bodies.length} deliveries: statuses ${JSON.stringify(tally(r.statuses))}, 429 on first delivery ${r.first429}, lost ${r.lost}`);
    expect(r.statuses.filter((s) => s >= 500)).toEqual([]);
    expect(r.lost).toBe(0);
    expect(await stored(idsOf(bodies))).toMatchObject({ rows: 50, distinct: 50 });
  });

  it('the store down: the API still creates and lists (rate limit and counters fail open); health says degraded', async () => {
    await redis.kill();
    try {
      const headers = { Authorization: 'Bearer k', 'Content-Type': 'application/json' };
      const created = await app.request('/api/citas', { method: 'POST', headers, body: JSON.stringify({ location_id: 'loc-api', calendar_id: 'cal-api', contact_id: 'c-1', title: 'Sin Redis', start_time: '2027-05-03T09:00', end_time: '2027-05-03T09:30' }) }, env);
      expect(created.status).toBe(201);
      const list = await app.request('/api/citas?location_id=loc-api', { headers }, env);
      expect(list.status).toBe(200);
      expect(((await list.json()) as any).data).toHaveLength(1);
      const health = await app.request('/healthz', {}, env);
      expect(health.status).toBe(200);
      expect(((await health.json()) as any)).toMatchObject({ status: 'degraded', checks: { store: { ok: false } } });
    } finally {
      await redis.start();
    }
  });
});
