import type { Hook } from '@hono/zod-openapi';
import * as z from 'zod/v4';
import type { ZodError } from 'zod/v4';
import { unsafeJsonFields } from '../domain/text';
import { AppError, fieldErrorsFromZod } from '../errors';
import type { AppEnv } from './app-env';
import { createContractRouter, type Router } from './router';

/**
 * The route definitions are the contract: each route declares its zod schemas for path, query,
 * headers, body and every response (errors included), and the same schemas validate the request,
 * type the client (hono/client) and write /openapi.json.
 */

/**
 * Validation failures in our problem vocabulary, as readJson/validate did before: a path id that
 * cannot exist is a 404; any other failing input is a 422 naming every failing field. Text the
 * database cannot store is refused here too, even when the schema accepts a string.
 */
function failure(target: string, error: ZodError | null, data?: unknown): AppError {
  if (target === 'param') return new AppError(404, 'not_found', 'Nothing exists at this path (the id is not one we could have issued).');
  const fields = error ? fieldErrorsFromZod(error) : unsafeJsonFields(data);
  return AppError.validation(target === 'json' ? fields : fields.map((f) => ({ ...f, field: f.field === '(body)' ? target : f.field })));
}

export const problemHook: Hook<unknown, AppEnv, string, void> = (result) => {
  if (!result.success) throw failure(result.target, result.error);
  if (unsafeJsonFields(result.data).length) throw failure(result.target, null, result.data);
};

/** A router for one resource (or an app): validation failures become our problems. */
export function createRouter(): Router {
  return createContractRouter(problemHook);
}

/** RFC 9457 problem+json, as src/http/render-error.ts writes it. */
export const problemSchema = z
  .object({
    type: z.string().meta({ example: 'https://citas-sync.dev/problems/validation_failed' }),
    title: z.string().meta({ example: 'Unprocessable Content' }),
    status: z.number().int().meta({ example: 422 }),
    code: z.string().meta({ description: 'Stable machine-readable code; see the README error table.', example: 'validation_failed' }),
    detail: z.string(),
    fields: z
      .array(z.object({ field: z.string().meta({ example: 'end_time' }), message: z.string().meta({ example: 'must be after start_time' }) }))
      .optional()
      .meta({ description: 'Every failing field (400/422).' }),
    request_id: z.string().optional().meta({ description: 'Also in the X-Request-Id header and our logs.' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export const PROBLEM_TEXT: Record<number, string> = {
  400: 'The body is not JSON (`invalid_json`), or `If-Match` is malformed (`invalid_if_match`).',
  401: 'Missing or unknown credentials (`unauthorized`), or a signature that does not verify.',
  403: 'This key may not use this route (`forbidden`).',
  404: 'No such resource, or not one this key may see (`not_found`).',
  409: 'Conflicts with current state (`slot_taken` names the cita holding the slot; `slot_blocked` names the block, `block`; `ghl_not_connected`, …).',
  412: '`If-Match` names an older version (`version_mismatch`, with `current_version`).',
  413: 'The body is too large (`payload_too_large`).',
  415: 'Send `Content-Type: application/json` (`unsupported_media_type`).',
  422: 'Invalid fields (`validation_failed`, every failing field in `fields`), outside the calendar\'s working hours (`outside_working_hours`, with `working_hours`), or GHL refused the data (`ghl_rejected`).',
  429: 'Too many requests (`rate_limited`), with `Retry-After`.',
  503: 'A dependency is unavailable (`database_unavailable`, `store_unavailable`, `ghl_unavailable`), or a concurrent write got in the way and nothing was saved (`write_conflict`); with `Retry-After`.',
};

/**
 * Documented problem answers for the given statuses. What the shared middleware answers on every
 * route behind it is declared by the document builder (scripts/lib/contract.ts), not here: 413 and
 * 429 on keyed routes, `X-Request-Id`, `RateLimit-*`, `Retry-After`, `WWW-Authenticate`, a 412's `ETag`.
 */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: PROBLEM_TEXT[s] ?? 'A problem.', content: { 'application/problem+json': { schema: problemSchema } } }]),
  ) as Record<number, { description: string; content: { 'application/problem+json': { schema: typeof problemSchema } } }>;
}

/** A JSON response of `schema`. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** A required JSON request body of `schema`. */
export function jsonBody<S extends z.ZodType>(schema: S, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

/** The security schemes, and which each route uses. */
export const SECURITY_SCHEMES = {
  apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`. Admin routes need an admin key.' },
  ghlSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'x-ghl-signature',
    description: "GHL's Ed25519 signature (base64) over the raw body; the legacy RSA `x-wh-signature` is accepted when this header is absent.",
  },
  qstashSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Upstash-Signature',
    description: "QStash's JWT (HS256, current or next signing key) over the exact URL and the body's SHA-256.",
  },
} as const;

export const security = {
  apiKey: [{ apiKey: [] }],
  ghl: [{ ghlSignature: [] }],
  qstash: [{ qstashSignature: [] }],
  none: [],
};
