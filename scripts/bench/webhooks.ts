/**
 * Webhook handling against the real PostgreSQL and a private Redis, through the production
 * clients (Neon's driver via the local ws-proxy, @upstash/redis via the bridge), next to a floor
 * measured in the same process, on the same clients and the same workload:
 *
 *   floor:   Ed25519 over the raw bytes (WebCrypto) + one SET NX + one transaction (insert the
 *            webhook_events row, upsert the appointment into citas): the least any correct handler does;
 *   service: POST /api/webhooks/ghl (app.request), same body shape, fresh ids.
 *
 * Each phase: warm-up, then N distinct deliveries (creates first, then updates and deletes of
 * those appointments), a share of them delivered twice, at a fixed concurrency. Reported per
 * delivery: throughput, p50/p99, Redis commands (counted by the private redis-server, commands run
 * by scripts included), HTTP requests to the store, DB transactions and statements (counted in
 * Neon's driver), then the goals' verdicts. Floor and service run in alternating blocks of about
 * --block deliveries (floor, service, service, floor, …), so that both meet the same drift of this
 * shared machine's speed. The pair is measured --rounds times after one unmeasured round that
 * warms what the phases share; the table shows the round with the median throughput ratio, the
 * goals take each ratio's median over the rounds, and every round's figures are printed.
 * --history N first gives every location's calendar N past citas (a clinic's years of
 * appointments), which reads that scan a calendar would pay for.
 * A report: exits 0 whatever the verdicts unless --strict.
 *
 *   npx tsx scripts/bench/webhooks.ts [--n 400] [--concurrency 8] [--duplicates 0.1] [--warmup 40]
 *                                     [--rounds 3] [--block 88] [--history 0] [--rate-limits] [--json] [--strict]
 */
import { parseArgs } from 'node:util';
import { webcrypto } from 'node:crypto';
// First: it loads the app, and with it @hono/zod-openapi, before any module below builds a zod schema.
import {
  commonArgs,
  describeSetup,
  drain,
  fmt,
  goalsOverRounds,
  measureInterleaved,
  medianRound,
  percentile,
  phaseJson,
  phaseTable,
  type PhaseResult,
  type Round,
  startBenchService,
  usageDetails,
  verdictLines,
} from '../lib/bench';
import { INSERT_EVENT, STATUSES, UPSERT_CITA, type GhlEvent } from './floor-sql';
import { firstDeliveryStats } from '../../src/webhooks/events-repo';
import { IDEMPOTENCY_TTL_MS } from '../../src/webhooks/receive';

const { values } = parseArgs({
  options: { ...commonArgs, n: { type: 'string', default: '400' }, duplicates: { type: 'string', default: '0.1' }, rounds: { type: 'string', default: '3' }, block: { type: 'string', default: '88' }, history: { type: 'string', default: '0' } },
});
const ROUNDS = Math.max(1, Number(values.rounds));
/** Deliveries per block: 11 turns of the pool at concurrency 8; a block's ramp-up and drain are a small part of it. */
const BLOCK_OPS = Math.max(1, Number(values.block));
const HISTORY = Math.max(0, Number(values.history));
const N = Number(values.n);
const CONCURRENCY = Number(values.concurrency);
const DUP_RATE = Number(values.duplicates);
const WARMUP = Number(values.warmup ?? Math.max(8, Math.round(N / 10)));
const say = values.json ? () => {} : (line = '') => console.log(line);

const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
const spkiDer = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
const spki = Buffer.from(spkiDer).toString('base64');
const sign = async (body: string) => Buffer.from(await webcrypto.subtle.sign('Ed25519', keys.privateKey, new TextEncoder().encode(body))).toString('base64');

const bench = await startBenchService({
  GHL_WEBHOOK_ED25519_PUBLIC_KEY: spki,
  // Off, as in the measurements the goals come from; --rate-limits puts the per-IP limit on the path (never reached).
  WEBHOOK_RATE_LIMIT_PER_MINUTE: values['rate-limits'] ? '1000000000' : '0',
});
const { app, env, ctx, node, pool, upstash, storePrefix, counters } = bench;

