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
  /** true when a key was removed. */
  delete(key: string): Promise<boolean>;
  /** Deletes only while the key still holds `expected` (lock release by its owner). */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  /** INCRBY; the expiry is set when the counter is created and never extended (fixed windows). */
  increment(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** Round trip to the backing server, for health checks. */
  ping(): Promise<void>;
}
