/**
 * What the service needs from Redis, and nothing more. Two adapters implement it
 * (Upstash REST and in-memory); the same contract tests run against both.
 * Keys are namespaced by the adapter's prefix so tests and tenants never collide.
 */
export interface KvStore {
  get(key: string): Promise<string | null>;
  /** Plain write; `ttlMs` sets an expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** SET NX PX: true when this call created the key (idempotency keys, lock acquisition). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** SET NX PX GET: null when this call created the key, else the value it holds (left as it is). */
  setIfAbsentOrGet(key: string, value: string, ttlMs: number): Promise<string | null>;
  /** true when a key was removed. */
  delete(key: string): Promise<boolean>;
  /** Deletes only while the key still holds `expected` (lock release by its owner). */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  /** INCRBY; the expiry is set when the counter is created and never extended (fixed windows). */
  increment(key: string, by?: number, ttlMs?: number): Promise<number>;
  /**
   * Sliding-window admission (rate limiters): when fewer than `limit` hits were recorded in the
   * last `windowMs`, records one and allows it; otherwise records nothing and tells how long until
   * the oldest hit leaves the window. Exact, unlike fixed windows, which let 2× the limit through
   * around a window boundary. Time is the server's, so every instance shares one clock.
   */
  slidingWindowHit(key: string, limit: number, windowMs: number): Promise<WindowHit>;
  /**
   * Several writes in one round trip (not atomic): what a process counted for a while (metrics,
   * rate-limit windows), written at once. Returns, per op, the new value of a window counter and
   * null for the rest.
   */
  batch(ops: BatchOp[]): Promise<(number | null)[]>;
  /** Every field of a hash (what `hashAdd` built), as strings. */
  hashGetAll(key: string): Promise<Record<string, string>>;
  /** Round trip to the backing server, for health checks. */
  ping(): Promise<void>;
}

export type BatchOp =
  /** HINCRBYFLOAT: adds to a numeric field of a hash (created at 0). */
  | { op: 'hashAdd'; key: string; field: string; by: number }
  /** A fixed-window counter: adds `by`; the expiry is set when the window's key is created. */
  | { op: 'windowAdd'; key: string; by: number; ttlMs: number }
  | { op: 'set'; key: string; value: string; ttlMs?: number };

export interface WindowHit {
  allowed: boolean;
  /** Hits in the window, this one included when allowed. */
  count: number;
  /** 0 when allowed; else the wait until a hit would be allowed. */
  retryAfterMs: number;
}

/**
 * The store could not be reached or did not answer in time (as opposed to refusing a command).
 * Callers decide per use whether to fail open (counters, rate limits, caches, the webhook fast
 * path) or closed (locks that guard single-use tokens or a single GHL create).
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
