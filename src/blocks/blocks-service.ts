import { and, asc, eq, gt, lt, notInArray } from 'drizzle-orm';
import type { Deps } from '../deps';
import type { DbOrTx } from '../db/client';
import { citas, INACTIVE_STATUSES, type BlockRow, type NewBlockRow } from '../db/schema';
import { AppError, type FieldError } from '../errors';
import { formatInZone, parseRangeBound, parseTimeFields } from '../domain/time';
import { assertLocation, mayUse, type Access } from '../access/access';
import { effectiveZone, getWriteContext, syncedCalendars } from '../locations/settings-repo';
import { CALENDARS_REFUSED, calendarProblems } from '../locations/calendar-rule';
import { findBlock, insertBlock, listLiveBlocks, updateBlock } from './blocks-repo';

/**
 * The blocks use cases: time the front desk takes out of a calendar («Bloquear horario»), and the
 * list the agenda draws. A block made, moved or removed here is pushed to GHL after the answer
 * (block-push.ts); the database keeps citas from being booked into it (drizzle/0012).
 */

type DbDeps = { db: DbOrTx } & Pick<Deps, 'config' | 'clock'>;

/** Blocks run from minutes (a call) to weeks (a vacation); longer is a typo. */
const MAX_BLOCK_DAYS = 92;

export interface CreateBlockInput {
  location_id: string;
  calendar_id: string;
  title: string;
  start_time: string;
  end_time: string;
}

export interface UpdateBlockInput {
  title?: string;
  start_time?: string;
  end_time?: string;
}


function spanProblems(start: Date, end: Date): FieldError[] {
  if (end <= start) return [{ field: 'end_time', message: 'must be after start_time' }];
  if (end.getTime() - start.getTime() > MAX_BLOCK_DAYS * 86_400_000) return [{ field: 'end_time', message: `a block lasts at most ${MAX_BLOCK_DAYS} days` }];
  return [];
}

/** Active citas already in [start, end) on the calendar: a new block does not move them, it marks them. */
async function citasInside(db: DbOrTx, b: Pick<BlockRow, 'locationId' | 'calendarId' | 'startTime' | 'endTime' | 'timeZone'>) {
  const rows = await db
    .select({ id: citas.id, title: citas.title, startTime: citas.startTime, endTime: citas.endTime })
    .from(citas)
    .where(and(eq(citas.locationId, b.locationId), eq(citas.ghlCalendarId, b.calendarId), notInArray(citas.status, [...INACTIVE_STATUSES]), lt(citas.startTime, b.endTime), gt(citas.endTime, b.startTime)))
    .orderBy(asc(citas.startTime))
    .limit(50);
  return rows.map((r) => ({ id: r.id, title: r.title, start_time: formatInZone(r.startTime, b.timeZone), end_time: formatInZone(r.endTime, b.timeZone) }));
}

export async function createBlock(deps: DbDeps, input: CreateBlockInput, access: Access) {
  assertLocation(access, input.location_id);
  const { settings, connection } = await getWriteContext(deps.db, input.location_id);
  const zone = effectiveZone(settings, deps.config.APP_TIMEZONE);
  const { start, end, errors } = parseTimeFields(input, zone);
  if (start && end) errors.push(...spanProblems(start, end));
  const refused = calendarProblems([{ field: 'calendar_id', id: input.calendar_id }], input.location_id, {
    ghl: connection === 'active' ? (settings?.ghlCalendars ?? null) : null,
    synced: syncedCalendars(settings),
  });
  if (refused.length) throw AppError.validation([...errors, ...refused], CALENDARS_REFUSED);
  if (errors.length || !start || !end) throw AppError.validation(errors);
  const now = deps.clock.now();
  const row: NewBlockRow = {
    locationId: input.location_id,
    calendarId: input.calendar_id,
    title: input.title,
    startTime: start,
    endTime: end,
    timeZone: zone,
    source: 'rv3',
    syncStatus: 'pending_sync',
    createdAt: now,
    updatedAt: now,
  };
  const saved = await insertBlock(deps.db, row);
  return { row: saved, overlapping: await citasInside(deps.db, saved), ghlConnected: connection === 'active' };
}

