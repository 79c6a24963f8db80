import type { BatchOp, KvStore, WindowHit } from "./kv-store";

type Entry = { value: string; expiresAt?: number };

export type MemoryStoreOptions = {
  /** Injected so tests can drive expiry without waiting. */
  now?: () => number;
  prefix?: string;
};

/**
 * KvStore for tests and local runs. Methods never await before they finish their work, and JS
 * runs one of them at a time, so setIfAbsent/compareAndDelete/increment are as atomic as in Redis.
 * Expired entries are dropped when touched rather than swept, which is fine at test sizes.
 */
export class MemoryStore implements KvStore {
  private readonly entries = new Map<string, Entry>();
  private readonly windows = new Map<string, number[]>();
  private readonly hashes = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private readonly prefix: string;

  constructor(opts: MemoryStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.prefix = opts.prefix ?? "";
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.entries.set(this.prefix + key, this.entry(value, ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const entry = this.entry(value, ttlMs);
    if (this.live(key)) return false;
    this.entries.set(this.prefix + key, entry);
    return true;
  }

  async setIfAbsentOrGet(key: string, value: string, ttlMs: number): Promise<string | null> {
    const entry = this.entry(value, ttlMs);
    const held = this.live(key);
    if (held) return held.value;
    this.entries.set(this.prefix + key, entry);
    return null;
  }

  async delete(key: string): Promise<boolean> {
    return this.live(key) !== undefined && this.entries.delete(this.prefix + key);
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    if (this.live(key)?.value !== expected) return false;
    return this.entries.delete(this.prefix + key);
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new RangeError(`increment: by must be an integer, got ${by}`);
    const current = this.live(key);
    if (!current) {
      this.entries.set(this.prefix + key, this.entry(String(by), ttlMs));
      return by;
    }
    // Same failure as Redis INCRBY on a non-integer value, so callers see one behaviour.
    if (!/^-?\d+$/.test(current.value)) throw new Error("ERR value is not an integer or out of range");
    const next = Number(current.value) + by;
    current.value = String(next);
    return next;
  }

  async slidingWindowHit(key: string, limit: number, windowMs: number): Promise<WindowHit> {
    const now = this.now();
    const k = this.prefix + key;
    const hits = (this.windows.get(k) ?? []).filter((t) => t > now - windowMs);
    if (hits.length < limit) {
      hits.push(now);
      this.windows.set(k, hits);
      return { allowed: true, count: hits.length, retryAfterMs: 0 };
    }
    this.windows.set(k, hits);
    return { allowed: false, count: hits.length, retryAfterMs: Math.max(1, hits[0]! + windowMs - now) };
  }

  async batch(ops: BatchOp[]): Promise<(number | null)[]> {
    const out: (number | null)[] = [];
    for (const o of ops) {
      if (o.op === "hashAdd") {
        const hash = this.hash(o.key);
        hash.set(o.field, (hash.get(o.field) ?? 0) + o.by);
        out.push(null);
      } else if (o.op === "windowAdd") out.push(await this.increment(o.key, o.by, o.ttlMs));
      else {
        await this.set(o.key, o.value, o.ttlMs);
        out.push(null);
      }
    }
    return out;
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    return Object.fromEntries([...this.hash(key)].map(([f, v]) => [f, String(v)]));
  }

  async ping(): Promise<void> {}

  private hash(key: string): Map<string, number> {
    const k = this.prefix + key;
    let h = this.hashes.get(k);
    if (!h) this.hashes.set(k, (h = new Map()));
    return h;
  }

  private live(key: string): Entry | undefined {
    const k = this.prefix + key;
    const entry = this.entries.get(k);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(k);
      return undefined;
    }
    return entry;
  }

  private entry(value: string, ttlMs: number | undefined): Entry {
    if (ttlMs === undefined) return { value };
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
      // Redis rejects these too (PX must be a positive integer); failing here keeps both stores alike.
      throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
    }
    return { value, expiresAt: this.now() + ttlMs };
  }
}
