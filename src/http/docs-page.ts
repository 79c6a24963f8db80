/**
 * The API reference at /docs, rendered on the server from the same OpenAPI document /openapi.json
 * serves: no script, nothing from a CDN, so it works offline and inside any Worker.
 */

import { sha256 } from '../lib/hex';
import type { StaticFile } from './static-file';

type Json = Record<string, unknown>;

const DOCS_CSS = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;display:grid;grid-template-columns:280px 1fr}
nav{background:#f4f6f8;padding:1rem;height:100vh;overflow:auto;position:sticky;top:0;font-size:13px}
nav ul{list-style:none;padding:0;margin:.25rem 0 1rem}nav a{color:#1b1f24;text-decoration:none}
main{padding:1.5rem 2rem;max-width:980px}code{background:#eef1f4;padding:0 .25em;border-radius:3px}
.op{border-top:1px solid #dde3e9;padding:1rem 0}.method{font:600 11px monospace;padding:1px 5px;border-radius:3px;color:#fff;background:#57606a}
.get{background:#0969da}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;border-bottom:1px solid #e6e9ec;padding:4px 6px;vertical-align:top}
.req{color:#cf222e;font-size:11px}.in{color:#57606a;font-size:11px}.meta{color:#57606a;font-size:12px}
`;

/**
 * The page runs no script and loads nothing: only its own <style> (by its hash) may apply, it
 * cannot be framed, and no browser may sniff it into anything else. The all-in-one app's /docs
 * route and the citas Worker's static asset (its `_headers`) send exactly these.
 */
function docsHeaders(): Record<string, string> {
  const style = btoa(String.fromCharCode(...sha256(DOCS_CSS)));
  return {
    'Content-Security-Policy': [`default-src 'none'`, `style-src 'sha256-${style}'`, "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; '),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** /docs for this contract: the page and the headers it is served with. */
export function docsFile(doc: Json): StaticFile {
  return { path: '/docs', type: 'text/html; charset=utf-8', body: renderDocsPage(doc), headers: docsHeaders() };
}

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** `code` spans and line breaks from the little Markdown our descriptions use. */
const prose = (s: unknown) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\n/g, '<br>');

function resolve(doc: Json, schema: unknown): Json {
  let s = schema as Json | undefined;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 10; i++) {
    const name = (s.$ref as string).split('/').pop()!;
    s = ((doc.components as Json)?.schemas as Json)?.[name] as Json | undefined;
  }
  return s ?? {};
}

function typeOf(doc: Json, schema: unknown, depth = 0): string {
  const raw = schema as Json | undefined;
  if (!raw) return 'any';
  const ref = typeof raw.$ref === 'string' ? (raw.$ref as string).split('/').pop() : null;
  const s = resolve(doc, raw);
  if (ref && depth > 0) return `<a href="#schema-${esc(ref)}">${esc(ref)}</a>`;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(s[k])) return (s[k] as unknown[]).map((x) => typeOf(doc, x, depth + 1)).join(k === 'allOf' ? ' & ' : ' | ');
  const t = Array.isArray(s.type) ? (s.type as string[]).join(' | ') : (s.type as string | undefined);
  if (t === 'array') return `${typeOf(doc, s.items, depth + 1)}[]`;
  if (t === 'object' && s.properties && depth === 0) return 'object';
  if (t === 'object') return ref ? esc(ref) : 'object';
  return esc(t ?? 'any');
}

function fieldsTable(doc: Json, schema: unknown): string {
  const s = resolve(doc, schema);
  const props = s.properties as Record<string, Json> | undefined;
  if (!props) return `<p class="type">${typeOf(doc, schema)}</p>`;
  const required = new Set((s.required as string[] | undefined) ?? []);
  const rows = Object.entries(props)
    .map(([name, p]) => `<tr><td><code>${esc(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td>${typeOf(doc, p, 1)}</td><td>${prose(resolve(doc, p).description ?? p.description ?? '')}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>field</th><th>type</th><th>about</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function operation(doc: Json, method: string, path: string, op: Json): string {
  const id = esc(op.operationId ?? `${method}-${path}`);
  const params = ((op.parameters as Json[] | undefined) ?? [])
    .map((p) => `<tr><td><code>${esc(p.name)}</code> <span class="in">${esc(p.in)}</span>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${typeOf(doc, p.schema, 1)}</td><td>${prose(p.description ?? (p.schema as Json | undefined)?.description ?? '')}</td></tr>`)
    .join('');
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
    .map(([status, raw]) => {
      // Answers every route shares (413, 429) are declared once, under components/responses.
      const r = typeof raw.$ref === 'string' ? (((doc.components as Json)?.responses as Record<string, Json>)?.[raw.$ref.split('/').pop()!] ?? {}) : raw;
      const content = r.content as Record<string, Json> | undefined;
      const schema = content && Object.values(content)[0]?.schema;
      return `<li><strong>${esc(status)}</strong> ${prose(r.description)}${schema ? ` — ${typeOf(doc, schema, 1)}` : ''}</li>`;
    })
    .join('');
  const sec = ((op.security as Json[] | undefined) ?? []).map((s) => Object.keys(s).join(', ')).join(' or ') || 'none';
  return `<section class="op" id="${id}">
<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p><strong>${esc(op.summary)}</strong></p>${op.description ? `<p>${prose(op.description)}</p>` : ''}
<p class="meta">operation <code>${id}</code> · auth: ${esc(sec)}</p>
${params ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>type</th><th>about</th></tr></thead><tbody>${params}</tbody></table>` : ''}
${body ? `<h4>Body <span class="in">${esc(Object.keys(body).join(', '))}</span></h4>${fieldsTable(doc, Object.values(body)[0]?.schema)}` : ''}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
}

export function renderDocsPage(doc: Json): string {
  const info = (doc.info as Json) ?? {};
  const byTag = new Map<string, string[]>();
  const nav = new Map<string, string[]>();
  for (const [path, item] of Object.entries((doc.paths as Record<string, Json>) ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const o = op as Json;
      const tag = ((o.tags as string[] | undefined) ?? ['Other'])[0]!;
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation(doc, method, path, o)]);
      nav.set(tag, [...(nav.get(tag) ?? []), `<li><a href="#${esc(o.operationId)}"><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> ${esc(path)}</a></li>`]);
    }
  }
  const schemas = Object.entries(((doc.components as Json)?.schemas as Record<string, Json>) ?? {})
    .map(([name, s]) => `<section class="op" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${s.description ? `<p>${prose(s.description)}</p>` : ''}${fieldsTable(doc, s)}</section>`)
    .join('');
  const schemes = Object.entries(((doc.components as Json)?.securitySchemes as Record<string, Json>) ?? {})
    .map(([name, s]) => `<li><code>${esc(name)}</code>: ${prose(s.description)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} — API reference</title>
<style>${DOCS_CSS}</style></head><body>
<nav><p><strong>${esc(info.title)}</strong> ${esc(info.version)}</p><p><a href="openapi.json">openapi.json</a></p>
${[...nav].map(([tag, items]) => `<div>${esc(tag)}<ul>${items.join('')}</ul></div>`).join('')}<div>Schemas<ul>${Object.keys(((doc.components as Json)?.schemas as Json) ?? {}).map((n) => `<li><a href="#schema-${esc(n)}">${esc(n)}</a></li>`).join('')}</ul></div></nav>
<main><h1>${esc(info.title)}</h1><p>${prose(info.description)}</p>
<h2>Authentication</h2><ul>${schemes}</ul>
${[...byTag].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join('')}`).join('')}
<h2>Schemas</h2>${schemas}
</main></body></html>`;
}