/** A block of a location this key may not use is, for it, a block that does not exist (as for citas). */
export async function getBlock(deps: { db: DbOrTx }, id: string, access: Access): Promise<BlockRow> {
  const row = await findBlock(deps.db, id);
  if (!row || !mayUse(access, row.locationId) || row.deletedAt) throw AppError.notFound('Block', id);
  return row;
}

function assertVersion(current: BlockRow, expected: number | undefined) {
  if (expected !== undefined && expected !== current.version) {
    throw new AppError(412, 'version_mismatch', `The block changed since you read it (now at version ${current.version}).`, {
      extra: { current_version: current.version },
      headers: { ETag: `"${current.version}"` },
    });
  }
}

export async function updateBlockById(deps: DbDeps, id: string, input: UpdateBlockInput, expected: number | undefined, access: Access) {
  return deps.db.transaction(async (tx) => {
    const current = await findBlock(tx, id, { forUpdate: true });
    if (!current || !mayUse(access, current.locationId) || current.deletedAt) throw AppError.notFound('Block', id);
    assertVersion(current, expected);
    const { start, end, errors } = parseTimeFields(input, current.timeZone);
    if (errors.length) throw AppError.validation(errors);
    // Moving only the start keeps the length, as for citas.
    const newStart = start ?? current.startTime;
    const newEnd = end ?? (start ? new Date(start.getTime() + (current.endTime.getTime() - current.startTime.getTime())) : current.endTime);
    const span = spanProblems(newStart, newEnd);
    if (span.length) throw AppError.validation(span);
    const title = input.title ?? current.title;
    if (title === current.title && newStart.getTime() === current.startTime.getTime() && newEnd.getTime() === current.endTime.getTime()) {
      return { row: current, changed: false, overlapping: [] as Awaited<ReturnType<typeof citasInside>> };
    }
    const row = await updateBlock(tx, id, {
      title,
      startTime: newStart,
      endTime: newEnd,
      version: current.version + 1,
      updatedAt: deps.clock.now(),
      syncStatus: 'pending_sync',
      syncRetries: 0,
      syncError: null,
    });
    return { row: row!, changed: true, overlapping: await citasInside(tx, row!) };
  });
}

/** Removes a block: gone from the agenda at once, from GHL after the answer. Twice is fine. */
export async function deleteBlockById(deps: DbDeps, id: string, expected: number | undefined, access: Access) {
  return deps.db.transaction(async (tx) => {
    const current = await findBlock(tx, id, { forUpdate: true });
    if (!current || !mayUse(access, current.locationId)) throw AppError.notFound('Block', id);
    if (current.deletedAt) return { row: current, changed: false };
    assertVersion(current, expected);
    const now = deps.clock.now();
    const row = await updateBlock(tx, id, { deletedAt: now, version: current.version + 1, updatedAt: now, syncStatus: 'pending_sync', syncRetries: 0, syncError: null });
    return { row: row!, changed: true };
  });
}

export interface ListBlocksInput {
  location_id: string;
  desde: string;
  hasta: string;
  calendar_id?: string[];
}

export async function listBlocks(deps: DbDeps, input: ListBlocksInput, access: Access) {
  assertLocation(access, input.location_id);
  const { settings } = await getWriteContext(deps.db, input.location_id);
  const zone = effectiveZone(settings, deps.config.APP_TIMEZONE);
  const from = parseRangeBound(input.desde, zone, 'from');
  const to = parseRangeBound(input.hasta, zone, 'to');
  const errors: FieldError[] = [];
  if (!from.ok) errors.push({ field: 'desde', message: from.reason });
  if (!to.ok) errors.push({ field: 'hasta', message: to.reason });
  if (from.ok && to.ok && from.instant >= to.instant) errors.push({ field: 'hasta', message: 'must not be before desde' });
  if (errors.length || !from.ok || !to.ok) throw AppError.validation(errors);
  if (to.instant.getTime() - from.instant.getTime() > 93 * 86_400_000) throw AppError.validation([{ field: 'hasta', message: 'at most 93 days after desde' }]);
  const rows = await listLiveBlocks(deps.db, { locationId: input.location_id, from: from.instant, to: to.instant, calendarIds: input.calendar_id });
  return { time_zone: zone, rows };
}