interface Delivery {
  body: string;
  signature: string;
  create: boolean;
}

/**
 * The workload: `n` distinct events for one location (60% creates, then moves and cancels of
 * those appointments), every 1/duplicates-th delivered twice. Ids are fresh per call.
 */
async function workload(locationId: string, n: number): Promise<Delivery[][]> {
  const run = crypto.randomUUID().slice(0, 8);
  const bodies: { body: string; create: boolean }[] = [];
  const creates = Math.max(1, Math.round(n * 0.6));
  for (let i = 0; i < n; i++) {
    const k = i < creates ? i : (i - creates) % creates;
    const day = 1 + (k % 28);
    const slot = Math.floor(k / 28);
    const start = new Date(Date.UTC(2027, 1, day, 13 + (slot % 10), i < creates ? 0 : 30));
    const type = i < creates ? 'AppointmentCreate' : i % 5 === 0 ? 'AppointmentDelete' : 'AppointmentUpdate';
    bodies.push({
      create: i < creates,
      body: JSON.stringify({
        type, locationId, timestamp: new Date().toISOString(), webhookId: crypto.randomUUID(),
        appointment: {
          id: `apt-${run}-${k}`, calendarId: `cal-${Math.floor(slot / 10)}`, contactId: 'c-1', title: `Bench ${k}`, appointmentStatus: 'confirmed',
          startTime: start.toISOString(), endTime: new Date(start.getTime() + 20 * 60_000).toISOString(),
          dateUpdated: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
        },
      }),
    });
  }
  const every = Math.max(1, Math.round(1 / DUP_RATE));
  const deliveries: Delivery[] = [];
  for (const [i, b] of bodies.entries()) {
    // Signed up front: signing is GHL's work, not ours.
    const d = { ...b, signature: await sign(b.body) };
    deliveries.push(...(DUP_RATE > 0 && i % every === 0 ? [d, d] : [d]));
  }
  // Creates first (an update must find its appointment), then the rest.
  return [deliveries.filter((d) => d.create), deliveries.filter((d) => !d.create)];
}

// ---------------------------------------------------------------------------------------------
// The floor: what any correct handler must do, written directly against drizzle/*.sql.

const floorKey = await crypto.subtle.importKey('spki', spkiDer, { name: 'Ed25519' }, false, ['verify']);

async function floorDelivery(d: Delivery): Promise<string> {
  const raw = new TextEncoder().encode(d.body);
  const sig = Uint8Array.from(atob(d.signature), (c) => c.charCodeAt(0));
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, floorKey, sig, raw))) throw new Error('bad signature');
  const e = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as GhlEvent;
  const now = new Date();
  if (Math.abs(now.getTime() - Date.parse(e.timestamp)) > 2 * 3600_000) throw new Error('stale');

  const claimed = await upstash.set(`${storePrefix}webhook:${e.webhookId}`, '1', { nx: true, px: IDEMPOTENCY_TTL_MS });
  if (claimed !== 'OK') return 'duplicate';

  const a = e.appointment;
  const deleted = e.type === 'AppointmentDelete';
  const status = deleted ? 'cancelled' : STATUSES.has(a.appointmentStatus ?? '') ? a.appointmentStatus! : 'new';
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ id: string; inserted: boolean }>(UPSERT_CITA, [
      e.locationId, a.calendarId, a.id, a.title ?? 'Cita', a.contactId ?? null, a.assignedUserId ?? null, a.startTime, a.endTime,
      bench.config.APP_TIMEZONE, status, a.dateUpdated ?? null, now, status === 'cancelled' ? now : null,
    ]);
    const outcome = !rows[0] ? 'stale' : rows[0].inserted ? 'created' : deleted ? 'cancelled' : 'applied';
    await client.query(INSERT_EVENT, [e.webhookId, e.type, e.locationId, a.id, rows[0]?.id ?? null, d.body, now, outcome, crypto.randomUUID()]);
    await client.query('commit');
    return outcome;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** HISTORY past citas on the workload's calendar, every tenth cancelled, all before the workload's slots. */
