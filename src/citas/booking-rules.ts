import type { Deps } from '../deps';
import type { DbOrTx } from '../db/client';
import type { BlockRef, BookingOverride, BookingRule } from '../db/schema';
import { AppError } from '../errors';
import { isPgError, PG, pgErrorDetail } from '../db/pg-errors';
import { describeHours, outsideWorkingHours, type OutsideHours } from '../domain/working-hours';
import type { KnownCalendar } from '../locations/calendar-rule';
import type { BlockScan } from '../blocks/blocks-repo';
import { blockAt } from '../blocks/blocks-repo';
import { blocksStale, freshenBlocks } from '../blocks/blocks-scan';
import { blockRefView } from '../blocks/block-view';

/**
 * When a calendar is not available for a booking by the front desk: its blocked time (the
 * database refuses those itself, drizzle/0012: 409 `slot_blocked`) and its working hours (checked
 * here against GHL's openHours as last listed: 422 `outside_working_hours`). `force` books past
 * both on purpose, and the cita says who did (booking_override, audited). Citas from GHL are never
 * refused by these rules: they are marked instead.
 */

export interface Booking {
  locationId: string;
  calendarId: string;
  zone: string;
  start: Date;
  end: Date;
}

/** What the write context knows that these rules read (no statement of their own). */
export interface BookingFacts {
  ghlCalendars: KnownCalendar[] | null;
  connected: boolean;
  blockScans: BlockScan[] | null;
}

/**
 * What re-reading GHL's blocks takes, and the calendars already re-read for this request. Optional:
 * a write without them (a script, a test) is judged by the stored copy of the blocks.
 */
export type FreshenDeps = Partial<Pick<Deps, 'ghl' | 'logger' | 'writeBehind'>> & { freshBlocks?: Set<string> };

/**
 * The booking's calendar must have its blocks re-read from GHL first. Thrown from inside the
 * write (which may be a transaction: no GHL call is made while one is open — on Workers the
 * request's one connection would wait for it), caught by withFreshBlocks outside it.
 */
export class StaleBlocks extends Error {
  constructor(readonly booking: Booking) {
    super('the calendar\'s blocks are stale');
  }
}

/**
 * Runs a write that books time; when it finds its calendar's copy of GHL's blocks stale, re-reads
 * them (outside any transaction) and runs it once more. Costs one GHL call and one statement, at
 * most every BLOCKS_FRESH_MS per calendar; nothing otherwise.
 */
export async function withFreshBlocks<T>(deps: Pick<Deps, 'db' | 'ghl' | 'logger' | 'writeBehind' | 'clock' | 'config'>, write: (deps: FreshenDeps) => Promise<T>): Promise<T> {
  const freshBlocks = new Set<string>();
  try {
    return await write({ ghl: deps.ghl, logger: deps.logger, writeBehind: deps.writeBehind, freshBlocks });
  } catch (err) {
    if (!(err instanceof StaleBlocks)) throw err;
    await freshenBlocks(deps, err.booking);
    freshBlocks.add(err.booking.calendarId);
    return write({ ghl: deps.ghl, logger: deps.logger, writeBehind: deps.writeBehind, freshBlocks });
  }
}

/**
 * Judges a booking before it is written: 422 outside the working hours unless forced; StaleBlocks
 * when our copy of the calendar's GHL blocks is too old to judge by (GHL sends no webhook for
 * them). Returns the override to store (null when nothing was overridden).
 */
export async function judgeBooking(
  deps: { db: DbOrTx } & Pick<Deps, 'config' | 'clock'> & FreshenDeps,
  b: Booking,
  facts: BookingFacts,
  opts: { force: boolean; by: string },
): Promise<BookingOverride | null> {
  const hours = outsideWorkingHours(facts.ghlCalendars?.find((c) => c.id === b.calendarId)?.open_hours ?? null, b.start, b.end, b.zone);
  if (hours && !opts.force) throw outsideHoursError(hours);
  const now = deps.clock.now();
  requireFreshBlocks(deps, b, facts, now);
  if (!opts.force) return null;
  // Forced: which rules it overrides, said on the cita (a forced booking that breaks none is an ordinary one).
  const rules: BookingRule[] = [];
  if (await blockAt(deps.db, b.locationId, b.calendarId, b.start, b.end)) rules.push('slot_blocked');
  if (hours) rules.push('outside_working_hours');
  return rules.length ? { by: opts.by, at: now.toISOString(), rules } : null;
}

/** StaleBlocks when the booking's calendar must have its blocks re-read first (and this request can). */
export function requireFreshBlocks(deps: FreshenDeps, b: Booking, facts: BookingFacts, now: Date): void {
  if (facts.connected && deps.freshBlocks && !deps.freshBlocks.has(b.calendarId) && blocksStale(facts.blockScans, b.calendarId, b.start, b.end, now)) {
    throw new StaleBlocks(b);
  }
}

export function outsideHoursError(hours: OutsideHours): AppError {
  return new AppError(422, 'outside_working_hours', `The cita is ${describeHours(hours)}; send "force": true to book it anyway.`, {
    fields: [{ field: 'start_time', message: describeHours(hours) }],
    extra: { working_hours: hours },
  });
}

/** The database's refusal of a booking into a block (SQLSTATE CB409), as a 409 naming the block; else the error as it was. */
export function blockedOr(err: unknown, b: Pick<Booking, 'calendarId' | 'zone'>): unknown {
  if (!isPgError(err, PG.SLOT_BLOCKED)) return err;
  let ref: BlockRef | null = null;
  try {
    ref = JSON.parse(pgErrorDetail(err) ?? 'null') as BlockRef | null;
  } catch {
    ref = null;
  }
  const block = ref ? { ...blockRefView(ref, b.zone), calendar_id: b.calendarId } : null;
  return new AppError(409, 'slot_blocked', `This time is blocked on this calendar${ref ? ` ("${ref.title}")` : ''}; send "force": true to book it anyway.`, {
    extra: { block },
  });
}
