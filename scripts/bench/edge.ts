/**
 * The production shape (issue 25): the built `webhooks` and `citas` bundles in workerd
 * (Miniflare), against the real PostgreSQL (Neon's driver through the ws-proxy) and a private
 * redis-server (@upstash/redis through the Upstash bridge), a delay proxy on each path
 * (scripts/lib/delay-proxy.ts: --rtt 30 is 15 ms each way), and floor Workers beside them on the
 * same drivers doing what the Node floors do (scripts/bench/edge-floors/, from
 * scripts/bench/webhooks.ts and scripts/bench/api.ts). Each Worker runs in its own workerd, and
 * every request builds its own Neon pool, as on Workers.
 *
 * Three routes, each service against its floor:
 *   webhook  POST /api/webhooks/ghl (signed deliveries, creates then updates/cancels, 10% twice)
 *            vs Ed25519 + one SET NX + one transaction (upsert the cita, insert the event row);
 *   create   POST /api/citas (an unconnected location: no GHL work) vs one transaction
 *            (read the settings, insert the cita, insert its audit row);
 *   list     GET /api/citas?location_id&desde&hasta (a full page of 50) vs listCitas's range query.
 *
 * Three kinds of measurement:
 *   steady  --rounds rounds of --n requests per side and route at --concurrency, floor and service
 *           in alternating blocks of --block (floor, service, service, floor, …), each block
 *           settled before the next (its connections closed, Redis quiet): p50/p99, database turns
 *           per request (by kind: WebSocket upgrade, startup, statement, goodbye), store turns,
 *           Redis commands (INFO commandstats), database connections and how long each stayed
 *           open, workerd CPU per request (/proc/<pid>/stat of that Worker's workerd);
 *   serial  --probe requests one at a time per side and route, at no delay and at --probe-rtt
 *           (default: --rtt, or 30 ms when that is 0) on both paths: the round trips each answer
 *           waited for in series, read off the proxies (turns begun after the previous one's reply,
 *           goodbyes and deferred work left out; parallel turns count once), and as a cross-check
 *           the latency's own account, (p50 with delay − p50 without) / the RTT actually met;
 *   alone   --alone requests per side and route, each to an isolate idle for --idle-ms (> the
 *           1 s write-behind interval) before and after it: Redis commands of a request alone in
 *           its isolate, deferred flushes included; turns before and after the answer; how long
 *           after the answer its database connection was released. They go to a location written
 *           once before (one more request alone, reported apart: a location's first write, when
 *           the store creates its change counter and sets its expiry).
 *
 * Then the goals of issue 25 as verdicts. A report: exits 0 whatever the verdicts unless --strict.
 *
 *   npm run bench:edge -- [--rtt 30 | --delay-ms 15] [--n 160] [--rounds 3] [--concurrency 8] [--block 80]
 *                         [--warmup 24] [--probe 7] [--probe-rtt 30] [--alone 3] [--idle-ms 1200]
 *                         [--ref <commit>] [--rate-limits] [--json] [--strict]
 *                         [--routes webhook,create,list] [--steady-only] [--profile <route>]
 *
 * --ref builds that commit (exported to a temporary directory) instead of the working tree.
 * --routes measures only those routes; --steady-only leaves out the serial and alone parts (the
 * CPU and p50 ratios come from the steady rounds alone: a quicker run for CPU work). --profile
 * writes a V8 CPU profile of that route's floor and service Workers over the last steady round
 * (artifacts/profiles/edge-<route>-<side>.cpuprofile; the profiler's own cost is in that round's
 * figures, so read ratios from a run without it).
 *
 * Not modelled: the TCP and TLS handshakes (only the bytes after them are delayed; floor and
 * service would pay them alike) and Neon's own proxy. workerd CPU includes Miniflare's entry
 * worker, which runs in the same process for every request, floor and service alike.
 */
import { parseArgs } from 'node:util';
import { webcrypto } from 'node:crypto';
import { DateTime } from 'luxon';
import { fmt, table, type Verdict } from '../lib/bench';
import { aloneRequest, EdgePhase, serialRequests, settle, type AloneResult, type PhaseSummary, type Send } from '../lib/edge-meter';
import { buildBundles, bundleFloors, sourceTree, startEdgeStack, type EdgeStack, type EdgeWorker } from '../lib/edge-stack';
import type { TurnKind } from '../lib/neon-ws-turns';
import { startEdgeProfile } from '../lib/edge-profile';
import { IDEMPOTENCY_TTL_MS } from '../../src/webhooks/receive';

