/**
 * The tree's architecture, checked from the imports: layers only point down, the GHL adapter knows
 * nothing of the use cases, no module imports itself round a cycle, and nothing under src/ or
 * functions/ needs Node (they run on Workers).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module of src/ and functions/ with the modules (files) and packages it imports. */
function importGraph() {
  const files = [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'functions'))];
  const graph = new Map<string, { modules: string[]; packages: string[] }>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const modules: string[] = [];
    const packages: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) {
        packages.push(spec);
        continue;
      }
      // Generated data (src/contract/*.json) is not code: it has no imports of its own.
      if (spec.endsWith('.json')) continue;
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base].find((p) => files.includes(p));
      if (!target) throw new Error(`${relative(ROOT, file)} imports ${spec}, which is not a module of src/ or functions/`);
      modules.push(relative(ROOT, target));
    }
    graph.set(relative(ROOT, file), { modules, packages });
  }
  return graph;
}

/** Lower number = lower layer. A module may import its own folder or any lower layer. */
const LAYERS: [RegExp, number, string][] = [
  [/^src\/(domain|lib)\//, 0, 'pure helpers'],
  [/^src\/errors\.ts$/, 0, 'the error type'],
  [/^src\/(config|db|store|observability|queue)\//, 1, 'platform ports and adapters'],
  [/^src\/platform\.ts$/, 1, 'platform deps'],
  [/^src\/ghl\//, 2, 'the GHL adapter'],
  [/^src\/deps\.ts$/, 3, 'the Deps type'],
  [/^src\/(audit|locations|access|blocks)\//, 4, 'use cases'],
  [/^src\/(citas|contacts)\//, 5, 'use cases'],
  [/^src\/sync\//, 6, 'use cases'],
  [/^src\/webhooks\//, 7, 'use cases'],
  [/^src\/(jobs|ops)\//, 8, 'use cases'],
  [/^src\/runtime\//, 9, 'composition'],
  // The agenda page's script runs in the browser: a front end of the typed client, above it.
  [/^src\/ui\/browser\//, 14, 'the agenda page in the browser'],
  [/^src\/(http|ui)\//, 10, 'HTTP'],
  [/^src\/routes\//, 11, 'routes'],
  [/^src\/apps\//, 12, 'apps'],
  [/^src\/[a-z-]+\.ts$/, 13, 'entry points for Node and front ends'],
  [/^functions\//, 15, 'entries'],
];

function layerOf(file: string): { rank: number; folder: string } {
  const hit = LAYERS.find(([re]) => re.test(file));
  if (!hit) throw new Error(`${file} is in no layer: add its folder to LAYERS`);
  return { rank: hit[1], folder: file.split('/').slice(0, 2).join('/') };
}

const graph = importGraph();

describe('architecture', () => {
  it('every import points to the same folder or a lower layer', () => {
    const upward: string[] = [];
    for (const [file, { modules }] of graph) {
      const from = layerOf(file);
      for (const target of modules) {
        const to = layerOf(target);
        if (to.folder !== from.folder && to.rank > from.rank) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('use cases never reach into HTTP or routes; the GHL adapter knows nothing of runtime, locations or sync', () => {
    const bad: string[] = [];
    for (const [file, { modules }] of graph) {
      if (/^src\/(citas|blocks|sync|webhooks|locations|jobs|audit|ops|access)\//.test(file)) {
        bad.push(...modules.filter((m) => /^src\/(http|routes)\//.test(m)).map((m) => `${file} → ${m}`));
      }
      if (file.startsWith('src/ghl/')) {
        bad.push(...modules.filter((m) => /^src\/(runtime|locations|sync|deps\.ts)/.test(m)).map((m) => `${file} → ${m}`));
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file)!.modules) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('src/ and functions/ use Web APIs only (no node: or Node built-in imports)', () => {
    const nodeOnly: string[] = [];
    for (const [file, { packages }] of graph) {
      for (const p of packages) if (/^node:|^(fs|path|crypto|net|http|child_process|os|url|zlib)$/.test(p)) nodeOnly.push(`${file} → ${p}`);
    }
    expect(nodeOnly).toEqual([]);
  });
});
