import type { Deps } from '../deps';
import { BACKFILL_DEFAULT_DAYS, BACKFILL_MAX_DAYS } from './backfill-days';
import { effectiveZone, getLocationSettings, syncedCalendars } from '../locations/settings-repo';
import { scanWindows, windowsOf, type WindowCounts } from './reconcile';
import { withSyncRun, type SyncRunResult } from './sync-run';

/**
 * The clinic's history (issue 24): the jobs look ahead, so a clinic that connects today would see
 * nothing of last month. A backfill reads the synced calendars over [now − days, now) in the
 * jobs' windows, one GHL listing each, and applies them exactly as the jobs do (new ones in bulk,
 * changes through the webhooks' function), so running it again brings what GHL changed since
 * (a showed / noshow set afterwards) and writes nothing else.
 *
 * Nothing else: no sweep, because a past appointment missing from a listing is not evidence
 * enough to cancel a cita that history already settled (deletion detection stays with the
 * windows a job scans completely, which are future ones); and no push, since what it imports is
 * GHL's own and is stored as synced.
 */

export type BackfillCounts = WindowCounts;

export { BACKFILL_DEFAULT_DAYS, BACKFILL_MAX_DAYS };

const DAY = 86_400_000;

export async function backfillLocation(
  deps: Deps,
  opts: { locationId: string; days?: number; messageId?: string | null },
): Promise<SyncRunResult<BackfillCounts>> {
  const days = opts.days ?? BACKFILL_DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > BACKFILL_MAX_DAYS) throw new RangeError(`backfill days must be a whole number 1..${BACKFILL_MAX_DAYS}, got ${days}`);
  const counts: BackfillCounts = { fetched: 0, created: 0, updated: 0, cancelled: 0, conflicts: 0, unchanged: 0, refused: 0, windows: 0, failed_windows: 0 };
  return withSyncRun(deps, { kind: 'backfill', locationId: opts.locationId, messageId: opts.messageId }, counts, async ({ startedAt, progress }) => {
    const settings = await getLocationSettings(deps.db, opts.locationId);
    const zone = effectiveZone(settings, deps.config.APP_TIMEZONE);
    const from = new Date(startedAt.getTime() - days * DAY);
    const windows = windowsOf(syncedCalendars(settings), from, startedAt, deps.config.SYNC_GHL_WINDOW_DAYS);
    const errors: string[] = [];
    // Failed windows are named in the run's error; a later backfill over them fills them in.
    await scanWindows(deps, { locationId: opts.locationId, zone, windows, seen: new Set(), counts, errors, progress });
    return errors.length ? { outcome: 'partial', error: errors.join('; ') } : { outcome: 'ok' };
  });
}
