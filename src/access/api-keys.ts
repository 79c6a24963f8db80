import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { apiKeys, type ApiKeyRole, type ApiKeyRow } from '../db/schema';
import { AppError } from '../errors';
import { sha256, toHex } from '../lib/hex';
import type { Clock } from '../lib/clock';
import type { Access } from './access';

/**
 * API keys an admin makes, limited to locations or not. Only the SHA-256 of a key is stored; the
 * key itself is shown once, when it is made. Keys from the environment (API_KEYS, ADMIN_API_KEYS)
 * are bootstrap keys: they keep working, for every location.
 */

const KEY_PREFIX = 'cs_';

export async function keyHash(key: string): Promise<string> {
  return toHex(sha256(key));
}

function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return KEY_PREFIX + btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function apiKeyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    location_ids: row.locationIds,
    created_at: row.createdAt.toISOString(),
    created_by: row.createdBy,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

export async function createApiKey(
  deps: { db: DbOrTx; clock: Clock },
  input: { name: string; role: ApiKeyRole; locationIds: string[] | null },
  createdBy: string | null,
) {
  if (input.role === 'admin' && input.locationIds !== null) {
    throw AppError.validation([{ field: 'location_ids', message: 'an admin key serves every location; leave location_ids out' }]);
  }
  const key = newKey();
  const [row] = await deps.db
    .insert(apiKeys)
    .values({ name: input.name, keyHash: await keyHash(key), prefix: key.slice(0, KEY_PREFIX.length + 6), role: input.role, locationIds: input.locationIds, createdAt: deps.clock.now(), createdBy })
    .returning();
  return { ...apiKeyView(row!), key };
}

export async function listApiKeys(db: DbOrTx) {
  return (await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt))).map(apiKeyView);
}

export async function revokeApiKey(deps: { db: DbOrTx; clock: Clock }, id: string) {
  const [row] = await deps.db
    .update(apiKeys)
    .set({ revokedAt: deps.clock.now() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  if (row) return apiKeyView(row);
  const [existing] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  if (!existing) throw AppError.notFound('API key', id);
  return apiKeyView(existing);
}

/**
 * The access a stored key grants, or null. Looked up once per key per 30 s in each process or
 * isolate: an API request must not pay a database round trip for its key, and a revocation takes
 * effect within that time.
 */
export function storedKeyResolver(ttlMs = 30_000, maxEntries = 1_000) {
  const cache = new Map<string, { access: Access | null; until: number }>();
  return async (db: Db, hash: string): Promise<Access | null> => {
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.access;
    const [row] = await db.select().from(apiKeys).where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt))).limit(1);
    const access: Access | null = row ? { clientId: hash.slice(0, 16), role: row.role, locations: row.role === 'admin' ? null : row.locationIds } : null;
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(hash, { access, until: Date.now() + ttlMs });
    return access;
  };
}
