import type { Deps } from '../deps';
import { firstDeliveryStats } from '../webhooks/events-repo';
import { locationsWithHeldSweeps } from './staleness';

/** Every outcome a delivery can end in, counted as `webhooks.<name>` (one list for every report). */
export const WEBHOOK_COUNTERS = ['received', 'created', 'applied', 'cancelled', 'conflict', 'duplicate', 'stale', 'echo', 'unchanged', 'ignored', 'invalid_signature', 'invalid_timestamp', 'invalid_payload', 'failed', 'first_delivery'] as const;
/** The outcomes that mean "processed" (the denominator of the first-delivery rate). */
const WEBHOOK_PROCESSED = ['created', 'applied', 'cancelled', 'conflict', 'stale', 'echo', 'unchanged', 'ignored'] as const;

const COUNTERS = [
  'http.requests.ok',
  'http.requests.fail',
  'ghl.calls',
  'ghl.network_errors',
  'ghl.status.2xx',
  'ghl.status.401',
  'ghl.status.403',
  'ghl.status.404',
  'ghl.status.429',
  'ghl.status.4xx',
  'ghl.status.5xx',
  'sync.push.ok',
  'sync.push.retry',
  'sync.push.failed',
  'sync.create.count',
  'sync.create.total_ms',
  ...WEBHOOK_COUNTERS.map((n) => `webhooks.${n}`),
  ...['incremental', 'full', 'cleanup'].flatMap((k) => [`jobs.${k}.runs`, `jobs.${k}.ms`, `jobs.${k}.ok`, `jobs.${k}.partial`, `jobs.${k}.failed`]),
];

/** The operator's numbers: raw counters from the store plus the ratios people ask for. */
export async function metricsReport(deps: Deps) {
  const [c, held] = await Promise.all([deps.metrics.read(COUNTERS), locationsWithHeldSweeps(deps.db)]);
  const per100 = (n: number, d: number) => (d ? Math.round((n / d) * 10000) / 100 : 0);
  const ops = c['ghl.calls']!;
  const processed = WEBHOOK_PROCESSED.reduce((a, k) => a + c[`webhooks.${k}`]!, 0);
  const requests = c['http.requests.ok']! + c['http.requests.fail']!;
  return {
    counters: c,
    requests: { ok: c['http.requests.ok'], fail: c['http.requests.fail'], fail_per_100: per100(c['http.requests.fail']!, requests) },
    ghl_errors_per_100_operations: {
      '401': per100(c['ghl.status.401']!, ops),
      '403': per100(c['ghl.status.403']!, ops),
      '429': per100(c['ghl.status.429']!, ops),
      '5xx': per100(c['ghl.status.5xx']!, ops),
      network: per100(c['ghl.network_errors']!, ops),
    },
    sync: { held_sweeps: held.length },
    webhooks_first_delivery_percent: processed ? per100(c['webhooks.first_delivery']!, processed) : null,
    mean_create_to_ghl_ms: c['sync.create.count'] ? Math.round(c['sync.create.total_ms']! / c['sync.create.count']!) : null,
    jobs: Object.fromEntries(
      ['incremental', 'full', 'cleanup'].map((k) => [
        k,
        { runs: c[`jobs.${k}.runs`], ok: c[`jobs.${k}.ok`], partial: c[`jobs.${k}.partial`], failed: c[`jobs.${k}.failed`], mean_ms: c[`jobs.${k}.runs`] ? Math.round(c[`jobs.${k}.ms`]! / c[`jobs.${k}.runs`]!) : null },
      ]),
    ),
  };
}

/** Webhook counters (shared store) and the first-delivery rate (durable record). */
export async function webhookStats(deps: Deps) {
  const [counters, durable] = await Promise.all([deps.metrics.read(WEBHOOK_COUNTERS.map((n) => `webhooks.${n}`)), firstDeliveryStats(deps.db)]);
  return {
    counters: Object.fromEntries(WEBHOOK_COUNTERS.map((n) => [n, counters[`webhooks.${n}`] ?? 0])),
    first_delivery: durable,
  };
}

/** Prometheus text exposition of the same numbers. */
export function prometheusText(report: Awaited<ReturnType<typeof metricsReport>>): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(report.counters)) {
    const metric = `citas_${name.replace(/[^a-zA-Z0-9]/g, '_')}_total`;
    lines.push(`# TYPE ${metric} counter`, `${metric} ${value}`);
  }
  lines.push('# TYPE citas_ghl_errors_per_100_operations gauge');
  for (const [kind, v] of Object.entries(report.ghl_errors_per_100_operations)) lines.push(`citas_ghl_errors_per_100_operations{kind="${kind}"} ${v}`);
  if (report.webhooks_first_delivery_percent !== null) lines.push('# TYPE citas_webhooks_first_delivery_percent gauge', `citas_webhooks_first_delivery_percent ${report.webhooks_first_delivery_percent}`);
  lines.push('# TYPE citas_sync_held_sweeps gauge', `citas_sync_held_sweeps ${report.sync.held_sweeps}`);
  if (report.mean_create_to_ghl_ms !== null) lines.push('# TYPE citas_mean_create_to_ghl_ms gauge', `citas_mean_create_to_ghl_ms ${report.mean_create_to_ghl_ms}`);
  return `${lines.join('\n')}\n`;
}
