import { and, desc, eq, inArray, lt, notInArray } from 'drizzle-orm';
import { citas, INACTIVE_STATUSES, sweepHolds, type SweepHoldRow, type SweepHoldStatus } from '../db/schema';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { cancelGoneFromGhl, goneReason } from './gone-from-ghl';
import { touchLocation } from '../locations/location-rev';

/** An admin's view of a held sweep. */
export function holdView(h: SweepHoldRow) {
  return {
    id: h.id,
    location_id: h.locationId,
    status: h.status,
    run_id: h.runId,
    would_cancel: h.citaIds.length,
    of: h.candidates,
    cita_ids: h.citaIds,
    scan_started_at: h.scanStartedAt.toISOString(),
    created_at: h.createdAt.toISOString(),
    updated_at: h.updatedAt.toISOString(),
    decided_at: h.decidedAt?.toISOString() ?? null,
    decided_by: h.decidedBy,
  };
}

export async function listSweepHolds(deps: Pick<Deps, 'db'>, filter: { status?: SweepHoldStatus; locationId?: string } = {}) {
  const conds = [];
  if (filter.status) conds.push(eq(sweepHolds.status, filter.status));
  if (filter.locationId) conds.push(eq(sweepHolds.locationId, filter.locationId));
  const rows = await deps.db.select().from(sweepHolds).where(and(...conds)).orderBy(desc(sweepHolds.updatedAt)).limit(200);
  return rows.map(holdView);
}

/**
 * An admin's decision on a held sweep. Confirm: the citas are cancelled as gone from GHL — those
 * still active and not synced again since the scan (a cita GHL listed or a person edited since is
 * left alone). Dismiss: nothing is cancelled; if GHL still lacks them, the next scan holds again.
 */
export async function decideSweepHold(deps: Deps, id: string, decision: 'confirm' | 'dismiss', by: { clientId: string | null; requestId: string | null }) {
  const decided = await deps.db.transaction(async (tx) => {
    const [hold] = await tx.select().from(sweepHolds).where(eq(sweepHolds.id, id)).for('update');
    if (!hold) throw AppError.notFound('Held sweep', id);
    if (hold.status !== 'held') {
      throw new AppError(409, 'already_decided', `This sweep was already ${hold.status}.`, { extra: { status: hold.status } });
    }
    let cancelled = 0;
    if (decision === 'confirm') {
      const still = await tx
        .select({ id: citas.id })
        .from(citas)
        .where(and(inArray(citas.id, hold.citaIds), notInArray(citas.status, [...INACTIVE_STATUSES]), eq(citas.syncStatus, 'synced'), lt(citas.lastSyncedAt, hold.scanStartedAt)));
      const rows = await cancelGoneFromGhl(tx, deps, still.map((r) => r.id), { actor: 'api', requestId: by.requestId, goneSince: hold.scanStartedAt, reason: goneReason.scan });
      cancelled = rows.length;
    }
    const now = deps.clock.now();
    const [saved] = await tx
      .update(sweepHolds)
      .set({ status: decision === 'confirm' ? 'confirmed' : 'dismissed', decidedAt: now, decidedBy: by.clientId, updatedAt: now })
      .where(eq(sweepHolds.id, id))
      .returning();
    deps.logger.warn(`held sweep ${decision}ed`, { hold_id: id, location_id: hold.locationId, cancelled });
    return { ...holdView(saved!), cancelled, locationId: hold.locationId };
  });
  if (decided.cancelled) touchLocation(deps, decided.locationId);
  const { locationId: _location, ...view } = decided;
  return view;
}
