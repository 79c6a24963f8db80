/**
 * Where a phase's CPU went, from a profile written with BENCH_PROFILE (scripts/lib/bench.ts):
 * self time by package (or our own directory), the hottest functions, and the inclusive time of
 * our own functions (what a change to them can win).
 *
 *   npx tsx scripts/bench/profile-summary.ts artifacts/profiles/POST-api-citas.cpuprofile [--top 25]
 *
 * A profile of a minified bundle (bench:edge --profile: the Workers in workerd) reads back through
 * the bundle's source map, `--map <bundle.js.map>`, which `wrangler deploy --dry-run --outdir <dir>
 * --env webhooks --upload-source-maps` writes beside the same bundle. `(idle)` is left out of the total.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, map: { type: 'string' }, samples: { type: 'boolean', default: false } } });
const file = positionals[0];
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [--top N] [--map bundle.js.map]');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
if (values.map) {
  // Frames of the bundle back to their sources (paths as the map names them: ../src/…, ../node_modules/…).
  // source-map-js comes with the dev toolchain (vite), not as a dependency of ours: loaded only for --map.
  const { SourceMapConsumer } = await import('source-map-js');
  const consumer = new SourceMapConsumer(JSON.parse(readFileSync(values.map, 'utf8')) as import('source-map-js').RawSourceMap);
  for (const n of profile.nodes) {
    const f = n.callFrame;
    if (!f.url || f.lineNumber < 0) continue;
    const o = consumer.originalPositionFor({ line: f.lineNumber + 1, column: f.columnNumber ?? 0 });
    if (!o.source) continue;
    f.url = `/${o.source.replace(/^(\.\.\/)+/, '')}`;
    f.functionName = o.name || f.functionName;
    f.lineNumber = (o.line ?? 1) - 1;
  }
}
// workerd does not tell V8 when its thread waits, so the first sample after a wait carries the
// whole wait in its time delta (the first code a request runs looked hot). Each sample counts
// as the median interval instead: counts are CPU, deltas are not.
const sorted = [...profile.timeDeltas].sort((a, b) => a - b);
const typical = sorted[Math.floor(sorted.length / 2)] ?? 0;
if (values.samples) profile.timeDeltas = profile.timeDeltas.map(() => typical);
const IDLE = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));

/** node_modules/<pkg>, our src/<dir>, scripts/…, or what V8 calls it ((garbage collector), (program)…). */
function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1]!;
  const ours = url.match(/\/(src|scripts|functions)\/((?:[^/]+\/)?)/);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  return url.split('/').slice(-1)[0]!;
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  if (IDLE.has(id)) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  total += dt;
});

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const byArea = new Map<string, number>();
const byFn = new Map<string, number>();
const inclusiveOurs = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  add(byArea, area(url, functionName), us);
  add(byFn, `${functionName || '(anonymous)'}  ${area(url, functionName)}:${lineNumber + 1}`, us);
  // Inclusive: each of our frames on the stack once per sample.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    if (!/\/(src|functions)\//.test(f.url) || f.url.includes('node_modules')) continue;
    const key = `${f.functionName || '(anonymous)'}  ${f.url.replace(/.*\/(src|functions)\//, '$1/')}:${f.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    add(inclusiveOurs, key, us);
  }
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
show('self time by package / directory', byArea);
show('self time by function', byFn);
show('inclusive time of our functions', inclusiveOurs);
