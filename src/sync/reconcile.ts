import { sql } from 'drizzle-orm';
import { compiled } from '../db/compiled';
import { driverBool, driverDate, driverOf } from '../db/driver';
import { citas, type SyncKind } from '../db/schema';
import { needsReconnect } from '../ghl/errors';
import { isPgError, PG } from '../db/pg-errors';
import type { GhlAppointment } from '../ghl/schemas';
import type { ListedEvents } from '../ghl/client';
import { sweepUnseen } from './sweep';
import { effectiveZone, getLocationSettings, syncedCalendars } from '../locations/settings-repo';
import type { DbOrTx, Tx } from '../db/client';
import type { Deps } from '../deps';
import { incomingFromGhl, type IncomingAppointment } from './appointment-mapping';
import { withSyncRun, type SyncRunResult } from './sync-run';
import { applyGhlAppointment, numberSeries, InboundRace, InboundRefused, insertNewFromGhl, prepareNewFromGhl, type ApplyOutcome, type PreparedNew } from './inbound';
import { sweepPending } from './outbound';
import { scanBlocks } from '../blocks/blocks-scan';
import { sweepPendingBlocks } from './block-push';
import { checkUnlistedContacts, learnUnknownContacts, listAllContacts } from '../contacts/contacts-service';
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

export interface ReconcileCounts extends WindowCounts {
  swept: number;
  /** Would have been swept, but the sweep is held for review (see sync/sweep.ts). */
  held: number;
  pushed: number;
  failed: number;
  /** Patients: contacts learnt from GHL (fetched one by one, or listed by a full sync), and found deleted. */
  contacts_learnt: number;
  contacts_deleted: number;
  /** Blocked time read from GHL (new or changed here, gone from GHL), and ours pushed to GHL. */
  blocks_changed: number;
  blocks_gone: number;
  blocks_pushed: number;
}

const DAY = 86_400_000;

export async function reconcileLocation(
  deps: Deps,
  opts: { locationId: string; kind: Exclude<SyncKind, 'cleanup' | 'backfill'>; messageId?: string | null },
): Promise<SyncRunResult<ReconcileCounts>> {
  const { db, config } = deps;
  const counts: ReconcileCounts = { fetched: 0, created: 0, updated: 0, cancelled: 0, conflicts: 0, unchanged: 0, refused: 0, swept: 0, held: 0, pushed: 0, failed: 0, windows: 0, failed_windows: 0, contacts_learnt: 0, contacts_deleted: 0, blocks_changed: 0, blocks_gone: 0, blocks_pushed: 0 };
  return withSyncRun(deps, { kind: opts.kind, locationId: opts.locationId, messageId: opts.messageId }, counts, async ({ id: runId, startedAt, progress }) => {
    const errors: string[] = [];
    const settings = await getLocationSettings(db, opts.locationId);
    const zone = effectiveZone(settings, config.APP_TIMEZONE);
    const days = opts.kind === 'full' ? config.SYNC_FULL_DAYS : config.SYNC_INCREMENTAL_DAYS;
    const from = startedAt;
    const to = new Date(startedAt.getTime() + days * DAY);
    const seen = new Set<string>();
    const calendars = syncedCalendars(settings);
    const windows = windowsOf(calendars, from, to, config.SYNC_GHL_WINDOW_DAYS);
    // Blocked time first (one call per calendar, GHL sends no webhook for it): the appointments
    // written next that sit in a block are marked as they are written (drizzle/0012).
    try {
      const b = await scanBlocks(deps, opts.locationId, calendars, zone, from, to);
      counts.blocks_changed = b.blocks_changed;
      counts.blocks_gone = b.blocks_gone;
    } catch (err) {
      if (needsReconnect(err)) throw err;
      errors.push(`blocks: ${(err as Error).message}`);
    }
    // The full run reads the location's patients beside its first listing, before it writes a cita.
    let patients = null as Promise<{ listed: Set<string>; calls: number } | { err: unknown }> | null;
    const { failedCalendars } = await scanWindows(deps, {
      locationId: opts.locationId,
      zone,
      windows,
      seen,
      counts,
      errors,
      progress,
      beside:
        opts.kind === 'full'
          ? () => {
              patients = listAllContacts(deps, opts.locationId).catch((err: unknown) => ({ err }));
              return patients.then((p) => {
                if ('err' in p && needsReconnect(p.err)) throw p.err;
              });
            }
          : undefined,
    });
    const patientsListed = patients ? await patients : null;
    const complete = calendars.filter((c) => !failedCalendars.has(c));
    // Swept once every calendar is listed: one moved between synced calendars was seen, not deleted.
    const sweep = await sweepUnseen(deps, { locationId: opts.locationId, calendarIds: complete, from, to, seen, scanStarted: startedAt, runId });
    counts.swept = sweep.swept;
    counts.held = sweep.held;

    const pushed = await sweepPending(deps, { locationId: opts.locationId, limit: 500 });
    counts.pushed = pushed.synced + pushed.unchanged;
    counts.failed = pushed.failed;
    const blocksPushed = await sweepPendingBlocks(deps, { locationId: opts.locationId });
    counts.blocks_pushed = blocksPushed.synced;
    counts.failed += blocksPushed.failed;

    // Patients: the incremental run learns the contacts citas name that we never learnt (a lost
    // webhook, a failed fetch); the full run reads the location's contacts again (renames and
    // deletions whose webhooks were lost). A failure here leaves the appointments' sync whole.
    try {
      if (patientsListed && 'err' in patientsListed) throw patientsListed.err;
      const p = patientsListed ? await checkUnlistedContacts(deps, opts.locationId, patientsListed.listed) : await learnUnknownContacts(deps, opts.locationId);
      counts.contacts_learnt = 'listed' in p ? p.listed + p.checked - p.deleted : p.fetched - p.deleted;
      counts.contacts_deleted = p.deleted;
    } catch (err) {
      if (needsReconnect(err)) throw err;
      errors.push(`contacts: ${(err as Error).message}`);
    }
    return errors.length ? { outcome: 'partial', error: errors.join('; ') } : { outcome: 'ok' };
  });
}

