/**
 * The operations files cannot drift from the service: the real `/metrics` exposition of a running
 * app (after real work, so every family has samples) is parsed with a Prometheus text parser and
 * checked against the catalog, and every metric, label and value that ops/prometheus-rules.yml and
 * ops/grafana-dashboard.json use must be one the exposition has. PromQL is parsed with Prometheus's
 * own grammar (@prometheus-io/lezer-promql). promtool's own checks run in scripts/ci/promtool.sh.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { CONNECTION_STATUSES, SYNC_KINDS } from '../../src/db/schema';
import { FAMILIES, FAMILY_HELP, GAUGES } from '../../src/observability/catalog';
import { ADMIN_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-metrics';
const CAL = 'cal-metrics';
const PREFIX = 'citas_';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

// ---------------------------------------------------------------------------------------------------
// The exposition, parsed

interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}
/** parse-prometheus-text-format ships no types: its one function, typed here. */
const parseExposition = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Every sample line, through the same parser: the family's lines without their TYPE line parse as
 * plain samples. (parse-prometheus-text-format folds a labelled histogram's series into one bucket
 * map, so its grouping cannot be used to check each series; its line parsing can.)
 */
function samplesOf(text: string): Sample[] {
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  // The final newline matters: without it the parser drops the last sample.
  return parseExposition(`${lines.join('\n')}\n`).flatMap((f) => f.metrics.map((m) => ({ name: f.name, labels: m.labels ?? {}, value: Number(m.value) })));
}

/** Which sample names a family exposes. */
const sampleNames = (family: string, type: string) => (type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => family + s) : [family]);
const catalog = [
  ...Object.entries(FAMILIES).map(([name, f]) => ({ name: PREFIX + name, type: f.type as string, help: FAMILY_HELP[name as keyof typeof FAMILIES] })),
  ...Object.entries(GAUGES).map(([name, g]) => ({ name: PREFIX + name, type: 'gauge', help: g.help as string })),
];

// ---------------------------------------------------------------------------------------------------
// PromQL, parsed

interface Selector {
  name: string;
  from: number;
  to: number;
  matchers: { label: string; op: string; value: string }[];
}
interface Analysis {
  errors: string[];
  selectors: Selector[];
  /** by/without/on/ignoring label lists, with the span of the expression they group. */
  groupings: { labels: string[]; from: number; to: number }[];
}

/** Grafana's interval variables become a duration so the query parses as PromQL. */
const grafanaToPromql = (expr: string) => expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');

function analyse(expr: string): Analysis {
  const out: Analysis = { errors: [], selectors: [], groupings: [] };
  const text = (n: { from: number; to: number }) => expr.slice(n.from, n.to);
  promql.parse(expr).iterate({
    enter(ref) {
      if (ref.type.isError) out.errors.push(`syntax error at ${ref.from}: …${expr.slice(Math.max(0, ref.from - 20), ref.from + 20)}…`);
      const node = ref.node;
      if (ref.name === 'VectorSelector') {
        const id = node.getChild('Identifier');
        if (!id) return;
        const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map((m) => {
          const literal = text(m.getChild('StringLiteral')!);
          return { label: text(m.getChild('LabelName')!), op: text(m.getChild('MatchOp')!), value: literal.startsWith('"') ? (JSON.parse(literal) as string) : literal.slice(1, -1) };
        });
        out.selectors.push({ name: text(id), from: ref.from, to: ref.to, matchers });
      }
      if (ref.name === 'GroupingLabels') {
        // by (…) / without (…) groups its AggregateExpr; on (…) / ignoring (…) its BinaryExpr.
        const scope = node.parent?.parent ?? node;
        out.groupings.push({ labels: node.getChildren('LabelName').map(text), from: scope.from, to: scope.to });
      }
    },
  });
  return out;
}

/** Series Prometheus makes itself, not the service: `up` is the scrape's own health. */
const PROMETHEUS_SERIES: Record<string, string[]> = { up: ['job', 'instance'] };
/** Label values no sample of a short test run shows, but the code produces. */
const KNOWN_VALUES: Record<string, readonly string[]> = {
  status_class: ['1xx', '2xx', '3xx', '4xx', '5xx'],
  kind: SYNC_KINDS,
  status: CONNECTION_STATUSES,
};

/**
 * What an expression refers to that the service does not expose: unknown metric names, label
 * names a metric does not have, label values it never takes (literal ones; Grafana variables and
 * real regular expressions are left alone), grouping labels none of the grouped metrics carry.
 */
