/**
 * `npm run build`: bundles each deployable function with wrangler (the same bundling `wrangler
 * deploy` does) into dist/<function>/, then for each bundle prints its size (raw and gzip), what
 * it is made of (bytes per package, from esbuild's metafile) and its startup time in workerd
 * (Miniflare: script load to first response). The citas function's static assets (its pages) are
 * written by wrangler's build step (scripts/assets.ts) into dist/assets/citas/. Fails when a
 * function is over its gzip budget or carries a package it never calls (issue 12: each function
 * bundles only its own routes).
 *
 *   npm run build              build, report, check
 *   npm run build -- --json    the same report as JSON
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Each deployable function: its dist folder, the wrangler environment that deploys it, its gzip
 * budget (none for the all-in-one app and jobs: reported only) and the packages it must not carry
 * because none of its routes call them.
 */
export const FUNCTIONS = [
  { name: 'app', env: undefined, budgetGzip: undefined, absent: [] },
  // Its pages (the agenda, /docs, /openapi.json) are static assets (wrangler.toml), not code.
  // citas: 170 KiB until the blocks API (172.6) and the series and link routes (178.6) came in (README, benchmarks' bundles row).
  { name: 'citas', env: 'citas', budgetGzip: 180 * 1024, absent: ['@upstash/qstash', 'jose'] },
  { name: 'webhooks', env: 'webhooks', budgetGzip: 160 * 1024, absent: ['@upstash/qstash', 'jose'] },
  { name: 'jobs', env: 'jobs', budgetGzip: undefined, absent: [] },
] as const satisfies readonly { name: string; env: string | undefined; budgetGzip: number | undefined; absent: readonly string[] }[];

export interface BuiltFunction {
  name: string;
  /** Entry module of the bundle (what Miniflare or workerd loads). */
  entry: string;
  bytes: number;
  gzipBytes: number;
  /** Bytes of the minified output per package (`(ours)` for src/ and functions/), largest first. */
  packages: [string, number][];
}

/** The package a bundled input belongs to: `node_modules/@scope/name/…` → `@scope/name`. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(ours)';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function composition(metafile: string): [string, number][] {
  const meta = JSON.parse(readFileSync(metafile, 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(input);
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}

export function buildFunctions(root = process.cwd()): BuiltFunction[] {
  const wrangler = resolve(root, 'node_modules/wrangler/bin/wrangler.js');
  return FUNCTIONS.map(({ name, env }) => {
    const outdir = resolve(root, 'dist', name);
    const metafile = resolve(root, 'dist', `${name}.meta.json`);
    rmSync(outdir, { recursive: true, force: true });
    execFileSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir, '--metafile', metafile, ...(env ? ['--env', env] : [])], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    });
    const js = readdirSync(outdir).filter((f) => f.endsWith('.js'));
    if (js.length !== 1) throw new Error(`expected one .js bundle in ${outdir}, found: ${js.join(', ') || 'none'}`);
    const entry = join(outdir, js[0]!);
    const code = readFileSync(entry);
    return { name, entry, bytes: statSync(entry).size, gzipBytes: gzipSync(code, { level: 9 }).length, packages: composition(metafile) };
  });
}

/** What is wrong with a build: over budget, or a package its routes never call. */
export function budgetProblems(built: BuiltFunction[]): string[] {
  const problems: string[] = [];
  for (const f of built) {
    const spec = FUNCTIONS.find((s) => s.name === f.name)!;
    if (spec.budgetGzip !== undefined && f.gzipBytes > spec.budgetGzip) {
      problems.push(`${f.name}: ${(f.gzipBytes / 1024).toFixed(1)} KiB gzip, over its budget of ${spec.budgetGzip / 1024} KiB`);
    }
    const carried = new Set(f.packages.map(([p]) => p));
    for (const pkg of spec.absent) if (carried.has(pkg)) problems.push(`${f.name}: carries ${pkg}, which none of its routes call`);
  }
  return problems;
}

/**
 * Script load to first response in workerd, the median of `runs` fresh Miniflare instances: what a
 * cold isolate pays before it can answer. The request is for a path no function serves: it goes
 * through every middleware to the not-found problem, and needs no database (the bindings only have
 * to pass config validation; nothing connects).
 */
export async function startupMs(f: BuiltFunction, runs = 3): Promise<number> {
  const { Miniflare } = await import('miniflare');
  const contents = readFileSync(f.entry, 'utf8');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const mf = new Miniflare({
      // Modules listed explicitly: Miniflare's import walker refuses @upstash/qstash's dev-mode `import()`.
      modules: [{ type: 'ESModule', path: f.entry, contents }],
      compatibilityDate: '2026-04-01',
      bindings: { DATABASE_URL: 'postgres://startup@127.0.0.1:9/startup', API_KEYS: 'startup' },
    });
    try {
      const res = await mf.dispatchFetch('http://worker/startup-probe');
      const body = (await res.json()) as { code?: string };
      if (res.status !== 404 || body.code !== 'route_not_found') throw new Error(`${f.name}: GET /startup-probe answered ${res.status} ${JSON.stringify(body)} in workerd`);
      times.push(performance.now() - started);
    } finally {
      await mf.dispose();
    }
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const built = buildFunctions();
  const report = [];
  for (const f of built) report.push({ ...f, startupMs: Math.round(await startupMs(f)) });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(report.map(({ entry: _entry, ...r }) => r), null, 2));
  } else {
    for (const f of report) {
      const budget = FUNCTIONS.find((s) => s.name === f.name)!.budgetGzip;
      console.log(
        `${f.name.padEnd(8)} ${f.entry.replace(process.cwd() + '/', '')}  ${kib(f.bytes)}  (gzip ${kib(f.gzipBytes)}${budget ? ` of ${kib(budget)}` : ''})  startup in workerd ${f.startupMs} ms`,
      );
      console.log(`         ${f.packages.slice(0, 9).map(([p, n]) => `${p} ${(n / 1024).toFixed(0)}K`).join(', ')}`);
    }
  }
  const problems = budgetProblems(built);
  for (const p of problems) console.error(`over budget: ${p}`);
  if (problems.length) process.exit(1);
}
