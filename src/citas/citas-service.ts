import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Deps } from '../deps';
import type { DbOrTx } from '../db/client';
import { citas, INACTIVE_STATUSES, type BookingOverride, type CitaRow, type CitaStatus, type ContactDetails, type NewCitaRow } from '../db/schema';
import { AppError, type FieldError } from '../errors';
import { isPgError, PG } from '../db/pg-errors';
import { addDays, dayInZone, formatInZone, parseRangeBound, parseTimeFields, wallTimeOn } from '../domain/time';
import { effectiveZone, getWriteContext, syncedCalendars, type WriteContext } from '../locations/settings-repo';
import { CALENDARS_REFUSED, calendarProblems } from '../locations/calendar-rule';
import { checkSchedule } from './cita-rules';
import { blockedOr, judgeBooking, type BookingFacts, type FreshenDeps } from './booking-rules';
import { sameValue } from '../domain/same-value';
import { auditedWriteRow, recordAudit, type AuditContext } from '../audit/audit';
import { assertLocation, mayUse, type Access } from '../access/access';
import { citaView } from './cita-view';
import { findCita, findOverlapping, listPage, updateCita, type ListFilter } from './citas-repo';

/**
 * The citas use cases: turn validated input into rows, with the location's zone and default
 * calendar, the scheduling rules, optimistic concurrency and the overlap guard.
 */

export interface CreateCitaInput {
  location_id: string;
  calendar_id?: string;
  title: string;
  contact_id?: string;
  contact?: ContactDetails;
  assigned_user_id?: string | null;
  start_time: string;
  end_time: string;
  notes?: string | null;
  status?: CitaStatus;
  extras?: Record<string, unknown>;
  /** Book past a block or the working hours on purpose (booking-rules.ts). */
  force?: boolean;
}

export interface UpdateCitaInput {
  calendar_id?: string;
  title?: string;
  contact_id?: string;
  assigned_user_id?: string | null;
  start_time?: string;
  end_time?: string;
  notes?: string | null;
  status?: CitaStatus;
  extras?: Record<string, unknown>;
  force?: boolean;
}

export interface ListCitasInput {
  location_id: string;
  desde?: string;
  hasta?: string;
  estado?: CitaStatus[];
  calendar_id?: string[];
  conflict?: boolean;
  limit: number;
  cursor?: string;
}

/**
 * `db` may be a transaction the caller holds (an idempotent write records its answer in it): the
 * cita's own transaction then becomes a savepoint inside it.
 */
type DbDeps = { db: DbOrTx } & Pick<Deps, 'config' | 'clock'>;
/** A write that books time: GHL's blocks may be re-read first when it has what that takes. */
export type BookingDeps = DbDeps & FreshenDeps;

/** Who asks (what they may touch) and how their change is audited. */
export interface Caller extends AuditContext {
  access: Access;
}

export async function locationContext(deps: DbDeps, locationId: string) {
  const { settings, connection, blockScans } = await getWriteContext(deps.db, locationId);
  return {
    zone: effectiveZone(settings, deps.config.APP_TIMEZONE),
    defaultCalendarId: settings?.defaultCalendarId ?? null,
    connection,
    calendars: calendarFacts(settings, connection),
    booking: bookingFacts({ settings, connection, blockScans }),
  };
}

/** What the booking rules read, from the write context (no statement of their own). */
function bookingFacts(ctx: WriteContext): BookingFacts {
  return { ghlCalendars: ctx.settings?.ghlCalendars ?? null, connected: ctx.connection === 'active', blockScans: ctx.blockScans };
}

/**
 * What the calendar rule (calendar-rule.ts) knows in a write, from the statement the write runs
 * anyway: the location's chosen calendars, and GHL's as last listed while it is connected (as the
 * settings route checks only a connected location's). No GHL call on the way to the answer.
 */
export function calendarFacts(settings: WriteContext['settings'], connection: WriteContext['connection']) {
  return { ghl: connection === 'active' ? (settings?.ghlCalendars ?? null) : null, synced: syncedCalendars(settings) };
}

/** A write's times read in the location's zone (domain/time.ts). */
export const parseTimes = parseTimeFields;

/**
 * Saves a new cita. `ghlConnected` says whether its location's GHL connection was active when it
 * was saved (read in the same statement as the zone): an unconnected location's cita waits,
 * pending, for the connection or the sweep, so nothing needs to look again to push it.
 */