async function seedHistory(locationId: string) {
  if (!HISTORY) return;
  await pool.query(
    `insert into citas (location_id, ghl_calendar_id, title, contact_id, start_time, end_time, time_zone, status, source, sync_status)
     select $1, 'cal-0', 'Past', 'c-1', timestamptz '2023-01-02 13:00Z' + g * interval '2 hours', timestamptz '2023-01-02 13:30Z' + g * interval '2 hours',
            'America/Lima', case when g % 10 = 0 then 'cancelled' else 'confirmed' end, 'ghl', 'synced'
     from generate_series(0, $2::int - 1) g`,
    [locationId, HISTORY],
  );
  await pool.query('analyze citas');
}

async function serviceDelivery(d: Delivery): Promise<number> {
  const res = await drain(
    // As over HTTP (GHL sends it; Workers hands it on): the body limit reads the header, not the stream.
    await app.request('/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(d.body)), 'x-ghl-signature': d.signature }, body: d.body }, env, ctx),
  );
  return res.status;
}

const OUTCOME_METRICS = ['created', 'applied', 'cancelled', 'duplicate', 'stale', 'conflict', 'failed'].map((outcome) => `webhooks_total{outcome="${outcome}"}`);
const readOutcomes = async () => {
  const all = await node.deps.metrics.read();
  return Object.fromEntries(OUTCOME_METRICS.map((m) => [m, all[m] ?? 0]));
};

try {
  // The old baseline, kept for comparison with earlier runs: the cheapest request touching both stores.
  for (let i = 0; i < 20; i++) await drain(await app.request('/healthz', {}, env, ctx));
  const base: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await drain(await app.request('/healthz', {}, env, ctx));
    base.push(performance.now() - t0);
  }
  base.sort((a, b) => a - b);

  // Rounds: the floor and the service, interleaved, each round measured afresh. What drift the
  // blocks do not cancel, the median round absorbs: it is the one reported, and every round's
  // ratio is printed beside it. The first-delivery rate counts every round.
  const rounds: Round[] = [];
  const metrics: Record<string, number> = Object.fromEntries(OUTCOME_METRICS.map((m) => [m, 0]));
  // Round 0 is a warm-up of everything the phases share (proxy, bridge, drivers, Postgres): left
  // out, a first floor runs on colder shared code than the service after it.
  for (let r = 0; r <= ROUNDS; r++) {
    // Each round on locations of its own: the workload's slots would overlap the last round's.
    for (const kind of ['floor', 'bench']) for (const loc of [`loc-${kind}-warmup-${r}`, `loc-${kind}-${r}`]) await seedHistory(loc);
    let metricsBefore: Record<string, number> = {};
    const [floor, service] = await measureInterleaved(
      { name: 'floor', warmup: await workload(`loc-floor-warmup-${r}`, WARMUP), groups: await workload(`loc-floor-${r}`, N), run: floorDelivery },
      {
        name: 'POST /api/webhooks/ghl', warmup: await workload(`loc-bench-warmup-${r}`, WARMUP), groups: await workload(`loc-bench-${r}`, N), run: serviceDelivery,
        // Outcomes and the first-delivery rate below are those of the measured deliveries only.
        beforeMeasure: async () => {
          metricsBefore = await readOutcomes();
          await pool.query(`delete from webhook_events where location_id = $1`, [`loc-bench-warmup-${r}`]);
        },
      },
      { counters, concurrency: CONCURRENCY, blockOps: BLOCK_OPS },
    );
    // The floor's rows would count in the first-delivery rate below, which is the service's.
    await pool.query(`delete from webhook_events where location_id like 'loc-floor%'`);
    const metricsAfter = await readOutcomes();
    if (r > 0) for (const m of OUTCOME_METRICS) metrics[m]! += metricsAfter[m]! - (metricsBefore[m] ?? 0);
    if (r > 0) rounds.push({ floor, service, ratio: service.perSecond / floor.perSecond });
  }
  const { floor, service } = medianRound(rounds);
  const first = await firstDeliveryStats(node.deps.db);

  const goals = goalsOverRounds('webhooks', rounds);
  const ratios = { throughput: service.perSecond / floor.perSecond, p99: service.p99 / floor.p99, p50: service.p50 / floor.p50 };
  const deliveries = floor.ops;

  if (values.json) {
    console.log(JSON.stringify({
      benchmark: 'webhooks',
      params: { distinct: N, deliveries, duplicates: DUP_RATE, concurrency: CONCURRENCY, warmup: WARMUP, rounds: ROUNDS, rate_limits: values['rate-limits'] },
      round_throughput_ratios: rounds.map((r) => Number(r.ratio.toFixed(3))),
      baseline_healthz: { p50_ms: percentile(base, 50), p99_ms: percentile(base, 99) },
      phases: { floor: phaseJson(floor), service: phaseJson(service) },
      ratios,
      goals,
      pass: goals.every((g) => g.pass),
      statuses: service.outcomes,
      outcomes: metrics,
      first_delivery: first,
    }, null, 2));
  } else {
    const f = (n: number) => n.toFixed(1);
    say(`webhook benchmark: ${deliveries} deliveries (${N} distinct, ${Math.round(DUP_RATE * 100)}% delivered twice), concurrency ${CONCURRENCY}, warm-up ${WARMUP} distinct per phase; webhook rate limit ${values['rate-limits'] ? 'on (never reached)' : 'off'}`);
    say(describeSetup(bench));
    say();
    say(phaseTable([floor, service], 'delivery'));
    say(`  service/floor: throughput ${fmt.ratio(ratios.throughput)}, p50 ${fmt.ratio(ratios.p50)}, p99 ${fmt.ratio(ratios.p99)}`);
    if (rounds.length > 1) {
      say(`  rounds (throughput ratio): ${rounds.map((r) => fmt.ratio(r.ratio)).join(', ')}; the median round is the one above`);
      say(`  rounds (deliveries/s, floor → service): ${rounds.map((r) => `${fmt.rate(r.floor.perSecond)} → ${fmt.rate(r.service.perSecond)}`).join(', ')}`);
      say(`  rounds (p99, floor → service): ${rounds.map((r) => `${fmt.ms(r.floor.p99)} → ${fmt.ms(r.service.p99)}`).join(', ')}`);
      const gcs = (p: PhaseResult) => `${p.gcMajor} full, longest ${fmt.ms(p.gcMaxPauseMs)}`;
      say(`  rounds (GC, floor → service): ${rounds.map((r) => `${gcs(r.floor)} → ${gcs(r.service)}`).join('; ')}`);
    }
    say();
    say('goals (one run; each ratio the median of its rounds\' ratios, floor measured beside):');
    say(verdictLines(goals));
    say();
    say('  where the work comes from (redis-server counts commands run inside EVAL scripts too):');
    say(usageDetails(floor, 'delivery'));
    say(usageDetails(service, 'delivery'));
    say(`  floor outcomes:        ${JSON.stringify(floor.outcomes)}${floor.firstError ? ` (first error: ${floor.firstError})` : ''}`);
    say();
    say(`  baseline GET /healthz: p50 ${f(percentile(base, 50))} ms, p99 ${f(percentile(base, 99))} ms`);
    say(`  webhook handling:      p50 ${f(service.p50)} ms (${f(service.p50 / percentile(base, 50))}× baseline), p99 ${f(service.p99)} ms (${f(service.p99 / percentile(base, 50))}× baseline p50)`);
    say(`  throughput:            ${f(service.perSecond)} deliveries/s`);
    say(`  statuses:              ${JSON.stringify(service.outcomes)}${service.firstError ? ` (first error: ${service.firstError})` : ''}`);
    say(`  outcomes:              ${JSON.stringify(metrics)}`);
    say(`  first-delivery rate:   ${first.rate === null ? 'n/a' : `${(first.rate * 100).toFixed(1)}%`} (${first.first_delivery}/${first.processed} processed on their first delivery)`);
  }
  if (values.strict && !goals.every((g) => g.pass)) process.exitCode = 1;
} finally {
  await bench.close();
}
