/**
 * The operations documents name real things: every file and function in the flow diagram exists, every
 * route the runbook curls is one the app serves with that method, every `npm run` script and flag is one
 * the scripts take, every alert the runbook names is in the rule file, every link to a section lands,
 * and every test the acceptance checklist cites exists under that name. A rename anywhere fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createFullApp } from '../../src/app';
import { SYNC_KINDS } from '../../src/db/schema';
import type { DepsProvider } from '../../src/runtime/provider';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const exists = (path: string) => existsSync(new URL(path, root));

// The flow diagram is the README's "Sync flow" section.
const flow = /^## Sync flow\n([\s\S]*?)(?=^## )/m.exec(read('README.md'))?.[1] ?? '';
const runbook = read('docs/runbook.md');
const acceptance = read('docs/acceptance.md');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** Whether a source file declares `name` (a function, constant, class…) or, for `Class.method`, that method. */
function declares(source: string, name: string): boolean {
  const [cls, method] = name.split('.');
  if (method) return new RegExp(`\\bclass ${cls}\\b`).test(source) && new RegExp(`^\\s+(?:(?:private|public|protected|static|async|readonly)\\s+)*${method}\\s*[(<]`, 'm').test(source);
  return new RegExp(`\\b(?:function|const|let|class|interface|type|enum)\\s+${name}\\b`).test(source);
}

/** The app's routes as `METHOD /path/:param`; the app is only built, never asked (no dependencies needed). */
const unused: DepsProvider = {
  acquire: async () => {
    throw new Error('not called');
  },
};
const routes = createFullApp(unused)
  .routes.filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'))
  .map((r) => ({ method: r.method, parts: r.path.split('/') }));
function served(method: string, path: string): boolean {
  const parts = path.split('/');
  return routes.some((r) => r.method === method && r.parts.length === parts.length && r.parts.every((p, i) => p === parts[i] || p.startsWith(':') || parts[i]!.startsWith(':')));
}

