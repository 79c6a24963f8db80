import { and, eq, inArray } from 'drizzle-orm';
import { citas, type SyncKind } from '../db/schema';
import { needsReconnect } from '../ghl/errors';
import { isPgError, PG } from '../db/pg-errors';
import type { GhlAppointment } from '../ghl/schemas';
import type { ListedEvents } from '../ghl/client';
import { sweepUnseen } from './sweep';
import { effectiveZone, getLocationSettings, syncedCalendars } from '../locations/settings-repo';
import type { Tx } from '../db/client';
import type { Deps } from '../deps';
import { incomingFromGhl, type IncomingAppointment } from './appointment-mapping';
import { withSyncRun, type SyncRunResult } from './sync-run';
import { applyGhlAppointment, InboundRace, InboundRefused, insertNewFromGhl, type ApplyOutcome } from './inbound';
import { sweepPending } from './outbound';
import { touchLocation } from '../locations/location-rev';

/**
 * Scheduled reconciliation of one location: GHL has no "changed since" query and loses a webhook
 * whenever we fail with anything but 429, so we read every synced calendar over a window and
 * apply what differs, through the same function as webhooks.
 *
 * Deletions are found by mark-and-sweep (sync/sweep.ts): a cita GHL no longer lists is cancelled
 * only when the scan of its calendar was complete and error-free, and only if it was synced before
 * the scan began (a cita linked mid-scan was not there to be seen). One failing window never
 * becomes a mass cancellation; the run is then recorded as partial. A sweep that would cancel an
 * unusual share of the location's citas is held for an admin instead.
 */

export interface ReconcileCounts {
  fetched: number;
  created: number;
  updated: number;
  cancelled: number;
  conflicts: number;
  unchanged: number;
  /** Listed by GHL but not storable (bad times, unstorable text): counted as present, not applied. */
  refused: number;
  swept: number;
  /** Would have been swept, but the sweep is held for review (see sync/sweep.ts). */
  held: number;
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
  const counts: ReconcileCounts = { fetched: 0, created: 0, updated: 0, cancelled: 0, conflicts: 0, unchanged: 0, refused: 0, swept: 0, held: 0, pushed: 0, failed: 0, windows: 0, failed_windows: 0 };
  return withSyncRun(deps, { kind: opts.kind, locationId: opts.locationId, messageId: opts.messageId }, counts, async ({ id: runId, startedAt, progress }) => {
    const errors: string[] = [];
    const settings = await getLocationSettings(db, opts.locationId);
    const zone = effectiveZone(settings, config.APP_TIMEZONE);
    const days = opts.kind === 'full' ? config.SYNC_FULL_DAYS : config.SYNC_INCREMENTAL_DAYS;
    const from = startedAt;
    const to = new Date(startedAt.getTime() + days * DAY);
    const seen = new Set<string>();
    const complete: string[] = [];

    for (const calendarId of syncedCalendars(settings)) {
      let ok = true;
      for (const [wFrom, wTo] of splitWindow(from, to, config.SYNC_GHL_WINDOW_DAYS)) {
        counts.windows++;
        let listed: ListedEvents;
        try {
          listed = await deps.ghl.client.listEvents(opts.locationId, calendarId, wFrom, wTo);
        } catch (err) {
          if (needsReconnect(err)) throw err;
          ok = false;
          counts.failed_windows++;
          errors.push(`${calendarId} ${wFrom.toISOString().slice(0, 10)}…${wTo.toISOString().slice(0, 10)}: ${(err as Error).message}`);
          await progress();
          continue;
        }
        const listedAt = deps.clock.now();
        // GHL has the ones we cannot store too: they are present, never swept.
        for (const r of listed.refused) if (r.id) seen.add(r.id);
        counts.refused += listed.refused.length;
        // An appointment crossing a window boundary is listed by both windows: apply it once.
        const unseen = listed.events.filter((e) => !seen.has(e.id));
        for (const e of unseen) seen.add(e.id);
        counts.fetched += unseen.length;
        await applyEvents(deps, opts.locationId, zone, unseen, listedAt, counts);
        await progress();
      }
      if (ok) complete.push(calendarId);
    }
    // Swept once every calendar is listed: one moved between synced calendars was seen, not deleted.
    const sweep = await sweepUnseen(deps, { locationId: opts.locationId, calendarIds: complete, from, to, seen, scanStarted: startedAt, runId });
    counts.swept = sweep.swept;
    counts.held = sweep.held;

    const pushed = await sweepPending(deps, { locationId: opts.locationId, limit: 500 });
    counts.pushed = pushed.synced + pushed.unchanged;
    counts.failed = pushed.failed;
    return errors.length ? { outcome: 'partial', error: errors.join('; ') } : { outcome: 'ok' };
  });
}

