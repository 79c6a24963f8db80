import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { driverOf } from '../db/driver';
import { renderWrite, runWrite, type Rendered, type RowWrite } from '../db/row-writes';
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
export async function claimEvent(db: DbOrTx, e: NewEvent): Promise<{ deliveries: number } | null> {
  const rows = await db
    .insert(webhookEvents)
    .values({ ...e, outcome: 'failed' })
    .onConflictDoUpdate({
      target: webhookEvents.webhookId,
      set: { deliveries: sql`${webhookEvents.deliveries} + 1`, requestId: e.requestId },
      setWhere: sql`${webhookEvents.outcome} = 'failed'`,
    })
    .returning({ deliveries: webhookEvents.deliveries });
  return rows[0] ?? null;
}

export interface EventResult {
  outcome: WebhookOutcome;
  citaId?: string | null;
  error?: string | null;
  at: Date;
  deliveries?: number;
}

export async function finishEvent(db: DbOrTx, webhookId: string, r: EventResult): Promise<void> {
  await runWrite(db, finishWrite(webhookId, r));
}

/**
 * The claim as text, to run inside another statement (the appointment lookup), its parameters
 * numbered from `first`: returns `deliveries` when claimed, no row for a duplicate.
 */
export function claimRendered(e: NewEvent, first: number): Rendered {
  const insert = renderWrite({ table: webhookEvents, insert: { ...e, outcome: 'failed' } }, first);
  const text = `${insert.text} on conflict ("webhook_id") do update set "deliveries" = "webhook_events"."deliveries" + 1, "request_id" = excluded."request_id" where "webhook_events"."outcome" = 'failed' returning "deliveries"`;
  return { text, params: insert.params };
}

/** The outcome of a claimed event as a row write, to run with the change it made (auditedWrite). */
export function finishWrite(webhookId: string, r: EventResult): RowWrite<typeof webhookEvents> {
  return {
    table: webhookEvents,
    update: {
      outcome: r.outcome,
      citaId: r.citaId ?? null,
      error: r.error ?? null,
      processedAt: r.at,
      ...(r.deliveries !== undefined ? { deliveries: r.deliveries } : {}),
    },
    where: { webhookId },
  };
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

/** The recorded outcome of an event (null: none recorded). Every duplicate delivery asks: one plain statement. */
export async function eventOutcome(db: DbOrTx, webhookId: string): Promise<WebhookOutcome | null> {
  const { rows } = await driverOf(db).query('select "outcome" from "webhook_events" where "webhook_id" = $1', [webhookId]);
  return ((rows[0] as { outcome?: WebhookOutcome } | undefined)?.outcome ?? null);
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