/** What the window loop counts; a job's counts carry these and more. */
export interface WindowCounts {
  fetched: number;
  created: number;
  updated: number;
  cancelled: number;
  conflicts: number;
  unchanged: number;
  /** Listed by GHL but not storable (bad times, unstorable text): counted as present, not applied. */
  refused: number;
  windows: number;
  failed_windows: number;
}

/** One GHL listing: a calendar over [wFrom, wTo). */
export interface ScanWindow {
  calendarId: string;
  wFrom: Date;
  wTo: Date;
}

/** Each synced calendar over [from, to), in SYNC_GHL_WINDOW_DAYS pieces: one GHL listing each. */
export function windowsOf(calendars: string[], from: Date, to: Date, maxDays: number): ScanWindow[] {
  return calendars.flatMap((calendarId) => splitWindow(from, to, maxDays).map(([wFrom, wTo]) => ({ calendarId, wFrom, wTo })));
}

/**
 * Lists every window once and applies what differs (through the webhooks' function), each
 * appointment once however many windows list it; `seen` collects every GHL id listed. A window
 * GHL fails is counted and named in `errors`, and its calendar returned as failed (never swept);
 * a connection that needs re-authorisation is thrown. Sweeping and pushing are the caller's.
 * `beside` starts beside the first listing, and a rejection of it stops the scan before any write.
 */