const { values } = parseArgs({
  options: {
    rtt: { type: 'string', default: '30' },
    'delay-ms': { type: 'string' },
    n: { type: 'string', default: '160' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    block: { type: 'string', default: '80' },
    warmup: { type: 'string', default: '24' },
    probe: { type: 'string', default: '7' },
    'probe-rtt': { type: 'string' },
    alone: { type: 'string', default: '3' },
    'idle-ms': { type: 'string', default: '1200' },
    duplicates: { type: 'string', default: '0.1' },
    ref: { type: 'string' },
    'rate-limits': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    routes: { type: 'string', default: 'webhook,create,list' },
    'steady-only': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const DELAY_MS = values['delay-ms'] !== undefined ? Number(values['delay-ms']) : Number(values.rtt) / 2;
const RTT = DELAY_MS * 2;
const PROBE_RTT = values['probe-rtt'] !== undefined ? Number(values['probe-rtt']) : RTT > 0 ? RTT : 30;
const N = Math.max(1, Number(values.n));
const ROUNDS = Math.max(1, Number(values.rounds));
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const BLOCK = Math.max(1, Number(values.block));
const WARMUP = Math.max(0, Number(values.warmup));
const PROBE = Math.max(1, Number(values.probe));
const ALONE = Math.max(1, Number(values.alone));
const IDLE_MS = Math.max(0, Number(values['idle-ms']));
const DUP_RATE = Number(values.duplicates);
const say = values.json ? () => {} : (line = '') => console.log(line);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const progress = (what: string) => process.stderr.write(`[bench:edge ${elapsed()}] ${what}\n`);

// ---------------------------------------------------------------------------------------------
// Build and boot

type Route = 'webhook' | 'create' | 'list';
type Side = 'floor' | 'service';
const ALL_ROUTES: Route[] = ['webhook', 'create', 'list'];
const ROUTES: Route[] = ALL_ROUTES.filter((r) => values.routes.split(',').map((x) => x.trim()).includes(r));
if (!ROUTES.length) throw new Error(`--routes: none of ${ALL_ROUTES.join(', ')} in "${values.routes}"`);
const STEADY_ONLY = values['steady-only'];
const PROFILE = values.profile as Route | undefined;
if (PROFILE !== undefined && !ROUTES.includes(PROFILE)) throw new Error(`--profile: ${PROFILE} is not among the measured routes`);

const tree = sourceTree(values.ref);
progress(`building the function bundles (${values.ref ? `commit ${values.ref}` : 'working tree'}) and the floors`);
const bundles = buildBundles(tree.root);
const floors = await bundleFloors();

const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey)).toString('base64');
const sign = async (body: string) => Buffer.from(await webcrypto.subtle.sign('Ed25519', keys.privateKey, new TextEncoder().encode(body))).toString('base64');
const API_KEY = 'bench';
// Off, as in the Node benchmarks; --rate-limits puts them on the path (never reached), counted as
// on Workers by the Rate Limiting bindings wrangler.toml gives the functions, set out of reach.
const limit = values['rate-limits'] ? '1000000000' : '0';
const outOfReach = { simple: { limit: 1_000_000_000, period: 60 } };

progress('starting PostgreSQL database, private redis-server, proxies and four workerd processes');
const stack: EdgeStack = await startEdgeStack({
  root: tree.root,
  bundles,
  floors,
  delayMs: DELAY_MS,
  bindings: {
    webhooks: { API_KEYS: API_KEY, LOG_LEVEL: 'error', GHL_WEBHOOK_ED25519_PUBLIC_KEY: spki, WEBHOOK_RATE_LIMIT_PER_MINUTE: limit },
    citas: { API_KEYS: API_KEY, LOG_LEVEL: 'error', API_RATE_LIMIT_PER_MINUTE: limit },
    'floor-webhooks': { GHL_WEBHOOK_ED25519_PUBLIC_KEY: spki, IDEMPOTENCY_TTL_MS: String(IDEMPOTENCY_TTL_MS), STORE_PREFIX: 'floor:' },
    'floor-citas': {},
  },
  ratelimits: values['rate-limits'] ? { webhooks: { WEBHOOK_LIMITER: outOfReach }, citas: { API_LIMITER: outOfReach } } : {},
  inspect: PROFILE === undefined ? [] : PROFILE === 'webhook' ? ['webhooks', 'floor-webhooks'] : ['citas', 'floor-citas'],
});

// ---------------------------------------------------------------------------------------------
// Workloads: every request built (and signed) before it is measured

const SIDES: Side[] = ['floor', 'service'];
const ZONE = 'America/Lima';
const workerOf: Record<Route, Record<Side, EdgeWorker>> = {
  webhook: { floor: stack.workers['floor-webhooks'], service: stack.workers.webhooks },
  create: { floor: stack.workers['floor-citas'], service: stack.workers.citas },
  list: { floor: stack.workers['floor-citas'], service: stack.workers.citas },
};
const SERVICE_NAME: Record<Route, string> = { webhook: 'POST /api/webhooks/ghl', create: 'POST /api/citas', list: 'GET /api/citas' };

/**
 * `count` deliveries for one location, as scripts/bench/webhooks.ts builds them: 60% creates, then
 * moves and cancels, every 1/dup-th twice (`allCreates`: creates only, as the alone requests send).
 */
async function webhookSends(side: Side, locationId: string, count: number, dupRate = DUP_RATE, allCreates = false): Promise<Send[]> {
  const run = crypto.randomUUID().slice(0, 8);
  const n = Math.max(1, Math.ceil(count / (1 + dupRate)));
  const creates = allCreates ? n : Math.max(1, Math.round(n * 0.6));
  const every = dupRate > 0 ? Math.max(1, Math.round(1 / dupRate)) : 0;
  const bodies: { body: string; create: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const k = i < creates ? i : (i - creates) % creates;
    const day = 1 + (k % 28);
    const slot = Math.floor(k / 28);
    const start = new Date(Date.UTC(2027, 1, day, 13 + (slot % 10), i < creates ? 0 : 30));
    const type = i < creates ? 'AppointmentCreate' : i % 5 === 0 ? 'AppointmentDelete' : 'AppointmentUpdate';
    const body = JSON.stringify({
      type, locationId, timestamp: new Date().toISOString(), webhookId: crypto.randomUUID(),
      appointment: {
        id: `apt-${run}-${k}`, calendarId: `cal-${Math.floor(slot / 10)}`, contactId: 'c-1', title: `Bench ${k}`, appointmentStatus: 'confirmed',
        startTime: start.toISOString(), endTime: new Date(start.getTime() + 20 * 60_000).toISOString(),
        dateUpdated: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
      },
    });
    bodies.push({ body, create: i < creates });
    if (every && i % every === 0) bodies.push({ body, create: i < creates });
  }
  // Creates first (an update must find its appointment), then the rest.
  const ordered = [...bodies.filter((b) => b.create), ...bodies.filter((b) => !b.create)].slice(0, count);
  const worker = workerOf.webhook[side];
  const path = side === 'floor' ? '/floor/webhook' : '/api/webhooks/ghl';
  return Promise.all(
    ordered.map(async ({ body }) => {
      const signature = await sign(body);
      return () => worker.fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-ghl-signature': signature }, body });
    }),
  );
}

/** Settings for a location (a default calendar, the zone), written around the delay proxies. */
async function createLocation(locationId: string) {
  await stack.sql(
    `insert into location_settings (location_id, default_calendar_id, time_zone) values ($1, 'cal-edge', $2)
     on conflict (location_id) do update set default_calendar_id = excluded.default_calendar_id, time_zone = excluded.time_zone`,
    [locationId, ZONE],
  );
}

/** POSTs of half-hour citas back to back from 2027-06-01 (wall times in the location's zone), none overlapping. */
async function createSends(side: Side, locationId: string, count: number): Promise<Send[]> {
  await createLocation(locationId);
  const start0 = DateTime.fromISO('2027-06-01', { zone: ZONE });
  const worker = workerOf.create[side];
  const path = side === 'floor' ? '/floor/create' : '/api/citas';
  return Array.from({ length: count }, (_, i) => {
    const s = start0.plus({ minutes: 30 * i });
    const body = JSON.stringify({
      location_id: locationId, title: `Bench ${i}`, contact_id: 'c-1',
      start_time: s.toFormat("yyyy-MM-dd'T'HH:mm"), end_time: s.plus({ minutes: 30 }).toFormat("yyyy-MM-dd'T'HH:mm"),
    });
    return () => worker.fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body });
  });
}

