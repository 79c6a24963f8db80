import { and, eq, gte, inArray, isNotNull, lt, notInArray, sql } from 'drizzle-orm';
import { citas, INACTIVE_STATUSES, type CitaRow, type SyncKind } from '../db/schema';
import { needsReconnect } from '../ghl/errors';
import { isPgError, PG } from '../db/pg-errors';
import type { GhlAppointment } from '../ghl/schemas';
import { effectiveZone, getLocationSettings, syncedCalendars } from '../locations/settings-repo';
import type { Deps } from '../deps';
import { incomingFromGhl } from './appointment-mapping';
import { withSyncRun, type SyncRunResult } from './sync-run';
import { applyGhlAppointment, insertNewFromGhl, type ApplyOutcome } from './inbound';
import { recordAudit } from '../audit/audit';
import { sweepPending } from './outbound';

/**
 * Scheduled reconciliation of one location: GHL has no "changed since" query and loses a webhook
 * whenever we fail with anything but 429, so we read every synced calendar over a window and
 * apply what differs, through the same function as webhooks.
 *
 * Deletions are found by mark-and-sweep: a cita GHL no longer lists is cancelled only when the
 * scan of its calendar was complete and error-free, and only if it was synced before the scan
 * began (a cita linked mid-scan was not there to be seen). One failing window never becomes a
 * mass cancellation; the run is then recorded as partial.
 */

export interface ReconcileCounts {
  fetched: number;
  created: number;
  updated: number;
  cancelled: number;
  conflicts: number;
  unchanged: number;
  swept: number;
  pushed: number;
  failed: number;
  windows: number;
  failed_windows: number;
}

const DAY = 86_400_000;

export async function reconcileLocation(
  deps: Deps,
  opts: { locationId: string; kind: Exclude<SyncKind, 'cleanup'>; messageId?: string | null },
): Promise<SyncRunResult<ReconcileCounts>> {
  const { db, config } = deps;
  const counts: ReconcileCounts = { fetched: 0, created: 0, updated: 0, cancelled: 0, conflicts: 0, unchanged: 0, swept: 0, pushed: 0, failed: 0, windows: 0, failed_windows: 0 };
  return withSyncRun(deps, { kind: opts.kind, locationId: opts.locationId, messageId: opts.messageId }, counts, async ({ startedAt }) => {
    const errors: string[] = [];
    const settings = await getLocationSettings(db, opts.locationId);
    const calendars = syncedCalendars(settings);
    const days = opts.kind === 'full' ? config.SYNC_FULL_DAYS : config.SYNC_INCREMENTAL_DAYS;
    const from = startedAt;
    const to = new Date(startedAt.getTime() + days * DAY);

    for (const calendarId of calendars) {
      const seen = new Set<string>();
      let complete = true;
      for (const [wFrom, wTo] of splitWindow(from, to, config.SYNC_GHL_WINDOW_DAYS)) {
        counts.windows++;
        let events: GhlAppointment[];
        try {
          events = await deps.ghl.client.listEvents(opts.locationId, calendarId, wFrom, wTo);
        } catch (err) {
          if (needsReconnect(err)) throw err;
          complete = false;
          counts.failed_windows++;
          errors.push(`${calendarId} ${wFrom.toISOString().slice(0, 10)}…${wTo.toISOString().slice(0, 10)}: ${(err as Error).message}`);
          continue;
        }
        // An appointment crossing a window boundary is listed by both windows: apply it once.
        const unseen = events.filter((e) => !seen.has(e.id));
        for (const e of unseen) seen.add(e.id);
        counts.fetched += unseen.length;
        await applyEvents(deps, opts.locationId, unseen, counts);
      }
      if (complete) counts.swept += await sweepUnseen(deps, { locationId: opts.locationId, calendarId, from, to, seen, scanStarted: startedAt });
    }

    const pushed = await sweepPending(deps, { locationId: opts.locationId, limit: 500 });
    counts.pushed = pushed.synced + pushed.unchanged;
    counts.failed = pushed.failed;
    return errors.length ? { outcome: 'partial', error: errors.join('; ') } : { outcome: 'ok' };
  });
}

