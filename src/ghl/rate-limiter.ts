import type { KvStore } from '../store/kv-store';
import { MemoryStore } from '../store/memory-store';
import { GhlError } from './errors';

/**
 * Our own ceiling per location in front of every GHL call (default 90 / 10 s, under GHL's 100),
 * shared through the store so every isolate and process counts against the same window.
 * A caller waits for a free slot instead of ever seeing a 429; past `maxWaitMs` it gives up.
 */
export class GhlRateLimiter {
  /**
   * With the shared store down, each process keeps its own window: GHL is still paced per process
   * (and answers a 429 we wait out if several processes together go over), never left unguarded.
   */
  private readonly local = new MemoryStore();

  constructor(
    private readonly store: KvStore,
    private readonly opts: { max: number; intervalMs: number; maxWaitMs: number; sleep: (ms: number) => Promise<void> },
  ) {}

  async acquire(locationId: string): Promise<{ waitedMs: number }> {
    const started = Date.now();
    for (;;) {
      const key = `ghl:ratelimit:${locationId}`;
      const hit = await this.store
        .slidingWindowHit(key, this.opts.max, this.opts.intervalMs)
        .catch(() => this.local.slidingWindowHit(key, this.opts.max, this.opts.intervalMs));
      if (hit.allowed) return { waitedMs: Date.now() - started };
      if (Date.now() - started + hit.retryAfterMs > this.opts.maxWaitMs) {
        throw new GhlError('rate_limited', `our GHL budget for ${locationId} is used up; retry later`);
      }
      // A little jitter so waiters released by the same expiry don't stampede together.
      await this.opts.sleep(hit.retryAfterMs + Math.floor(Math.random() * 25));
    }
  }
}
