import { and, eq, sql } from 'drizzle-orm';
import { compiled } from '../db/compiled';
import { expand, instanceId, parseRule } from '../domain/rrule';
import { driverBool, driverDate, driverOf } from '../db/driver';
import { renderBulkInsert, type RowWrite } from '../db/row-writes';
import type { DbOrTx, Tx } from '../db/client';
import { citas, INACTIVE_STATUSES, type CitaRow, type NewCitaRow } from '../db/schema';
import { isPgError, PG } from '../db/pg-errors';
import { holdsSlotSql, overlapsSql } from '../db/slot-sql';
import type { Deps } from '../deps';
import type { IncomingAppointment } from './appointment-mapping';
import { appointmentFromCita, contentHash } from './appointment-mapping';
import { sameValue } from '../domain/same-value';
import { auditedWrite, creationChanges, type AuditContext, type AuditEntry, type RenderAt } from '../audit/audit';
import { goneFromGhlPatch, goneReason, goneWhileInactivePatch } from './gone-from-ghl';
import { lookupInbound, type InboundLookup } from './inbound-lookup';
import { SlotBook } from '../domain/slot-book';

/**
 * GHL → RV3: one function for every way an appointment arrives (webhooks now, sync jobs later).
 * Runs inside the caller's transaction so the change and its record commit together.
 *
 * - unknown appointment → new cita (source ghl), unless it is our own create whose id we have not
 *   stored yet (same calendar and times, no GHL id): then it is linked, not duplicated;
 * - Delete → cancelled (the row stays), whatever else we know: GHL cannot undo a delete. A Delete
 *   for an appointment we never saw leaves a cancelled cita, so its late Create cannot revive it;
 * - observed before GHL deleted it (`ghl_deleted_at`, from a Delete or a scan) → stale, ignored;
 * - older than what we hold (`dateUpdated`) → stale, ignored;
 * - same content as the cita → echo/unchanged: nothing written, nothing pushed;
 * - a local edit not yet pushed and newer than GHL's change → ours wins, the push will follow;
 * - an overlap with an active cita → stored anyway, flagged `conflict`.
 * Whatever is applied is marked synced with the content hash of the new state, so it is never
 * pushed back to GHL.
 *
 * Every webhook runs through here, so the round trips are counted: one lookup (inbound-lookup.ts)
 * and one write carrying its audit line and the caller's record (auditedWrite). A concurrent
 * writer that wins the same slot or id makes it throw InboundRace; the caller runs it again.
 */

/** An appointment event that contradicts what we hold in a way no retry can change. */
export class InboundRefused extends Error {
  override name = 'InboundRefused';
}

export type ApplyOutcome = 'created' | 'applied' | 'cancelled' | 'conflict' | 'stale' | 'echo' | 'unchanged' | 'ignored';

export interface ApplyResult {
  outcome: ApplyOutcome;
  citaId: string | null;
  /** Nothing a list of citas shows changed (stale news, our own echo): polling front ends need not hear of it. */
  quiet?: true;
  /**
   * The cita now names this contact and may not carry its details (a contact we never learnt):
   * the caller learns it after answering (contacts-service learnContacts), never in the hot path.
   */
  learnContact?: string;
}

type ApplyDeps = Pick<Deps, 'config' | 'clock'>;

/**
 * Two threads wrote the same slot or appointment at once and ours lost: nothing was written, and
 * running the transaction again (its lookup now sees the winner) gives the right answer.
 */
export class InboundRace extends Error {
  override name = 'InboundRace';
}

export interface ApplyOptions {
  /** The lookup, when the caller made it; made here otherwise. */
  found?: InboundLookup;
  /** The caller's bookkeeping for this outcome, written in the same statement as the change. */
  alongside?: (r: ApplyResult) => RenderAt;
}

export async function applyGhlAppointment(
  tx: Tx,
  deps: ApplyDeps,
  inc: IncomingAppointment,
  audit: AuditContext = { actor: 'webhook' },
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const r = await applyOne(tx, deps, inc, audit, opts);
  // An occurrence of a GHL series whose place the event did not say: numbered among its series.
  if (inc.series && !inc.series.master && inc.series.index == null) await numberSeries(tx, inc.locationId, [inc.series.masterId]);
  return r;
}