function unknownReferences(expr: string, known: { labels: Map<string, Set<string>>; values: (metric: string, label: string) => Set<string>; recorded: Set<string> }): string[] {
  const a = analyse(expr);
  const problems = [...a.errors];
  for (const s of a.selectors) {
    if (known.recorded.has(s.name)) continue;
    const labels = known.labels.get(s.name) ?? (PROMETHEUS_SERIES[s.name] ? new Set(PROMETHEUS_SERIES[s.name]) : undefined);
    if (!labels) {
      problems.push(`unknown metric ${s.name}`);
      continue;
    }
    for (const m of s.matchers) {
      if (!labels.has(m.label)) problems.push(`${s.name} has no label ${m.label}`);
      else if (!PROMETHEUS_SERIES[s.name] && !m.value.includes('$') && /^[\w|]+$/.test(m.value)) {
        const values = known.values(s.name, m.label);
        for (const v of m.value.split('|')) if (!values.has(v)) problems.push(`${s.name}{${m.label}} never takes the value "${v}"`);
      }
    }
  }
  for (const g of a.groupings) {
    const inside = a.selectors.filter((s) => s.from >= g.from && s.to <= g.to);
    if (inside.some((s) => known.recorded.has(s.name) || PROMETHEUS_SERIES[s.name])) continue; // labels not known here
    for (const label of g.labels) if (!inside.some((s) => known.labels.get(s.name)?.has(label))) problems.push(`grouping by ${label}, which none of ${inside.map((s) => s.name).join(', ')} has`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// The rule file and the dashboard

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parseYaml(read('ops/prometheus-rules.yml')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
const alerts = rules.filter((r) => r.alert);

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}
const dashboard = JSON.parse(read('ops/grafana-dashboard.json')) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; definition?: string; datasource?: { uid: string } }[] };
};
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const dashboardExprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: grafanaToPromql(t.expr) })));

/** GitHub's heading anchors, for the headings the runbook uses (letters, digits, spaces, hyphens). */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
const runbook = read('docs/runbook.md');
const runbookAnchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

// ---------------------------------------------------------------------------------------------------
// A running app that did some of everything

let t: TestEnv;
let text: string;
let families: ParsedFamily[];
let samples: Sample[];
let labelsByName: Map<string, Set<string>>;

beforeAll(async () => {
  const sandbox = createGhlSandbox({ seed: 13 });
  sandbox.seed({
    locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Dra. Metrics' }], contacts: [{ id: 'c-m', firstName: 'Ana', email: 'ana@example.com' }] }],
  });
  const keys = await sandbox.webhookKeys();
  t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, GHL_WEBHOOK_RSA_PUBLIC_KEY: keys.rsaPublicKeyPem } });
  await t.connectPit(LOC);
  sandbox.configureWebhooks({ deliver: (req) => t.request(req), scheme: 'ed25519', retryDelayMs: 20 });
  await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL, synced_calendar_ids: [CAL] });
  // One 429 from GHL on the create: an error by type, retried, then a create reaching GHL.
  sandbox.injectFault({ kind: '429', match: { method: 'POST', path: 'calendars/events/appointments' }, count: 1 });
  const created = (await (await t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-m', start_time: '2027-03-02T09:00', end_time: '2027-03-02T09:30' }))).json()) as { id: string };
  const quiet = async () => {
    for (let i = 0; i < 5; i++) {
      await sandbox.webhooks.idle();
      await t.settle();
    }
  };
  await quiet();
  const cita = (await (await t.api('GET', `/api/citas/${created.id}`)).json()) as { ghl_appointment_id: string };
  // A person moves it in GHL: a signed webhook comes in and is applied.
  sandbox.actions.moveAppointment(cita.ghl_appointment_id, { startTime: '2027-03-02T11:00:00-05:00' });
  await quiet();
  await t.job('/api/jobs/run', { kind: 'incremental', location_id: LOC });
  await t.api('GET', '/api/no-such-route'); // an unmatched route is a label value too
  const res = await t.app.request('/metrics', { headers: { Authorization: `Bearer ${ADMIN_KEY}` } }, t.env);
  expect(res.status).toBe(200);
  text = await res.text();
  families = parseExposition(text);
  samples = samplesOf(text);
  labelsByName = new Map();
  for (const s of samples) {
    const set = labelsByName.get(s.name) ?? new Set<string>();
    for (const l of Object.keys(s.labels)) set.add(l);
    labelsByName.set(s.name, set);
  }
  // A family whose samples have no labels still exists: give every exposed sample name an entry.
  for (const f of catalog) for (const n of sampleNames(f.name, f.type)) if (!labelsByName.has(n)) labelsByName.set(n, new Set(n.endsWith('_bucket') ? ['le'] : []));
});

