/**
 * What the benchmarks share: percentiles, a fixed-concurrency pool, phases measured with warm-up
 * and with the work they cause counted (scripts/lib/bench-counters.ts), a plain-text table, the
 * goals' verdicts, and the service under measurement with the clients its floors share.
 */
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import type { Pool } from '@neondatabase/serverless';
import type { Redis as UpstashRedis } from '@upstash/redis/cloudflare';
import { createFullApp } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import { sharedDeps } from '../../src/runtime/provider';
import { createUpstashRedis, REQUEST_TIMEOUT_MS as STORE_TIMEOUT_MS } from '../../src/store/upstash-store';
import { createNodeDeps } from './node-deps';
import { nodeExecutionContext } from './node-server';
import { createCounters, sumUsage, type Counters, type Snapshot, type Usage } from './bench-counters';
import type { PrivateRedis } from './private-redis';
import { percentile, startRealServices } from './real-services';
import { serverCpuMs } from './server-cpu';

export { percentile };

/** Runs fn over items with n workers, in order of items. */
export async function runPool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** A response fully read: latency is measured to the last byte. */
export async function drain(res: Response): Promise<Response> {
  await res.arrayBuffer();
  return res;
}

// ---------------------------------------------------------------------------------------------
// Phases

export interface PhaseResult {
  name: string;
  ops: number;
  concurrency: number;
  wallMs: number;
  /** CPU time of this process (app, clients, proxies, bridge) per op: what bounds throughput on 2 cores. */
  cpuMsPerOp: number;
  /** Time V8 spent in garbage collection per op (pauses on the main thread): one phase's major GC explains a slow run. */
  gcMsPerOp: number;
  /** The longest single GC pause and the number of full (mark-compact) collections in the phase: what a p99 meets. */
  gcMaxPauseMs: number;
  gcMajor: number;
  /** CPU time of the Postgres and redis-server processes per op (the other core's share of the work). */
  serverCpuMsPerOp: Record<string, number>;
  perSecond: number;
  p50: number;
  p99: number;
  mean: number;
  /** Outcome labels (HTTP status, "duplicate", "error", …) and how many ops had each. */
  outcomes: Record<string, number>;
  firstError: string | null;
  usage: Usage;
  perOp: { redisCommands: number | null; storeRequests: number; dbTransactions: number; dbExplicit: number; dbImplicit: number; dbStatements: number };
}

/** One phase: its ops (warm-up first, then measured groups run in turn) and what to do before measuring. */
export interface PhaseSpec<T> {
  warmup?: readonly (readonly T[])[];
  groups: readonly (readonly T[])[];
  run: (item: T) => Promise<string | number | void>;
  /** After the warm-up has settled, before the counters are first read (its own work is not counted). */
  beforeMeasure?: () => Promise<void>;
}

/**
 * What a phase's measured blocks add up to: latencies timed from outside per op, wall and CPU
 * time of the blocks only, and the work they caused (counters read when a block has settled).
 */
class PhaseMeter<T> {
  private readonly times: number[] = [];
  private readonly outcomes: Record<string, number> = {};
  private firstError: string | null = null;
  private wallMs = 0;
  private cpuUs = 0;
  private gcMs = 0;
  private gcMaxPauseMs = 0;
  private gcMajor = 0;
  private servers: Record<string, number> = {};
  private usage: Usage | null = null;

  constructor(
    readonly name: string,
    private readonly spec: PhaseSpec<T>,
    private readonly counters: Counters,
    private readonly concurrency: number,
  ) {}

  private async once(item: T, record: boolean) {
    const t0 = performance.now();
    let label: string;
    try {
      label = String((await this.spec.run(item)) ?? 'ok');
    } catch (err) {
      label = 'error';
      this.firstError ??= err instanceof Error ? err.message : String(err);
    }
    const ms = performance.now() - t0;
    if (!record) return;
    this.times.push(ms);
    this.outcomes[label] = (this.outcomes[label] ?? 0) + 1;
  }

  /** The warm-up and the phase's own preparation, settled, none of it measured. */
  async prepare() {
    for (const group of this.spec.warmup ?? []) await runPool(group, this.concurrency, (item) => this.once(item, false));
    await this.counters.settle();
    if (this.spec.beforeMeasure) {
      await this.spec.beforeMeasure();
      await this.counters.settle();
    }
  }

