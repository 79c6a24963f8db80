import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { AppError } from '../../errors';
import { sha256, toHex } from '../../lib/hex';

/**
 * Bearer API keys from API_KEYS (admin keys from ADMIN_API_KEYS also pass). No key configured
 * means nobody gets in: a deployed function never has a default key.
 */
export function requireApiKey(role: 'api' | 'admin' = 'api'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { config } = c.var.deps;
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match?.[1]) {
      throw new AppError(401, 'unauthorized', 'Send an API key as "Authorization: Bearer <key>".', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const presented = await sha256(match[1].trim());
    const isAdmin = await matchesAny(presented, config.ADMIN_API_KEYS);
    const isApi = isAdmin || (await matchesAny(presented, config.API_KEYS));
    if (!isApi) {
      throw new AppError(401, 'unauthorized', 'The API key is not valid.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    if (role === 'admin' && !isAdmin) throw new AppError(403, 'forbidden', 'This route needs an admin API key.');
    // A short digest names the client in logs and rate-limit keys without storing the key itself.
    const clientId = toHex(presented.slice(0, 8));
    c.set('client', { role: isAdmin ? 'admin' : 'api', id: clientId });
    c.var.logEvent.client_id = clientId;
    await next();
  };
}

/**
 * Compares digests, not the keys, so the time taken depends neither on where the strings differ
 * nor on their lengths; every configured key is checked (no early exit).
 */
async function matchesAny(p: Uint8Array, keys: string[]): Promise<boolean> {
  let found = false;
  for (const k of await digestsOf(keys)) {
    let diff = 0;
    for (let i = 0; i < p.length; i++) diff |= p[i]! ^ k[i]!;
    found = found || diff === 0;
  }
  return found;
}

// The configured keys never change for a config, so their digests are computed once, not per request.
const keyDigests = new WeakMap<string[], Promise<Uint8Array[]>>();
function digestsOf(keys: string[]): Promise<Uint8Array[]> {
  let d = keyDigests.get(keys);
  if (!d) {
    d = Promise.all(keys.map((k) => sha256(k)));
    keyDigests.set(keys, d);
  }
  return d;
}
