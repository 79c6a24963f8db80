import { and, eq, max } from 'drizzle-orm';
import type { Deps } from '../deps';
import { ghlConnections, syncRuns, SYNC_KINDS } from '../db/schema';
import { breakerOpen } from '../ghl/circuit-breaker';
import { FAMILIES, FAMILY_HELP, GAUGES, seriesKey } from '../observability/catalog';
import { firstDeliveryStats } from '../webhooks/events-repo';
import { citaCountsByLocation } from './location-counts';
import { locationsWithHeldSweeps } from './staleness';

type Series = Record<string, number>;

/** A family's samples: `name{labels}` → value, with the labels parsed back. */
function samples(series: Series, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const [key, value] of Object.entries(series)) {
    const brace = key.indexOf('{');
    if ((brace === -1 ? key : key.slice(0, brace)) !== name) continue;
    const labels: Record<string, string> = {};
    if (brace !== -1) for (const m of key.slice(brace + 1, -1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
    out.push({ labels, value });
  }
  return out;
}

const sum = (xs: { value: number }[]) => xs.reduce((a, x) => a + x.value, 0);
const per100 = (n: number, d: number) => (d ? Math.round((n / d) * 10000) / 100 : 0);

/**
 * The operator's numbers as JSON: totals and the ratios people ask for (GHL errors per 100
 * operations, first-delivery rate, mean RV3 → GHL create time), read from the shared series.
 * `counters` keeps the dotted names earlier versions reported.
 */
export async function metricsReport(deps: Deps) {
  const [series, held] = await Promise.all([deps.metrics.read(), locationsWithHeldSweeps(deps.db)]);
  const http = samples(series, 'http_request_duration_seconds_count');
  const ghl = samples(series, 'ghl_request_duration_seconds_count');
  const webhooks = samples(series, 'webhooks_total');
  const pushes = samples(series, 'sync_pushes_total');
  const jobs = samples(series, 'job_duration_seconds_count');
  const jobSums = samples(series, 'job_duration_seconds_sum');
  const createCount = series[seriesKey('create_to_ghl_seconds_count', {})] ?? 0;
  const createSum = series[seriesKey('create_to_ghl_seconds_sum', {})] ?? 0;

  const ok = sum(http.filter((s) => s.labels.status_class !== '5xx'));
  const fail = sum(http.filter((s) => s.labels.status_class === '5xx'));
  const calls = sum(ghl);
  const byOutcome = (outcome: string) => sum(ghl.filter((s) => s.labels.outcome === outcome));
  const webhook = (outcome: string) => sum(webhooks.filter((s) => s.labels.outcome === outcome));
  const processed = ['created', 'applied', 'cancelled', 'conflict', 'stale', 'echo', 'unchanged', 'ignored'].reduce((a, o) => a + webhook(o), 0);
  const firstDelivery = series[seriesKey('webhooks_first_delivery_total', {})] ?? 0;
  const counters: Record<string, number> = {
    'http.requests.ok': ok,
    'http.requests.fail': fail,
    'ghl.calls': calls,
    'ghl.network_errors': byOutcome('network'),
    ...Object.fromEntries(['2xx', '401', '403', '404', '429', '4xx', '5xx'].map((o) => [`ghl.status.${o}`, byOutcome(o)])),
    ...Object.fromEntries(pushes.map((s) => [`sync.push.${s.labels.outcome}`, s.value])),
    'sync.create.count': createCount,
    'webhooks.received': sum(webhooks),
    'webhooks.first_delivery': firstDelivery,
    ...Object.fromEntries(webhooks.map((s) => [`webhooks.${s.labels.outcome}`, s.value])),
  };
  return {
    counters,
    requests: { ok, fail, fail_per_100: per100(fail, ok + fail) },
    ghl_errors_per_100_operations: {
      '401': per100(byOutcome('401'), calls),
      '403': per100(byOutcome('403'), calls),
      '429': per100(byOutcome('429'), calls),
      '5xx': per100(byOutcome('5xx'), calls),
      network: per100(byOutcome('network'), calls),
    },
    webhooks_first_delivery_percent: processed ? per100(firstDelivery, processed) : null,
    mean_create_to_ghl_ms: createCount ? Math.round((createSum / createCount) * 1000) : null,
    jobs: Object.fromEntries(
      SYNC_KINDS.map((kind) => {
        const mine = jobs.filter((s) => s.labels.kind === kind);
        const runs = sum(mine);
        const secs = sum(jobSums.filter((s) => s.labels.kind === kind));
        const outcome = (o: string) => sum(mine.filter((s) => s.labels.outcome === o));
        return [kind, { runs, ok: outcome('ok'), partial: outcome('partial'), failed: outcome('failed'), mean_ms: runs ? Math.round((secs / runs) * 1000) : null }];
      }),
    ),
    sync: { held_sweeps: held.length },
  };
}

/** Webhook counters by outcome (shared series) and the first-delivery rate (durable record). */
export async function webhookStats(deps: Deps) {
  const [series, durable] = await Promise.all([deps.metrics.read(), firstDeliveryStats(deps.db)]);
  const webhooks = samples(series, 'webhooks_total');
  return {
    counters: {
      received: sum(webhooks),
      first_delivery: series[seriesKey('webhooks_first_delivery_total', {})] ?? 0,
      ...Object.fromEntries(webhooks.map((s) => [s.labels.outcome!, s.value])),
    },
    first_delivery: durable,
  };
}

const PREFIX = 'citas_';
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12))));

