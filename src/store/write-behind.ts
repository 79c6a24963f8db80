import type { BatchOp, KvStore } from './kv-store';

/**
 * Store writes that can wait a moment — counters, histogram buckets, rate-limit windows, latest
 * reports — kept in this process (or isolate) and written in one round trip at most once per
 * `intervalMs`, after a response (`flushSoon`, run by the request context with waitUntil).
 * A request then costs no store command for its bookkeeping, and every process's counts still
 * reach the shared store once. Until a flush, a process sees its own counts on top of the shared
 * totals it last read back (rate limits are exact within a process, shared within `intervalMs`).
 */
export class WriteBehind {
  private hash = new Map<string, Map<string, number>>();
  private sets = new Map<string, { value: string; ttlMs?: number }>();
  private windows = new Map<string, { pending: number; shared: number; ttlMs: number; until: number }>();
  private lastFlush = 0;
  private flushing: Promise<void> | null = null;
  private scheduled: Promise<void> | null = null;

  constructor(
    private readonly store: KvStore,
    private readonly opts: { intervalMs: number; now?: () => number; onError?: (err: unknown) => void },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  hashAdd(key: string, field: string, by: number): void {
    let h = this.hash.get(key);
    if (!h) this.hash.set(key, (h = new Map()));
    h.set(field, (h.get(field) ?? 0) + by);
  }

  set(key: string, value: string, ttlMs?: number): void {
    this.sets.set(key, { value, ttlMs });
  }

  /** Counts into a fixed window (its key names the window); the shared total is learnt at the next flush. */
  windowAdd(key: string, by: number, ttlMs: number): void {
    const w = this.windows.get(key);
    if (w) w.pending += by;
    else this.windows.set(key, { pending: by, shared: 0, ttlMs, until: this.now() + ttlMs });
  }

  /** The window's count as this process knows it: the shared total at the last flush plus its own since. */
  windowCount(key: string): number {
    const w = this.windows.get(key);
    return w ? w.shared + w.pending : 0;
  }

  /** This process's part of a window (or counter) not written to the store yet. */
  pendingOf(key: string): number {
    return this.windows.get(key)?.pending ?? 0;
  }

  /** The store's total for a window as this process's last write of it learnt (0 before any). */
  sharedOf(key: string): number {
    return this.windows.get(key)?.shared ?? 0;
  }

  /**
   * Writes what is pending at most `intervalMs` after the last write: now when due, else once the
   * interval is over (one timer shared by every request meanwhile). Run after a response with
   * waitUntil, which keeps a Worker's isolate alive until it is done, so nothing counted waits for
   * a next request that may never come. Resolves at once for a caller whose counts a timer set
   * by an earlier one will carry.
   */
  flushSoon(): Promise<void> {
    if (!this.hasPending()) return Promise.resolve();
    const wait = this.lastFlush + this.opts.intervalMs - this.now();
    if (wait <= 0) return this.flush();
    // Only the caller that sets the timer waits for it: on Workers its waitUntil keeps the isolate
    // alive until the flush, which writes everyone's counts. Others waiting too would each keep
    // their request open for up to intervalMs and be woken across requests, for nothing.
    if (this.scheduled) return Promise.resolve();
    this.scheduled = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      this.scheduled = null;
      return this.flush();
    });
    return this.scheduled;
  }

  private hasPending(): boolean {
    if (this.hash.size || this.sets.size) return true;
    for (const w of this.windows.values()) if (w.pending > 0) return true;
    return false;
  }

  /** Writes everything pending now (one round trip); a failed write keeps counts for the next one. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.lastFlush = this.now();
    const hash = this.hash;
    const sets = this.sets;
    this.hash = new Map();
    this.sets = new Map();
    const now = this.now();
    for (const [k, w] of this.windows) if (w.until <= now) this.windows.delete(k);
    const windowKeys = [...this.windows].filter(([, w]) => w.pending > 0).map(([k]) => k);
    const sent = new Map(windowKeys.map((k) => [k, this.windows.get(k)!.pending]));
    const hashOps: BatchOp[] = [...hash].flatMap(([key, fields]) => [...fields].map(([field, by]) => ({ op: 'hashAdd' as const, key, field, by })));
    const ops: BatchOp[] = [
      ...hashOps,
      ...windowKeys.map((key) => ({ op: 'windowAdd' as const, key, by: sent.get(key)!, ttlMs: this.windows.get(key)!.ttlMs })),
      ...[...sets].map(([key, s]) => ({ op: 'set' as const, key, value: s.value, ttlMs: s.ttlMs })),
    ];
    if (!ops.length) return;
    this.flushing = (async () => {
      try {
        const out = await this.store.batch(ops);
        windowKeys.forEach((key, i) => {
          const w = this.windows.get(key);
          const total = out[hashOps.length + i];
          if (w && typeof total === 'number') {
            w.pending -= sent.get(key)!;
            w.shared = total;
          }
        });
      } catch (err) {
        // Counts wait for the next flush; windows keep their pending counts; a report is simply lost.
        for (const [key, fields] of hash) for (const [field, by] of fields) this.hashAdd(key, field, by);
        this.opts.onError?.(err);
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }
}
