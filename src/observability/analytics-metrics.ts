import { FAMILIES, type CounterName, type FamilyName, type HistogramName, type LabelsOf } from './catalog';
import type { Metrics } from './metrics';

/**
 * Workers Analytics Engine's binding, as much of it as we use (a structural type: src/ carries no
 * Workers types). `writeDataPoint` queues the point in the runtime and returns: no round trip.
 */
export interface AnalyticsDataset {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

/** Whether a binding is an Analytics Engine dataset (Workers: `[[analytics_engine_datasets]]`). */
export function isAnalyticsDataset(binding: unknown): binding is AnalyticsDataset {
  return typeof (binding as AnalyticsDataset | undefined)?.writeDataPoint === 'function';
}

/** Cloudflare takes at most 250 data points per Worker invocation. */
export const POINTS_PER_INVOCATION = 250;
/** Beyond this many points one by one, an invocation sums the rest per series (room kept for those sums). */
const SINGLE_POINTS = 200;

/**
 * Metrics on Workers: every count and observation is a data point in Workers Analytics Engine,
 * written in the isolate at no round trip, so a request alone in its isolate costs the store
 * nothing for them (the store-backed write-behind, src/observability/metrics.ts, stays the Node
 * deployment's, which Prometheus scrapes). One object per invocation (its 250-point limit).
 *
 * A data point, for every family in the catalog (src/observability/catalog.ts):
 *   index1   the family's name (Analytics Engine samples per index);
 *   blob1    the family's name; blob2… its label values, in the catalog's label order;
 *   double1  the value: a counter's increment, a histogram's observation in seconds;
 *   double2  how many counts or observations the point carries: 1, or more for a point that sums
 *            what an invocation recorded past SINGLE_POINTS (its double1 is then their sum).
 * So a counter's total is SUM(_sample_interval * double1), a histogram's count and sum are
 * SUM(_sample_interval * double2) and SUM(_sample_interval * double1), and its quantiles
 * quantileExactWeighted(q, double1, _sample_interval) over the points WHERE double2 = 1
 * (ops/grafana-workers-dashboard.json).
 *
 * `report` (the latest of something, read by operators from the store) and `read` (the store's
 * Prometheus series) are the store-backed metrics' own.
 */
export function analyticsMetrics(
  dataset: AnalyticsDataset,
  store: Pick<Metrics, 'report' | 'read'>,
  onError: (err: unknown, dropped: number) => void,
): Metrics & { finish(): void } {
  let written = 0;
  let failed = false;
  const sums = new Map<string, { blobs: string[]; value: number; n: number }>();

  const write = (blobs: string[], value: number, n: number) => {
    try {
      dataset.writeDataPoint({ indexes: [blobs[0]!], blobs, doubles: [value, n] });
      written++;
    } catch (err) {
      // Counting never fails the work being counted; said once per invocation.
      if (!failed) onError(err, 1);
      failed = true;
    }
  };
  const record = (name: FamilyName, labels: Record<string, string>, value: number) => {
    const blobs = [name, ...FAMILIES[name].labels.map((l) => String((labels as Record<string, unknown>)[l] ?? ''))];
    if (written < SINGLE_POINTS) return write(blobs, value, 1);
    const id = blobs.join('\0');
    const sum = sums.get(id);
    if (sum) {
      sum.value += value;
      sum.n += 1;
    } else sums.set(id, { blobs, value, n: 1 });
  };

  return {
    count<K extends CounterName>(name: K, labels: LabelsOf<K>, by = 1) {
      record(name, labels, by);
    },
    observe<K extends HistogramName>(name: K, seconds: number, labels: LabelsOf<K>) {
      record(name, labels, seconds);
    },
    report: (name, value) => store.report(name, value),
    read: () => store.read(),
    /** The invocation is over: the sums go out, as many as the limit leaves room for. */
    finish() {
      const room = POINTS_PER_INVOCATION - written;
      const all = [...sums.values()];
      sums.clear();
      for (const s of all.slice(0, Math.max(0, room))) write(s.blobs, s.value, s.n);
      if (all.length > room) onError(new Error(`more series than the ${POINTS_PER_INVOCATION} data points an invocation may write`), all.length - Math.max(0, room));
    },
  };
}
