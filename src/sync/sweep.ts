import { and, eq, gte, inArray, isNotNull, lt, notInArray } from 'drizzle-orm';
import { citas, INACTIVE_STATUSES, sweepHolds } from '../db/schema';
import type { Deps } from '../deps';
import { cancelGoneFromGhl, goneReason } from './gone-from-ghl';
import { touchLocation } from '../locations/location-rev';

/**
 * Mark-and-sweep: after a complete scan, the active synced citas of the scanned calendars and
 * window that GHL no longer lists are cancelled — unless that would be an unusually large share of
 * them. A calendar answered empty (a permission or calendar change, an incident) looks exactly like
 * "everything was deleted", and cancelling a clinic's agenda on that evidence is the worst outcome
 * this service could produce. Such a sweep is held for an admin to confirm or dismiss.
 */

export interface SweepScope {
  locationId: string;
  /** Calendars whose every window was listed without error: only they can prove an absence. */
  calendarIds: string[];
  from: Date;
  to: Date;
  /** Every GHL id the scan saw, on any calendar (an appointment moved between calendars is not gone). */
  seen: Set<string>;
  scanStarted: Date;
  runId: string;
}

/** Whether cancelling `gone` of `candidates` needs a person's confirmation. */
export function needsReview(gone: number, candidates: number, rule: { min: number; share: number }): boolean {
  return gone >= rule.min && gone / Math.max(1, candidates) >= rule.share;
}

export async function sweepUnseen(deps: Deps, s: SweepScope): Promise<{ swept: number; held: number }> {
  if (!s.calendarIds.length) return { swept: 0, held: 0 };
  const candidates = await deps.db
    .select({ id: citas.id, ghlAppointmentId: citas.ghlAppointmentId })
    .from(citas)
    .where(
      and(
        eq(citas.locationId, s.locationId),
        inArray(citas.ghlCalendarId, s.calendarIds),
        isNotNull(citas.ghlAppointmentId),
        notInArray(citas.status, [...INACTIVE_STATUSES]),
        gte(citas.startTime, s.from),
        lt(citas.startTime, s.to),
        eq(citas.syncStatus, 'synced'),
        // Linked during the scan: it was not there to be seen.
        lt(citas.lastSyncedAt, s.scanStarted),
      ),
    );
  const gone = candidates.filter((c) => !s.seen.has(c.ghlAppointmentId!)).map((c) => c.id);
  if (!gone.length) return { swept: 0, held: 0 };

  const rule = { min: deps.config.SYNC_SWEEP_HOLD_MIN, share: deps.config.SYNC_SWEEP_HOLD_SHARE };
  if (needsReview(gone.length, candidates.length, rule)) {
    await holdSweep(deps, s, gone, candidates.length);
    deps.logger.warn('sweep held for review: it would cancel an unusual share of the citas', {
      location_id: s.locationId,
      run_id: s.runId,
      would_cancel: gone.length,
      of: candidates.length,
    });
    return { swept: 0, held: gone.length };
  }
  const cancelled = await deps.db.transaction((tx) =>
    cancelGoneFromGhl(tx, deps, gone, { actor: 'job', goneSince: s.scanStarted, reason: goneReason.scan }),
  );
  touchLocation(deps, s.locationId);
  deps.logger.info('cancelled citas deleted in GHL', { location_id: s.locationId, count: cancelled.length });
  return { swept: cancelled.length, held: 0 };
}

/** One open hold per location: a later scan that still misses them refreshes it. */
async function holdSweep(deps: Deps, s: SweepScope, citaIds: string[], candidates: number): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .insert(sweepHolds)
    .values({ locationId: s.locationId, runId: s.runId, citaIds, candidates, scanStartedAt: s.scanStarted, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: sweepHolds.locationId,
      targetWhere: eq(sweepHolds.status, 'held'),
      set: { runId: s.runId, citaIds, candidates, scanStartedAt: s.scanStarted, updatedAt: now },
    });
}
