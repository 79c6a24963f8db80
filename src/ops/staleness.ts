import { and, eq, max } from 'drizzle-orm';
import { ghlConnections, sweepHolds, syncRuns } from '../db/schema';
import type { DbOrTx } from '../db/client';
import type { Deps } from '../deps';

/** Connected locations whose last successful incremental sync (or, before any, the connection) is too old. */
export async function staleIncrementalLocations(deps: Pick<Deps, 'db' | 'clock' | 'config'>): Promise<string[]> {
  const rows = await deps.db
    .select({ id: ghlConnections.locationId, connectedAt: ghlConnections.createdAt, lastOk: max(syncRuns.finishedAt) })
    .from(ghlConnections)
    .leftJoin(syncRuns, and(eq(syncRuns.locationId, ghlConnections.locationId), eq(syncRuns.kind, 'incremental'), eq(syncRuns.outcome, 'ok')))
    .where(eq(ghlConnections.status, 'active'))
    .groupBy(ghlConnections.locationId, ghlConnections.createdAt);
  const now = deps.clock.now().getTime();
  return rows
    .filter((r) => now - new Date(r.lastOk ?? r.connectedAt).getTime() > deps.config.SYNC_STALE_AFTER_MS)
    .map((r) => r.id);
}

/** Locations with a sweep held for review (sync/sweep.ts). */
export async function locationsWithHeldSweeps(db: DbOrTx): Promise<string[]> {
  const rows = await db.select({ id: sweepHolds.locationId }).from(sweepHolds).where(eq(sweepHolds.status, 'held'));
  return rows.map((r) => r.id);
}

/** Locations whose GHL connection stopped working until someone reinstalls (or sets a new token). */
export async function locationsNeedingReauth(db: DbOrTx): Promise<string[]> {
  const rows = await db.select({ id: ghlConnections.locationId }).from(ghlConnections).where(eq(ghlConnections.status, 'reauth_required'));
  return rows.map((r) => r.id);
}

/**
 * What /healthz counts, by name: the public check says how many locations are stale, hold a sweep
 * or need re-authorisation; an admin needs to know which (GET /api/admin/sync-health).
 */
export async function syncHealth(deps: Pick<Deps, 'db' | 'clock' | 'config'>) {
  const [stale, held, reauth] = await Promise.all([staleIncrementalLocations(deps), locationsWithHeldSweeps(deps.db), locationsNeedingReauth(deps.db)]);
  const sort = (ids: string[]) => [...new Set(ids)].sort();
  return {
    ok: stale.length === 0 && held.length === 0 && reauth.length === 0,
    stale_locations: sort(stale),
    held_sweeps: sort(held),
    reauth_required: sort(reauth),
  };
}