// The listed page: two whole days in the zone, 96 half-hour citas, so a full page of 50.
const LIST_LOC = 'loc-edge-list';
const LIST_FROM_DAY = '2027-03-01';
const LIST_TO_DAY = '2027-03-02';
const listFrom = DateTime.fromISO(LIST_FROM_DAY, { zone: ZONE }).toUTC().toISO()!;
const listTo = DateTime.fromISO(LIST_TO_DAY, { zone: ZONE }).plus({ days: 1 }).toUTC().toISO()!;
function listSends(side: Side, count: number): Send[] {
  const worker = workerOf.list[side];
  const path =
    side === 'floor'
      ? `/floor/list?location_id=${LIST_LOC}&from=${encodeURIComponent(listFrom)}&to=${encodeURIComponent(listTo)}`
      : `/api/citas?location_id=${LIST_LOC}&desde=${LIST_FROM_DAY}&hasta=${LIST_TO_DAY}`;
  return Array.from({ length: count }, () => () => worker.fetch(path, { headers: { Authorization: `Bearer ${API_KEY}` } }));
}

let unique = 0;
/** `count` fresh requests of a route for one side (fresh locations: no slot of an earlier batch in the way). */
async function sends(route: Route, side: Side, count: number, tag: string, dupRate = DUP_RATE, allCreates = false): Promise<Send[]> {
  const loc = `loc-edge-${route}-${side}-${tag}-${unique++}`;
  if (route === 'webhook') return webhookSends(side, loc, count, dupRate, allCreates);
  if (route === 'create') return createSends(side, loc, count);
  return listSends(side, count);
}

/** Cuts a batch into near-equal blocks of at most `size`. */
function blocksOf<T>(items: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.ceil(items.length / size));
  const each = Math.ceil(items.length / n);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += each) out.push(items.slice(i, i + each));
  return out;
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

// ---------------------------------------------------------------------------------------------
// Measurement

