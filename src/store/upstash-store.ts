import { Redis } from "@upstash/redis/cloudflare";
import { StoreUnavailableError, type BatchOp, type KvStore, type WindowHit } from "./kv-store";

/**
 * The client sends one HTTP request per batch; only network failures are retried. Kept short:
 * a retried INCRBY whose first attempt did reach Redis counts twice, and callers (rate limits,
 * locks) would rather fail fast than hang a request.
 */
const RETRY = { retries: 2, backoff: (attempt: number) => 50 * 2 ** attempt };

/** A store that hangs would hang every request that counts or locks: each call gets this long. */
export const REQUEST_TIMEOUT_MS = 3_000;

export function createUpstashRedis(opts: { url: string; token: string; timeoutMs?: number }): Redis {
  return new Redis({
    url: opts.url,
    token: opts.token,
    // Values are opaque strings: without this, "123" would come back as 123 and '{"a":1}' as an object.
    automaticDeserialization: false,
    retry: RETRY,
    signal: () => AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
}

/** A reply from Redis itself ("ERR value is not an integer", "WRONGTYPE …"): a bug, not an outage. */
const REDIS_REPLY = /^(ERR|WRONGTYPE|NOSCRIPT|BUSY|EXECABORT|OOM|NOPERM|NOAUTH|READONLY)\b/;

/** Every failure but a Redis reply is the store being unavailable, with the cause kept. */
async function reach<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof RangeError || (err instanceof Error && REDIS_REPLY.test(err.message))) throw err;
    throw new StoreUnavailableError(`store unavailable (${what}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * "Just created" is decided inside the script (EXISTS before INCRBY) rather than by comparing the
 * result with `by`, which would re-arm the expiry whenever a counter passes back through `by`.
 */
const INCREMENT = `
local created = redis.call('EXISTS', KEYS[1]) == 0
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n
`;

const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Sliding-window log in a sorted set scored by the Redis server's clock (TIME), so instances with
 * skewed clocks still share one window. Members are caller-made unique ids.
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, count, math.max(1, tonumber(oldest[2]) + window - now)}
`;

export class UpstashStore implements KvStore {
  private readonly prefix: string;
  /** Window keys created whose expiry did not reach Redis yet (key with prefix → ttl ms). */
  private readonly unexpired = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    opts: { prefix?: string } = {},
  ) {
    this.prefix = opts.prefix ?? "";
  }

  async get(key: string): Promise<string | null> {
    return reach("get", () => this.redis.get<string>(this.prefix + key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const px = ttlMs === undefined ? undefined : checkTtl(ttlMs);
    await reach("set", () => (px === undefined ? this.redis.set(this.prefix + key, value) : this.redis.set(this.prefix + key, value, { px })));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const px = checkTtl(ttlMs);
    const reply = await reach("set nx", () => this.redis.set(this.prefix + key, value, { nx: true, px }));
    return reply === "OK";
  }

  async setIfAbsentOrGet(key: string, value: string, ttlMs: number): Promise<string | null> {
    const px = checkTtl(ttlMs);
    return reach("set nx get", () => this.redis.set<string>(this.prefix + key, value, { nx: true, px, get: true }));
  }

  async delete(key: string): Promise<boolean> {
    return (await reach("del", () => this.redis.del(this.prefix + key))) > 0;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    const removed = await reach("compare-and-delete", () => this.redis.eval<[string], number>(COMPARE_AND_DELETE, [this.prefix + key], [expected]));
    return removed > 0;
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new RangeError(`increment: by must be an integer, got ${by}`);
    const ttlArg = ttlMs === undefined ? "" : checkTtl(ttlMs);
    return reach("increment", () => this.redis.eval<[number, number | string], number>(INCREMENT, [this.prefix + key], [by, ttlArg]));
  }

  async slidingWindowHit(key: string, limit: number, windowMs: number): Promise<WindowHit> {
    const window = checkTtl(windowMs);
    const [allowed, count, retryAfterMs] = await reach("sliding window", () =>
      this.redis.eval<[number, number, string], [number, number, number]>(SLIDING_WINDOW, [this.prefix + key], [limit, window, crypto.randomUUID()]),
    );
    return { allowed: allowed === 1, count, retryAfterMs };
  }

  /**
   * One pipeline (one HTTP request): HINCRBYFLOAT per hash field, INCRBY per window, SET per set.
   * A window's expiry is set when its key is created, known by INCRBY's reply being the count just
   * added (windows only count up): then, and only then, a second pipeline sends PEXPIRE … NX. So a
   * flush costs one command per counter, not two, and a new key pays one more round trip after
   * its first count (a flush runs after the answer: nobody waits for it). An expiry that failed
   * to reach Redis goes with the next batch.
   */
  async batch(ops: BatchOp[]): Promise<(number | null)[]> {
    if (!ops.length) return [];
    const p = this.redis.pipeline();
    const unexpired = [...this.unexpired];
    this.unexpired.clear();
    for (const [key, ttl] of unexpired) p.pexpire(key, ttl, "NX");
    // Per op, where its value stands among the pipeline's replies (null: it has none worth returning).
    const valueAt: (number | null)[] = [];
    let n = unexpired.length;
    for (const o of ops) {
      if (o.op === "hashAdd") {
        p.hincrbyfloat(this.prefix + o.key, o.field, o.by);
        valueAt.push(null);
      } else if (o.op === "windowAdd") {
        checkTtl(o.ttlMs);
        p.incrby(this.prefix + o.key, o.by);
        valueAt.push(n);
      } else {
        if (o.ttlMs === undefined) p.set(this.prefix + o.key, o.value);
        else p.set(this.prefix + o.key, o.value, { px: checkTtl(o.ttlMs) });
        valueAt.push(null);
      }
      n += 1;
    }
    let replies: unknown[];
    try {
      replies = await reach("batch", () => p.exec());
    } catch (err) {
      for (const [key, ttl] of unexpired) this.unexpired.set(key, ttl);
      throw err;
    }
    const values = valueAt.map((i) => (i === null ? null : Number(replies[i])));
    const created = ops.flatMap((o, i) => (o.op === "windowAdd" && values[i] === o.by ? [[this.prefix + o.key, o.ttlMs] as const] : []));
    if (created.length) {
      const e = this.redis.pipeline();
      for (const [key, ttl] of created) e.pexpire(key, ttl, "NX");
      await reach("batch expiry", () => e.exec()).catch(() => {
        for (const [key, ttl] of created) this.unexpired.set(key, ttl);
      });
    }
    return values;
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    // Without automatic deserialization the reply is Redis's own: [field, value, field, value, …].
    const flat = (await reach("hgetall", () => this.redis.hgetall(this.prefix + key))) as unknown;
    if (!Array.isArray(flat)) return Object.fromEntries(Object.entries((flat ?? {}) as Record<string, unknown>).map(([f, v]) => [f, String(v)]));
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
    return out;
  }

  async ping(): Promise<void> {
    // The reply isn't checked: what matters is that the round trip succeeded.
    await reach("ping", () => this.redis.ping());
  }
}

/** Validated here so both KvStore adapters reject bad TTLs the same way, before any I/O. */
function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  }
  return ttlMs;
}