afterAll(async () => {
  await t?.close();
});

const known = () => ({
  labels: labelsByName,
  recorded,
  values: (metric: string, label: string) => {
    const family = catalog.find((f) => sampleNames(f.name, f.type).includes(metric));
    const words = family ? family.help.split(/[^\w]+/) : [];
    return new Set([...samples.filter((s) => s.name === metric && s.labels[label] !== undefined).map((s) => s.labels[label]!), ...words, ...(KNOWN_VALUES[label] ?? [])]);
  },
});

describe('the /metrics exposition', () => {
  it('has HELP and TYPE for every family, exactly the catalog’s families and types, each with samples', () => {
    expect(families.map((f) => f.name).sort()).toEqual(catalog.map((f) => f.name).sort());
    for (const f of families) {
      const expected = catalog.find((c) => c.name === f.name)!;
      expect({ name: f.name, type: f.type, help: f.help }).toEqual({ name: f.name, type: expected.type.toUpperCase(), help: expected.help });
    }
    // The work above reached every family: an empty family would make the checks below vacuous.
    for (const f of catalog) expect(samples.filter((s) => sampleNames(f.name, f.type).includes(s.name)).length, f.name).toBeGreaterThan(0);
    // Each sample belongs to a family its name allows, with the catalog's labels.
    for (const s of samples) {
      const family = catalog.find((f) => sampleNames(f.name, f.type).includes(s.name));
      expect(family, s.name).toBeDefined();
      const def = FAMILIES[family!.name.slice(PREFIX.length) as keyof typeof FAMILIES];
      if (def) expect(Object.keys(s.labels).filter((l) => l !== 'le').sort(), s.name).toEqual([...def.labels].sort());
      expect(Number.isFinite(s.value) && s.value >= 0, `${s.name} ${s.value}`).toBe(true);
    }
  });

  it('gives every histogram series cumulative _bucket samples up to +Inf, equal to _count, and a _sum', () => {
    for (const [name, def] of Object.entries(FAMILIES)) {
      if (def.type !== 'histogram') continue;
      const full = PREFIX + name;
      const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
      const counts = samples.filter((s) => s.name === `${full}_count`);
      expect(counts.length, full).toBeGreaterThan(0);
      for (const c of counts) {
        const buckets = samples.filter((s) => s.name === `${full}_bucket` && key(s.labels) === key(c.labels));
        expect(buckets.map((b) => b.labels.le), `${full} ${key(c.labels)}`).toEqual([...(def.buckets as readonly number[]).map(String), '+Inf']);
        for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
        expect(buckets.at(-1)!.value).toBe(c.value);
        expect(samples.filter((s) => s.name === `${full}_sum` && key(s.labels) === key(c.labels))).toHaveLength(1);
      }
      // No bucket or sum without its count.
      const series = new Set(counts.map((c) => key(c.labels)));
      for (const s of samples.filter((x) => x.name === `${full}_bucket` || x.name === `${full}_sum`)) expect(series.has(key(s.labels)), `${s.name} ${key(s.labels)}`).toBe(true);
    }
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!promtool)('passes promtool check metrics (Prometheus’s own parser and linter)', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: r.status, out: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, out: '' });
  });
});

