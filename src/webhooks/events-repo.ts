import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { webhookEvents, type WebhookEventRow, type WebhookOutcome } from '../db/schema';

export interface NewEvent {
  webhookId: string;
  type: string;
  locationId: string | null;
  appointmentId: string | null;
  payload: unknown;
  receivedAt: Date;
  requestId: string;
}

/**
 * Claims a webhook id for processing. A new id, or one whose earlier delivery failed (we answered
 * 429), is claimed; one already processed is not (→ null: a duplicate). Runs in the transaction
 * that applies the change, so a rollback releases the claim too.
 */
export async function claimEvent(db: DbOrTx, e: NewEvent): Promise<WebhookEventRow | null> {
  const rows = await db
    .insert(webhookEvents)
    .values({ ...e, outcome: 'failed' })
    .onConflictDoUpdate({
      target: webhookEvents.webhookId,
      set: { deliveries: sql`${webhookEvents.deliveries} + 1`, requestId: e.requestId },
      setWhere: sql`${webhookEvents.outcome} = 'failed'`,
    })
    .returning();
  return rows[0] ?? null;
}

export async function finishEvent(
  db: DbOrTx,
  webhookId: string,
  r: { outcome: WebhookOutcome; citaId?: string | null; error?: string | null; at: Date; deliveries?: number },
): Promise<void> {
  await db
    .update(webhookEvents)
    .set({
      outcome: r.outcome,
      citaId: r.citaId ?? null,
      error: r.error ?? null,
      processedAt: r.at,
      ...(r.deliveries !== undefined ? { deliveries: r.deliveries } : {}),
    })
    .where(eq(webhookEvents.webhookId, webhookId));
}

/** Outside any transaction: remember a delivery that failed, so its redelivery is recognised. */
export async function recordFailedDelivery(db: DbOrTx, e: NewEvent, error: string): Promise<void> {
  await db
    .insert(webhookEvents)
    .values({ ...e, outcome: 'failed', error })
    .onConflictDoUpdate({
      target: webhookEvents.webhookId,
      set: { error, deliveries: sql`${webhookEvents.deliveries} + 1` },
      setWhere: sql`${webhookEvents.outcome} = 'failed'`,
    });
}

export async function findEvent(db: DbOrTx, webhookId: string): Promise<WebhookEventRow | null> {
  const rows = await db.select().from(webhookEvents).where(eq(webhookEvents.webhookId, webhookId)).limit(1);
  return rows[0] ?? null;
}

/** Share of processed webhooks that needed a single delivery (we never had to ask GHL again). */
export async function firstDeliveryStats(db: DbOrTx): Promise<{ processed: number; first_delivery: number; rate: number | null }> {
  const [row] = await db
    .select({
      processed: sql<number>`count(*) filter (where ${webhookEvents.outcome} <> 'failed')::int`,
      first: sql<number>`count(*) filter (where ${webhookEvents.outcome} <> 'failed' and ${webhookEvents.deliveries} = 1)::int`,
    })
    .from(webhookEvents);
  const processed = Number(row?.processed ?? 0);
  const first = Number(row?.first ?? 0);
  return { processed, first_delivery: first, rate: processed ? first / processed : null };
}
