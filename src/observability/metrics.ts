import type { KvStore } from '../store/kv-store';

/**
 * Counters in the shared store, so every isolate and process adds to the same numbers.
 * Names are dotted (`ghl.status.429`); values are totals since the store was created.
 */
export interface Metrics {
  increment(name: string, by?: number): Promise<void>;
  /** Sets a value that only the latest report matters for (e.g. the last rate-limit headers seen). */
  gauge(name: string, value: unknown): Promise<void>;
  read(names: string[]): Promise<Record<string, number>>;
}

const PREFIX = 'metrics:';
const GAUGE_TTL_MS = 24 * 3600_000;

/**
 * Counting never fails the work being counted: a store that is down loses counts (reported through
 * `onError`, at most every 10 s), never a request. Reading them does fail, loudly.
 */
export function storeMetrics(store: KvStore, onError: (err: unknown) => void = () => {}): Metrics {
  let lastReport = 0;
  const lost = (err: unknown) => {
    if (Date.now() - lastReport < 10_000) return;
    lastReport = Date.now();
    onError(err);
  };
  return {
    async increment(name, by = 1) {
      await store.increment(PREFIX + name, by).catch(lost);
    },
    async gauge(name, value) {
      await store.set(`${PREFIX}gauge:${name}`, JSON.stringify(value), GAUGE_TTL_MS).catch(lost);
    },
    async read(names) {
      const values = await Promise.all(names.map((n) => store.get(PREFIX + n)));
      return Object.fromEntries(names.map((n, i) => [n, Number(values[i] ?? 0)]));
    },
  };
}
