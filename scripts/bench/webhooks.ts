/**
 * Webhook handling against the real PostgreSQL and Redis (production clients through the local
 * proxy and bridge): p50/p99 handling time and the first-delivery rate, reported next to a
 * baseline measured in the same process (GET /healthz: one database and one store round trip).
 *
 *   npx tsx scripts/bench/webhooks.ts [--n 400] [--concurrency 8] [--duplicates 0.1]
 */
import { parseArgs } from 'node:util';
import { webcrypto } from 'node:crypto';
import { createFullApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { sharedDeps } from '../../src/runtime/provider';
import { firstDeliveryStats } from '../../src/webhooks/events-repo';
import { createLogger } from '../../src/observability/logger';
import { createNodeDeps } from '../lib/node-deps';
import { percentile, startRealServices } from '../lib/real-services';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '8' }, duplicates: { type: 'string', default: '0.1' } },
});
const N = Number(values.n);
const CONCURRENCY = Number(values.concurrency);
const DUP_RATE = Number(values.duplicates);

const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey)).toString('base64');
const sign = async (body: string) => Buffer.from(await webcrypto.subtle.sign('Ed25519', keys.privateKey, new TextEncoder().encode(body))).toString('base64');

const services = await startRealServices();
const env = { ...services.env, API_KEYS: 'bench', GHL_WEBHOOK_ED25519_PUBLIC_KEY: spki, LOG_LEVEL: 'error', WEBHOOK_RATE_LIMIT_PER_MINUTE: '0' };
const config = loadConfig(env);
const node = await createNodeDeps(config, { migrate: true, logger: createLogger({ level: 'error' }), storePrefix: `bench:${crypto.randomUUID()}:` });
const app = createFullApp(sharedDeps(node.deps));

async function timed(fn: () => Response | Promise<Response>): Promise<{ ms: number; res: Response }> {
  const t0 = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  return { ms: performance.now() - t0, res };
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

try {
  // Baseline, same process: the cheapest request that touches both stores.
  for (let i = 0; i < 20; i++) await timed(() => app.request('/healthz', {}, env));
  const base: number[] = [];
  for (let i = 0; i < 200; i++) base.push((await timed(() => app.request('/healthz', {}, env))).ms);
  base.sort((a, b) => a - b);

  // The workload: creates, then moves and cancels of those appointments, some delivered twice.
  const bodies: string[] = [];
  const creates = Math.round(N * 0.6);
  for (let i = 0; i < N; i++) {
    const k = i < creates ? i : (i - creates) % creates;
    const day = 1 + (k % 28);
    const slot = Math.floor(k / 28);
    const start = new Date(Date.UTC(2027, 1, day, 13 + (slot % 10), i < creates ? 0 : 30));
    const type = i < creates ? 'AppointmentCreate' : i % 5 === 0 ? 'AppointmentDelete' : 'AppointmentUpdate';
    bodies.push(JSON.stringify({
      type, locationId: 'loc-bench', timestamp: new Date().toISOString(), webhookId: crypto.randomUUID(),
      appointment: {
        id: `apt-${k}`, calendarId: `cal-${Math.floor(slot / 10)}`, contactId: 'c-1', title: `Bench ${k}`, appointmentStatus: 'confirmed',
        startTime: start.toISOString(), endTime: new Date(start.getTime() + 20 * 60_000).toISOString(),
        dateUpdated: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
      },
    }));
  }
  const deliveries = bodies.flatMap((b, i) => (i % Math.max(1, Math.round(1 / DUP_RATE)) === 0 ? [b, b] : [b]));
  const times: number[] = [];
  const statuses: Record<number, number> = {};
  const wall0 = performance.now();
  const send = async (body: string) => {
    const sig = await sign(body);
    const { ms, res } = await timed(() =>
      app.request('/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-ghl-signature': sig }, body }, env),
    );
    times.push(ms);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  };
  // Creates first (an update must find its appointment), then the rest.
  await pool(deliveries.filter((b) => b.includes('AppointmentCreate')), CONCURRENCY, send);
  await pool(deliveries.filter((b) => !b.includes('AppointmentCreate')), CONCURRENCY, send);
  const wall = performance.now() - wall0;
  times.sort((a, b) => a - b);

  const first = await firstDeliveryStats(node.deps.db);
  const metrics = await node.deps.metrics.read(['webhooks.created', 'webhooks.applied', 'webhooks.cancelled', 'webhooks.duplicate', 'webhooks.stale', 'webhooks.conflict', 'webhooks.failed']);
  const f = (n: number) => n.toFixed(1);
  console.log(`webhook benchmark: ${deliveries.length} deliveries (${bodies.length} distinct), concurrency ${CONCURRENCY}, real PostgreSQL + Redis via the production clients`);
  console.log(`  baseline GET /healthz: p50 ${f(percentile(base, 50))} ms, p99 ${f(percentile(base, 99))} ms`);
  console.log(`  webhook handling:      p50 ${f(percentile(times, 50))} ms (${f(percentile(times, 50) / percentile(base, 50))}× baseline), p99 ${f(percentile(times, 99))} ms (${f(percentile(times, 99) / percentile(base, 50))}× baseline p50)`);
  console.log(`  throughput:            ${f(deliveries.length / (wall / 1000))} deliveries/s`);
  console.log(`  statuses:              ${JSON.stringify(statuses)}`);
  console.log(`  outcomes:              ${JSON.stringify(metrics)}`);
  console.log(`  first-delivery rate:   ${first.rate === null ? 'n/a' : `${(first.rate * 100).toFixed(1)}%`} (${first.first_delivery}/${first.processed} processed on their first delivery)`);
} finally {
  await node.close();
  await services.close();
}
