/**
 * Bench-only instrumentation: what a phase costs, counted at the drivers in this process.
 *
 *  - Postgres: Neon's Client.prototype.query is wrapped, so the app's drizzle pool and any raw Pool
 *    are counted alike: statements (round trips), BEGIN … COMMIT blocks, statements outside a block
 *    (each its own transaction in Postgres), and statements by shape ("select citas for update").
 *  - Store, client side: globalThis.fetch is wrapped to count HTTP requests to the Upstash REST
 *    endpoint and the commands they carry, named by command and key ("SET webhook:<id>").
 *  - Store, server side: INFO commandstats of the private redis-server (scripts/lib/private-redis.ts),
 *    commands run inside EVAL scripts included.
 *
 * Nothing in src/ knows about any of it.
 */
import { Client } from '@neondatabase/serverless';
import { diffCommandStats, type CommandStats, type PrivateRedis } from './private-redis';

export interface DbCounts {
  /** Every statement sent (BEGIN and COMMIT included): round trips to Postgres. */
  statements: number;
  /** BEGIN … COMMIT/ROLLBACK blocks. */
  explicit: number;
  /** Statements sent outside any block: each is a transaction of its own in Postgres. */
  implicit: number;
  rollbacks: number;
  /** Statements by shape ("select citas", "insert into audit_log", "begin", …): where they come from. */
  byShape: Record<string, number>;
}

const dbCounts: DbCounts = { statements: 0, explicit: 0, implicit: 0, rollbacks: 0, byShape: {} };

/**
 * Shapes by statement text: the counting is the benchmark's own work, inside the phases it
 * measures, and a route's long statements would otherwise pay more for it than a floor's short ones.
 */
const shapes = new Map<string, string>();
function statementShape(text: string): string {
  let shape = shapes.get(text);
  if (shape === undefined) {
    shape = shapeOf(text);
    if (shapes.size < 10_000) shapes.set(text, shape);
  }
  return shape;
}

/** "select … from "citas" …" → "select citas"; "insert into "audit_log" …" → "insert audit_log". */
function shapeOf(text: string): string {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const verb = /^(\w+)/.exec(t)?.[1] ?? '?';
  const table =
    verb === 'select' ? /\bfrom "?([\w.]+)"?/.exec(t)?.[1] :
    verb === 'insert' ? /^insert into "?([\w.]+)"?/.exec(t)?.[1] :
    verb === 'update' ? /^update "?([\w.]+)"?/.exec(t)?.[1] :
    verb === 'delete' ? /^delete from "?([\w.]+)"?/.exec(t)?.[1] :
    verb === 'with' ? 'cte' : undefined;
  const lock = verb === 'select' && / for update\b/.test(t) ? ' for update' : '';
  return table ? `${verb} ${table}${lock}` : verb;
}

let dbCounterInstalled = false;

/**
 * Counts what goes through Neon's driver in this process (the app's drizzle pool and any raw
 * Pool alike: both end in Client.prototype.query). Idempotent.
 */
export function installDbCounter(): void {
  if (dbCounterInstalled) return;
  dbCounterInstalled = true;
  const inBlock = new WeakSet<object>();
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : typeof (q as { text?: unknown })?.text === 'string' ? (q as { text: string }).text : '';
    const head = text.trimStart().slice(0, 24).toLowerCase();
    dbCounts.statements++;
    const shape = statementShape(text);
    dbCounts.byShape[shape] = (dbCounts.byShape[shape] ?? 0) + 1;
    if (/^(begin|start transaction)\b/.test(head)) {
      dbCounts.explicit++;
      inBlock.add(this);
    } else if (/^(commit|end)\b/.test(head)) {
      inBlock.delete(this);
    } else if (/^rollback\b/.test(head) && !/^rollback\s+to\b/.test(head)) {
      dbCounts.rollbacks++;
      inBlock.delete(this);
    } else if (!inBlock.has(this)) {
      dbCounts.implicit++;
    }
    return original.apply(this, args);
  };
}

let storeRequests = 0;
const storeCommands: Record<string, number> = {};
let storeUrlPrefix: string | null = null;
let storeKeyPrefix = '';

/**
 * Names a command sent to the store by what it is for: the command, for EVAL the Redis commands
 * its script calls, and the key with the bench prefix and ids taken out
 * ("EVAL[EXISTS,INCRBY,PEXPIRE] metrics:webhooks.received", "SET webhook:<id>").
 */