export async function scanWindows(
  deps: Deps,
  opts: {
    locationId: string;
    zone: string;
    windows: ScanWindow[];
    seen: Set<string>;
    counts: WindowCounts;
    errors: string[];
    progress: () => Promise<void>;
    beside?: () => Promise<void>;
  },
): Promise<{ failedCalendars: Set<string> }> {
  const { windows, seen, counts, errors, progress } = opts;
  const failedCalendars = new Set<string>();
  // Never rejects: a window GHL fails is an outcome to count, and a prefetched one must not
  // become an unhandled rejection while the previous window is being written.
  const list = ({ calendarId, wFrom, wTo }: ScanWindow): Promise<{ listed: ListedEvents; listedAt: Date } | { err: unknown }> =>
    deps.ghl.client.listEvents(opts.locationId, calendarId, wFrom, wTo).then(
      (listed) => ({ listed, listedAt: deps.clock.now() }),
      (err: unknown) => ({ err }),
    );

  // A window read and made ready (GHL listing, which ids we hold, the new rows built), short of
  // writing. Never rejects, like `list`.
  const listed: ReturnType<typeof list>[] = windows.length ? [list(windows[0]!)] : [];
  const beside = opts.beside?.();
  const prepare = async (i: number): Promise<{ got: Awaited<ReturnType<typeof list>>; work?: WindowWork; failed?: unknown }> => {
    const got = await listed[i]!;
    // The next window's listing starts as soon as this one is in: one GHL call in flight at a time.
    if (windows[i + 1]) listed[i + 1] = list(windows[i + 1]!);
    if ('err' in got) return { got };
    // GHL has the ones we cannot store too: they are present, never swept.
    for (const r of got.listed.refused) if (r.id) seen.add(r.id);
    // An appointment crossing a window boundary is listed by both windows: apply it once.
    const unseen = got.listed.events.filter((e) => !seen.has(e.id));
    for (const e of unseen) seen.add(e.id);
    try {
      return { got, work: await prepareEvents(deps, opts.locationId, opts.zone, unseen, got.listedAt, counts) };
    } catch (err) {
      return { got, failed: err };
    }
  };

  // The next window is listed and prepared while this one is written: GHL's answer and the next
  // rows' CPU hide behind the database's writes.
  // The next window's reads cannot depend on this one's writes: its new ids are ones this
  // window did not list, and its overlaps are checked against citas only when it is written.
  let next = windows[0] ? prepare(0) : null;
  // Before giving up: nothing of this run left running (no GHL call, no read) once it is reported.
  const quiesce = async (pending: typeof next) => {
    await pending;
    await listed[listed.length - 1];
  };
  if (beside) {
    try {
      await beside;
    } catch (err) {
      await quiesce(next);
      throw err;
    }
  }
  for (let i = 0; i < windows.length; i++) {
    const { calendarId, wFrom, wTo } = windows[i]!;
    const { got, work, failed } = await next!;
    next = windows[i + 1] ? prepare(i + 1) : null;
    counts.windows++;
    if ('err' in got) {
      if (needsReconnect(got.err)) {
        await quiesce(next);
        throw got.err;
      }
      failedCalendars.add(calendarId);
      counts.failed_windows++;
      errors.push(`${calendarId} ${wFrom.toISOString().slice(0, 10)}…${wTo.toISOString().slice(0, 10)}: ${(got.err as Error).message}`);
      await progress();
      continue;
    }
    counts.refused += got.listed.refused.length;
    try {
      if (failed !== undefined) throw failed;
      counts.fetched += work!.fetched;
      await applyWork(deps, opts.locationId, work!, counts);
    } catch (err) {
      await quiesce(next);
      throw err;
    }
    await progress();
  }
  return { failedCalendars };
}

/** One window's appointments ready to write: changes to citas we hold, and new ones with their rows built. */
interface WindowWork {
  fetched: number;
  existing: IncomingAppointment[];
  fresh: PreparedNew[];
}

/**
 * Reads which of the fetched appointments we hold (unchanged ones cost no write: counted here)
 * and builds the rows of the new ones; writes nothing.
 */
async function prepareEvents(deps: Deps, locationId: string, zone: string, events: GhlAppointment[], listedAt: Date, counts: WindowCounts): Promise<WindowWork> {
  if (!events.length) return { fetched: 0, existing: [], fresh: [] };
  // What we hold for these ids: an appointment whose dateUpdated we already recorded is skipped,
  // unless we took it for deleted (listed again, it exists after all).
  const known = await knownIds(deps.db, locationId, events.map((e) => e.id));
  const watermarks = new Map(known.map((k) => [k.id, k.deletedAt ? null : (k.watermark?.getTime() ?? null)]));
  // An occurrence of a GHL series whose rule we never had (its webhooks carry none): this listing has it.
  const ruleMissing = new Set(known.filter((k) => k.ruleMissing).map((k) => k.id));
  const todo = events.filter((e) => {
    if (ruleMissing.has(e.id) && typeof (e as { rrule?: unknown }).rrule === 'string') return true;
    const w = watermarks.get(e.id);
    const unchanged = w !== undefined && w !== null && e.dateUpdated && Date.parse(e.dateUpdated) <= w;
    if (unchanged) counts.unchanged++;
    return !unchanged;
  });
  const incoming = todo.map((e) => incomingFromGhl(locationId, e, { observedAt: listedAt }));
  const fresh: PreparedNew[] = [];
  for (const chunk of chunks(incoming.filter((e) => !watermarks.has(e.id)), INSERT_CHUNK)) fresh.push(await prepareNewFromGhl(deps, locationId, zone, chunk));
  return { fetched: events.length, existing: incoming.filter((e) => watermarks.has(e.id)), fresh };
}