  /** Measures `groups` (each through the pool in turn) and adds them to the phase. */
  async block(groups: readonly (readonly T[])[]) {
    const before = await this.counters.snapshot();
    const profile = await startPhaseProfile(this.name);
    const onGc = (e: PerformanceEntry) => {
      this.gcMs += e.duration;
      this.gcMaxPauseMs = Math.max(this.gcMaxPauseMs, e.duration);
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.gcMajor++;
    };
    const gc = new PerformanceObserver((list) => list.getEntries().forEach(onGc));
    gc.observe({ entryTypes: ['gc'] });
    const servers0 = serverCpuMs();
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const group of groups) await runPool(group, this.concurrency, (item) => this.once(item, true));
    this.wallMs += performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    this.cpuUs += cpu.user + cpu.system;
    const servers1 = serverCpuMs();
    for (const k of Object.keys(servers1)) this.servers[k] = (this.servers[k] ?? 0) + servers1[k]! - (servers0[k] ?? 0);
    gc.takeRecords().forEach(onGc);
    gc.disconnect();
    await profile?.stop();
    await this.counters.settle();
    const usage = this.counters.usage(before, await this.counters.snapshot());
    this.usage = this.usage ? sumUsage(this.usage, usage) : usage;
  }

  result(): PhaseResult {
    const usage = this.usage ?? this.counters.usage(EMPTY_SNAPSHOT, EMPTY_SNAPSHOT);
    const sorted = [...this.times].sort((a, b) => a - b);
    const ops = this.times.length;
    const per = (n: number) => (ops ? n / ops : NaN);
    return {
      name: this.name,
      ops,
      concurrency: this.concurrency,
      wallMs: this.wallMs,
      cpuMsPerOp: this.cpuUs / 1000 / Math.max(1, ops),
      gcMsPerOp: this.gcMs / Math.max(1, ops),
      gcMaxPauseMs: this.gcMaxPauseMs,
      gcMajor: this.gcMajor,
      serverCpuMsPerOp: Object.fromEntries(Object.entries(this.servers).map(([k, v]) => [k, v / Math.max(1, ops)])),
      perSecond: ops / (this.wallMs / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      mean: this.times.reduce((a, b) => a + b, 0) / Math.max(1, ops),
      outcomes: this.outcomes,
      firstError: this.firstError,
      usage,
      perOp: {
        redisCommands: usage.redis ? per(usage.redis.total) : null,
        storeRequests: per(usage.storeRequests),
        dbTransactions: per(usage.db.explicit + usage.db.implicit),
        dbExplicit: per(usage.db.explicit),
        dbImplicit: per(usage.db.implicit),
        dbStatements: per(usage.db.statements),
      },
    };
  }
}

const EMPTY_SNAPSHOT: Snapshot = { redis: null, storeRequests: 0, storeCommands: {}, db: { statements: 0, explicit: 0, implicit: 0, rollbacks: 0, byShape: {} } };

/**
 * Every store call arms a timeout that fires (and aborts the finished request) 3 s later, even
 * when the call succeeded: measuring starts after the last warm-up's have fired, or a phase
 * would pay for the one before it.
 */
const quietStart = () => new Promise((r) => setTimeout(r, STORE_TIMEOUT_MS + 200));

/**
 * Warm-up (same kind of work, not measured), then the measured ops: each group runs through the
 * pool in turn (e.g. creates before the updates that need them), timed from outside per op; the
 * counters are read when everything the phase started has settled.
 */
export async function measurePhase<T>(name: string, opts: PhaseSpec<T> & { counters: Counters; concurrency: number }): Promise<PhaseResult> {
  const meter = new PhaseMeter(name, opts, opts.counters, opts.concurrency);
  await meter.prepare();
  await quietStart();
  await meter.block(opts.groups);
  return meter.result();
}

/**
 * Two phases measured in alternating blocks of about `blockOps` ops, in the order A B, B A, A B…
 * This machine's speed drifts by ±15% over seconds (a shared host): measured one after the
 * other, a pair's ratio says as much about the drift as about the code; interleaved, both sides
 * meet the same drift, and a steady one cancels. Groups keep their order (a block never mixes
 * two groups), and both sides are warmed and prepared before the first block.
 * With BENCH_PROFILE naming one of them, the phases run one after the other instead (a CPU
 * profile cannot leave out the other side's blocks).
 */
