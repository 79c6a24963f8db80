/**
 * Metrics on Workers (src/observability/analytics-metrics.ts): every count and observation the
 * store-backed metrics would add to Prometheus's series is a data point in Analytics Engine, in
 * the layout the Workers dashboard (ops/grafana-workers-dashboard.json) reads. The dataset here
 * records what it is given, as Cloudflare's binding would take it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyticsMetrics, isAnalyticsDataset, POINTS_PER_INVOCATION, type AnalyticsDataset } from '../../src/observability/analytics-metrics';
import { FAMILIES, seriesKey } from '../../src/observability/catalog';
import { storeMetrics } from '../../src/observability/metrics';
import { MemoryStore } from '../../src/store/memory-store';
import { WriteBehind } from '../../src/store/write-behind';

type Point = { indexes?: string[]; blobs?: string[]; doubles?: number[] };

function recordingDataset(limit = POINTS_PER_INVOCATION) {
  const points: Point[] = [];
  const dataset: AnalyticsDataset = {
    writeDataPoint(p) {
      // Cloudflare refuses points past the invocation's limit.
      if (points.length >= limit) throw new Error('too many data points');
      points.push(p);
    },
  };
  return { points, dataset };
}

function storeSide() {
  const store = new MemoryStore();
  const writeBehind = new WriteBehind(store, { intervalMs: 0 });
  return { store, writeBehind, metrics: storeMetrics(store, writeBehind) };
}

/** The same recordings, made on both: what Prometheus would read, and the points. */
function recordAll(m: ReturnType<typeof storeMetrics>) {
  m.observe('http_request_duration_seconds', 0.042, { route: '/api/citas', method: 'POST', status_class: '2xx' });
  m.count('webhooks_total', { outcome: 'created' });
  m.count('webhooks_first_delivery_total', {});
  m.observe('webhook_duration_seconds', 0.02, { outcome: 'created' });
  m.observe('ghl_request_duration_seconds', 0.3, { operation: 'createAppointment', outcome: '429' });
  m.count('ghl_errors_total', { type: '429' });
  m.count('sync_pushes_total', { outcome: 'synced' }, 3);
  m.observe('create_to_ghl_seconds', 1.5, {});
  m.observe('job_duration_seconds', 12, { kind: 'full', outcome: 'ok' });
}

