import type { Context } from 'hono';
import type { TokenRecord } from './tokens';

/**
 * The authenticated token of a request. Kept beside the context rather than in Hono's typed
 * Variables so the app stays a plain `Hono`, which is what callers are promised.
 */
const authByContext = new WeakMap<Context, TokenRecord>();

export function setAuth(c: Context, token: TokenRecord): void {
  authByContext.set(c, token);
}

export function authOf(c: Context): TokenRecord {
  const token = authByContext.get(c);
  // Only reachable if a route is mounted outside apiGate: a sandbox bug, not a client error.
  if (!token) throw new Error(`no authenticated token for ${c.req.method} ${c.req.path}`);
  return token;
}