export async function createCita(deps: BookingDeps, input: CreateCitaInput, caller: Caller): Promise<{ row: CitaRow; ghlConnected: boolean }> {
  assertLocation(caller.access, input.location_id);
  const loc = await locationContext(deps, input.location_id);
  const calendarId = input.calendar_id ?? loc.defaultCalendarId;
  const { start, end, errors } = parseTimes(input, loc.zone);
  if (!calendarId) {
    errors.push({ field: 'calendar_id', message: 'required: this location has no default calendar configured' });
  }
  if (start && end) errors.push(...checkSchedule(start, end));
  const refused = calendarId ? calendarProblems([{ field: 'calendar_id', id: calendarId }], input.location_id, loc.calendars) : [];
  if (refused.length) throw AppError.validation([...errors, ...refused], CALENDARS_REFUSED);
  if (errors.length || !start || !end || !calendarId) throw AppError.validation(errors);
  const booking = { locationId: input.location_id, calendarId, zone: loc.zone, start, end };
  const override = await judgeBooking(deps, booking, loc.booking, { force: input.force === true, by: caller.access.clientId });

  const now = deps.clock.now();
  const row = newCitaRow(input, { calendarId, zone: loc.zone, start, end, override, now });
  const insert = (db: DbOrTx) => auditedWriteRow(db, { table: citas, insert: row }, { ctx: caller, action: 'create', before: null, after: row, at: now });
  try {
    // The cita and its audit line in one statement: atomic without a transaction's two extra round
    // trips. Inside a caller's transaction (an idempotent create) it runs in a savepoint, so a taken
    // slot leaves that transaction usable for naming the cita that holds it.
    const saved = deps.db instanceof PgTransaction ? await deps.db.transaction(insert) : await insert(deps.db);
    return { row: saved!, ghlConnected: loc.connection === 'active' };
  } catch (err) {
    throw await overlapOr(deps.db, blockedOr(err, booking), { locationId: input.location_id, calendarId, start, end });
  }
}

/** A cita made here, as its create writes it (one occurrence of a series adds its series fields). */
export function newCitaRow(
  input: CreateCitaInput,
  at: { calendarId: string; zone: string; start: Date; end: Date; override: BookingOverride | null; now: Date },
): NewCitaRow & { id: string } {
  return {
    id: crypto.randomUUID(),
    locationId: input.location_id,
    ghlCalendarId: at.calendarId,
    title: input.title,
    contactId: input.contact_id ?? null,
    contact: input.contact ?? null,
    assignedUserId: input.assigned_user_id ?? null,
    startTime: at.start,
    endTime: at.end,
    timeZone: at.zone,
    status: input.status ?? 'new',
    notes: input.notes ?? null,
    source: 'rv3',
    extras: input.extras ?? {},
    syncStatus: 'pending_sync',
    conflict: false,
    bookingOverride: at.override,
    createdAt: at.now,
    updatedAt: at.now,
  };
}

/**
 * The front desk asks for another push: a `sync_failed` cita gets its attempts back and is pending
 * again; a pending one stays as it is. Returns the cita and whether a push is due.
 */
export async function requeueForPush(deps: { db: DbOrTx }, id: string, access: Access): Promise<{ row: CitaRow; push: boolean }> {
  const current = await getCita(deps, id, access);
  if (current.syncStatus === 'pending_sync') return { row: current, push: true };
  if (current.syncStatus !== 'sync_failed') return { row: current, push: false };
  const [row] = await deps.db
    .update(citas)
    .set({ syncStatus: 'pending_sync', syncRetries: 0 })
    .where(and(eq(citas.id, id), eq(citas.syncStatus, 'sync_failed')))
    .returning();
  return { row: row ?? (await getCita(deps, id, access)), push: true };
}

/**
 * A cita in a location this key may not use is, for it, a cita that does not exist: the same 404,
 * naming only the id asked for (never the row's location).
 */
export async function getCita(deps: { db: DbOrTx }, id: string, access: Access): Promise<CitaRow> {
  const row = await findCita(deps.db, id);
  if (!row || !mayUse(access, row.locationId)) throw AppError.notFound('Cita', id);
  return row;
}

/**
 * Applies a partial change under a row lock. `expectedVersion` (from If-Match) makes it a
 * compare-and-set: someone else's edit in between → 412, never a silent overwrite.
 */