async function applyOne(tx: Tx, deps: ApplyDeps, inc: IncomingAppointment, audit: AuditContext, opts: ApplyOptions): Promise<ApplyResult> {
  try {
    const found = opts.found ?? (await lookupInbound(tx, inc));
    const write: Write = { tx, deps, audit, alongside: opts.alongside };
    const existing = found.byGhlId;
    if (existing && existing.locationId !== inc.locationId) {
      // GHL appointment ids are unique across locations and an appointment never changes location.
      throw new InboundRefused(`appointment ${inc.id} belongs to location ${existing.locationId}, not ${inc.locationId}`);
    }
    // GHL's series itself (its rule with it): every occurrence in the sync's reach, by instance id.
    if (inc.series?.master && !existing) return await applySeriesMaster(write, inc, found.zone);
    if (existing) return inc.deleted ? await applyDelete(write, existing, inc) : await applyToExisting(write, existing, inc, found.overlaps, found.contactKnown);
    // An event naming a series we hold occurrences of (GHL's webhooks carry no rule): it is about them.
    if (found.seriesKnown) return await applyToSeries(write, inc);

    const own = found.ownUnlinked;
    if (own) {
      const [linked] = await tx.update(citas).set({ ghlAppointmentId: inc.id }).where(eq(citas.id, own.id)).returning();
      if (inc.deleted) return await applyDelete(write, linked!, inc);
      return await done(write, { outcome: 'echo', citaId: own.id });
    }
    return await insertFromGhl(write, inc, found);
  } catch (err) {
    if (isPgError(err, PG.EXCLUSION_VIOLATION) || isPgError(err, PG.UNIQUE_VIOLATION)) throw new InboundRace(`appointment ${inc.id}: ${(err as Error).message}`, { cause: err });
    throw err;
  }
}

/** What a write needs besides its data: the transaction, the audit context, the caller's bookkeeping. */
interface Write {
  tx: Tx;
  deps: ApplyDeps;
  audit: AuditContext;
  alongside?: (r: ApplyResult) => RenderAt;
}

/** An outcome that writes nothing to the cita: only the caller's bookkeeping, if any. */
async function done(w: Write, r: ApplyResult): Promise<ApplyResult> {
  if (w.alongside) {
    const { text, params } = w.alongside(r)(1);
    await driverOf(w.tx).query(text, params);
  }
  return r;
}

/** The cita write, its audit line and the caller's bookkeeping: one statement. */
async function written(w: Write, r: ApplyResult, write: RowWrite<typeof citas>, audit: Omit<AuditEntry, 'ctx' | 'at'> | null, at: Date): Promise<ApplyResult> {
  const id = await auditedWrite(w.tx, write, audit && { ...audit, ctx: w.audit, at }, w.alongside?.(r));
  if (id === null) throw new InboundRace(`cita ${r.citaId ?? '(new)'} was not written`);
  return r;
}

/**
 * GHL deleted the appointment: the cita is cancelled for good, as cancelGoneFromGhl cancels —
 * written here in one statement with its audit line and the caller's record, since the lookup
 * already holds the row locked.
 */
async function applyDelete(w: Write, cur: CitaRow, inc: IncomingAppointment): Promise<ApplyResult> {
  const now = w.deps.clock.now();
  const goneSince = inc.observedAt ?? now;
  if (!holdsSlot(cur.status)) {
    // Already inactive: it learns that GHL deleted it (no older event may reopen it), and a push
    // still to come is settled (nothing left in GHL to reach): the list shows that.
    const patch = goneWhileInactivePatch(cur, goneSince, goneReason.webhook, now);
    const r: ApplyResult = { outcome: 'unchanged', citaId: cur.id, ...(cur.syncStatus === 'synced' ? { quiet: true as const } : {}) };
    if (!patch) return done(w, r);
    return written(w, r, { table: citas, update: patch, where: { id: cur.id } }, null, now);
  }
  const patch = goneFromGhlPatch(cur, goneSince, goneReason.webhook, now);
  const update = { table: citas, update: patch, where: { id: cur.id } };
  return written(w, { outcome: 'cancelled', citaId: cur.id }, update, { action: 'deleted_in_ghl', before: cur, after: { ...cur, ...patch } }, now);
}