export async function measureInterleaved<A, B>(
  a: PhaseSpec<A> & { name: string },
  b: PhaseSpec<B> & { name: string },
  opts: { counters: Counters; concurrency: number; blockOps: number },
): Promise<[PhaseResult, PhaseResult]> {
  const ma = new PhaseMeter(a.name, a, opts.counters, opts.concurrency);
  const mb = new PhaseMeter(b.name, b, opts.counters, opts.concurrency);
  await ma.prepare();
  await mb.prepare();
  await quietStart();
  const profiling = [a.name, b.name].some((n) => process.env.BENCH_PROFILE && n.includes(process.env.BENCH_PROFILE));
  if (profiling) {
    await ma.block(a.groups);
    await mb.block(b.groups);
    return [ma.result(), mb.result()];
  }
  const blocksA = blocksOf(a.groups, opts.blockOps);
  const blocksB = blocksOf(b.groups, opts.blockOps);
  for (let i = 0; i < Math.max(blocksA.length, blocksB.length); i++) {
    const runA = async () => blocksA[i] && ma.block([blocksA[i]!]);
    const runB = async () => blocksB[i] && mb.block([blocksB[i]!]);
    if (i % 2 === 0) await runA().then(runB);
    else await runB().then(runA);
  }
  return [ma.result(), mb.result()];
}

/** A floor and its service measured together once, and the service's throughput as a share of the floor's. */
export interface Round {
  floor: PhaseResult;
  service: PhaseResult;
  ratio: number;
}

/** The round with the median throughput ratio (the lower middle of an even count). */
export function medianRound(rounds: readonly Round[]): Round {
  if (!rounds.length) throw new Error('no rounds measured');
  return [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor((rounds.length - 1) / 2)]!;
}

/** Each group cut into near-equal blocks of at most `size` ops, groups in order. */
export function blocksOf<T>(groups: readonly (readonly T[])[], size: number): T[][] {
  const out: T[][] = [];
  for (const g of groups) {
    const n = Math.max(1, Math.ceil(g.length / size));
    const each = Math.ceil(g.length / n);
    for (let i = 0; i < g.length; i += each) out.push(g.slice(i, i + each));
  }
  return out;
}

/**
 * BENCH_PROFILE=<part of a phase's name>: a V8 CPU profile of that phase's measured ops only
 * (warm-up and counters left out), written to artifacts/profiles/<phase>.cpuprofile for
 * Chrome DevTools or `npx tsx scripts/bench/profile-summary.ts`.
 */