/** Which occurrences of a series an edit or a cancel reaches (a cita in no series: only itself). */
export type SeriesScope = 'this' | 'following' | 'all';

/**
 * Applies a partial change under a row lock. `expectedVersion` (from If-Match) makes it a
 * compare-and-set: someone else's edit in between → 412, never a silent overwrite. With a scope,
 * the same change reaches the series' other occurrences in the same transaction (a time change as
 * the same wall-clock shift): all of them or none.
 */
export async function updateCitaById(
  deps: BookingDeps,
  id: string,
  input: UpdateCitaInput,
  expectedVersion: number | undefined,
  caller: Caller,
  scope: SeriesScope = 'this',
): Promise<{ row: CitaRow; changed: boolean; seriesUpdated: number }> {
  const attempt: Attempt = { zone: deps.config.APP_TIMEZONE };
  try {
    return await deps.db.transaction(async (tx) => {
      const current = await findCita(tx, id, { forUpdate: true });
      if (!current) throw AppError.notFound('Cita', id);
      // A cita in a location this key may not use is, for it, a cita that does not exist.
      if (!mayUse(caller.access, current.locationId)) throw AppError.notFound('Cita', id);
      assertVersion(current, expectedVersion);
      if (scope !== 'this' && !current.seriesId) throw AppError.validation([{ field: 'scope', message: 'this cita is not part of a series' }]);
      const txDeps = deps.db === tx ? deps : { ...deps, db: tx };
      const first = await updateOne(txDeps, current, input, caller, attempt);
      let seriesUpdated = 0;
      if (scope !== 'this') {
        const { start, end } = parseTimes(input, current.timeZone);
        const shift = start || end ? wallShift(current, first.row, current.timeZone) : null;
        for (const sibling of await seriesSiblings(tx, current, scope)) {
          const times = shift ? shifted(sibling, shift, current.timeZone) : {};
          const r = await updateOne(txDeps, sibling, { ...input, start_time: undefined, end_time: undefined, ...times }, caller, attempt);
          if (r.changed) seriesUpdated++;
        }
      }
      return { ...first, seriesUpdated };
    });
  } catch (err) {
    const slot = attempt.slot;
    if (slot) throw await overlapOr(deps.db, blockedOr(err, { calendarId: slot.calendarId, zone: attempt.zone }), slot);
    throw err;
  }
}

/** What an update was writing when it failed: the 409 names the cita or block in the way of that slot. */
interface Attempt {
  zone: string;
  slot?: { locationId: string; calendarId: string; start: Date; end: Date; excludeId: string };
}

