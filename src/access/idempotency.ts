import { and, eq, lt } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { idempotencyKeys } from '../db/schema';
import { AppError } from '../errors';
import { sha256, toHex } from '../lib/hex';
import type { Clock } from '../lib/clock';

/**
 * `Idempotency-Key` (Stripe's convention): a write sent again with the same key and the same body
 * within 24 hours gets the first answer back instead of being done again; the same key with
 * another body is a 422. The key is claimed in the same transaction as the write, so a concurrent
 * retry waits for the first and then reads its answer: one cita, however many retries. A write
 * that failed (409, 422…) leaves no record: sending it again does it again.
 */

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export interface Answer {
  status: 200 | 201;
  body: unknown;
  headers: Record<string, string>;
}

/** A stable digest of a request body: key order and whitespace do not matter. */
export async function requestHash(value: unknown): Promise<string> {
  return toHex(sha256(canonical(value)));
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export async function idempotent<A extends Answer>(
  deps: { db: Db; clock: Clock },
  claim: { clientId: string; key: string; operation: string; requestHash: string },
  work: (db: DbOrTx) => Promise<A>,
): Promise<{ answer: Answer; replayed: boolean }> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const expired = new Date(now.getTime() - IDEMPOTENCY_TTL_MS);
    const where = and(eq(idempotencyKeys.clientId, claim.clientId), eq(idempotencyKeys.key, claim.key));
    // A fresh claim, or an expired one taken over. Status 0 marks "in progress" until the answer is written.
    const [claimed] = await tx
      .insert(idempotencyKeys)
      .values({ ...claim, status: 0, body: {}, headers: {}, createdAt: now })
      .onConflictDoUpdate({
        target: [idempotencyKeys.clientId, idempotencyKeys.key],
        set: { operation: claim.operation, requestHash: claim.requestHash, status: 0, body: {}, headers: {}, createdAt: now },
        setWhere: lt(idempotencyKeys.createdAt, expired),
      })
      .returning({ key: idempotencyKeys.key });
    if (!claimed) {
      const [first] = await tx.select().from(idempotencyKeys).where(where);
      if (!first || first.operation !== claim.operation || first.requestHash !== claim.requestHash) {
        throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request; use a new key for a new request.', {
          fields: [{ field: 'Idempotency-Key', message: 'already used with another body or operation' }],
        });
      }
      return { answer: { status: first.status as Answer['status'], body: first.body, headers: first.headers }, replayed: true };
    }
    const answer = await work(tx);
    await tx.update(idempotencyKeys).set({ status: answer.status, body: answer.body as never, headers: answer.headers }).where(where);
    return { answer, replayed: false };
  });
}

/** Drops answers past their 24 hours (the cleanup job). */
export async function pruneIdempotencyKeys(db: DbOrTx, now: Date): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}

