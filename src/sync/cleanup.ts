import { and, eq, gte, isNotNull, lt, notInArray } from 'drizzle-orm';
import { citas, INACTIVE_STATUSES, syncRuns, webhookEvents } from '../db/schema';
import { GhlError, needsReconnect } from '../ghl/errors';
import type { Deps } from '../deps';
import { sweepPending } from './outbound';
import { withSyncRun } from './sync-run';
import { pruneIdempotencyKeys } from '../access/idempotency';
import { cancelGoneFromGhl, goneReason } from './gone-from-ghl';
import { touchLocation } from '../locations/location-rev';

const DAY = 86_400_000;
const VERIFY_LIMIT = 500;

/**
 * The weekly cleanup of one location: upcoming synced citas whose GHL appointment no longer
 * exists are cancelled; `sync_failed` citas get one more attempt (their error kept); records past
 * the retention are pruned.
 */
export async function cleanupLocation(deps: Deps, opts: { locationId: string; messageId?: string | null }) {
  const { db, clock, config } = deps;
  const counts = { verified: 0, missing_cancelled: 0, retried: 0, retried_ok: 0, pruned_webhooks: 0, pruned_runs: 0, pruned_idempotency_keys: 0, verify_errors: 0 };
  return withSyncRun(deps, { kind: 'cleanup', ...opts }, counts, async ({ startedAt }) => {
    const upcoming = await db
      .select({ id: citas.id, ghlId: citas.ghlAppointmentId })
      .from(citas)
      .where(
        and(
          eq(citas.locationId, opts.locationId),
          isNotNull(citas.ghlAppointmentId),
          eq(citas.syncStatus, 'synced'),
          notInArray(citas.status, [...INACTIVE_STATUSES]),
          gte(citas.startTime, startedAt),
        ),
      )
      .limit(VERIFY_LIMIT);
    for (const c of upcoming) {
      try {
        await deps.ghl.client.getAppointment(opts.locationId, c.ghlId!);
        counts.verified++;
      } catch (err) {
        if (err instanceof GhlError && err.kind === 'not_found') {
          const goneSince = clock.now();
          const cancelled = await db.transaction((tx) => cancelGoneFromGhl(tx, deps, [c.id], { actor: 'job', goneSince, reason: goneReason.check }));
          counts.missing_cancelled += cancelled.length;
          touchLocation(deps, opts.locationId);
        } else if (needsReconnect(err)) {
          throw err;
        } else {
          counts.verify_errors++;
        }
      }
    }

    // One more chance for what failed: attempts are reset to the last one, the error stays visible.
    const failed = await db
      .update(citas)
      .set({ syncStatus: 'pending_sync', syncRetries: config.SYNC_MAX_ATTEMPTS - 1 })
      .where(and(eq(citas.locationId, opts.locationId), eq(citas.syncStatus, 'sync_failed')))
      .returning({ id: citas.id });
    counts.retried = failed.length;
    if (failed.length) {
      const r = await sweepPending(deps, { locationId: opts.locationId, limit: failed.length });
      counts.retried_ok = r.synced + r.unchanged;
    }

    const cutoff = new Date(startedAt.getTime() - config.SYNC_RETENTION_DAYS * DAY);
    counts.pruned_webhooks = (await db.delete(webhookEvents).where(lt(webhookEvents.receivedAt, cutoff)).returning({ id: webhookEvents.id })).length;
    counts.pruned_runs = (await db.delete(syncRuns).where(lt(syncRuns.startedAt, cutoff)).returning({ id: syncRuns.id })).length;
    counts.pruned_idempotency_keys = await pruneIdempotencyKeys(db, clock.now());
    return { outcome: counts.verify_errors ? 'partial' : 'ok' };
  });
}
