/**
 * Measuring Workers from outside, for scripts/bench/edge.ts: what a block of requests (or one
 * request alone) cost, read where production would see it:
 *
 *  - latency, timed here per request to the last byte;
 *  - database turns per request, by kind (scripts/lib/neon-ws-turns.ts), and the connections it
 *    opened and how long each stayed open, from the delay proxy on the database path;
 *  - store turns (HTTP requests to the Upstash endpoint), from the delay proxy on the store path;
 *  - Redis commands, from the private redis-server's INFO commandstats (commands inside scripts too);
 *  - CPU of the Worker's workerd process (/proc), the settling after the block included.
 *
 * A block is measured until it has settled: every database connection it opened closed (the
 * service releases its connection only after its deferred work, the write-behind flush
 * included) and the redis-server quiet, so deferred waitUntil work is counted with the requests
 * that caused it.
 */
import { drain, percentile, runPool } from './bench';
import type { ConnectionRecord } from './delay-proxy';
import type { EdgeStack, EdgeWorker } from './edge-stack';
import { turnKind, type TurnKind } from './neon-ws-turns';
import { diffCommandStats, type CommandStats } from './private-redis';
import { processCpuMs } from './workerd-cpu';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Send = () => Promise<Response>;

export interface Traffic {
  /** Database turns by kind (upgrade, startup, statement, goodbye, other). */
  dbTurns: Record<TurnKind, number>;
  /** Connections opened, and how long each stayed open (ms). */
  dbOpenMs: number[];
  storeTurns: number;
  /** Store turns by request line ("POST /pipeline"). */
  storeLines: Record<string, number>;
  /** Bytes on the database path (client → server, server → client) of the connections opened in the span. */
  dbBytes: { up: number; down: number };
}

const noTurns = (): Record<TurnKind, number> => ({ upgrade: 0, startup: 0, statement: 0, goodbye: 0, other: 0 });

function add(into: Record<string, number>, key: string, n = 1) {
  into[key] = (into[key] ?? 0) + n;
}

/** What crossed the delay proxies between `from` and `to` (performance.now() times). */
export function trafficBetween(stack: EdgeStack, from: number, to: number): Traffic {
  const t: Traffic = { dbTurns: noTurns(), dbOpenMs: [], storeTurns: 0, storeLines: {}, dbBytes: { up: 0, down: 0 } };
  const inside = (at: number) => at >= from && at < to;
  for (const c of stack.dbProxy.connections) {
    if (inside(c.openedAt)) {
      t.dbOpenMs.push((c.closedAt ?? to) - c.openedAt);
      t.dbBytes.up += c.bytesUp;
      t.dbBytes.down += c.bytesDown;
    }
    for (const turn of c.turns) if (inside(turn.at)) t.dbTurns[turnKind(turn.labels)]++;
  }
  for (const c of stack.storeProxy.connections) {
    for (const turn of c.turns) {
      if (!inside(turn.at)) continue;
      t.storeTurns++;
      add(t.storeLines, turn.labels[0] ?? '?');
    }
  }
  return t;
}

/** Waits until the database connections are closed and Redis has been quiet for 3 readings 40 ms apart (at most `maxMs`). */
export async function settle(stack: EdgeStack, maxMs = 8_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  const total = async () => diffCommandStats({}, await stack.redis.commandStats()).total;
  let last = await total();
  let quiet = 0;
  while (Date.now() < deadline) {
    await sleep(40);
    const now = await total();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    if (quiet >= 3 && stack.dbProxy.openCount() === 0) return;
  }
}

/** One phase (a side of a route) over the blocks it ran: everything summed, latencies kept. */
export class EdgePhase {
  readonly latencies: number[] = [];
  readonly outcomes: Record<string, number> = {};
  firstError: string | null = null;
  wallMs = 0;
  cpuMs = 0;
  readonly redis: Record<string, number> = {};
  readonly dbTurns = noTurns();
  readonly dbOpenMs: number[] = [];
  storeTurns = 0;
  readonly storeLines: Record<string, number> = {};
  readonly dbBytes = { up: 0, down: 0 };

  constructor(
    readonly name: string,
    readonly worker: EdgeWorker,
  ) {}

  get ops() {
    return this.latencies.length;
  }

  /** Runs `sends` at `concurrency`, then settles; adds latencies and everything it cost. */
  async block(stack: EdgeStack, sends: readonly Send[], concurrency: number): Promise<void> {
    const redis0 = await stack.redis.commandStats();
    const cpu0 = processCpuMs(this.worker.pid);
    const t0 = performance.now();
    await runPool(sends, concurrency, async (send) => {
      const s = performance.now();
      const label = await outcome(send);
      this.latencies.push(performance.now() - s);
      this.record(label);
    });
    this.wallMs += performance.now() - t0;
    await settle(stack);
    const t1 = performance.now();
    this.cpuMs += processCpuMs(this.worker.pid) - cpu0;
    this.addUsage(diffCommandStats(redis0, await stack.redis.commandStats()).byCommand, trafficBetween(stack, t0, t1));
  }