/** One cita's change inside the caller's transaction: the rules, the write, its audit line. */
async function updateOne(deps: BookingDeps, current: CitaRow, input: UpdateCitaInput, caller: Caller, attempt: Attempt): Promise<{ row: CitaRow; changed: boolean }> {
  const tx = deps.db;
  // GHL's appointment update takes no contactId (AppointmentEditSchema): an appointment in GHL
  // keeps its patient. Said plainly rather than accepted and undone by GHL's next echo.
  if (input.contact_id !== undefined && input.contact_id !== current.contactId && current.ghlAppointmentId) {
    throw AppError.validation([{ field: 'contact_id', message: 'GHL cannot give an appointment another patient: cancel this cita and create one for the right patient' }]);
  }
  attempt.zone = current.timeZone;
  const { start, end, errors } = parseTimes(input, current.timeZone);
  if (errors.length) throw AppError.validation(errors);
  const otherCalendar = input.calendar_id !== undefined && input.calendar_id !== current.ghlCalendarId;
  const reopened = input.status !== undefined && INACTIVE_STATUSES.includes(current.status) && !INACTIVE_STATUSES.includes(input.status);
  // A move (time, calendar, or a cancelled cita opened again) books time: the calendar and booking
  // rules read the write context (one statement more, only then).
  const moved = Boolean(start || end || otherCalendar || reopened);
  const context = moved ? await getWriteContext(tx, current.locationId) : null;
  if (otherCalendar && context) {
    const refused = calendarProblems([{ field: 'calendar_id', id: input.calendar_id! }], current.locationId, calendarFacts(context.settings, context.connection));
    if (refused.length) throw AppError.validation(refused, CALENDARS_REFUSED);
  }
  // Moving only the start keeps the duration: that is what "reschedule" means at a front desk.
  const newStart = start ?? current.startTime;
  const newEnd = end ?? (start ? new Date(start.getTime() + (current.endTime.getTime() - current.startTime.getTime())) : current.endTime);
  if (start || end) {
    const ruleErrors = checkSchedule(newStart, newEnd);
    if (ruleErrors.length) throw AppError.validation(ruleErrors);
  }
  const nextCalendar = input.calendar_id ?? current.ghlCalendarId;
  const active = !INACTIVE_STATUSES.includes(input.status ?? current.status);
  // Moved: judged again, and an earlier override does not carry over (it was for the old place).
  const override = moved && active && context
    ? await judgeBooking(deps, { locationId: current.locationId, calendarId: nextCalendar, zone: current.timeZone, start: newStart, end: newEnd }, bookingFacts(context), { force: input.force === true, by: caller.access.clientId })
    : moved ? null : current.bookingOverride;

  const next = {
    ghlCalendarId: nextCalendar,
    title: input.title ?? current.title,
    contactId: input.contact_id ?? current.contactId,
    assignedUserId: input.assigned_user_id !== undefined ? input.assigned_user_id : current.assignedUserId,
    startTime: newStart,
    endTime: newEnd,
    notes: input.notes !== undefined ? input.notes : current.notes,
    status: input.status ?? current.status,
    extras: input.extras ?? current.extras,
    bookingOverride: override,
  };
  // A cita flagged as overlapping leaves the flag when the front desk moves, reassigns or
  // cancels it: the constraint then decides whether its new place is free.
  const resolving = current.conflict && (start || end || input.calendar_id !== undefined || input.status !== undefined);
  if (!differs(current, next)) return { row: current, changed: false };

  attempt.slot = { locationId: current.locationId, calendarId: next.ghlCalendarId, start: newStart, end: newEnd, excludeId: current.id };
  const now = deps.clock.now();
  const row = await updateCita(tx, current.id, {
    ...next,
    conflict: resolving ? false : current.conflict,
    cancelledAt: next.status === 'cancelled' ? (current.cancelledAt ?? now) : null,
    version: current.version + 1,
    updatedAt: now,
    syncStatus: current.syncStatus === 'local_only' ? 'local_only' : 'pending_sync',
    syncRetries: 0,
    syncError: null,
  });
  await recordAudit(tx, caller, input.status === 'cancelled' && current.status !== 'cancelled' ? 'cancel' : 'update', current, row, now);
  return { row, changed: true };
}

/** The series' other occurrences an edit reaches, locked, in order. */
async function seriesSiblings(tx: DbOrTx, current: CitaRow, scope: SeriesScope): Promise<CitaRow[]> {
  const conds = [eq(citas.locationId, current.locationId), eq(citas.seriesId, current.seriesId!), ne(citas.id, current.id)];
  if (scope === 'following') conds.push(sql`(${citas.seriesIndex} > ${current.seriesIndex ?? 0} or (${citas.seriesIndex} is null and ${citas.startTime} > ${current.startTime.toISOString()}::timestamptz))`);
  return tx.select().from(citas).where(and(...conds)).orderBy(asc(citas.seriesIndex), asc(citas.startTime)).for('update');
}

/** How a move changed one occurrence, on the wall clock: days later or earlier, the new time of day, the new length. */
interface WallShift {
  days: number;
  hour: number;
  minute: number;
  durationMs: number;
}

function wallShift(before: CitaRow, after: CitaRow, zone: string): WallShift {
  const was = formatInZone(before.startTime, zone);
  const now = formatInZone(after.startTime, zone);
  const days = Math.round((Date.parse(now.slice(0, 10)) - Date.parse(was.slice(0, 10))) / 86_400_000);
  return { days, hour: Number(now.slice(11, 13)), minute: Number(now.slice(14, 16)), durationMs: after.endTime.getTime() - after.startTime.getTime() };
}

/** Another occurrence moved the same way: its own day shifted, the new time of day, the new length. */
function shifted(row: CitaRow, shift: WallShift, zone: string): { start_time: string; end_time: string } {
  const day = addDays(dayInZone(row.startTime, zone), shift.days);
  const start = wallTimeOn(day, shift.hour, shift.minute, zone) ?? row.startTime;
  return { start_time: start.toISOString(), end_time: new Date(start.getTime() + shift.durationMs).toISOString() };
}

/** Cancelling twice is fine: the second call returns the cancelled cita unchanged. */
export async function cancelCita(deps: DbDeps, id: string, expectedVersion: number | undefined, caller: Caller, scope: SeriesScope = 'this') {
  return updateCitaById(deps, id, { status: 'cancelled' }, expectedVersion, caller, scope);
}

