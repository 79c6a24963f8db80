import type { KvStore } from '../store/kv-store';
import { GhlError } from './errors';

/**
 * Per-location circuit breaker kept in the store: after `threshold` consecutive transient failures
 * (5xx, network) calls to that location stop for `cooldownMs`, and work stays pending for the next
 * sweep instead of hammering a GHL that is down. Other locations are unaffected.
 * With the store down it fails open (reads as closed, counts nothing): GHL's own answers, retried
 * with backoff, still protect it; a breaker must not stop GHL calls because Redis is down.
 */
export class CircuitBreaker {
  /** Locations this instance saw fail, so a success costs a store call only after a failure. */
  private readonly failedHere = new Set<string>();

  constructor(
    private readonly store: KvStore,
    private readonly opts: { threshold: number; cooldownMs: number },
  ) {}

  async assertClosed(locationId: string): Promise<void> {
    if (await this.store.get(this.openKey(locationId)).catch(() => null)) {
      throw new GhlError('circuit_open', `GHL calls for ${locationId} are paused after repeated failures`);
    }
  }

  async recordFailure(locationId: string): Promise<void> {
    this.failedHere.add(locationId);
    const fails = await this.store.increment(this.failKey(locationId), 1, this.opts.cooldownMs).catch(() => 0);
    if (fails >= this.opts.threshold) {
      await this.store.set(this.openKey(locationId), String(Date.now()), this.opts.cooldownMs).catch(() => {});
      await this.store.delete(this.failKey(locationId)).catch(() => false);
    }
  }

  async recordSuccess(locationId: string): Promise<void> {
    if (!this.failedHere.delete(locationId)) return;
    await this.store.delete(this.failKey(locationId)).catch(() => false);
  }

  async isOpen(locationId: string): Promise<boolean> {
    return breakerOpen(this.store, locationId);
  }

  private openKey(l: string) {
    return openKey(l);
  }
  private failKey(l: string) {
    return `ghl:breaker:${l}:fails`;
  }
}

const openKey = (locationId: string) => `ghl:breaker:${locationId}:open`;

/** Whether a location's breaker is open, read straight from the store (metrics, status pages). */
export async function breakerOpen(store: KvStore, locationId: string): Promise<boolean> {
  return (await store.get(openKey(locationId)).catch(() => null)) !== null;
}
