/**
 * The OpenAPI documents, generated in Node from the routes themselves (each router keeps its
 * routes' definitions: `contractOf(app)`) with @asteasolutions/zod-to-openapi, which reads the
 * schemas' `.meta()` (descriptions, examples, `id` → a named component). The Workers serve the
 * JSON this writes to src/contract/, so none of them carries the generator.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { API_VERSION, createCitasApp, createFullApp, createJobsApp, createWebhooksApp } from '../../src/app';
import { signedPath } from '../../src/apps/base';
import { PROBLEM_TEXT, SECURITY_SCHEMES } from '../../src/http/openapi';
import { contractOf } from '../../src/http/router';
import type { DepsProvider } from '../../src/runtime/provider';

const DESCRIPTION =
  'Appointments ("citas") kept in sync both ways between RV3 and GoHighLevel calendars. Errors are `application/problem+json` with a stable `code`; every answer carries `X-Request-Id`. The same document is at `/openapi.json`; `/docs` renders it.';

/** Building an app needs no deps: nothing here serves a request. */
const noDeps: DepsProvider = { acquire: () => Promise.reject(new Error('the contract needs no deps')) };

export const CONTRACTS = [
  { name: 'full', title: 'citas-sync', app: () => createFullApp(noDeps) },
  { name: 'citas', title: 'citas-sync — citas', app: () => createCitasApp(noDeps) },
  { name: 'webhooks', title: 'citas-sync — webhooks', app: () => createWebhooksApp(noDeps) },
  { name: 'jobs', title: 'citas-sync — jobs', app: () => createJobsApp(noDeps) },
] as const;

export function contractFile(name: string): string {
  return `src/contract/${name}.openapi.json`;
}

/**
 * Where the service runs. The variable's own `description` is left out: the OpenAPI 3.1 schema
 * that swagger-parser validates with misspells it (`descriptions`) and refuses it.
 */
const SERVERS = [
  {
    url: '{origin}',
    description: 'The origin serving this document (`/openapi.json` sits beside the API): `npm start` at http://127.0.0.1:8787, a deployed Worker at its `PUBLIC_BASE_URL`.',
    variables: { origin: { default: 'http://127.0.0.1:8787' } },
  },
];

/** Each tag an operation may carry, described once (a route with a tag not listed here fails the build of the document). */
const TAGS: Record<string, string> = {
  Citas: 'Appointments as the RV3 front desk keeps them: saved here at once, pushed to GHL after the answer, changed by GHL through its webhooks.',
  Contacts: "A location's patients as GHL keeps them (GHL is their source of truth): found by typing, created through GHL's upsert.",
  Blocks: "Time a calendar is not available (lunch, a course, a vacation): GHL's blocked slots, read by the sync jobs and before bookings, and blocks made here, pushed to GHL. Bookings into them are refused (`409 slot_blocked`) unless forced.",
  Locations: 'The clinics (GHL locations) a key may use: their calendars, time zone and GHL connection state.',
  GHL: "What GHL has (a location's calendars), and installing the app in a location (OAuth).",
  Webhooks: "GHL's signed webhooks: appointments changed in GHL, the app installed or removed.",
  Jobs: 'The scheduled sync jobs, called by QStash (signed), never by people.',
  Admin: 'Operator routes (admin API key): connections, sync status, metrics, held sweeps, API keys, webhook replays.',
  Operations: 'Health probes and the Prometheus scrape.',
};

/**
 * What the shared middleware (src/apps/base.ts, src/http/middleware/) sends on the answers of
 * every route behind it, declared once here instead of in each route, so none can forget it.
 */
