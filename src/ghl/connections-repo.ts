import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { ghlConnections, type GhlConnectionRow } from '../db/schema';

export async function findConnection(db: DbOrTx, locationId: string): Promise<GhlConnectionRow | null> {
  const rows = await db.select().from(ghlConnections).where(eq(ghlConnections.locationId, locationId)).limit(1);
  return rows[0] ?? null;
}

/** A new install or a new PIT replaces whatever was there, and revives a dead connection. */
export async function saveConnection(
  db: DbOrTx,
  row: Omit<GhlConnectionRow, 'tokenVersion' | 'createdAt' | 'lastError' | 'status' | 'lastRefreshedAt'> & { lastRefreshedAt?: Date | null },
): Promise<GhlConnectionRow> {
  const values = { ...row, status: 'active' as const, lastError: null };
  const [saved] = await db
    .insert(ghlConnections)
    .values({ ...values, createdAt: row.updatedAt })
    .onConflictDoUpdate({
      target: ghlConnections.locationId,
      set: { ...values, tokenVersion: sql`${ghlConnections.tokenVersion} + 1` },
    })
    .returning();
  return saved!;
}

/** Stores a rotated token pair in one statement, so access and refresh token never disagree. */
export async function storeRefreshedTokens(
  db: DbOrTx,
  locationId: string,
  t: { accessTokenEnc: string; refreshTokenEnc: string | null; accessExpiresAt: Date; scopes: string | null; at: Date },
): Promise<GhlConnectionRow> {
  const [saved] = await db
    .update(ghlConnections)
    .set({
      accessTokenEnc: t.accessTokenEnc,
      refreshTokenEnc: t.refreshTokenEnc,
      accessExpiresAt: t.accessExpiresAt,
      scopes: t.scopes,
      status: 'active',
      lastError: null,
      lastRefreshedAt: t.at,
      updatedAt: t.at,
      tokenVersion: sql`${ghlConnections.tokenVersion} + 1`,
    })
    .where(eq(ghlConnections.locationId, locationId))
    .returning();
  return saved!;
}

export async function markConnection(
  db: DbOrTx,
  locationId: string,
  status: GhlConnectionRow['status'],
  lastError: string | null,
  at: Date,
): Promise<void> {
  await db.update(ghlConnections).set({ status, lastError, updatedAt: at }).where(eq(ghlConnections.locationId, locationId));
}

export async function countConnectionsByStatus(db: DbOrTx): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: ghlConnections.status, n: sql<number>`count(*)::int` })
    .from(ghlConnections)
    .groupBy(ghlConnections.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
