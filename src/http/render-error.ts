import type { Context } from 'hono';
import { ConfigError } from '../config/config';
import type { AppEnv } from './app-env';
import { AppError } from './errors';

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
 */
export function renderError(err: unknown, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId');
  const log = c.get('log');
  let appError: AppError;
  if (err instanceof AppError) {
    appError = err;
  } else if (err instanceof ConfigError) {
    appError = new AppError(500, 'config_invalid', err.message, {
      fields: err.problems.map((p) => ({ field: p.variable, message: p.message })),
    });
  } else {
    appError = new AppError(500, 'internal', 'Something went wrong on our side; the request id identifies it in our logs.');
  }
  if (appError.status >= 500) log?.error('request failed', { err, code: appError.code });

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
    ...(requestId ? { 'X-Request-Id': requestId } : {}),
    ...appError.details.headers,
  };
  return new Response(JSON.stringify(body), { status: appError.status, headers });
}