describe('ops/prometheus-rules.yml', () => {
  it('refers only to metrics, labels and values the exposition has (or its own recording rules)', () => {
    const problems = rules.flatMap((r) => unknownReferences(r.expr, known()).map((p) => `${r.record ?? r.alert}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('the check itself catches a misspelt metric, a missing label, a value never taken and a broken query', () => {
    const k = known();
    expect(unknownReferences('citas_sync_last_succes_age_seconds > 1', k)).toEqual(['unknown metric citas_sync_last_succes_age_seconds']);
    expect(unknownReferences('citas_ghl_breaker_open{kind="full"} == 1', k)).toEqual(['citas_ghl_breaker_open has no label kind']);
    expect(unknownReferences('citas_citas{state="failed"} > 0', k)).toEqual(['citas_citas{state} never takes the value "failed"']);
    expect(unknownReferences('sum by (location) (rate(citas_webhooks_total[5m]))', k)).toEqual(['grouping by location, which none of citas_webhooks_total has']);
    expect(unknownReferences('sum(rate(citas_webhooks_total[5m])', k)[0]).toMatch(/^syntax error/);
  });

  it('records and alerts each once, every alert with a severity, a summary and a runbook section that exists', () => {
    const names = rules.map((r) => r.record ?? r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) expect(Boolean(r.record) !== Boolean(r.alert), JSON.stringify(r)).toBe(true);
    for (const a of alerts) {
      expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels?.severity);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
      const anchor = /^docs\/runbook\.md#([\w-]+)$/.exec(a.annotations?.runbook_url ?? '')?.[1];
      expect(anchor && runbookAnchors.has(anchor), `${a.alert}: ${a.annotations?.runbook_url}`).toBe(true);
      // Whoever searches the runbook for the alert's name finds it.
      expect(runbook, a.alert).toContain(a.alert!);
    }
  });

  it('alerts on stale syncs of both kinds, failing webhooks, re-authorisation, the breaker, growing sync_failed and held sweeps', () => {
    // The selectors an alert evaluates: its own, and those of the recording rules it uses.
    const selectorsOf = (expr: string): Selector[] =>
      analyse(expr).selectors.flatMap((s) => {
        const rule = rules.find((r) => r.record === s.name);
        return rule ? selectorsOf(rule.expr) : [s];
      });
    const watched = alerts.flatMap((a) => selectorsOf(a.expr));
    const covered = (metric: string, label?: string, value?: string) =>
      watched.some((s) => s.name === metric && (!label || s.matchers.some((m) => m.label === label && m.value.split('|').includes(value!))));
    expect(covered('citas_sync_last_success_age_seconds', 'kind', 'incremental')).toBe(true);
    expect(covered('citas_sync_last_success_age_seconds', 'kind', 'full')).toBe(true);
    expect(covered('citas_webhooks_total', 'outcome', 'failed')).toBe(true);
    expect(covered('citas_ghl_connection_status', 'status', 'reauth_required')).toBe(true);
    expect(covered('citas_ghl_breaker_open')).toBe(true);
    expect(covered('citas_citas', 'state', 'sync_failed')).toBe(true);
    expect(covered('citas_sync_held_sweeps')).toBe(true);
  });

  it('matches the scrape job of ops/prometheus.example.yml', () => {
    const config = parseYaml(read('ops/prometheus.example.yml')) as { scrape_configs: { job_name: string; metrics_path: string }[]; rule_files: string[] };
    const jobs = alerts.flatMap((a) => analyse(a.expr).selectors.filter((s) => s.name === 'up').flatMap((s) => s.matchers.filter((m) => m.label === 'job').map((m) => m.value)));
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) expect(config.scrape_configs.map((c) => c.job_name)).toContain(job);
    expect(config.scrape_configs[0]!.metrics_path).toBe('/metrics');
    expect(config.rule_files).toEqual(['prometheus-rules.yml']);
  });
});

describe('ops/grafana-dashboard.json', () => {
  it('takes the Prometheus data source and the location from variables, the location list from a real metric', () => {
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.location).toMatchObject({ type: 'query', datasource: { uid: '${datasource}' } });
    const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(vars.location!.definition ?? '') ?? [];
    expect(labelsByName.get(metric!)?.has(label!), vars.location!.definition).toBe(true);
    for (const p of queryPanels) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const target of p.targets ?? []) expect(target.datasource?.uid ?? p.datasource?.uid, p.title).toBe('${datasource}');
    }
  });

  it('queries only exposed metrics and recording rules, and filters every per-location gauge by $location', () => {
    const problems = dashboardExprs.flatMap((q) => unknownReferences(q.expr, known()).map((p) => `${q.panel}: ${p}`));
    expect(problems).toEqual([]);
    for (const q of dashboardExprs) {
      for (const s of analyse(q.expr).selectors) {
        if (!labelsByName.get(s.name)?.has('location')) continue;
        expect(s.matchers, `${q.panel}: ${s.name}`).toContainEqual({ label: 'location', op: '=~', value: '$location' });
      }
    }
  });

  it('shows every family of the catalog (directly or through a recording rule)', () => {
    const expand = (name: string, seen = new Set<string>()): string[] => {
      const rule = rules.find((r) => r.record === name);
      if (!rule || seen.has(name)) return [name];
      seen.add(name);
      return analyse(rule.expr).selectors.flatMap((s) => expand(s.name, seen));
    };
    const shown = new Set(dashboardExprs.flatMap((q) => analyse(q.expr).selectors.flatMap((s) => expand(s.name))).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(catalog.map((f) => f.name).filter((f) => !shown.has(f))).toEqual([]);
  });

  it('has unique panel ids and panels that do not overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.get(`${i},${j}`), `${p.title} overlaps`).toBeUndefined();
          cells.set(`${i},${j}`, p.title);
        }
    }
  });
});
