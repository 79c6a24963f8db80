/**
 * The contract as a strict client reads it: every answer the app gave, checked against the OpenAPI
 * document with a JSON Schema validator that had no part in writing it (ajv, 2020-12 — the dialect
 * of OpenAPI 3.1 — with ajv-formats; not zod, which the document was generated from).
 *
 * `recordAnswers(app)` keeps what went in and came out of `app.fetch` (the harness turns it on with
 * `createTestEnv({ recordAnswers: true })`); `undeclared(doc, answers)` names each answer's status,
 * header or body that its operation does not declare, and each accepted request body (a 2xx) that
 * its operation's request schema refuses.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface RecordedAnswer {
  method: string;
  path: string;
  requestType: string | null;
  requestBody: string;
  status: number;
  headers: [string, string][];
  body: string;
}

type Fetch = (req: Request, env?: unknown, ctx?: unknown) => Response | Promise<Response>;

/** Records every request `app` serves (through `app.request` or `app.fetch`) and its answer, in order. */
export function recordAnswers(app: { fetch: Fetch }): RecordedAnswer[] {
  const answers: RecordedAnswer[] = [];
  const fetch = app.fetch;
  app.fetch = async (req, env, ctx) => {
    const requestBody = req.body ? await req.clone().text() : '';
    const res = await fetch(req, env, ctx);
    const body = res.body ? await res.clone().text() : '';
    const url = new URL(req.url);
    answers.push({ method: req.method, path: url.pathname, requestType: req.headers.get('content-type'), requestBody, status: res.status, headers: [...res.headers], body });
    return res;
  };
  return answers;
}

/**
 * Headers that are HTTP's own plumbing, not part of any operation's contract: framing, the media
 * type (checked against the declared content instead), caching, CORS, and a page's security
 * directives to the browser (sniffing, CSP, referrer). Everything else an answer carries must be
 * declared on its response.
 */
const PLUMBING = new Set([
  'content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'date', 'connection', 'vary', 'cache-control',
  'x-content-type-options', 'content-security-policy', 'referrer-policy',
]);
const isPlumbing = (name: string) => PLUMBING.has(name) || name.startsWith('access-control-');

type Json = Record<string, any>;

/** JSON pointer segment escaping (RFC 6901). */
const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ContractCheck {
  /** Each problem, one line naming the operation, the status and what is undeclared or invalid. */
  problems: string[];
  /** How many answers were checked against an operation (the rest were pages or unrouted). */
  checked: number;
  /** `METHOD /template STATUS` of every answer checked, for a test to assert its session covered them. */
  seen: Set<string>;
}