const DELETION_MARGIN_MS = 2_000;

/** Fields GHL fills in on an appointment we created without them. */
const FILLED_BY_GHL: ReadonlySet<string> = new Set(['assignedUserId', 'contactId']);

/** When GHL was last seen holding the event's state: its dateUpdated, or later when observed later. */
function observation(inc: IncomingAppointment): number | null {
  const times = [inc.dateUpdated, inc.observedAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length ? Math.max(...times) : null;
}

async function insertFromGhl(w: Write, inc: IncomingAppointment, found: InboundLookup): Promise<ApplyResult> {
  const zone = found.zone ?? w.deps.config.APP_TIMEZONE;
  const now = w.deps.clock.now();
  const row = await rowFromGhl(inc, zone, now);
  if (inc.deleted) {
    // Deleted before we saw it created: remembered as a cancelled cita, so the Create that may still
    // be on its way finds it and cannot bring it back.
    const saved = { ...row, ghlDeletedAt: inc.observedAt ?? now, syncError: goneReason.webhook };
    const insert = { table: citas, insert: saved };
    return written(w, { outcome: 'cancelled', citaId: row.id }, insert, { action: 'deleted_in_ghl', before: null, after: saved }, now);
  }
  const conflict = found.overlaps && holdsSlot(row.status ?? 'new');
  const saved = { ...row, conflict };
  const insert = { table: citas, insert: saved };
  // A contact we hold the database copies onto the row (a trigger); one we never heard of is learnt after the answer.
  const r: ApplyResult = { outcome: conflict ? 'conflict' : 'created', citaId: row.id, ...(row.contactId && !found.contactKnown ? { learnContact: row.contactId } : {}) };
  return written(w, r, insert, { action: 'create_from_ghl', before: null, after: saved }, now);
}

function holdsSlot(status: string): boolean {
  return !(INACTIVE_STATUSES as readonly string[]).includes(status);
}

/** A new cita from a GHL appointment, with the hash of what GHL holds (so it is never pushed back). */
async function rowFromGhl(inc: IncomingAppointment, zone: string, now: Date): Promise<NewCitaRow & { id: string }> {
  const status = inc.deleted ? 'cancelled' : (inc.status ?? 'new');
  const row = {
    id: crypto.randomUUID(),
    locationId: inc.locationId,
    ghlCalendarId: inc.calendarId,
    ghlAppointmentId: inc.id,
    title: inc.title ?? 'Cita',
    contactId: inc.contactId,
    contact: inc.contactId ? null : {},
    assignedUserId: inc.assignedUserId,
    startTime: inc.startTime,
    endTime: inc.endTime,
    timeZone: zone,
    status,
    notes: inc.notes,
    source: 'ghl' as const,
    syncStatus: 'synced' as const,
    ghlDateUpdated: inc.dateUpdated,
    lastSyncedAt: now,
    createdAt: now,
    updatedAt: now,
    cancelledAt: status === 'cancelled' ? now : null,
    ...seriesFields(inc, null),
  };
  return { ...row, contentHash: await hashOf(row as unknown as CitaRow) };
}

export const ACTIVE_IN_SPAN = compiled(
  () => sql`select ${citas.ghlCalendarId} as calendar, ${citas.startTime} as start, ${citas.endTime} as "end", ${citas.ghlAppointmentId} as ghl_id, ${citas.source} as source
    from ${citas} where ${citas.locationId} = ${sql.placeholder('location')} and ${citas.ghlCalendarId} = any(${sql.placeholder('calendars')}::text[])
      and ${holdsSlotSql} and ${overlapsSql(sql.placeholder('from'), sql.placeholder('to'))}`,
);

/** The active citas holding part of [from, to) on these calendars: what new appointments are checked against. */
async function activeInSpan(db: DbOrTx, locationId: string, calendars: string[], from: Date, to: Date) {
  const { text, params } = ACTIVE_IN_SPAN({ location: locationId, calendars, from: from.toISOString(), to: to.toISOString() });
  const { rows } = await driverOf(db).query(text, params);
  return (rows as { calendar: string; start: unknown; end: unknown; ghl_id: string | null; source: string }[]).map((r) => ({
    calendar: r.calendar,
    start: driverDate(r.start)!,
    end: driverDate(r.end)!,
    ghlId: r.ghl_id,
    source: r.source,
  }));
}

/** New citas built from a batch of appointments we have never seen, before the database is asked anything. */
export interface PreparedNew {
  locationId: string;
  /** Sorted by start, each with its row (conflict not yet decided). */
  items: { event: IncomingAppointment; row: NewCitaRow & { id: string } }[];
}

/**
 * The CPU half of the bulk path (rows and their content hashes), apart so a sync job can build
 * one window's rows while the database is still writing the previous window's.
 */
export async function prepareNewFromGhl(deps: ApplyDeps, locationId: string, zone: string, events: IncomingAppointment[]): Promise<PreparedNew> {
  const now = deps.clock.now();
  const sorted = [...events].sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const items: PreparedNew['items'] = [];
  for (const event of sorted) items.push({ event, row: await rowFromGhl(event, zone, now) });
  return { locationId, items };
}

/**
 * Bulk path for a sync job's batch of appointments we have never seen (prepared above): one read
 * of the active citas in the batch's span, then one statement inserting the citas and their audit
 * lines — instead of several statements per appointment. The insert is atomic by itself, so a
 * caller may run it outside a transaction. Overlaps (with citas or within the batch) are flagged
 * as conflicts up front. What does not fit this path (our own not-yet-linked creates, ids a
 * webhook inserted meanwhile) is returned for the one-by-one path.
 */
export async function insertNewFromGhl(
  tx: DbOrTx,
  deps: ApplyDeps,
  prepared: PreparedNew,
): Promise<{ created: number; conflicts: number; leftovers: IncomingAppointment[] }> {
  const { locationId, items } = prepared;
  if (!items.length) return { created: 0, conflicts: 0, leftovers: [] };
  const events = items.map((i) => i.event);
  const minStart = new Date(Math.min(...events.map((e) => e.startTime.getTime())));
  const maxEnd = new Date(Math.max(...events.map((e) => e.endTime.getTime())));
  const active = await activeInSpan(tx, locationId, [...new Set(events.map((e) => e.calendarId))], minStart, maxEnd);
  const leftovers: IncomingAppointment[] = [];
  const taken = new SlotBook();
  for (const a of active) taken.hold(a.calendar, a.start.getTime(), a.end.getTime());
  // Our own creates GHL has not told us the id of: the same calendar and times, linked one by one.
  const unlinked = new Set(active.filter((a) => a.ghlId === null && a.source === 'rv3').map((a) => `${a.calendar}|${a.start.getTime()}|${a.end.getTime()}`));
  const now = deps.clock.now();
  const rows: (NewCitaRow & { id: string })[] = [];
  for (const { event: e, row } of items) {
    const s = e.startTime.getTime();
    const en = e.endTime.getTime();
    if (unlinked.size && unlinked.has(`${e.calendarId}|${s}|${en}`)) {
      leftovers.push(e);
      continue;
    }
    const holds = (e.status ?? 'new') !== 'cancelled' && e.status !== 'invalid';
    const conflict = holds && taken.overlaps(e.calendarId, s, en);
    if (holds && !conflict) taken.hold(e.calendarId, s, en);
    rows.push({ ...row, conflict });
  }
  if (!rows.length) return { created: 0, conflicts: 0, leftovers };
  // The citas and the audit line of each one actually inserted, in one statement.
  const audit = rows.map((r) => ({ ghl_id: r.ghlAppointmentId, changes: creationChanges(r) }));
  const insert = renderBulkInsert(citas, rows, 1, { onConflictDoNothing: 'ghlAppointmentId', returning: ['id', 'ghlAppointmentId', 'conflict'] });
  const n = insert.params.length;
  const result = await driverOf(tx).query(
    `with w as (${insert.text}),
       a as (insert into "audit_log" ("cita_id", "actor", "action", "changes", "request_id", "at")
             select w."id", 'job', 'create_from_ghl', x.changes, null, $${n + 2}::timestamptz
             from w join jsonb_to_recordset($${n + 1}::jsonb) as x(ghl_id text, changes jsonb) on x.ghl_id = w."ghl_appointment_id")
     select w."ghl_appointment_id" as "ghlId", w."conflict" from w`,
    [...insert.params, JSON.stringify(audit), now.toISOString()],
  );
  const inserted = result.rows as { ghlId: string; conflict: boolean | string }[];
  const insertedIds = new Set(inserted.map((r) => r.ghlId));
  const tried = new Set(rows.map((r) => r.ghlAppointmentId));
  // Rows the insert skipped (an id a webhook stored meanwhile) go the one-by-one way too.
  leftovers.push(...events.filter((e) => tried.has(e.id) && !insertedIds.has(e.id)));
  const conflicts = inserted.filter((r) => driverBool(r.conflict)).length;
  return { created: inserted.length - conflicts, conflicts, leftovers };
}

async function applyToExisting(w: Write, cur: CitaRow, inc: IncomingAppointment, overlaps: boolean, contactKnown: boolean): Promise<ApplyResult> {
  const { deps } = w;
  const next = {
    ghlCalendarId: inc.calendarId,
    startTime: inc.startTime,
    endTime: inc.endTime,
    title: inc.title ?? cur.title,
    status: inc.status ?? cur.status,
    assignedUserId: inc.assignedUserId ?? cur.assignedUserId,
    contactId: inc.contactId ?? cur.contactId,
    // GHL's `notes` is empty on appointments we created (we write the description); an empty
    // value must not wipe the front desk's notes.
    notes: inc.notes ?? cur.notes,
    ...seriesFields(inc, cur),
  };
  // Emitted while the appointment still existed, and GHL has since deleted it: history, not news.
  // Only an observation clearly after the deletion (GHL's times come in whole seconds, from a clock
  // that is not ours) shows the appointment exists after all.
  const seen = observation(inc);
  if (cur.ghlDeletedAt && (seen === null || seen < cur.ghlDeletedAt.getTime() + DELETION_MARGIN_MS)) return done(w, { outcome: 'stale', citaId: cur.id, quiet: true });
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => !sameValue(cur[k], next[k]));
  if (changed.length === 0) {
    // Nothing new: for a cita we wrote to GHL, this is the echo of our own write.
    // Only the watermark may move, and no list shows it.
    const r: ApplyResult = { outcome: cur.source === 'rv3' ? 'echo' : 'unchanged', citaId: cur.id, quiet: true };
    const watermark = laterOf(cur.ghlDateUpdated, inc.dateUpdated);
    if (watermark === cur.ghlDateUpdated) return done(w, r);
    return written(w, r, { table: citas, update: { ghlDateUpdated: watermark }, where: { id: cur.id } }, null, deps.clock.now());
  }
  // GHL filled in what we left empty (the calendar's primary user, on our own create): kept and
  // audited, but nobody changed the cita, so its version — and the ETag a client holds — stays.
  if (cur.source === 'rv3' && changed.every((k) => FILLED_BY_GHL.has(k) && cur[k] === null)) {
    const patch = Object.fromEntries(changed.map((k) => [k, next[k]])) as Partial<CitaRow>;
    const filled = { ...cur, ...patch };
    const set = { ...patch, ghlDateUpdated: laterOf(cur.ghlDateUpdated, inc.dateUpdated), ...(cur.syncStatus === 'synced' ? { contentHash: await hashOf(filled) } : {}) };
    const update = { table: citas, update: set, where: { id: cur.id } };
    return written(w, { outcome: 'echo', citaId: cur.id }, update, { action: 'update_from_ghl', before: cur, after: filled }, deps.clock.now());
  }
  // Content differs. Older than what we hold, or older than a local edit still on its way to
  // GHL: the newer side wins, and for the local edit that is the push about to happen.
  if (inc.dateUpdated && cur.ghlDateUpdated && inc.dateUpdated < cur.ghlDateUpdated) {
    return done(w, { outcome: 'stale', citaId: cur.id, quiet: true });
  }
  if (cur.syncStatus === 'pending_sync' && inc.dateUpdated && cur.updatedAt > inc.dateUpdated) {
    return done(w, { outcome: 'stale', citaId: cur.id, quiet: true });
  }

  const now = deps.clock.now();
  // Overlapping another active cita: kept, flagged (outside the overlap constraint). A conflicted
  // cita that now fits its slot is cleared of the flag; an inactive one keeps whatever it had.
  const conflict = holdsSlot(next.status) ? overlaps : cur.conflict;
  const patch = {
    ...next,
    conflict,
    cancelledAt: next.status === 'cancelled' ? (cur.cancelledAt ?? now) : null,
    version: cur.version + 1,
    updatedAt: now,
    ghlDateUpdated: laterOf(cur.ghlDateUpdated, inc.dateUpdated),
    // Seen in GHL after we took it for deleted: it exists after all.
    ghlDeletedAt: null,
    syncStatus: 'synced' as const,
    syncError: null,
    syncRetries: 0,
    lastSyncedAt: now,
  };
  const after = { ...cur, ...patch, contentHash: await hashOf({ ...cur, ...patch }) };
  const outcome: ApplyOutcome = conflict && !cur.conflict ? 'conflict' : next.status === 'cancelled' && cur.status !== 'cancelled' ? 'cancelled' : 'applied';
  const update = { table: citas, update: { ...patch, contentHash: after.contentHash }, where: { id: cur.id } };
  // Another patient: the database gives the cita that contact's details if it knows them (a trigger).
  const learn = next.contactId && next.contactId !== cur.contactId && !contactKnown ? { learnContact: next.contactId } : {};
  return written(w, { outcome, citaId: cur.id, ...learn }, update, { action: 'update_from_ghl', before: cur, after }, now);
}