export async function startPhaseProfile(phase: string): Promise<{ stop: () => Promise<void> } | null> {
  const wanted = process.env.BENCH_PROFILE;
  if (!wanted || !phase.includes(wanted)) return null;
  const { Session } = await import('node:inspector/promises');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await mkdir('artifacts/profiles', { recursive: true });
      const file = `artifacts/profiles/${phase.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.cpuprofile`;
      await writeFile(file, JSON.stringify(profile));
      console.error(`CPU profile of "${phase}": ${file}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Goals and reporting

export interface Verdict {
  goal: string;
  value: number;
  target: number;
  pass: boolean;
  /** The value as printed: a ratio (0.23×) or a count (13.70). */
  shown: string;
}

/** ≥ target (higher is better) or ≤ target (lower is better). */
export function verdict(goal: string, value: number | null, cmp: '>=' | '<=', target: number, kind: 'ratio' | 'count' = 'ratio'): Verdict {
  const v = value ?? NaN;
  const shown = kind === 'ratio' ? fmt.ratio(v) : fmt.per(v);
  return { goal, value: v, target, shown, pass: Number.isFinite(v) && (cmp === '>=' ? v >= target : v <= target) };
}

/**
 * The issue's goals for a service measured against its floor over rounds: each ratio is the
 * median of the rounds' ratios, each taken on its own (the round with the median throughput is
 * not always the one with the median p99: a round's p99 is its fourth-slowest of 400 ops, and a
 * first measured round often carries the process's last heap growth on one side). The store
 * commands are the worst round's.
 */
export function goalsOverRounds(label: string, rounds: readonly Round[], maxStoreCommands = 2): Verdict[] {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  return [
    verdict(`${label}: throughput ≥ 0.7× floor`, median(rounds.map((r) => r.service.perSecond / r.floor.perSecond)), '>=', 0.7),
    verdict(`${label}: p99 ≤ 2× floor`, median(rounds.map((r) => r.service.p99 / r.floor.p99)), '<=', 2),
    verdict(`${label}: ≤ ${maxStoreCommands} store commands per op`, Math.max(...rounds.map((r) => r.service.perOp.redisCommands ?? NaN)), '<=', maxStoreCommands, 'count'),
  ];
}

export const fmt = {
  ms: (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : 'n/a'),
  rate: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  per: (n: number | null) => (n === null ? 'n/a' : Number.isFinite(n) ? n.toFixed(2) : 'n/a'),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a'),
};

/** Left-aligned first column, right-aligned numbers. */
export function table(header: string[], rows: string[][], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The common table: one row per phase. */
export function phaseTable(phases: PhaseResult[], unit: string): string {
  return table(
    ['', `${unit}/s`, 'p50', 'p99', `CPU ms/${unit}`, `GC ms/${unit}`, `Postgres CPU ms/${unit}`, `Redis cmds/${unit}`, `store HTTP/${unit}`, `DB tx/${unit}`, `(explicit+single)`, `DB stmts/${unit}`],
    phases.map((p) => [
      p.name,
      fmt.rate(p.perSecond),
      fmt.ms(p.p50),
      fmt.ms(p.p99),
      p.cpuMsPerOp.toFixed(2),
      p.gcMsPerOp.toFixed(2),
      fmt.per(p.serverCpuMsPerOp.postgres ?? null),
      fmt.per(p.perOp.redisCommands),
      fmt.per(p.perOp.storeRequests),
      fmt.per(p.perOp.dbTransactions),
      `${fmt.per(p.perOp.dbExplicit)}+${fmt.per(p.perOp.dbImplicit)}`,
      fmt.per(p.perOp.dbStatements),
    ]),
  );
}

/** Redis commands of a phase per op, by command, largest first: where the store traffic comes from. */
export function commandBreakdown(p: PhaseResult): string {
  if (!p.usage.redis) return 'n/a (shared Redis: not counted)';
  const entries = Object.entries(p.usage.redis.byCommand).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return 'none';
  return entries.map(([cmd, n]) => `${cmd} ${(n / p.ops).toFixed(2)}`).join(', ');
}

/** Any tally per op, largest first. */
export function perOpBreakdown(counts: Record<string, number>, ops: number, sep = ', '): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!entries.length) return 'none';
  return entries.map(([k, n]) => `${k} ${(n / ops).toFixed(2)}`).join(sep);
}

/** Everything a phase's ops cost, per op, by where it comes from (for the report). */
export function usageDetails(p: PhaseResult, unit: string, indent = '    '): string {
  const sent = Object.entries(p.usage.storeCommands).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(0, ...sent.map(([k]) => k.length));
  const lines = [
    `${p.name}, per ${unit}:`,
    `  redis-server ran:  ${commandBreakdown(p)}`,
    `  client sent:       ${fmt.per(p.perOp.storeRequests)} HTTP requests to the store${sent.length ? ', carrying' : ''}`,
    ...sent.map(([k, n]) => `    ${k.padEnd(width)}  ${(n / p.ops).toFixed(2)}`),
    `  Postgres:          ${perOpBreakdown(p.usage.db.byShape, p.ops)}`,
  ];
  return lines.map((l) => indent + l).join('\n');
}

export function verdictLines(verdicts: Verdict[]): string {
  return verdicts.map((v) => `  ${v.pass ? 'PASS' : 'FAIL'}  ${v.goal}: ${v.shown}`).join('\n');
}

/** JSON-friendly phase (latencies rounded, usage kept). */
export function phaseJson(p: PhaseResult) {
  const r = (n: number, d = 2) => (Number.isFinite(n) ? Number(n.toFixed(d)) : null);
  return {
    name: p.name,
    ops: p.ops,
    concurrency: p.concurrency,
    wall_ms: r(p.wallMs, 1),
    cpu_ms_per_op: r(p.cpuMsPerOp, 3),
    gc_ms_per_op: r(p.gcMsPerOp, 3),
    gc_max_pause_ms: r(p.gcMaxPauseMs, 1),
    gc_major: p.gcMajor,
    server_cpu_ms_per_op: Object.fromEntries(Object.entries(p.serverCpuMsPerOp).map(([k, v]) => [k, r(v, 3)])),
    per_second: r(p.perSecond, 1),
    p50_ms: r(p.p50),
    p99_ms: r(p.p99),
    mean_ms: r(p.mean),
    outcomes: p.outcomes,
    first_error: p.firstError,
    per_op: {
      redis_commands: p.perOp.redisCommands === null ? null : r(p.perOp.redisCommands, 3),
      store_http_requests: r(p.perOp.storeRequests, 3),
      db_transactions: r(p.perOp.dbTransactions, 3),
      db_explicit_transactions: r(p.perOp.dbExplicit, 3),
      db_single_statement_transactions: r(p.perOp.dbImplicit, 3),
      db_statements: r(p.perOp.dbStatements, 3),
    },
    totals: { redis_commands: p.usage.redis, store_http_requests: p.usage.storeRequests, store_commands_sent: p.usage.storeCommands, db: p.usage.db },
  };
}

/** Options every benchmark takes. */
export const commonArgs = {
  concurrency: { type: 'string', default: '8' },
  warmup: { type: 'string' },
  json: { type: 'boolean', default: false },
  strict: { type: 'boolean', default: false },
  'rate-limits': { type: 'boolean', default: false },
} as const;

// ---------------------------------------------------------------------------------------------
// The service under measurement, and the clients its floor shares with it

/**
 * The full app on the real PostgreSQL (Neon's driver through the ws-proxy) and a private
 * redis-server (through the Upstash bridge), migrated, with counters installed. `pool` and
 * `upstash` are the very clients the app uses, for the floors.
 */
export async function startBenchService(extraEnv: Record<string, string>) {
  const services = await startRealServices({ redis: 'private' });
  try {
    const env: Record<string, string> = { ...services.env, API_KEYS: 'bench', LOG_LEVEL: 'error', ...extraEnv };
    const config: AppConfig = loadConfig(env);
    const storePrefix = `bench:${crypto.randomUUID()}:`;
    const counters = createCounters({ redis: services.redis, storeUrl: services.env.UPSTASH_REDIS_REST_URL, storePrefix });
    const node = await createNodeDeps(config, { migrate: true, logger: createLogger({ level: 'error' }), storePrefix });
    const app = createFullApp(sharedDeps(node.deps));
    // As on Workers: work after the response goes to waitUntil (no per-request fallback path).
    const execution = nodeExecutionContext();
    // The app's own clients: drizzle keeps its pool as $client; UpstashStore keeps its client as `redis`.
    const pool = (node.deps.db as unknown as { $client: Pool }).$client;
    const upstash =
      (node.deps.store as unknown as { redis?: UpstashRedis }).redis ??
      createUpstashRedis({ url: services.env.UPSTASH_REDIS_REST_URL, token: services.env.UPSTASH_REDIS_REST_TOKEN });
    return {
      services,
      env,
      config,
      node,
      app,
      ctx: execution.ctx,
      pool,
      upstash,
      storePrefix,
      counters,
      async close() {
        await execution.settle();
        await node.close().catch(() => {});
        await services.close();
      },
    };
  } catch (err) {
    await services.close();
    throw err;
  }
}

export function describeSetup(s: { services: { redis: PrivateRedis | null; env: { DATABASE_URL: string; NEON_WS_PROXY: string; UPSTASH_REDIS_REST_URL: string } } }): string {
  const r = s.services.redis;
  const db = new URL(s.services.env.DATABASE_URL);
  return (
    `  Neon driver → ws-proxy ${s.services.env.NEON_WS_PROXY} → PostgreSQL ${db.host}${db.pathname}; ` +
    `@upstash/redis → bridge ${s.services.env.UPSTASH_REDIS_REST_URL} → ${r ? `private redis-server 127.0.0.1:${r.port} (pid ${r.pid})` : 'shared Redis'}`
  );
}