/** The zone each location's list was last read in, in this process: the guess for its next one. */
const lastZone = new Map<string, string>();

export async function listCitasForLocation(deps: DbDeps, input: ListCitasInput, access: Access) {
  assertLocation(access, input.location_id);
  // `desde` / `hasta` are read in the location's zone, which comes with the page: the statement is
  // run with the zone this location had last time (the default the first time) and, in the rare
  // case the zone turns out to differ and the bounds depend on it, run again with the right one.
  let zone = lastZone.get(input.location_id) ?? deps.config.APP_TIMEZONE;
  for (let round = 0; ; round++) {
    const filter = listFilter(input, zone);
    const page = await listPage(deps.db, filter);
    if (!page.settings && !page.known && !access.locations?.includes(input.location_id)) throw AppError.notFound('Location', input.location_id);
    const actual = page.settings?.time_zone ?? page.settings?.ghl_time_zone ?? deps.config.APP_TIMEZONE;
    if (lastZone.size > 10_000) lastZone.clear();
    lastZone.set(input.location_id, actual);
    if (actual !== zone && (input.desde !== undefined || input.hasta !== undefined) && round === 0) {
      zone = actual;
      continue;
    }
    const rows = page.rows.slice(0, input.limit);
    const last = rows[rows.length - 1];
    return {
      time_zone: actual,
      data: rows.map(citaView),
      next_cursor: page.rows.length > input.limit && last ? encodeCursor(last) : null,
    };
  }
}

/** The list's filter, its bounds read in `zone`; 422 with every bad field. */
function listFilter(input: ListCitasInput, zone: string): ListFilter {
  const errors: FieldError[] = [];
  const bound = (field: 'desde' | 'hasta', side: 'from' | 'to') => {
    const raw = input[field];
    if (raw === undefined) return undefined;
    const r = parseRangeBound(raw, zone, side);
    if (!r.ok) errors.push({ field, message: r.reason });
    return r.ok ? r.instant : undefined;
  };
  const from = bound('desde', 'from');
  const to = bound('hasta', 'to');
  if (from && to && from >= to) errors.push({ field: 'hasta', message: 'must not be before desde' });
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  if (after === null) errors.push({ field: 'cursor', message: 'not a cursor returned by this API' });
  if (errors.length) throw AppError.validation(errors);
  return {
    locationId: input.location_id,
    from,
    to,
    statuses: input.estado,
    calendarIds: input.calendar_id,
    conflict: input.conflict,
    after: after ?? undefined,
    limit: input.limit + 1,
  };
}

function assertVersion(current: CitaRow, expected: number | undefined) {
  if (expected !== undefined && expected !== current.version) {
    throw new AppError(412, 'version_mismatch', `The cita changed since you read it (now at version ${current.version}).`, {
      extra: { current_version: current.version },
      headers: { ETag: `"${current.version}"` },
    });
  }
}

function differs(current: CitaRow, next: Partial<CitaRow>): boolean {
  return Object.entries(next).some(([k, v]) => !sameValue(current[k as keyof CitaRow], v));
}

/** Turns the database's exclusion violation into a 409 that names the cita holding the slot. */
export async function overlapOr(
  db: DbOrTx,
  err: unknown,
  slot: { locationId: string; calendarId: string; start: Date; end: Date; excludeId?: string },
): Promise<unknown> {
  if (!isPgError(err, PG.EXCLUSION_VIOLATION)) return err;
  const other = await findOverlapping(db, slot);
  return new AppError(409, 'slot_taken', 'Another active cita already holds this time on this calendar.', {
    extra: { conflicting_cita: other ? { id: other.id, ...pickTimes(citaView(other)) } : null },
  });
}

function pickTimes(v: ReturnType<typeof citaView>) {
  return { title: v.title, start_time: v.start_time, end_time: v.end_time, status: v.status };
}

function encodeCursor(row: CitaRow): string {
  return btoa(JSON.stringify([row.startTime.toISOString(), row.id])).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function decodeCursor(cursor: string): { start: Date; id: string } | null {
  try {
    const json = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const [start, id] = JSON.parse(json) as [string, string];
    const d = new Date(start);
    if (Number.isNaN(d.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    return { start: d, id };
  } catch {
    return null;
  }
}