interface RouteRound {
  floor: PhaseSummary;
  service: PhaseSummary;
}
interface SerialProbe {
  /** p50 (ms) of requests one at a time, at no delay and at the probe RTT on both paths. */
  p50: Record<'none' | 'both', number>;
  /** The round trip the requests actually met (timers fire late: a little over the probe RTT). */
  effectiveRttMs: number;
  /** (p50 at the probe RTT − p50 at none) / the effective RTT: the latency's own account. */
  fromLatency: number;
  /** Serial round trips before the answer, read off the proxies (median request): in all, and of each path alone. */
  all: number;
  db: number;
  store: number;
  errors: number;
  firstError: string | null;
}

const rounds: Record<Route, RouteRound[]> = { webhook: [], create: [], list: [] };
const probes = {} as Record<Route, Record<Side, SerialProbe>>;
const alone = {} as Record<Route, Record<Side, AloneResult[]>>;
/** The first request alone to its location (the store creates the location's change counter). */
const aloneFirst = {} as Record<Route, Record<Side, AloneResult>>;
let listPage: number | null = null;

try {
  // The listed location: 96 citas over the two days, written directly.
  await createLocation(LIST_LOC);
  await stack.sql(
    `insert into citas (location_id, ghl_calendar_id, title, contact_id, start_time, end_time, time_zone, status, source, sync_status)
     select $1, 'cal-edge', 'Listed ' || g, 'c-1', $2::timestamptz + g * interval '30 minutes', $2::timestamptz + (g + 1) * interval '30 minutes',
            $3, 'confirmed', 'rv3', 'synced'
     from generate_series(0, 95) g`,
    [LIST_LOC, listFrom, ZONE],
  );
  await stack.sql('analyze citas');
  const first = await workerOf.list.service.fetch(`/api/citas?location_id=${LIST_LOC}&desde=${LIST_FROM_DAY}&hasta=${LIST_TO_DAY}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  listPage = ((await first.json()) as { data?: unknown[] }).data?.length ?? null;

  // Warm-up: each Worker's code compiled and its isolate's state built, nothing measured.
  progress(`warm-up: ${WARMUP} requests per side and route`);
  for (const route of ROUTES) {
    for (const side of SIDES) {
      const warm = new EdgePhase('warm-up', workerOf[route][side]);
      await warm.block(stack, await sends(route, side, WARMUP, 'warm'), CONCURRENCY);
    }
  }

  // Steady: interleaved rounds.
  for (let r = 0; r < ROUNDS; r++) {
    for (const route of ROUTES) {
      progress(`round ${r + 1}/${ROUNDS}: ${route}, ${N} requests per side at concurrency ${CONCURRENCY}, RTT ${RTT} ms`);
      const floor = new EdgePhase(`floor ${route}`, workerOf[route].floor);
      const service = new EdgePhase(SERVICE_NAME[route], workerOf[route].service);
      const fb = blocksOf(await sends(route, 'floor', N, `r${r}`), BLOCK);
      const sb = blocksOf(await sends(route, 'service', N, `r${r}`), BLOCK);
      const profiling = route === PROFILE && r === ROUNDS - 1;
      const profilers = profiling
        ? await Promise.all(SIDES.map(async (side) => ({ side, p: await startEdgeProfile(workerOf[route][side].inspectorUrl!) })))
        : [];
      for (let i = 0; i < Math.max(fb.length, sb.length); i++) {
        const pair: [EdgePhase, Send[] | undefined][] = [[floor, fb[i]], [service, sb[i]]];
        if (i % 2 === 1) pair.reverse();
        for (const [phase, block] of pair) if (block) await phase.block(stack, block, CONCURRENCY);
      }
      for (const { side, p } of profilers) progress(`CPU profile of the ${side} ${route} (${N} requests): ${await p.stop(`edge-${route}-${side}`)}`);
      rounds[route].push({ floor: floor.summary(), service: service.summary() });
    }
  }

  // Serial: one at a time, at no delay and with the probe RTT on both paths.
  if (!STEADY_ONLY) progress(`serial round trips: ${PROBE} requests one at a time per side and route, at no delay and at RTT ${PROBE_RTT} ms`);
  for (const route of STEADY_ONLY ? [] : ROUTES) {
    probes[route] = {} as Record<Side, SerialProbe>;
    const measured = { floor: {}, service: {} } as Record<Side, { none?: Awaited<ReturnType<typeof serialRequests>>; both?: Awaited<ReturnType<typeof serialRequests>>; heldMs?: number }>;
    for (const setting of ['none', 'both'] as const) {
      const delay = setting === 'none' ? 0 : PROBE_RTT / 2;
      stack.dbProxy.delayMs = delay;
      stack.storeProxy.delayMs = delay;
      for (const side of SIDES) {
        // One request first, unmeasured: the first after a delay change meets connections set up before it.
        const batch = await sends(route, side, PROBE + 1, `probe-${setting}`, 0);
        await serialRequests(stack, batch.slice(0, 1));
        const held0 = [stack.dbProxy.forwarded(), stack.storeProxy.forwarded()];
        measured[side][setting] = await serialRequests(stack, batch.slice(1));
        const held1 = [stack.dbProxy.forwarded(), stack.storeProxy.forwarded()];
        const chunks = held1[0]!.chunks - held0[0]!.chunks + held1[1]!.chunks - held0[1]!.chunks;
        if (setting === 'both') measured[side].heldMs = (held1[0]!.heldMs - held0[0]!.heldMs + held1[1]!.heldMs - held0[1]!.heldMs) / Math.max(1, chunks);
      }
    }
    for (const side of SIDES) {
      const { none, both, heldMs } = measured[side] as Required<(typeof measured)[Side]>;
      const lowerMedian = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
      probes[route][side] = {
        p50: { none: none.p50, both: both.p50 },
        effectiveRttMs: 2 * heldMs,
        fromLatency: (both.p50 - none.p50) / (2 * heldMs),
        all: lowerMedian(both.serial.map((x) => x.all)),
        db: lowerMedian(both.serial.map((x) => x.db)),
        store: lowerMedian(both.serial.map((x) => x.store)),
        errors: none.errors + both.errors,
        firstError: none.firstError ?? both.firstError,
      };
    }
  }
  stack.dbProxy.delayMs = DELAY_MS;
  stack.storeProxy.delayMs = DELAY_MS;

  // Alone: each request to an isolate idle before and after it, all of a side and route to one
  // location (creates at distinct times). The first is that location's first write (the store
  // creates its change counter); the --alone measured after it meet a location written before,
  // as requests to a clinic in use do.
  if (!STEADY_ONLY) progress(`alone: 1 + ${ALONE} requests per side and route, each with its isolate idle ${IDLE_MS} ms before and after`);
  const lastActivity = new Map<EdgeWorker, number>();
  const aloneSends = {} as Record<Route, Record<Side, Send[]>>;
  for (const route of STEADY_ONLY ? [] : ROUTES) {
    alone[route] = { floor: [], service: [] };
    aloneFirst[route] = {} as Record<Side, AloneResult>;
    aloneSends[route] = { floor: await sends(route, 'floor', ALONE + 1, 'alone', 0, true), service: await sends(route, 'service', ALONE + 1, 'alone', 0, true) };
  }
  for (let i = 0; i <= (STEADY_ONLY ? -1 : ALONE); i++) {
    for (const route of ROUTES) {
      for (const side of SIDES) {
        const result = await aloneRequest(stack, aloneSends[route][side][i]!, IDLE_MS, lastActivity, workerOf[route][side]);
        if (i === 0) aloneFirst[route][side] = result;
        else alone[route][side].push(result);
      }
    }
  }
  await settle(stack);
} finally {
  await stack.close();
  tree.cleanup();
}

// ---------------------------------------------------------------------------------------------
// Report

const KINDS: TurnKind[] = ['upgrade', 'startup', 'statement', 'goodbye', 'other'];
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sumTurns = (t: Record<TurnKind, number>, kinds: TurnKind[] = ['upgrade', 'startup', 'statement', 'other']) => kinds.reduce((a, k) => a + t[k], 0);
const meanTurns = (rs: AloneResult[], key: 'dbTurnsBefore' | 'dbTurnsAfter') =>
  Object.fromEntries(KINDS.map((k) => [k, mean(rs.map((r) => r[key][k]))])) as Record<TurnKind, number>;

/** The round with the median p50 ratio stands for the route in the table; each goal takes the median of the rounds' ratios. */
function medianRoundOf(route: Route): RouteRound {
  const rs = [...rounds[route]].sort((a, b) => a.service.p50 / a.floor.p50 - b.service.p50 / b.floor.p50);
  return rs[Math.floor((rs.length - 1) / 2)]!;
}
const roundsRatio = (route: Route, f: (p: PhaseSummary) => number) => median(rounds[route].map((r) => f(r.service) / f(r.floor)));

const n2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const turnsText = (t: Record<TurnKind, number>) =>
  `${n1(sumTurns(t))} (${n1(t.upgrade)} upgrade + ${n1(t.startup)} startup + ${n1(t.statement)} statements${t.other > 0.005 ? ` + ${n1(t.other)} other` : ''}) + ${n1(t.goodbye)} goodbye`;

const aloneSerial = (rs: AloneResult[]) => (rs.every((a) => a.serial) ? String(Math.max(...rs.map((a) => a.serial!.all))) : 'n/a (RTT 0)');

function routeTable(route: Route): string {
  const { floor: f, service: s } = medianRoundOf(route);
  const ratio = (a: number, b: number) => fmt.ratio(b / a);
  if (STEADY_ONLY) {
    const rows: string[][] = [
      [`p50 (RTT ${RTT} ms, concurrency ${CONCURRENCY})`, fmt.ms(f.p50), fmt.ms(s.p50), ratio(f.p50, s.p50)],
      ['p99', fmt.ms(f.p99), fmt.ms(s.p99), ratio(f.p99, s.p99)],
      ['DB turns per request (excl. goodbye)', n2(sumTurns(f.dbTurnsPerOp)), n2(sumTurns(s.dbTurnsPerOp)), ''],
      ['Redis commands per request, steady', n2(f.redisPerOp), n2(s.redisPerOp), ''],
      ['DB bytes per request, up / down', `${n1(f.dbBytesPerOp.up)} / ${n1(f.dbBytesPerOp.down)}`, `${n1(s.dbBytesPerOp.up)} / ${n1(s.dbBytesPerOp.down)}`, ''],
      ['workerd CPU ms per request', n2(f.cpuMsPerOp), n2(s.cpuMsPerOp), ratio(f.cpuMsPerOp, s.cpuMsPerOp)],
    ];
    return table([route, 'floor', 'service', 'service/floor'], rows);
  }
  const pf = probes[route].floor;
  const ps = probes[route].service;
  const af = alone[route].floor;
  const as = alone[route].service;
  const rows: string[][] = [
    [`p50 (RTT ${RTT} ms, concurrency ${CONCURRENCY})`, fmt.ms(f.p50), fmt.ms(s.p50), ratio(f.p50, s.p50)],
    ['p99', fmt.ms(f.p99), fmt.ms(s.p99), ratio(f.p99, s.p99)],
    ['requests/s', fmt.rate(f.perSecond), fmt.rate(s.perSecond), ratio(f.perSecond, s.perSecond)],
    [`one at a time: p50 at no delay / at RTT ${PROBE_RTT} ms`, `${fmt.ms(pf.p50.none)} / ${fmt.ms(pf.p50.both)}`, `${fmt.ms(ps.p50.none)} / ${fmt.ms(ps.p50.both)}`, ratio(pf.p50.both, ps.p50.both)],
    [`serial round trips before the answer`, String(pf.all), String(ps.all), ''],
    ['  of them on the database / store path', `${pf.db} / ${pf.store}`, `${ps.db} / ${ps.store}`, ''],
    ['  a request alone in its isolate (max)', aloneSerial(af), aloneSerial(as), ''],
    ['  from latency: Δp50 / RTT', n1(pf.fromLatency), n1(ps.fromLatency), ''],
    ['DB turns per request (excl. goodbye)', n2(sumTurns(f.dbTurnsPerOp)), n2(sumTurns(s.dbTurnsPerOp)), ''],
    ['  upgrade + startup / statements', `${n2(f.dbTurnsPerOp.upgrade + f.dbTurnsPerOp.startup)} / ${n2(f.dbTurnsPerOp.statement)}`, `${n2(s.dbTurnsPerOp.upgrade + s.dbTurnsPerOp.startup)} / ${n2(s.dbTurnsPerOp.statement)}`, ''],
    ['store turns per request', n2(f.storeTurnsPerOp), n2(s.storeTurnsPerOp), ''],
    ['Redis commands per request, steady', n2(f.redisPerOp), n2(s.redisPerOp), ''],
    [`Redis commands, request alone (max of ${ALONE})`, String(Math.max(...af.map((a) => a.redisTotal))), String(Math.max(...as.map((a) => a.redisTotal))), ''],
    ['  alone, its location\'s first write', String(aloneFirst[route].floor.redisTotal), String(aloneFirst[route].service.redisTotal), ''],
    ['DB connections per request', n2(f.dbConnectionsPerOp), n2(s.dbConnectionsPerOp), ''],
    ['DB connection open, p50 (steady)', fmt.ms(f.dbOpenP50Ms), fmt.ms(s.dbOpenP50Ms), ratio(f.dbOpenP50Ms, s.dbOpenP50Ms)],
    ['DB connection-ms per request (steady)', n1(f.dbOpenMsPerOp), n1(s.dbOpenMsPerOp), ratio(f.dbOpenMsPerOp, s.dbOpenMsPerOp)],
    ['alone: DB connection open (median)', fmt.ms(median(af.flatMap((a) => a.dbOpenMs))), fmt.ms(median(as.flatMap((a) => a.dbOpenMs))), ''],
    ['alone: released after the answer (median)', fmt.ms(median(af.flatMap((a) => a.dbReleasedAfterAnswerMs))), fmt.ms(median(as.flatMap((a) => a.dbReleasedAfterAnswerMs))), ''],
    ['workerd CPU ms per request', n2(f.cpuMsPerOp), n2(s.cpuMsPerOp), ratio(f.cpuMsPerOp, s.cpuMsPerOp)],
  ];
  return table([route, 'floor', 'service', 'service/floor'], rows);
}

/** The goals of issue 25. Serial round trips: read off the proxies, the probe's median request or a request alone, whichever is more. */
function goals(): Verdict[] {
  const out: Verdict[] = [];
  const v = (goal: string, value: number, pass: boolean, shown: string, target: number) => out.push({ goal, value, target, pass: Number.isFinite(value) && pass, shown });
  // The worse of the probe (requests back to back: what the isolate keeps is warm) and the requests
  // alone (what it kept has expired: the list's ETag read from the store again, for one).
  const serialOf = (route: Route, side: Side) => {
    const probe = probes[route][side].all;
    const lone = alone[route][side].map((a) => a.serial?.all ?? NaN).filter(Number.isFinite);
    return { worst: Math.max(probe, ...lone), text: `${probe}${lone.length ? `, alone ${Math.max(...lone)}` : ''}` };
  };
  for (const route of STEADY_ONLY ? [] : ROUTES) {
    const f = serialOf(route, 'floor');
    const s = serialOf(route, 'service');
    const extra = s.worst - f.worst;
    const allowed = route === 'webhook' ? 1 : 0;
    v(
      route === 'webhook' ? 'webhook: serial round trips ≤ floor + 1' : `${route}: serial round trips ≤ floor's`,
      extra, extra <= allowed,
      `${s.text} vs floor ${f.text} (${extra >= 0 ? '+' : ''}${extra}; from latency ${n1(probes[route].service.fromLatency)} vs ${n1(probes[route].floor.fromLatency)})`,
      allowed,
    );
  }
  for (const route of ROUTES) {
    const r = roundsRatio(route, (p) => p.p50);
    v(`${route}: p50 ≤ 1.2× floor at RTT 30 ms${RTT === 30 ? '' : ` (this run: RTT ${RTT} ms)`}`, r, r <= 1.2, fmt.ratio(r), 1.2);
  }
  for (const route of STEADY_ONLY ? [] : ROUTES) {
    const worst = Math.max(...alone[route].service.map((a) => a.redisTotal));
    v(`${route}: ≤ 2 Redis commands for a request alone in its isolate`, worst, worst <= 2, String(worst), 2);
  }
  for (const route of ROUTES) {
    const r = roundsRatio(route, (p) => p.dbOpenMsPerOp);
    v(`${route}: database connection open ≤ 1.2× floor's (connection-ms per request)`, r, r <= 1.2, fmt.ratio(r), 1.2);
  }
  for (const route of ROUTES) {
    const r = roundsRatio(route, (p) => p.cpuMsPerOp);
    const each = rounds[route].map((x) => fmt.ratio(x.service.cpuMsPerOp / x.floor.cpuMsPerOp)).join(', ');
    v(`${route}: workerd CPU per request ≤ 1.2× floor's`, r, r <= 1.2, `${fmt.ratio(r)} (rounds ${each})`, 1.2);
  }
  return out;
}