/** Writes a window: changes in batches of one transaction each, new ones in bulk, what the bulk path cannot take one by one. */
async function applyWork(deps: Deps, locationId: string, work: WindowWork, counts: WindowCounts) {
  const tally = (outcomes: (ApplyOutcome | 'refused')[]) => {
    if (outcomes.some((o) => o !== 'unchanged' && o !== 'stale' && o !== 'refused')) touchLocation(deps, locationId);
    for (const o of outcomes) {
      if (o === 'created') counts.created++;
      else if (o === 'applied') counts.updated++;
      else if (o === 'cancelled') counts.cancelled++;
      else if (o === 'conflict') counts.conflicts++;
      else if (o === 'refused') counts.refused++;
      else counts.unchanged++;
    }
  };
  // Changes to citas we hold first, so a slot GHL freed is free before a new appointment is
  // checked against it; then the new ones.
  for (const batch of chunks(work.existing, deps.config.SYNC_BATCH_SIZE)) {
    tally(await deps.db.transaction((tx) => applyOneByOne(tx, deps, locationId, batch)));
  }
  const leftovers: IncomingAppointment[] = [];
  for (const prepared of work.fresh) {
    try {
      const inserted = await insertNewFromGhl(deps.db, deps, prepared);
      tally([...Array<ApplyOutcome>(inserted.created).fill('created'), ...Array<ApplyOutcome>(inserted.conflicts).fill('conflict')]);
      leftovers.push(...inserted.leftovers);
    } catch (err) {
      // A concurrent writer took a slot or an id meanwhile: the insert wrote nothing.
      if (!isPgError(err, PG.EXCLUSION_VIOLATION) && !isPgError(err, PG.UNIQUE_VIOLATION)) throw err;
      leftovers.push(...prepared.items.map((i) => i.event));
    }
  }
  for (const batch of chunks(leftovers, deps.config.SYNC_BATCH_SIZE)) {
    tally(await deps.db.transaction((tx) => applyOneByOne(tx, deps, locationId, batch)));
  }
  // Occurrences of GHL series get their numbers once the window's are all in (one statement, only when any).
  const series = [...new Set([...work.existing, ...work.fresh.flatMap((f) => f.items.map((i) => i.event))].flatMap((e) => (e.series && !e.series.master ? [e.series.masterId] : [])))];
  await numberSeries(deps.db, locationId, series);
}

const KNOWN_IDS = compiled(
  () => sql`select ${citas.ghlAppointmentId} as id, ${citas.ghlDateUpdated} as watermark, ${citas.ghlDeletedAt} as deleted_at,
    (${citas.seriesId} is not null and ${citas.seriesRule} is null) as rule_missing from ${citas}
    where ${citas.locationId} = ${sql.placeholder('location')} and ${citas.ghlAppointmentId} = any(${sql.placeholder('ids')}::text[])`,
);

/** The GHL ids of a listing we already hold, with the last change of each we recorded. */
async function knownIds(db: DbOrTx, locationId: string, ids: string[]): Promise<{ id: string; watermark: Date | null; deletedAt: Date | null; ruleMissing: boolean }[]> {
  const { text, params } = KNOWN_IDS({ location: locationId, ids });
  const { rows } = await driverOf(db).query(text, params);
  return (rows as { id: string; watermark: unknown; deleted_at: unknown; rule_missing: unknown }[]).map((r) => ({ id: r.id, watermark: driverDate(r.watermark), deletedAt: driverDate(r.deleted_at), ruleMissing: driverBool(r.rule_missing) }));
}

/**
 * Appointments we have never seen go in together, up to this many per statement: the citas and
 * their audit lines in one statement, atomic by itself, so no transaction (and no row lock anyone
 * waits on) around it. Statements, not rows, are what a sync pays for: at 50 per statement a
 * 2,000-appointment full sync spent a third of its time on round trips. What the bulk path
 * cannot take (ours not yet linked, or a collision with a concurrent writer) goes one by one,
 * in transactions of SYNC_BATCH_SIZE like every other change.
 */
const INSERT_CHUNK = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
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
