import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { AppConfig } from '../../config/config';
import type { Access } from '../../access/access';
import { storedKeyResolver } from '../../access/api-keys';
import { AppError } from '../../errors';
import { sha256, toHex } from '../../lib/hex';

/**
 * Bearer API keys: the environment's bootstrap keys (API_KEYS; ADMIN_API_KEYS also pass), which
 * serve every location, then the keys an admin made (src/access/api-keys.ts), which may be
 * limited to locations. No key configured and none made means nobody gets in.
 */
export function requireApiKey(role: 'api' | 'admin' = 'api'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { config, db } = c.get('deps');
    // Already authenticated by the /api/* guard: the admin guard only checks the role.
    let access = c.get('client');
    if (!access) {
      const header = c.req.header('authorization') ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (!match?.[1]) {
        throw new AppError(401, 'unauthorized', 'Send an API key as "Authorization: Bearer <key>".', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
      }
      const presented = sha256(match[1].trim());
      // A short digest names the client in logs and rate-limit keys without storing the key itself.
      const clientId = toHex(presented.slice(0, 8));
      const isAdmin = await matchesAny(presented, config.ADMIN_API_KEYS);
      const isApi = isAdmin || (await matchesAny(presented, config.API_KEYS));
      access = isApi ? { clientId, role: isAdmin ? 'admin' : 'api', locations: null } : ((await resolverFor(config)(db, toHex(presented))) ?? undefined);
      if (!access) {
        throw new AppError(401, 'unauthorized', 'The API key is not valid.', { headers: { 'WWW-Authenticate': 'Bearer' } });
      }
      c.set('client', access satisfies Access);
      c.get('logEvent').client_id = access.clientId;
    }
    if (role === 'admin' && access.role !== 'admin') throw new AppError(403, 'forbidden', 'This route needs an admin API key.');
    await next();
  };
}

const resolvers = new WeakMap<AppConfig, ReturnType<typeof storedKeyResolver>>();
function resolverFor(config: AppConfig) {
  let r = resolvers.get(config);
  if (!r) {
    r = storedKeyResolver(config.API_KEY_CACHE_MS);
    resolvers.set(config, r);
  }
  return r;
}

/**
 * Compares digests, not the keys, so the time taken depends neither on where the strings differ
 * nor on their lengths; every configured key is checked (no early exit).
 */
async function matchesAny(p: Uint8Array, keys: string[]): Promise<boolean> {
  let found = false;
  for (const k of digestsOf(keys)) {
    let diff = 0;
    for (let i = 0; i < p.length; i++) diff |= p[i]! ^ k[i]!;
    found = found || diff === 0;
  }
  return found;
}

// The configured keys never change for a config, so their digests are computed once, not per request.
const keyDigests = new WeakMap<string[], Uint8Array[]>();
function digestsOf(keys: string[]): Uint8Array[] {
  let d = keyDigests.get(keys);
  if (!d) {
    d = keys.map((k) => sha256(k));
    keyDigests.set(keys, d);
  }
  return d;
}