/**
 * Prometheus text exposition (format 0.0.4): HELP and TYPE for every family, histograms with
 * cumulative buckets, and the per-location gauges, computed now from the database and the store.
 */
export async function prometheusText(deps: Deps): Promise<string> {
  const series = await deps.metrics.read();
  const lines: string[] = [];
  for (const [name, family] of Object.entries(FAMILIES)) {
    const full = PREFIX + name;
    lines.push(`# HELP ${full} ${FAMILY_HELP[name as keyof typeof FAMILIES]}`, `# TYPE ${full} ${family.type}`);
    if (family.type === 'counter') {
      for (const s of samples(series, name)) lines.push(`${seriesKey(full, s.labels)} ${fmt(s.value)}`);
      continue;
    }
    // Histograms: the stored buckets are per bucket; Prometheus wants them cumulative, +Inf = count.
    const buckets = samples(series, `${name}_bucket`);
    for (const c of samples(series, `${name}_count`)) {
      const own = buckets.filter((b) => sameLabels(b.labels, c.labels));
      let running = 0;
      for (const le of family.buckets as readonly number[]) {
        running += own.find((b) => b.labels.le === String(le))?.value ?? 0;
        lines.push(`${seriesKey(`${full}_bucket`, { ...c.labels, le: String(le) })} ${fmt(running)}`);
      }
      lines.push(`${seriesKey(`${full}_bucket`, { ...c.labels, le: '+Inf' })} ${fmt(c.value)}`);
      lines.push(`${seriesKey(`${full}_sum`, c.labels)} ${fmt(series[seriesKey(`${name}_sum`, c.labels)] ?? 0)}`);
      lines.push(`${seriesKey(`${full}_count`, c.labels)} ${fmt(c.value)}`);
    }
  }
  lines.push(...(await gaugeLines(deps)));
  return `${lines.join('\n')}\n`;
}

/** A bucket sample belongs to a histogram series when its labels but `le` are the series'. */
function sameLabels(bucket: Record<string, string>, labels: Record<string, string>): boolean {
  const { le: _le, ...rest } = bucket;
  return seriesKey('', rest) === seriesKey('', labels);
}

/** The per-location gauges, from the database (and each connected location's breaker in the store). */
async function gaugeLines(deps: Deps): Promise<string[]> {
  const now = deps.clock.now().getTime();
  const [counts, connections, lastOk, held, durable] = await Promise.all([
    citaCountsByLocation(deps.db),
    deps.db.select().from(ghlConnections),
    deps.db
      .select({ locationId: syncRuns.locationId, kind: syncRuns.kind, at: max(syncRuns.finishedAt) })
      .from(syncRuns)
      .where(and(eq(syncRuns.outcome, 'ok')))
      .groupBy(syncRuns.locationId, syncRuns.kind),
    locationsWithHeldSweeps(deps.db),
    firstDeliveryStats(deps.db),
  ]);
  const gauge = (name: keyof typeof GAUGES, rows: [Record<string, string>, number][]) => [
    `# HELP ${PREFIX}${name} ${GAUGES[name].help}`,
    `# TYPE ${PREFIX}${name} gauge`,
    ...rows.map(([labels, v]) => `${seriesKey(PREFIX + name, labels)} ${fmt(v)}`),
  ];
  const active = connections.filter((c) => c.status === 'active');
  const breakers = await Promise.all(active.map(async (c) => [c.locationId, await breakerOpen(deps.store, c.locationId)] as const));
  return [
    ...gauge(
      'citas',
      counts.flatMap((c) => [
        [{ location: c.locationId, state: 'pending_sync' }, Number(c.pending)],
        [{ location: c.locationId, state: 'sync_failed' }, Number(c.failed)],
        [{ location: c.locationId, state: 'conflict' }, Number(c.conflicts)],
      ] as [Record<string, string>, number][]),
    ),
    ...gauge(
      'sync_last_success_age_seconds',
      active.flatMap((c) =>
        (['incremental', 'full'] as const).map((kind) => {
          const at = lastOk.find((r) => r.locationId === c.locationId && r.kind === kind)?.at;
          return [{ location: c.locationId, kind }, Math.round((now - new Date(at ?? c.createdAt).getTime()) / 1000)] as [Record<string, string>, number];
        }),
      ),
    ),
    ...gauge('ghl_connection_status', connections.map((c) => [{ location: c.locationId, status: c.status }, 1])),
    ...gauge('ghl_breaker_open', breakers.map(([location, open]) => [{ location }, open ? 1 : 0])),
    ...gauge('sync_held_sweeps', [...new Set([...held, ...active.map((c) => c.locationId)])].map((location) => [{ location }, held.includes(location) ? 1 : 0])),
    ...gauge('webhooks_first_delivery_ratio', durable.rate === null ? [] : [[{}, durable.rate]]),
  ];
}
