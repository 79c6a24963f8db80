/**
 * `npm run build`: bundles each deployable function with wrangler (the same bundling `wrangler
 * deploy` does) into dist/<function>/ and prints each bundle's size, raw and gzipped.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Each deployable function: its dist folder and the wrangler environment that deploys it. */
export const FUNCTIONS = [
  { name: 'app', env: undefined },
  { name: 'citas', env: 'citas' },
  { name: 'webhooks', env: 'webhooks' },
  { name: 'jobs', env: 'jobs' },
] as const;

export interface BuiltFunction {
  name: string;
  /** Entry module of the bundle (what Miniflare or workerd loads). */
  entry: string;
  bytes: number;
  gzipBytes: number;
}

export function buildFunctions(root = process.cwd()): BuiltFunction[] {
  const wrangler = resolve(root, 'node_modules/wrangler/bin/wrangler.js');
  return FUNCTIONS.map(({ name, env }) => {
    const outdir = resolve(root, 'dist', name);
    rmSync(outdir, { recursive: true, force: true });
    execFileSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir, ...(env ? ['--env', env] : [])], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    });
    const js = readdirSync(outdir).filter((f) => f.endsWith('.js'));
    if (js.length !== 1) throw new Error(`expected one .js bundle in ${outdir}, found: ${js.join(', ') || 'none'}`);
    const entry = join(outdir, js[0]!);
    const code = readFileSync(entry);
    return { name, entry, bytes: statSync(entry).size, gzipBytes: gzipSync(code, { level: 9 }).length };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const f of buildFunctions()) {
    console.log(`${f.name.padEnd(8)} ${f.entry.replace(process.cwd() + '/', '')}  ${kib(f.bytes)}  (gzip ${kib(f.gzipBytes)})`);
  }
}