  record(label: { outcome: string; error?: string }) {
    add(this.outcomes, label.outcome);
    if (label.error) this.firstError ??= label.error;
  }

  addUsage(redis: CommandStats, traffic: Traffic) {
    for (const [k, v] of Object.entries(redis)) add(this.redis, k, v);
    for (const [k, v] of Object.entries(traffic.dbTurns)) this.dbTurns[k as TurnKind] += v;
    this.dbOpenMs.push(...traffic.dbOpenMs);
    this.storeTurns += traffic.storeTurns;
    this.dbBytes.up += traffic.dbBytes.up;
    this.dbBytes.down += traffic.dbBytes.down;
    for (const [k, v] of Object.entries(traffic.storeLines)) add(this.storeLines, k, v);
  }

  summary(): PhaseSummary {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const per = (n: number) => (this.ops ? n / this.ops : NaN);
    const redisTotal = Object.values(this.redis).reduce((a, b) => a + b, 0);
    const open = [...this.dbOpenMs].sort((a, b) => a - b);
    return {
      name: this.name,
      ops: this.ops,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      perSecond: this.ops / (this.wallMs / 1000),
      cpuMsPerOp: per(this.cpuMs),
      redisPerOp: per(redisTotal),
      redisByCommand: Object.fromEntries(Object.entries(this.redis).map(([k, v]) => [k, per(v)])),
      dbTurnsPerOp: Object.fromEntries(Object.entries(this.dbTurns).map(([k, v]) => [k, per(v)])) as Record<TurnKind, number>,
      dbConnectionsPerOp: per(open.length),
      dbOpenP50Ms: percentile(open, 50),
      dbOpenMsPerOp: per(open.reduce((a, b) => a + b, 0)),
      storeTurnsPerOp: per(this.storeTurns),
      dbBytesPerOp: { up: per(this.dbBytes.up), down: per(this.dbBytes.down) },
      outcomes: this.outcomes,
      firstError: this.firstError,
    };
  }
}

export interface PhaseSummary {
  name: string;
  ops: number;
  p50: number;
  p99: number;
  perSecond: number;
  /** workerd CPU per request (ms), its deferred work included. */
  cpuMsPerOp: number;
  redisPerOp: number;
  redisByCommand: Record<string, number>;
  dbTurnsPerOp: Record<TurnKind, number>;
  dbConnectionsPerOp: number;
  /** The median time a database connection stayed open. */
  dbOpenP50Ms: number;
  /** Connection-milliseconds per request: what a connection limit meets. */
  dbOpenMsPerOp: number;
  storeTurnsPerOp: number;
  /** Bytes per request on the database path, each way. */
  dbBytesPerOp: { up: number; down: number };
  outcomes: Record<string, number>;
  firstError: string | null;
}

/** A response read to the end and labelled by its status; never throws. */
export async function outcome(send: Send): Promise<{ outcome: string; error?: string; headersAt?: number }> {
  try {
    const res = await send();
    const headersAt = performance.now();
    if (res.status >= 400) return { outcome: String(res.status), error: `${res.status} ${(await res.text()).slice(0, 300)}`, headersAt };
    await drain(res);
    return { outcome: String(res.status), headersAt };
  } catch (err) {
    return { outcome: 'error', error: err instanceof Error ? err.message : String(err) };
  }
}

/** A turn of one request: on which path, when it began (performance.now()), what for. */
export interface RequestTurn {
  path: 'db' | 'store';
  at: number;
  kind: TurnKind | 'http';
}

/**
 * The turns a request made from `t0` until `until`: on the database path only those of
 * connections it opened itself (every request builds its own pool, so an earlier request's
 * lingering connection is not counted), on the store path all of them (its connections are kept
 * alive and shared). Goodbyes (terminate, close) are left out: nothing waits for them.
 */
