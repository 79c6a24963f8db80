import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ConfigError } from '../config/config';
import { AppError } from '../errors';
import { GhlError } from '../ghl/errors';
import { isDbUnavailable, isWriteConflict } from '../db/pg-errors';
import { StoreUnavailableError } from '../store/kv-store';
import type { AppEnv } from './app-env';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The one place errors become HTTP: RFC 9457 problem+json with our stable `code`, the failing
 * `fields` and the request id, so a report from the front desk can be found in the logs.
 * Services throw AppError (or let a GhlError through); anything else is a bug → 500 `internal`.
 */
export function renderError(err: unknown, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId');
  const appError = toAppError(err);
  if (appError.status >= 500) c.get('log')?.error('request failed', { err, code: appError.code });

  const body = {
    type: `https://citas-sync.dev/problems/${appError.code}`,
    title: TITLES[appError.status] ?? 'Error',
    status: appError.status,
    code: appError.code,
    detail: appError.message,
    ...(appError.details.fields ? { fields: appError.details.fields } : {}),
    ...appError.details.extra,
    request_id: requestId,
  };
  const headers: Record<string, string> = {
    'Content-Type': 'application/problem+json',
    'X-Content-Type-Options': 'nosniff',
    ...(requestId ? { 'X-Request-Id': requestId } : {}),
    ...appError.details.headers,
  };
  return new Response(JSON.stringify(body), { status: appError.status, headers });
}

/** What Hono itself answers early (malformed JSON, a body that is not JSON, a body too large). */
const HTTP_EXCEPTION_CODES: Record<number, [string, string]> = {
  400: ['invalid_json', 'The request body is not valid JSON.'],
  413: ['payload_too_large', 'The request body is too large.'],
  415: ['unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.'],
};

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException && err.status < 500) {
    const [code, message] = HTTP_EXCEPTION_CODES[err.status] ?? ['bad_request', err.message || 'The request cannot be processed.'];
    return new AppError(err.status, code, message);
  }
  if (err instanceof GhlError) return problemFromGhl(err);
  if (err instanceof StoreUnavailableError) {
    return new AppError(503, 'store_unavailable', 'A dependency of this request is unavailable; try again shortly.', { headers: { 'Retry-After': '5' } });
  }
  if (isDbUnavailable(err)) {
    return new AppError(503, 'database_unavailable', 'The database is unavailable; try again shortly.', { headers: { 'Retry-After': '5' } });
  }
  if (isWriteConflict(err)) {
    return new AppError(503, 'write_conflict', 'A concurrent change got in the way; nothing was saved. Try again.', { headers: { 'Retry-After': '1' } });
  }
  if (err instanceof ConfigError) {
    return new AppError(500, 'config_invalid', err.message, {
      fields: err.problems.map((p) => ({ field: p.variable, message: p.message })),
    });
  }
  return new AppError(500, 'internal', 'Something went wrong on our side; the request id identifies it in our logs.');
}

/** A GHL failure met while serving a request, in our problem vocabulary. */
function problemFromGhl(err: GhlError): AppError {
  switch (err.kind) {
    case 'not_connected':
      return new AppError(409, 'ghl_not_connected', `${err.message}. Install the app or set a private integration token first.`);
    case 'reauth_required':
    case 'auth':
    case 'scope':
      return new AppError(409, 'ghl_reauth_required', err.message);
    case 'not_found':
      return new AppError(404, 'ghl_not_found', err.message);
    case 'validation':
    case 'slot_unavailable':
      return new AppError(422, 'ghl_rejected', err.message);
    default:
      // Rate limits, outages, open circuit: ours to retry, the caller's to try later.
      return new AppError(503, 'ghl_unavailable', `GHL is not answering well right now (${err.kind}); try again shortly.`, {
        headers: { 'Retry-After': '30' },
      });
  }
}
