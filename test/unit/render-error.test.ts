/**
 * The one error renderer: what reaches it from the database becomes a problem a client can act on.
 * A write that lost a race (serialization failure, deadlock) is a 503 to retry, never a 500.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/http/render-error';
import type { AppEnv } from '../../src/http/app-env';

function appThrowing(err: unknown) {
  const app = new Hono<AppEnv>();
  app.onError(renderError);
  app.get('/', () => {
    throw err;
  });
  return app;
}

/** What drizzle throws: its own wrapper, with the driver's error (and SQLSTATE) as the cause. */
function failedQuery(code: string, message: string) {
  return new Error('Failed query: update "citas" set …', { cause: Object.assign(new Error(message), { code }) });
}

describe('renderError', () => {
  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
  ])('SQLSTATE %s (%s) → 503 write_conflict with Retry-After', async (code, message) => {
    const res = await appThrowing(failedQuery(code, message)).request('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 503, code: 'write_conflict' });
  });

  it('a lost connection is database_unavailable; a statement the database refuses for another reason stays a 500', async () => {
    const gone = await appThrowing(failedQuery('08006', 'connection failure')).request('/');
    expect([gone.status, ((await gone.json()) as { code: string }).code]).toEqual([503, 'database_unavailable']);
    const bug = await appThrowing(failedQuery('42703', 'column "nope" does not exist')).request('/');
    expect([bug.status, ((await bug.json()) as { code: string }).code]).toEqual([500, 'internal']);
  });
});