/** Applies fetched appointments in batches, one transaction per batch; unchanged ones cost no write. */
async function applyEvents(deps: Deps, locationId: string, zone: string, events: GhlAppointment[], listedAt: Date, counts: ReconcileCounts) {
  if (!events.length) return;
  // What we hold for these ids: an appointment whose dateUpdated we already recorded is skipped,
  // unless we took it for deleted (listed again, it exists after all).
  const known = await deps.db
    .select({ id: citas.ghlAppointmentId, watermark: citas.ghlDateUpdated, deletedAt: citas.ghlDeletedAt })
    .from(citas)
    .where(and(eq(citas.locationId, locationId), inArray(citas.ghlAppointmentId, events.map((e) => e.id))));
  const watermarks = new Map(known.map((k) => [k.id, k.deletedAt ? null : (k.watermark?.getTime() ?? null)]));
  const todo = events.filter((e) => {
    const w = watermarks.get(e.id);
    const unchanged = w !== undefined && w !== null && e.dateUpdated && Date.parse(e.dateUpdated) <= w;
    if (unchanged) counts.unchanged++;
    return !unchanged;
  });
  for (let i = 0; i < todo.length; i += deps.config.SYNC_BATCH_SIZE) {
    const batch = todo.slice(i, i + deps.config.SYNC_BATCH_SIZE).map((e) => incomingFromGhl(locationId, e, { observedAt: listedAt }));
    const outcomes = await applyBatch(deps, locationId, zone, batch, watermarks);
    if (outcomes.some((o) => o !== 'unchanged' && o !== 'stale' && o !== 'refused')) touchLocation(deps, locationId);
    for (const o of outcomes) {
      if (o === 'created') counts.created++;
      else if (o === 'applied') counts.updated++;
      else if (o === 'cancelled') counts.cancelled++;
      else if (o === 'conflict') counts.conflicts++;
      else if (o === 'refused') counts.refused++;
      else counts.unchanged++;
    }
  }
}

/**
 * One batch. Appointments we have never seen go in together, in one statement (the citas and their
 * audit lines: atomic by itself, so no transaction around it); the rest, and any the bulk left
 * over, one by one in a transaction. Should a concurrent writer make the bulk insert collide (a
 * slot or an id taken meanwhile), it wrote nothing, and the whole batch goes one by one.
 */
async function applyBatch(
  deps: Deps,
  locationId: string,
  zone: string,
  batch: IncomingAppointment[],
  watermarks: Map<string | null, number | null>,
): Promise<(ApplyOutcome | 'refused')[]> {
  const fresh = batch.filter((e) => !watermarks.has(e.id));
  let inserted: Awaited<ReturnType<typeof insertNewFromGhl>>;
  try {
    inserted = await insertNewFromGhl(deps.db, deps, locationId, zone, fresh);
  } catch (err) {
    if (!isPgError(err, PG.EXCLUSION_VIOLATION) && !isPgError(err, PG.UNIQUE_VIOLATION)) throw err;
    return deps.db.transaction((tx) => applyOneByOne(tx, deps, locationId, batch));
  }
  const out: (ApplyOutcome | 'refused')[] = [
    ...Array<ApplyOutcome>(inserted.created).fill('created'),
    ...Array<ApplyOutcome>(inserted.conflicts).fill('conflict'),
  ];
  const rest = [...batch.filter((e) => watermarks.has(e.id)), ...inserted.leftovers];
  if (rest.length) out.push(...(await deps.db.transaction((tx) => applyOneByOne(tx, deps, locationId, rest))));
  return out;
}

async function applyOneByOne(tx: Tx, deps: Deps, locationId: string, events: IncomingAppointment[]): Promise<(ApplyOutcome | 'refused')[]> {
  const out: (ApplyOutcome | 'refused')[] = [];
  for (const e of events) {
    try {
      // In a savepoint, so a writer that wins the same slot meanwhile costs one retry, not the batch.
      const apply = () => tx.transaction((sp) => applyGhlAppointment(sp, deps, e, { actor: 'job' }));
      out.push((await apply().catch((err) => (err instanceof InboundRace ? apply() : Promise.reject(err)))).outcome);
    } catch (err) {
      // Refused before anything was written: the rest of the batch goes on.
      if (!(err instanceof InboundRefused)) throw err;
      deps.logger.warn('sync: appointment refused', { location_id: locationId, ghl_appointment_id: e.id, reason: err.message });
      out.push('refused');
    }
  }
  return out;
}

export function splitWindow(from: Date, to: Date, maxDays: number): [Date, Date][] {
  const out: [Date, Date][] = [];
  for (let t = from.getTime(); t < to.getTime(); t += maxDays * DAY) {
    out.push([new Date(t), new Date(Math.min(to.getTime(), t + maxDays * DAY))]);
  }
  return out;
}