export function checkAnswers(doc: Json, answers: RecordedAnswer[], opts: { ignorePaths?: readonly string[] } = {}): ContractCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc, 'contract');
  const compiled = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let v = compiled.get(pointer);
    if (!v) compiled.set(pointer, (v = ajv.compile({ $ref: `contract#${pointer}` })));
    return v;
  };
  const deref = (o: Json | undefined): Json | undefined => {
    for (let i = 0; o && typeof o.$ref === 'string' && i < 10; i++) o = pointerGet(doc, o.$ref.slice(1));
    return o;
  };
  /** The JSON pointer of an object reached through `$ref`s, so ajv compiles it in place. */
  const pointerOf = (pointer: string): string => {
    let p = pointer;
    for (let node = pointerGet(doc, p); node && typeof node.$ref === 'string'; node = pointerGet(doc, p)) p = node.$ref.slice(1);
    return p;
  };
  const templates = Object.keys(doc.paths ?? {}).map((t) => ({ t, re: new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`), literal: t.replace(/\{[^}]+\}/g, '').length }));

  const problems: string[] = [];
  const seen = new Set<string>();
  let checked = 0;
  for (const a of answers) {
    if (opts.ignorePaths?.includes(a.path)) continue;
    const match = templates.filter((x) => x.re.test(a.path)).sort((x, y) => y.literal - x.literal)[0];
    const method = a.method.toLowerCase();
    const op = match ? (doc.paths[match.t] as Json)[method] : undefined;
    const name = `${a.method} ${match?.t ?? a.path}`;
    if (!op) {
      // Hono answers a path (or method) it does not route with our 404 problem; anything else is an undocumented route.
      if (!(a.status === 404 && a.body.includes('"route_not_found"'))) problems.push(`${name} → ${a.status}: no such operation in the document`);
      continue;
    }
    checked++;
    const opPointer = `/paths/${esc(match!.t)}/${method}`;
    const status = String(a.status);
    const key = [status, `${status[0]}XX`, 'default'].find((s) => op.responses?.[s] !== undefined);
    seen.add(`${name} ${status}`);
    if (!key) {
      problems.push(`${name} → ${status}: status undeclared (declared: ${Object.keys(op.responses ?? {}).join(', ')})`);
      continue;
    }
    const resPointer = pointerOf(`${opPointer}/responses/${esc(key)}`);
    const response = deref(op.responses[key])!;
    const declared = new Map(Object.entries((response.headers ?? {}) as Json).map(([h, v]) => [h.toLowerCase(), { name: h, header: deref(v)! }]));
    const sent = new Map(a.headers.map(([h, v]) => [h.toLowerCase(), v]));
    for (const [h, value] of sent) {
      if (isPlumbing(h)) continue;
      const d = declared.get(h);
      if (!d) {
        problems.push(`${name} → ${status}: header ${h} undeclared`);
        continue;
      }
      if (d.header.schema) {
        const v = validator(`${pointerOf(`${resPointer}/headers/${esc(d.name)}`)}/schema`);
        const t = d.header.schema.type;
        const typed = (t === 'integer' || t === 'number') && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
        if (!v(typed)) problems.push(`${name} → ${status}: header ${h}: ${JSON.stringify(value)} ${ajv.errorsText(v.errors)}`);
      }
    }
    for (const [h, d] of declared) if (d.header.required && !sent.has(h)) problems.push(`${name} → ${status}: required header ${d.name} missing`);

    const content = (response.content ?? {}) as Json;
    const type = (sent.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (a.body === '') {
      if (Object.keys(content).length && a.method !== 'HEAD') problems.push(`${name} → ${status}: empty body, declared ${Object.keys(content).join(', ')}`);
    } else if (!content[type]) {
      problems.push(`${name} → ${status}: body of ${type || 'no type'} undeclared (declared: ${Object.keys(content).join(', ') || 'no body'})`);
    } else if (content[type].schema && /json$/.test(type)) {
      const v = validator(`${resPointer}/content/${esc(type)}/schema`);
      if (!v(JSON.parse(a.body))) problems.push(`${name} → ${status}: body does not match its schema: ${ajv.errorsText(v.errors)} — ${a.body.slice(0, 300)}`);
    }

    // A request the service accepted is one the contract describes.
    const requestBody = deref(op.requestBody);
    const reqType = (a.requestType ?? '').split(';')[0]!.trim().toLowerCase();
    if (a.status < 300 && a.requestBody !== '' && requestBody) {
      const media = requestBody.content?.[reqType];
      if (!media) problems.push(`${name} → ${status}: accepted a request body of ${reqType || 'no type'}, undeclared`);
      else if (media.schema && /json$/.test(reqType)) {
        const v = validator(`${pointerOf(`${opPointer}/requestBody`)}/content/${esc(reqType)}/schema`);
        if (!v(JSON.parse(a.requestBody))) problems.push(`${name} → ${status}: accepted a request body its schema refuses: ${ajv.errorsText(v.errors)} — ${a.requestBody.slice(0, 300)}`);
      }
    }
  }
  return { problems: [...new Set(problems)], checked, seen };
}

/** Whether `body` passes the JSON request schema of `method path` (what a strict client would check before sending). */
export function requestSchemaAccepts(doc: Json, method: string, path: string, body: unknown): boolean {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc, 'contract');
  return ajv.validate({ $ref: `contract#/paths/${esc(path)}/${method}/requestBody/content/application~1json/schema` }, body) as boolean;
}

function pointerGet(doc: Json, pointer: string): Json | undefined {
  let node: any = doc;
  for (const part of pointer.split('/').slice(1)) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}