/** Applies fetched appointments in batches, one transaction per batch; unchanged ones cost no write. */
async function applyEvents(deps: Deps, locationId: string, events: GhlAppointment[], counts: ReconcileCounts) {
  if (!events.length) return;
  // What we hold for these ids: an appointment whose dateUpdated we already recorded is skipped.
  const known = await deps.db
    .select({ id: citas.ghlAppointmentId, watermark: citas.ghlDateUpdated })
    .from(citas)
    .where(and(eq(citas.locationId, locationId), inArray(citas.ghlAppointmentId, events.map((e) => e.id))));
  const watermarks = new Map(known.map((k) => [k.id, k.watermark?.getTime() ?? null]));
  const todo = events.filter((e) => {
    const w = watermarks.get(e.id);
    const unchanged = w !== undefined && w !== null && e.dateUpdated && Date.parse(e.dateUpdated) <= w;
    if (unchanged) counts.unchanged++;
    return !unchanged;
  });
  const zone = effectiveZone(await getLocationSettings(deps.db, locationId), deps.config.APP_TIMEZONE);
  for (let i = 0; i < todo.length; i += deps.config.SYNC_BATCH_SIZE) {
    const batch = todo.slice(i, i + deps.config.SYNC_BATCH_SIZE).map((e) => incomingFromGhl(locationId, e));
    const outcomes = await deps.db.transaction(async (tx) => {
      const out: ApplyOutcome[] = [];
      // Appointments we have never seen go in together; the rest one by one through the shared apply.
      const fresh = batch.filter((e) => !watermarks.has(e.id));
      // In a savepoint: should a concurrent writer make the bulk insert collide, the batch goes one by one.
      const bulk = await tx
        .transaction((sp) => insertNewFromGhl(sp, deps, locationId, zone, fresh))
        .catch((err) => {
          if (!isPgError(err, PG.EXCLUSION_VIOLATION) && !isPgError(err, PG.UNIQUE_VIOLATION)) throw err;
          return { created: 0, conflicts: 0, leftovers: fresh };
        });
      out.push(...Array<ApplyOutcome>(bulk.created).fill('created'), ...Array<ApplyOutcome>(bulk.conflicts).fill('conflict'));
      const oneByOne = [...batch.filter((e) => watermarks.has(e.id)), ...bulk.leftovers];
      for (const e of oneByOne) out.push((await applyGhlAppointment(tx, deps, e, { actor: 'job' })).outcome);
      return out;
    });
    for (const o of outcomes) {
      if (o === 'created') counts.created++;
      else if (o === 'applied') counts.updated++;
      else if (o === 'cancelled') counts.cancelled++;
      else if (o === 'conflict') counts.conflicts++;
      else counts.unchanged++;
    }
  }
}

/** Cancels active, synced citas of a completely scanned calendar window that GHL no longer has. */
async function sweepUnseen(
  deps: Deps,
  s: { locationId: string; calendarId: string; from: Date; to: Date; seen: Set<string>; scanStarted: Date },
): Promise<number> {
  const candidates: Pick<CitaRow, 'id' | 'ghlAppointmentId' | 'status'>[] = await deps.db
    .select({ id: citas.id, ghlAppointmentId: citas.ghlAppointmentId, status: citas.status })
    .from(citas)
    .where(
      and(
        eq(citas.locationId, s.locationId),
        eq(citas.ghlCalendarId, s.calendarId),
        isNotNull(citas.ghlAppointmentId),
        notInArray(citas.status, [...INACTIVE_STATUSES]),
        gte(citas.startTime, s.from),
        lt(citas.startTime, s.to),
        eq(citas.syncStatus, 'synced'),
        lt(citas.lastSyncedAt, s.scanStarted),
      ),
    );
  const goneRows = candidates.filter((c) => !s.seen.has(c.ghlAppointmentId!));
  const gone = goneRows.map((c) => c.id);
  if (!gone.length) return 0;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const rows = await tx
      .update(citas)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now, version: sql`${citas.version} + 1`, lastSyncedAt: now })
      .where(inArray(citas.id, gone))
      .returning();
    for (const r of rows) {
      const before = goneRows.find((g) => g.id === r.id)!;
      await recordAudit(tx, { actor: 'job' }, 'deleted_in_ghl', { status: before.status }, { id: r.id, status: r.status }, now);
    }
  });
  deps.logger.info('cancelled citas deleted in GHL', { location_id: s.locationId, calendar_id: s.calendarId, count: gone.length });
  return gone.length;
}

export function splitWindow(from: Date, to: Date, maxDays: number): [Date, Date][] {
  const out: [Date, Date][] = [];
  for (let t = from.getTime(); t < to.getTime(); t += maxDays * DAY) {
    out.push([new Date(t), new Date(Math.min(to.getTime(), t + maxDays * DAY))]);
  }
  return out;
}