const verdicts = goals();
const pass = verdicts.every((g) => g.pass);

if (values.json) {
  const r = (x: number, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
  const phaseJson = (p: PhaseSummary) => ({
    ops: p.ops, p50_ms: r(p.p50), p99_ms: r(p.p99), per_second: r(p.perSecond, 1), workerd_cpu_ms_per_op: r(p.cpuMsPerOp, 3),
    redis_commands_per_op: r(p.redisPerOp, 3), redis_by_command_per_op: Object.fromEntries(Object.entries(p.redisByCommand).map(([k, x]) => [k, r(x, 3)])),
    db_turns_per_op: Object.fromEntries(Object.entries(p.dbTurnsPerOp).map(([k, x]) => [k, r(x, 3)])), store_turns_per_op: r(p.storeTurnsPerOp, 3),
    db_connections_per_op: r(p.dbConnectionsPerOp, 3), db_open_p50_ms: r(p.dbOpenP50Ms, 1), db_open_ms_per_op: r(p.dbOpenMsPerOp, 1),
    outcomes: p.outcomes, first_error: p.firstError,
  });
  const aloneJson = (a: AloneResult) => ({
    latency_ms: r(a.latencyMs, 1), outcome: a.outcome, error: a.error ?? null, redis_commands: a.redisTotal, redis_by_command: a.redis,
    serial_round_trips: a.serial, db_turns_before_answer: a.dbTurnsBefore, db_turns_after_answer: a.dbTurnsAfter, store_turns_before_answer: a.storeTurnsBefore, store_turns_after_answer: a.storeTurnsAfter,
    db_open_ms: a.dbOpenMs.map((x) => r(x, 1)), db_released_after_answer_ms: a.dbReleasedAfterAnswerMs.map((x) => r(x, 1)),
  });
  console.log(JSON.stringify({
    benchmark: 'edge',
    params: { routes: ROUTES, steady_only: STEADY_ONLY, profile: PROFILE ?? null, rtt_ms: RTT, one_way_delay_ms: DELAY_MS, probe_rtt_ms: PROBE_RTT, requests: N, rounds: ROUNDS, concurrency: CONCURRENCY, block: BLOCK, warmup: WARMUP, probe: PROBE, alone: ALONE, idle_ms: IDLE_MS, duplicates: DUP_RATE, ref: values.ref ?? null, rate_limits: values['rate-limits'], list_page: listPage },
    routes: Object.fromEntries(ROUTES.map((route) => [route, {
      service: SERVICE_NAME[route],
      rounds: rounds[route].map((x) => ({ floor: phaseJson(x.floor), service: phaseJson(x.service) })),
      ratios: { p50: r(roundsRatio(route, (p) => p.p50), 3), p99: r(roundsRatio(route, (p) => p.p99), 3), db_open_ms_per_op: r(roundsRatio(route, (p) => p.dbOpenMsPerOp), 3), workerd_cpu: r(roundsRatio(route, (p) => p.cpuMsPerOp), 3) },
      serial: STEADY_ONLY ? null : Object.fromEntries(SIDES.map((side) => {
        const p = probes[route][side];
        return [side, { p50_ms: Object.fromEntries(Object.entries(p.p50).map(([k, x]) => [k, r(x, 1)])), effective_rtt_ms: r(p.effectiveRttMs), round_trips: { all: p.all, db: p.db, store: p.store, from_latency: r(p.fromLatency) }, errors: p.errors, first_error: p.firstError }];
      })),
      alone: STEADY_ONLY ? null : Object.fromEntries(SIDES.map((side) => [side, alone[route][side].map(aloneJson)])),
      alone_first_write: STEADY_ONLY ? null : Object.fromEntries(SIDES.map((side) => [side, aloneJson(aloneFirst[route][side])])),
    }])),
    goals: verdicts,
    pass,
    seconds: r((performance.now() - started) / 1000, 1),
  }, null, 2));
} else {
  say(`edge benchmark: the built bundles in workerd (Miniflare) vs floor Workers, RTT ${RTT} ms (${DELAY_MS} ms each way) on the database and store paths; ` +
    `${ROUNDS} interleaved rounds × ${N} requests per side and route, concurrency ${CONCURRENCY}, blocks of ${BLOCK}; ${values.ref ? `commit ${values.ref}` : 'working tree'}; rate limits ${values['rate-limits'] ? 'on (never reached)' : 'off'}`);
  say(stack.describe);
  say(`  list: a page of ${listPage ?? '?'} citas; the table shows each route's round with the median p50 ratio; ` +
    (STEADY_ONLY ? 'steady rounds only (--steady-only)' : `serial round trips from ${PROBE} requests one at a time (effective RTT ${ROUTES.map((r) => n1(probes[r].service.effectiveRttMs)).join('/')} ms)`));
  for (const route of ROUTES) {
    say();
    say(routeTable(route));
    const { floor: f, service: s } = medianRoundOf(route);
    say(`    rounds, p50 floor → service: ${rounds[route].map((x) => `${fmt.ms(x.floor.p50)} → ${fmt.ms(x.service.p50)}`).join(', ')}`);
    say(`    DB turns per request: floor ${turnsText(f.dbTurnsPerOp)}; service ${turnsText(s.dbTurnsPerOp)}`);
    say(`    Redis per request, steady: floor ${breakdown(f.redisByCommand)}; service ${breakdown(s.redisByCommand)}`);
    for (const side of STEADY_ONLY ? [] : SIDES) {
      const a = alone[route][side];
      const before = meanTurns(a, 'dbTurnsBefore');
      const after = meanTurns(a, 'dbTurnsAfter');
      const split =
        RTT > 0
          ? `before the answer ${n1(sumTurns(before))} DB turns + ${n1(mean(a.map((x) => x.storeTurnsBefore)))} store (${a.map((x) => x.serial!.all).join('/')} serial); ` +
            `after it ${n1(sumTurns(after))} DB + ${n1(after.goodbye)} goodbye + ${n1(mean(a.map((x) => x.storeTurnsAfter)))} store`
          : `${n1(sumTurns(before) + sumTurns(after))} DB turns + ${n1(before.goodbye + after.goodbye)} goodbye + ${n1(mean(a.map((x) => x.storeTurnsBefore + x.storeTurnsAfter)))} store (before/after the answer: needs --rtt > 0)`;
      say(`    alone, ${side}: Redis ${a.map((x) => x.redisTotal).join('/')} (${breakdown(sumCounts(a.map((x) => x.redis), a.length))}); ${split}`);
      say(`      its location's first write: Redis ${aloneFirst[route][side].redisTotal} (${breakdown(aloneFirst[route][side].redis)})`);
    }
    for (const [side, p] of [['floor', f], ['service', s]] as const) {
      const bad = Object.entries(p.outcomes).filter(([k]) => !/^2\d\d$/.test(k));
      if (bad.length || p.firstError) say(`    ${side} outcomes: ${JSON.stringify(p.outcomes)}${p.firstError ? ` (first error: ${p.firstError})` : ''}`);
      const pe = probes[route]?.[side];
      if (pe?.errors) say(`    ${side} serial probe: ${pe.errors} errors (first: ${pe.firstError})`);
    }
  }
  say();
  say(`goals (issue 25; ratios the median of the rounds' ratios; serial round trips: the probe's median request, or a request alone if more${RTT > 0 ? '' : ' (alone: needs --rtt > 0)'}):`);
  say(verdicts.map((g) => `  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.shown}`).join('\n'));
  say(`  (${elapsed()})`);
}
if (values.strict && !pass) process.exitCode = 1;

function sumCounts(xs: Record<string, number>[], divide = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) for (const [k, v] of Object.entries(x)) out[k] = (out[k] ?? 0) + v / divide;
  return out;
}
function breakdown(counts: Record<string, number>): string {
  const e = Object.entries(counts).filter(([, v]) => v > 0.005).sort((a, b) => b[1] - a[1]);
  return e.length ? e.map(([k, v]) => `${k} ${n2(v)}`).join(', ') : 'none';
}
