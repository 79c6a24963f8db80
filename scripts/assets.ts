/**
 * Writes the citas Worker's static assets (wrangler.toml: [env.citas.assets]) to
 * dist/assets/citas/: the agenda page and its script, /docs and /openapi.json, each file with the
 * headers its route would send, in a `_headers` file. Wrangler runs this before it bundles
 * (`[env.citas.build]`), so `wrangler deploy --env citas` always ships the current pages;
 * `npm run build` runs it too.
 *
 *   npx tsx scripts/assets.ts       write dist/assets/citas/
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { citasAssets } from '../src/apps/citas-assets';
import type { StaticFile } from '../src/http/static-file';

export const CITAS_ASSETS_DIR = 'dist/assets/citas';

/**
 * The file a URL path is served from, under Workers' default html_handling
 * ("auto-trailing-slash"): `/` is index.html, `/docs` is docs.html.
 */
function assetFileOf(path: string): string {
  if (path === '/') return 'index.html';
  const name = path.slice(1);
  return /\.[a-z0-9]+$/i.test(name) ? name : `${name}.html`;
}

/** Cloudflare's `_headers` format: a path on its own line, then its headers indented. */
function headersFile(files: StaticFile[]): string {
  return files
    .filter((f) => Object.keys(f.headers).length > 0)
    .map((f) => [f.path, ...Object.entries(f.headers).map(([name, value]) => `  ${name}: ${value}`)].join('\n'))
    .join('\n\n')
    .concat('\n');
}

export async function writeCitasAssets(root = process.cwd()): Promise<string> {
  const dir = resolve(root, CITAS_ASSETS_DIR);
  rmSync(dir, { recursive: true, force: true });
  const files = await citasAssets();
  for (const f of files) {
    const target = join(dir, assetFileOf(f.path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.body);
  }
  writeFileSync(join(dir, '_headers'), headersFile(files));
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = await writeCitasAssets();
  console.log(`wrote ${dir.replace(process.cwd() + '/', '')}/`);
}