export function turnsOfRequest(stack: EdgeStack, t0: number, until: number): RequestTurn[] {
  const out: RequestTurn[] = [];
  for (const c of stack.dbProxy.connections) {
    if (c.openedAt < t0 || c.openedAt >= until) continue;
    for (const turn of c.turns) {
      const kind = turnKind(turn.labels);
      if (turn.at < until && kind !== 'goodbye') out.push({ path: 'db', at: turn.at, kind });
    }
  }
  for (const c of stack.storeProxy.connections) for (const turn of c.turns) if (turn.at >= t0 && turn.at < until) out.push({ path: 'store', at: turn.at, kind: 'http' });
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Round trips an answer waited for in series, at a round-trip time of `rttMs`: of the turns whose
 * reply could have arrived before the answer did (began at least one RTT before it), the longest
 * run in which each began after the one before had its reply (a turn begun while another was in
 * flight ran beside it and counts once). Whole numbers, read off the proxies; needs rttMs > 0.
 */
export function serialRoundTrips(turns: readonly RequestTurn[], rttMs: number, answeredAt: number): { all: number; db: number; store: number } {
  // The proxy may forward up to 0.5 ms early each way.
  const tolerance = 1;
  const chain = (ts: readonly RequestTurn[]) => {
    let n = 0;
    let last = -Infinity;
    for (const t of ts) {
      if (t.at + rttMs - tolerance > answeredAt) continue;
      if (t.at >= last + rttMs - tolerance) {
        n++;
        last = t.at;
      }
    }
    return n;
  };
  return { all: chain(turns), db: chain(turns.filter((t) => t.path === 'db')), store: chain(turns.filter((t) => t.path === 'store')) };
}

/** A request alone in its isolate: what it caused, its deferred work included, and where its turns fell. */
export interface AloneResult {
  latencyMs: number;
  outcome: string;
  error?: string;
  redis: CommandStats;
  redisTotal: number;
  /** Turns whose reply came before the answer's headers reached us (they could serve it), and the rest (deferred work). */
  dbTurnsBefore: Record<TurnKind, number>;
  dbTurnsAfter: Record<TurnKind, number>;
  storeTurnsBefore: number;
  storeTurnsAfter: number;
  /** Serial round trips before the answer (see serialRoundTrips); null at no delay. */
  serial: { all: number; db: number; store: number } | null;
  dbOpenMs: number[];
  /** How long after the answer each connection closed (ms; negative: before it). */
  dbReleasedAfterAnswerMs: number[];
}

/**
 * Sends one request to a Worker whose isolate has been idle at least `idleMs`, then leaves it
 * idle `idleMs` again (a Worker seeing less than a request a second: its write-behind flushes as
 * they would in production) and settles; counts everything in between.
 */
export async function aloneRequest(stack: EdgeStack, send: Send, idleMs: number, lastActivity: Map<EdgeWorker, number>, worker: EdgeWorker): Promise<AloneResult> {
  const idleFor = performance.now() - (lastActivity.get(worker) ?? 0);
  if (idleFor < idleMs) await sleep(idleMs - idleFor);
  await settle(stack);
  const rtt = 2 * Math.max(stack.dbProxy.delayMs, stack.storeProxy.delayMs);
  const redis0 = await stack.redis.commandStats();
  const t0 = performance.now();
  const label = await outcome(send);
  const t1 = performance.now();
  const answeredAt = label.headersAt ?? t1;
  await sleep(idleMs);
  await settle(stack);
  const t2 = performance.now();
  lastActivity.set(worker, t2);
  const redis = diffCommandStats(redis0, await stack.redis.commandStats());
  // A turn "before the answer" had its reply back before it: begun at least a round trip earlier.
  const cut = answeredAt - rtt;
  const before = trafficBetween(stack, t0, cut);
  const after = trafficBetween(stack, cut, t2);
  const opened: ConnectionRecord[] = stack.dbProxy.connections.filter((c) => c.openedAt >= t0 && c.openedAt < t2);
  return {
    latencyMs: t1 - t0,
    outcome: label.outcome,
    error: label.error,
    redis: redis.byCommand,
    redisTotal: redis.total,
    dbTurnsBefore: before.dbTurns,
    dbTurnsAfter: after.dbTurns,
    storeTurnsBefore: before.storeTurns,
    storeTurnsAfter: after.storeTurns,
    serial: rtt > 0 ? serialRoundTrips(turnsOfRequest(stack, t0, answeredAt), rtt, answeredAt) : null,
    dbOpenMs: opened.map((c) => (c.closedAt ?? t2) - c.openedAt),
    dbReleasedAfterAnswerMs: opened.map((c) => (c.closedAt ?? t2) - answeredAt),
  };
}

/** Requests one at a time (no concurrency): their latencies and, at a delay, each one's serial round trips. */
export async function serialRequests(
  stack: EdgeStack,
  sends: readonly Send[],
): Promise<{ p50: number; serial: { all: number; db: number; store: number }[]; errors: number; firstError: string | null }> {
  const times: number[] = [];
  const serial: { all: number; db: number; store: number }[] = [];
  const rtt = 2 * Math.min(stack.dbProxy.delayMs, stack.storeProxy.delayMs);
  let errors = 0;
  let firstError: string | null = null;
  for (const send of sends) {
    const s = performance.now();
    const label = await outcome(send);
    times.push(performance.now() - s);
    if (rtt > 0) serial.push(serialRoundTrips(turnsOfRequest(stack, s, label.headersAt ?? performance.now()), rtt, label.headersAt ?? performance.now()));
    if (label.error) {
      errors++;
      firstError ??= label.error;
    }
  }
  await settle(stack);
  return { p50: percentile(times.sort((a, b) => a - b), 50), serial, errors, firstError };
}