const HEADERS = {
  'X-Request-Id': {
    description: "This request's id (a valid incoming `X-Request-Id` is kept), in our logs and, on problems, as `request_id`.",
    required: true,
    schema: { type: 'string' },
  },
  'RateLimit-Limit': { description: 'Requests allowed per minute (per API key; per client IP on public routes).', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Remaining': { description: 'Requests left in this minute.', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Reset': { description: 'Seconds until the next minute starts and the count with it.', schema: { type: 'integer', minimum: 1 } },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
  'WWW-Authenticate': { description: 'How to authenticate (RFC 6750).', schema: { type: 'string', const: 'Bearer' } },
  ETag: { description: "The cita's current version, to send as `If-Match` after re-reading it.", schema: { type: 'string', example: '"3"' } },
} as const;
type HeaderName = keyof typeof HEADERS;
const ref = (kind: 'headers' | 'responses' | 'schemas', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const headerRefs = (...names: HeaderName[]) => Object.fromEntries(names.map((n) => [n, ref('headers', n)]));
const RATE_LIMIT: HeaderName[] = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
const problem = (status: number, headers: HeaderName[]) => ({
  description: PROBLEM_TEXT[status]!,
  headers: headerRefs('X-Request-Id', ...headers),
  content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
});
/** The answers of the body limit and the per-key rate limit, the same on every keyed route. */
const RESPONSES = {
  PayloadTooLarge: problem(413, []),
  RateLimited: problem(429, [...RATE_LIMIT, 'Retry-After']),
};

type Json = Record<string, any>;
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Adds to each operation what the shared middleware answers, from the rules it runs by:
 * - every answer carries `X-Request-Id` (request-context);
 * - keyed routes (under /api/, but not `signedPath`): a body over MAX_BODY_BYTES is a 413 and a
 *   key past its minute's limit a 429 (`PayloadTooLarge`, `RateLimited`);
 * - a route that can answer 429 has a rate limiter, which sends `RateLimit-*` on the answers it
 *   lets through and `Retry-After` with its 429; every 503 problem says `Retry-After` too;
 * - a 401 of a bearer-key route says `WWW-Authenticate: Bearer`; a 412 (`version_mismatch`)
 *   carries the current version as `ETag`.
 */
function declareSharedAnswers(doc: Json): void {
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json) as [string, Json][]) {
      const responses: Json = { ...op.responses };
      if (path.startsWith('/api/') && !signedPath(path)) {
        if (BODY_METHODS.has(method)) responses[413] = ref('responses', 'PayloadTooLarge');
        responses[429] = ref('responses', 'RateLimited');
      }
      const limited = responses[429] !== undefined;
      const bearer = (op.security as Json[] | undefined)?.some((s) => 'apiKey' in s);
      for (const [status, r] of Object.entries(responses) as [string, Json][]) {
        if (r.$ref) continue;
        const problemAnswer = r.content?.['application/problem+json'] !== undefined;
        const added: HeaderName[] = [
          ...(limited && status !== '413' ? RATE_LIMIT : []),
          ...((status === '429' || status === '503') && problemAnswer ? (['Retry-After'] as const) : []),
          ...(status === '401' && bearer ? (['WWW-Authenticate'] as const) : []),
          ...(status === '412' ? (['ETag'] as const) : []),
        ];
        responses[status] = { ...r, headers: { ...headerRefs('X-Request-Id', ...added), ...r.headers } };
      }
      op.responses = responses;
    }
  }
}

/** The components the shared answers refer to, only those this document uses. */
function usedComponents(doc: Json) {
  const text = JSON.stringify(doc.paths);
  const uses = (kind: string, name: string) => text.includes(`"#/components/${kind}/${name}"`);
  const responses = Object.fromEntries(Object.entries(RESPONSES).filter(([n]) => uses('responses', n)));
  const inResponses = JSON.stringify(responses);
  const headers = Object.fromEntries(Object.entries(HEADERS).filter(([n]) => uses('headers', n) || inResponses.includes(`"#/components/headers/${n}"`)));
  return { responses, headers };
}

export function openApiDocument(app: unknown, title: string) {
  const registry = new OpenAPIRegistry();
  const routes = contractOf(app);
  // Only the schemes this function's routes use (each function has its own document).
  const used = new Set(routes.flatMap((r) => (r.security ?? []).flatMap((s) => Object.keys(s))));
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) if (used.has(name)) registry.registerComponent('securitySchemes', name, { ...scheme });
  for (const route of routes) registry.registerPath(route);
  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title,
      version: API_VERSION,
      description: DESCRIPTION,
      contact: { name: 'citas-sync maintainers (see the README)' },
      license: { name: 'Proprietary: a private project, not licensed for use outside it.', identifier: 'LicenseRef-Proprietary' },
    },
    servers: SERVERS,
  });
  declareSharedAnswers(doc);
  const tags = [...new Set(routes.flatMap((r) => r.tags ?? []))];
  const undescribed = tags.filter((t) => !TAGS[t]);
  if (undescribed.length) throw new Error(`describe the tag(s) ${undescribed.join(', ')} in TAGS (scripts/lib/contract.ts)`);
  const { responses, headers } = usedComponents(doc);
  doc.components = { ...doc.components, ...(Object.keys(responses).length ? { responses } : {}), ...(Object.keys(headers).length ? { headers } : {}) };
  return { ...doc, tags: tags.map((name) => ({ name, description: TAGS[name]! })) };
}

/** Every function's document, as the files under src/contract/ should hold them. */
export function contractDocuments(): { name: string; file: string; text: string; document: ReturnType<typeof openApiDocument> }[] {
  return CONTRACTS.map((c) => {
    const document = openApiDocument(c.app(), c.title);
    return { name: c.name, file: contractFile(c.name), text: `${JSON.stringify(document, null, 2)}\n`, document };
  });
}