/** GitHub's anchor for a heading made of letters, digits, spaces and hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
const anchors = (md: string) => new Set([...md.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

describe("the README's sync flow", () => {
  const diagram = /```mermaid\n([\s\S]*?)```/.exec(flow)?.[1] ?? '';

  it('names only files and functions that exist', () => {
    const named = [...diagram.matchAll(/((?:src|functions|scripts)\/[\w./-]+\.ts)(?::\s*([\w.]+(?:,\s*[\w.]+)*))?/g)];
    expect(named.length).toBeGreaterThan(30);
    const missing: string[] = [];
    for (const [, file, names] of named) {
      if (!exists(file!)) {
        missing.push(file!);
        continue;
      }
      const source = read(file!);
      for (const name of names?.split(/,\s*/) ?? []) if (!declares(source, name)) missing.push(`${file}: ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('names only routes the app serves', () => {
    const named = [...diagram.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/[\w/:.-]+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((r) => !served(r.split(' ')[0]!, r.split(' ')[1]!))).toEqual([]);
  });

  it('the check itself refuses a name that does not exist', () => {
    expect(declares(read('src/sync/outbound.ts'), 'pushCita')).toBe(true);
    expect(declares(read('src/sync/outbound.ts'), 'pushCitaNow')).toBe(false);
    expect(declares(read('src/ghl/client.ts'), 'GhlClient.listEvents')).toBe(true);
    expect(declares(read('src/ghl/client.ts'), 'GhlClient.listEverything')).toBe(false);
    expect(served('POST', '/api/admin/sweeps/:id/confirm')).toBe(true);
    expect(served('GET', '/api/admin/sweeps/:id/confirm')).toBe(false);
  });
});

describe('docs/runbook.md', () => {
  it('curls only routes the app serves, with their methods', () => {
    // One command per logical line (backslash continuations joined); placeholders become parameters.
    const lines = runbook.replace(/\\\n\s*/g, ' ').split('\n');
    const calls = lines.flatMap((line) =>
      [...line.replace(/<[^>]*>/g, ':p').matchAll(/\$BASE(\/[\w/:.-]*)/g)].map((m) => ({ method: /-X (\w+)/.exec(line)?.[1] ?? 'GET', path: m[1]!.replace(/\/$/, '') || '/', line })),
    );
    expect(calls.length).toBeGreaterThan(20);
    expect(calls.filter((c) => !served(c.method, c.path)).map((c) => `${c.method} ${c.path}: ${c.line.trim()}`)).toEqual([]);
  });

  it('names only alerts the rule file has, and every alert of it', () => {
    const rules = (parseYaml(read('ops/prometheus-rules.yml')) as { groups: { rules: { alert?: string }[] }[] }).groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
    const named = new Set(runbook.match(/\bCitas[A-Z]\w+/g));
    expect([...named].filter((a) => !rules.includes(a))).toEqual([]);
    expect(rules.filter((a) => !named.has(a))).toEqual([]);
  });
});

describe('npm run commands in the docs', () => {
  const docs = { 'docs/runbook.md': runbook, 'docs/acceptance.md': acceptance, 'README.md (Sync flow)': flow };

  it('are scripts package.json has, with flags their scripts take', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [doc, text] of Object.entries(docs)) {
      for (const m of text.matchAll(/npm run ([\w:-]+)(?: -- ([^`\n|]*))?/g)) {
        checked++;
        const [, script, rest = ''] = m;
        const command = pkg.scripts[script!];
        if (!command) {
          problems.push(`${doc}: npm run ${script} is not a script`);
          continue;
        }
        const file = /\btsx (scripts\/[\w/.-]+\.ts)/.exec(command)?.[1];
        if (!file) continue;
        const source = read(file);
        for (const [, flag] of rest.matchAll(/--([\w-]+)/g)) {
          if (!new RegExp(`['"]?${flag}['"]?\\s*:\\s*\\{\\s*type|'--${flag}'`).test(source)) problems.push(`${doc}: ${file} takes no --${flag}`);
        }
        // `npm run job -- <kind> …`: the kind is a job the script knows (mentioned alone, it names the command).
        const kind = /^\s*([a-z]+)\b/.exec(rest)?.[1];
        if (script === 'job' && m[2] !== undefined && !(SYNC_KINDS as readonly string[]).includes(kind ?? '')) problems.push(`${doc}: npm run job -- ${kind}: not a job`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('and the shell scripts they name exist', () => {
    const named = Object.values(docs).flatMap((t) => [...t.matchAll(/bash (scripts\/[\w/.-]+\.sh)/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((f) => !exists(f))).toEqual([]);
  });
});

describe('links between the docs', () => {
  it('land on a section that exists', () => {
    const broken: string[] = [];
    const docs: Record<string, string> = { 'runbook.md': runbook, 'acceptance.md': acceptance };
    for (const [name, text] of Object.entries(docs)) {
      for (const [, file, anchor] of text.matchAll(/\]\(([\w.-]*\.md)?#([\w-]+)\)/g)) {
        const target = file ? docs[file] : text;
        if (!target || !anchors(target).has(anchor!)) broken.push(`${name} → ${file ?? ''}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('docs/acceptance.md', () => {
  it('cites only tests that exist, under their exact names', () => {
    const cited = [...acceptance.matchAll(/`(test\/[\w/.-]+\.test\.ts)` › `([^`]+)`/g)];
    expect(cited.length).toBeGreaterThan(40);
    const missing = cited.filter(([, file, name]) => !exists(file!) || !read(file!).includes(`'${name}'`) && !read(file!).includes(`\`${name}\``)).map(([, file, name]) => `${file} › ${name}`);
    expect(missing).toEqual([]);
  });

  it('covers every acceptance criterion and every risk of the sprint', () => {
    for (const criterion of ['RV3 → GHL create', 'RV3 → GHL edit', 'RV3 → GHL cancel', 'GHL → RV3 move and cancel by webhook, on the same cita', 'Times in America/Lima without drift', 'Bursts without a visible 429', 'README', 'Postman collection', 'Demo']) {
      expect(acceptance, criterion).toContain(`**${criterion}**`);
    }
    for (const risk of ['Wrong zone', 'Double-processed webhooks', 'Rate limits', 'Expired tokens', 'A short data model', 'Lost webhooks', 'Mass cancellation']) {
      const row = acceptance.split('\n').find((l) => l.startsWith(`| **${risk}**`));
      expect(row, risk).toBeDefined();
      // risk | likelihood | impact | mitigation | covered by: all filled, and a test or command in the last.
      const cells = row!.split(' | ');
      expect(cells.length, risk).toBe(5);
      expect(cells[4], risk).toMatch(/`test\/|`bash |`npm /);
    }
  });
});
