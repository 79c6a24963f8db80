import type { KvStore } from '../store/kv-store';
import type { WriteBehind } from '../store/write-behind';
import { FAMILIES, seriesKey, type CounterName, type HistogramName, type LabelsOf } from './catalog';

/**
 * Counting without a store round trip: counts and observations go to the process's write-behind
 * buffer (src/store/write-behind.ts) and reach the shared store, one hash, at its next flush —
 * so every isolate's work is counted once, and a request pays nothing for it. Counting never
 * fails the work being counted; reading (`read`) flushes this process's part first.
 */
export interface Metrics {
  count<K extends CounterName>(name: K, labels: LabelsOf<K>, by?: number): void;
  observe<K extends HistogramName>(name: K, seconds: number, labels: LabelsOf<K>): void;
  /** The latest of something reported (e.g. GHL's rate-limit headers per location), kept 24 h. */
  report(name: string, value: unknown): void;
  /** Every series in the shared store, as field → value. */
  read(): Promise<Record<string, number>>;
}

export const METRICS_HASH = 'metrics:v2';
const REPORT_TTL_MS = 24 * 3600_000;

export function storeMetrics(store: KvStore, buffer: WriteBehind): Metrics {
  return {
    count(name, labels, by = 1) {
      buffer.hashAdd(METRICS_HASH, keyOf(name, '', labels), by);
    },
    observe(name, seconds, labels) {
      const buckets = FAMILIES[name].buckets as readonly number[];
      // Stored per bucket (not cumulative): the exposition adds them up.
      const le = buckets.find((b) => seconds <= b);
      buffer.hashAdd(METRICS_HASH, keyOf(name, '_bucket', labels, le === undefined ? '+Inf' : String(le)), 1);
      buffer.hashAdd(METRICS_HASH, keyOf(name, '_sum', labels), seconds);
      buffer.hashAdd(METRICS_HASH, keyOf(name, '_count', labels), 1);
    },
    report(name, value) {
      buffer.set(`metrics:gauge:${name}`, JSON.stringify(value), REPORT_TTL_MS);
    },
    async read() {
      await buffer.flush();
      const all = await store.hashGetAll(METRICS_HASH);
      return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Number(v)]));
    },
  };
}

/**
 * Series keys as every request needs them (several per request): building one sorts and escapes
 * its labels, so each is built once. Bounded, though label values are bounded by design.
 */
const seriesKeys = new Map<string, string>();
const MAX_SERIES_KEYS = 10_000;

function keyOf(name: string, suffix: string, labels: Record<string, string>, le?: string): string {
  let id = name + suffix;
  for (const k in labels) {
    const v = String(labels[k]);
    // A value holding the separator could pass for other labels: such a key is built every time.
    if (v.includes('\0')) return seriesKey(name + suffix, le === undefined ? labels : { ...labels, le });
    id += `\0${k}\0${v}`;
  }
  if (le !== undefined) id += `\0le\0${le}`;
  let key = seriesKeys.get(id);
  if (key === undefined) {
    key = seriesKey(name + suffix, le === undefined ? labels : { ...labels, le });
    if (seriesKeys.size < MAX_SERIES_KEYS) seriesKeys.set(id, key);
  }
  return key;
}