function commandLabel(cmd: unknown[]): string {
  const name = String(cmd[0] ?? '?').toUpperCase();
  let label = name;
  let key: unknown = cmd[1];
  if (name === 'EVAL' || name === 'EVALSHA') {
    const calls = name === 'EVAL' ? [...String(cmd[1]).matchAll(/redis\.call\(\s*'(\w+)'/g)].map((m) => m[1]!.toUpperCase()) : [];
    label = `${name}[${[...new Set(calls)].join(',')}]`;
    key = Number(cmd[2]) > 0 ? cmd[3] : undefined;
  }
  if (key === undefined) return label;
  let k = String(key);
  if (storeKeyPrefix && k.startsWith(storeKeyPrefix)) k = k.slice(storeKeyPrefix.length);
  k = k
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\b[0-9a-f]{12,}\b/gi, '<id>')
    .replace(/\b\d{4,}\b/g, '<n>');
  return `${label} ${k}`;
}

/**
 * Counts HTTP requests to the Upstash REST endpoint (what @upstash/redis sends: one per command,
 * or one per pipeline when it batches) and the commands they carry, by label (see commandLabel).
 */
export function installStoreRequestCounter(url: string, keyPrefix = ''): void {
  storeKeyPrefix = keyPrefix;
  if (storeUrlPrefix !== null) {
    storeUrlPrefix = url;
    return;
  }
  storeUrlPrefix = url;
  const original = globalThis.fetch;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const u = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (storeUrlPrefix && u.startsWith(storeUrlPrefix)) {
      storeRequests++;
      try {
        const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown[]) : [];
        const commands = Array.isArray(body[0]) ? (body as unknown[][]) : [body];
        for (const c of commands) if (c.length) storeCommands[commandLabel(c)] = (storeCommands[commandLabel(c)] ?? 0) + 1;
      } catch {
        // Not a command body: counted as a request only.
      }
    }
    return original(input, init);
  }) as typeof fetch;
}

export interface Snapshot {
  redis: CommandStats | null;
  storeRequests: number;
  storeCommands: Record<string, number>;
  db: DbCounts;
}

export interface Usage {
  /** What the redis-server ran (commands inside scripts included), by command. */
  redis: { total: number; byCommand: CommandStats } | null;
  storeRequests: number;
  /** What the client sent (top-level commands), by label. */
  storeCommands: Record<string, number>;
  db: DbCounts;
}

function diffCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) if (v - (a[k] ?? 0) > 0) out[k] = v - (a[k] ?? 0);
  return out;
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Two usages added up: one phase measured in several blocks. */
export function sumUsage(a: Usage, b: Usage): Usage {
  return {
    redis: a.redis && b.redis ? { total: a.redis.total + b.redis.total, byCommand: addCounts(a.redis.byCommand, b.redis.byCommand) } : null,
    storeRequests: a.storeRequests + b.storeRequests,
    storeCommands: addCounts(a.storeCommands, b.storeCommands),
    db: {
      statements: a.db.statements + b.db.statements,
      explicit: a.db.explicit + b.db.explicit,
      implicit: a.db.implicit + b.db.implicit,
      rollbacks: a.db.rollbacks + b.db.rollbacks,
      byShape: addCounts(a.db.byShape, b.db.byShape),
    },
  };
}

export interface Counters {
  snapshot(): Promise<Snapshot>;
  usage(before: Snapshot, after: Snapshot): Usage;
  /** Waits until work started by the phase (after-response tasks, background pushes) has finished. */
  settle(): Promise<void>;
}

/** Counters over a private redis-server (null: Redis commands are not counted), the bridge URL and Neon's driver. */
export function createCounters(opts: { redis: PrivateRedis | null; storeUrl: string; storePrefix?: string }): Counters {
  installDbCounter();
  installStoreRequestCounter(opts.storeUrl, opts.storePrefix);
  const snapshot = async (): Promise<Snapshot> => ({
    redis: opts.redis ? await opts.redis.commandStats() : null,
    storeRequests,
    storeCommands: { ...storeCommands },
    db: { ...dbCounts, byShape: { ...dbCounts.byShape } },
  });
  const usage = (a: Snapshot, b: Snapshot): Usage => ({
    redis: a.redis && b.redis ? diffCommandStats(a.redis, b.redis) : null,
    storeRequests: b.storeRequests - a.storeRequests,
    storeCommands: diffCounts(a.storeCommands, b.storeCommands),
    db: {
      statements: b.db.statements - a.db.statements,
      explicit: b.db.explicit - a.db.explicit,
      implicit: b.db.implicit - a.db.implicit,
      rollbacks: b.db.rollbacks - a.db.rollbacks,
      byShape: diffCounts(a.db.byShape, b.db.byShape),
    },
  });
  const fingerprint = (s: Snapshot) => `${s.redis ? diffCommandStats({}, s.redis).total : 0}/${s.storeRequests}/${s.db.statements}`;
  return {
    snapshot,
    usage,
    async settle() {
      // Quiet for three readings 40 ms apart, or give up after 5 s.
      const deadline = Date.now() + 5_000;
      let last = fingerprint(await snapshot());
      let quiet = 0;
      while (quiet < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 40));
        const now = fingerprint(await snapshot());
        quiet = now === last ? quiet + 1 : 0;
        last = now;
      }
    },
  };
}