describe('metrics on Workers Analytics Engine', () => {
  it('records every family the catalog has, name first, labels in catalog order, value and weight as doubles', () => {
    const { points, dataset } = recordingDataset();
    const node = storeSide();
    const m = analyticsMetrics(dataset, node.metrics, () => {
      throw new Error('no error expected');
    });
    recordAll(m);
    m.finish();
    expect(new Set(points.map((p) => p.blobs![0]))).toEqual(new Set(Object.keys(FAMILIES)));
    expect(points).toContainEqual({ indexes: ['http_request_duration_seconds'], blobs: ['http_request_duration_seconds', '/api/citas', 'POST', '2xx'], doubles: [0.042, 1] });
    expect(points).toContainEqual({ indexes: ['ghl_request_duration_seconds'], blobs: ['ghl_request_duration_seconds', 'createAppointment', '429'], doubles: [0.3, 1] });
    expect(points).toContainEqual({ indexes: ['sync_pushes_total'], blobs: ['sync_pushes_total', 'synced'], doubles: [3, 1] });
    expect(points).toContainEqual({ indexes: ['create_to_ghl_seconds'], blobs: ['create_to_ghl_seconds'], doubles: [1.5, 1] });
    for (const p of points) {
      const family = FAMILIES[p.blobs![0] as keyof typeof FAMILIES];
      expect(p.blobs!.length, p.blobs![0]).toBe(1 + family.labels.length);
    }
  });

  it('holds what the store-backed metrics would count, and writes none of it to the store', async () => {
    const { points, dataset } = recordingDataset();
    const workers = storeSide();
    const m = analyticsMetrics(dataset, workers.metrics, () => {});
    recordAll(m);
    m.finish();
    await workers.writeBehind.flush();
    expect(await workers.store.hashGetAll('metrics:v2')).toEqual({});

    // Node's series, from the same recordings; every counter total and histogram count and sum is in the points.
    const node = storeSide();
    recordAll(node.metrics);
    const series = await node.metrics.read();
    const total = (name: string, labels: string[], i: 0 | 1) =>
      points.filter((p) => p.blobs![0] === name && p.blobs!.slice(1).join('\0') === labels.join('\0')).reduce((a, p) => a + p.doubles![i]!, 0);
    for (const [name, family] of Object.entries(FAMILIES)) {
      const labelled = points.filter((p) => p.blobs![0] === name).map((p) => p.blobs!.slice(1));
      for (const values of labelled) {
        const labels = Object.fromEntries(family.labels.map((l, i) => [l, values[i]!]));
        if (family.type === 'counter') expect(total(name, values, 0), name).toBe(series[seriesKey(name, labels)]);
        else {
          expect(total(name, values, 1), name).toBe(series[seriesKey(`${name}_count`, labels)]);
          expect(total(name, values, 0), name).toBeCloseTo(series[seriesKey(`${name}_sum`, labels)]!, 9);
        }
      }
    }
  });

  it("past 200 points an invocation sums the rest per series, so a long job stays under Cloudflare's 250 and loses no count", () => {
    const { points, dataset } = recordingDataset();
    const errors: unknown[] = [];
    const m = analyticsMetrics(dataset, storeSide().metrics, (err) => errors.push(err));
    for (let i = 0; i < 1000; i++) m.observe('ghl_request_duration_seconds', 0.25, { operation: i % 2 ? 'getAppointment' : 'listEvents', outcome: '2xx' });
    m.count('sync_pushes_total', { outcome: 'synced' });
    m.finish();
    expect(errors).toEqual([]);
    expect(points.length).toBeLessThanOrEqual(POINTS_PER_INVOCATION);
    const ghl = points.filter((p) => p.blobs![0] === 'ghl_request_duration_seconds');
    expect(ghl.reduce((a, p) => a + p.doubles![1]!, 0)).toBe(1000);
    expect(ghl.reduce((a, p) => a + p.doubles![0]!, 0)).toBeCloseTo(250, 9);
    // The single points are the quantiles' sample; the sums say how many they stand for.
    expect(ghl.filter((p) => p.doubles![1] === 1)).toHaveLength(200);
    expect(points.filter((p) => p.blobs![0] === 'sync_pushes_total')).toEqual([{ indexes: ['sync_pushes_total'], blobs: ['sync_pushes_total', 'synced'], doubles: [1, 1] }]);
  });

  it('a refused data point never fails the work being counted: said once, the rest goes on', () => {
    const { points, dataset } = recordingDataset(2);
    const errors: unknown[] = [];
    const m = analyticsMetrics(dataset, storeSide().metrics, (err) => errors.push(err));
    for (let i = 0; i < 5; i++) expect(() => m.count('webhooks_total', { outcome: 'created' })).not.toThrow();
    m.finish();
    expect(points).toHaveLength(2);
    expect(errors).toHaveLength(1);
  });

  it('reports and reads stay with the store (the runbook reads GHL\'s rate-limit report there)', async () => {
    const { points, dataset } = recordingDataset();
    const node = storeSide();
    const m = analyticsMetrics(dataset, node.metrics, () => {});
    m.report('ghl.ratelimit.loc-1', { remaining: '99' });
    await node.writeBehind.flush();
    expect(JSON.parse((await node.store.get('metrics:gauge:ghl.ratelimit.loc-1'))!)).toEqual({ remaining: '99' });
    node.metrics.count('webhooks_total', { outcome: 'created' });
    expect(await m.read()).toEqual({ 'webhooks_total{outcome="created"}': 1 });
    expect(points).toEqual([]);
  });

  it('knows a dataset binding from anything else a Worker may be given', () => {
    expect(isAnalyticsDataset(recordingDataset().dataset)).toBe(true);
    expect(isAnalyticsDataset(undefined)).toBe(false);
    expect(isAnalyticsDataset('citas_sync_metrics')).toBe(false);
    expect(isAnalyticsDataset({ fetch() {} })).toBe(false);
  });

  it('wrangler.toml binds the dataset as METRICS in every environment (bindings are not inherited)', () => {
    const toml = readFileSync('wrangler.toml', 'utf8');
    for (const table of ['analytics_engine_datasets', 'env.citas.analytics_engine_datasets', 'env.webhooks.analytics_engine_datasets', 'env.jobs.analytics_engine_datasets']) {
      expect(toml, table).toContain(`[[${table}]]\nbinding = "METRICS"\ndataset = "citas_sync_metrics"`);
    }
  });

  it("the Workers dashboard reads the dataset wrangler.toml binds, families the catalog has, and only label columns they fill", () => {
    const dashboard = JSON.parse(readFileSync('ops/grafana-workers-dashboard.json', 'utf8')) as { panels: { title: string; targets?: { query: string }[] }[] };
    const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, sql: t.query })));
    expect(queries.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const { panel, sql } of queries) {
      if (!/\bFROM citas_sync_metrics\b/.test(sql)) problems.push(`${panel}: not FROM citas_sync_metrics`);
      const families = [...sql.matchAll(/blob1 (?:= '(\w+)'|IN \(([^)]*)\))/g)].flatMap((m) => (m[1] ? [m[1]] : [...m[2]!.matchAll(/'(\w+)'/g)].map((x) => x[1]!)));
      if (!families.length) problems.push(`${panel}: names no family`);
      for (const f of families) if (!(f in FAMILIES)) problems.push(`${panel}: ${f} is not in the catalog`);
      const widest = Math.max(...families.filter((f) => f in FAMILIES).map((f) => FAMILIES[f as keyof typeof FAMILIES].labels.length));
      for (const [, n] of sql.matchAll(/\bblob(\d+)\b/g)) if (Number(n) > 1 + widest) problems.push(`${panel}: blob${n} is past the labels of ${families.join(', ')}`);
      for (const [, n] of sql.matchAll(/\bdouble(\d+)\b/g)) if (Number(n) > 2) problems.push(`${panel}: double${n} is never written`);
    }
    expect(problems).toEqual([]);
    expect(readFileSync('wrangler.toml', 'utf8')).toContain('dataset = "citas_sync_metrics"');
  });
});