async function hashOf(row: Pick<CitaRow, 'id' | 'contactId'> & Parameters<typeof appointmentFromCita>[0]): Promise<string | null> {
  return row.contactId ? contentHash(appointmentFromCita(row, row.contactId)) : null;
}

function laterOf(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** What a cita keeps of its series: the series, and the rule, index and count when the event knows them. */
function seriesFields(inc: IncomingAppointment, cur: Pick<CitaRow, 'seriesRule' | 'seriesIndex' | 'seriesCount'> | null) {
  const s = inc.series;
  if (!s || s.master) return {};
  const rule = s.rule ?? cur?.seriesRule ?? null;
  const count = s.count ?? (rule ? countOf(rule) : null) ?? cur?.seriesCount ?? null;
  return { seriesId: s.masterId, seriesRule: rule, seriesIndex: s.index ?? cur?.seriesIndex ?? null, seriesCount: count };
}

function countOf(rule: string): number | null {
  return parseRule(rule)?.count ?? null;
}

/** How far GHL's series are expanded here: the sync's reach, back over the history a backfill reads. */
const SERIES_BACK_MS = 92 * 86_400_000;

/**
 * GHL's series itself, with its rule (a webhook naming the master): each occurrence within reach
 * is applied as the listing would name it (its instance id), so whichever arrives first, webhook
 * or listing, the other finds it; occurrences the rule no longer has (an EXDATE, a shorter COUNT)
 * are cancelled, and a deleted series cancels them all.
 */
async function applySeriesMaster(w: Write, inc: IncomingAppointment, zone: string | null): Promise<ApplyResult> {
  const { tx, deps } = w;
  const inner: Write = { tx, deps, audit: w.audit };
  const rule = inc.series?.rule ? parseRule(inc.series.rule) : null;
  const now = deps.clock.now();
  const keep = new Set<string>();
  let last: ApplyResult = { outcome: 'unchanged', citaId: null, quiet: true };
  if (rule && !inc.deleted) {
    const { occurrences, count } = expand(rule, inc.startTime, inc.endTime, zone ?? deps.config.APP_TIMEZONE, 500);
    const from = now.getTime() - SERIES_BACK_MS;
    const to = now.getTime() + deps.config.SYNC_FULL_DAYS * 86_400_000;
    for (const o of occurrences) {
      if (o.end.getTime() < from || o.start.getTime() > to) continue;
      const id = instanceId(inc.id, o.start, o.end);
      keep.add(id);
      // The rule kept with its start: the numbers are the rule's own (numberSeries leaves them).
      const withStart = `DTSTART:${inc.startTime.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}\n${inc.series!.rule}`;
      const occ: IncomingAppointment = { ...inc, id, startTime: o.start, endTime: o.end, series: { masterId: inc.id, rule: withStart, master: false, index: o.index, count } };
      const r = await applyGhlAppointment(tx, deps, occ, w.audit);
      if (r.outcome !== 'unchanged' && r.outcome !== 'echo') last = r;
    }
  }
  // Occurrences we hold that the series no longer has (or all of them, the series deleted).
  const gone = (await tx.select().from(citas).where(and(eq(citas.locationId, inc.locationId), eq(citas.seriesId, inc.id)))).filter(
    (c) => c.ghlAppointmentId && !keep.has(c.ghlAppointmentId) && holdsSlot(c.status),
  );
  for (const c of gone) await applyDelete(inner, c, { ...inc, id: c.ghlAppointmentId!, deleted: true });
  if (gone.length) last = { outcome: 'cancelled', citaId: gone[0]!.id };
  return done(w, last);
}

/**
 * An event naming a series we hold occurrences of, without its rule (GHL's webhooks carry none):
 * deleted, every occurrence is cancelled; changed, what it says of the series (title, status,
 * notes, who attends) reaches every active occurrence — their own times stay theirs.
 */
async function applyToSeries(w: Write, inc: IncomingAppointment): Promise<ApplyResult> {
  const { tx, deps } = w;
  const inner: Write = { tx, deps, audit: w.audit };
  const rows = await tx.select().from(citas).where(and(eq(citas.locationId, inc.locationId), eq(citas.seriesId, inc.id))).for('update');
  let last: ApplyResult = { outcome: 'unchanged', citaId: null, quiet: true };
  for (const c of rows.filter((r) => r.ghlAppointmentId)) {
    const occ: IncomingAppointment = { ...inc, id: c.ghlAppointmentId!, calendarId: c.ghlCalendarId, startTime: c.startTime, endTime: c.endTime, series: null };
    const r = inc.deleted ? (holdsSlot(c.status) ? await applyDelete(inner, c, occ) : null) : await applyToExisting(inner, c, occ, false, true);
    if (r && r.outcome !== 'unchanged' && r.outcome !== 'echo' && r.outcome !== 'stale') last = r;
  }
  return done(w, last);
}

/**
 * Numbers the occurrences of GHL series (instance events carry neither the series' start nor their
 * position): by their place in the rule, read from each instance id's start, among the occurrences
 * we hold — exact once the series' first one is here (the backfill reads back 90 days). A series
 * whose rule came with its start (a webhook naming the series: DTSTART kept with the rule) is
 * numbered by the rule itself and left alone. One statement, only for events of a series.
 */
export async function numberSeries(db: DbOrTx, locationId: string, seriesIds: string[]): Promise<void> {
  if (!seriesIds.length) return;
  await driverOf(db).query(
    `update citas c set series_index = r.rn from (
       select id, row_number() over (partition by series_id order by coalesce((regexp_match(ghl_appointment_id, '_([0-9]{10,15})_[0-9]+$'))[1]::bigint, (extract(epoch from start_time) * 1000)::bigint)) as rn
       from citas where location_id = $1 and series_id = any($2::text[])) r
     where c.id = r.id and c.series_index is distinct from r.rn and coalesce(c.series_rule, '') not like 'DTSTART%'`,
    [locationId, seriesIds],
  );
}
