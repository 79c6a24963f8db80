import type { DbOrTx } from '../db/client';
import { driverOf } from '../db/driver';
import { citas, type BlockRef, type BookingOverride, type BookingRule, type CitaRow, type NewCitaRow } from '../db/schema';
import { AppError } from '../errors';
import { expand, MAX_OCCURRENCES, parseRule, ruleText } from '../domain/rrule';
import { formatInZone } from '../domain/time';
import { outsideWorkingHours } from '../domain/working-hours';
import { auditedWriteRow } from '../audit/audit';
import { assertLocation } from '../access/access';
import { CALENDARS_REFUSED, calendarProblems } from '../locations/calendar-rule';
import { blockRefView } from '../blocks/block-view';
import { checkSchedule } from './cita-rules';
import { blockedOr, requireFreshBlocks } from './booking-rules';
import { locationContext, newCitaRow, overlapOr, parseTimes, type BookingDeps, type Caller, type CreateCitaInput } from './citas-service';

/**
 * A series booked in one request («10 sesiones, cada martes»): every occurrence judged first
 * (other citas, blocks, working hours), then all of them written, or none — or, when asked, the
 * free ones only. Each occurrence is a cita of its own, linked by series_id, and reaches GHL as its
 * own appointment (see README, "Recurring series": GHL's recurring appointments are not used for
 * ours, because which id GHL's webhooks carry for them is undocumented, and single occurrences
 * edited or skipped here would have to be expressed as EXDATEs and per-instance edits there).
 */

export interface Repeat {
  freq: 'daily' | 'weekly' | 'monthly';
  interval?: number;
  count?: number;
  until?: string;
}

export type CollisionReason = 'slot_taken' | 'slot_blocked' | 'outside_working_hours';
export interface Collision {
  index: number;
  start_time: string;
  end_time: string;
  reason: CollisionReason;
  cita?: { id: string; title: string; start_time: string; end_time: string };
  block?: { id: string; title: string; start_time: string; end_time: string };
}

// Named once: the reasons are codes a client branches on, not messages.
const TAKEN: CollisionReason = 'slot_taken';
const BLOCKED: CollisionReason = 'slot_blocked';
const CLOSED: CollisionReason = 'outside_working_hours';

interface Occupied {
  idx: number;
  cita: { id: string; title: string; start_time: string; end_time: string } | null;
  block: BlockRef | null;
}

/** For each occurrence, the active cita holding (part of) its slot and the block covering it, in one statement. */
async function occupied(db: DbOrTx, locationId: string, calendarId: string, slots: { idx: number; s: Date; e: Date }[]): Promise<Occupied[]> {
  const text = `select o.idx,
      (select json_build_object('id', c.id, 'title', c.title, 'start_time', c.start_time, 'end_time', c.end_time) from citas c
        where c.location_id = $1 and c.ghl_calendar_id = $2 and c.status not in ('cancelled', 'invalid') and not c.conflict
          and tstzrange(c.start_time, c.end_time, '[)') && tstzrange(o.s, o.e, '[)') order by c.start_time limit 1) as cita,
      block_ref($1, $2, o.s, o.e, null) as block
    from jsonb_to_recordset($3::jsonb) as o(idx int, s timestamptz, e timestamptz) order by o.idx`;
  const { rows } = await driverOf(db).query(text, [locationId, calendarId, JSON.stringify(slots.map((x) => ({ idx: x.idx, s: x.s.toISOString(), e: x.e.toISOString() })))]);
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) ?? null;
  return (rows as { idx: number; cita: unknown; block: unknown }[]).map((r) => ({ idx: Number(r.idx), cita: parse(r.cita), block: parse(r.block) }));
}

export async function createCitaSeries(
  deps: BookingDeps,
  input: CreateCitaInput & { repeat: Repeat; on_conflict?: 'fail' | 'skip' },
  caller: Caller,
): Promise<{ rows: CitaRow[]; skipped: Collision[]; ghlConnected: boolean }> {
  assertLocation(caller.access, input.location_id);
  const loc = await locationContext(deps, input.location_id);
  const calendarId = input.calendar_id ?? loc.defaultCalendarId;
  const { start, end, errors } = parseTimes(input, loc.zone);
  if (!calendarId) errors.push({ field: 'calendar_id', message: 'required: this location has no default calendar configured' });
  if (start && end) errors.push(...checkSchedule(start, end));
  const refused = calendarId ? calendarProblems([{ field: 'calendar_id', id: calendarId }], input.location_id, loc.calendars) : [];
  if (refused.length) throw AppError.validation([...errors, ...refused], CALENDARS_REFUSED);
  if (errors.length || !start || !end || !calendarId) throw AppError.validation(errors);

  const rule = ruleText(input.repeat, loc.zone);
  const { occurrences, count } = expand(parseRule(rule)!, start, end, loc.zone, MAX_OCCURRENCES + 1);
  if (occurrences.length > MAX_OCCURRENCES) throw AppError.validation([{ field: 'repeat.until', message: `a series has at most ${MAX_OCCURRENCES} occurrences` }]);
  if (occurrences.length < 2) throw AppError.validation([{ field: 'repeat', message: 'a series has at least 2 occurrences' }]);
  const last = occurrences[occurrences.length - 1]!;
  // GHL's blocks over the whole series, re-read first when our copy is stale (one GHL call for all).
  requireFreshBlocks(deps, { locationId: input.location_id, calendarId, zone: loc.zone, start, end: last.end }, loc.booking, deps.clock.now());

  const force = input.force === true;
  const hoursOf = loc.booking.ghlCalendars?.find((c) => c.id === calendarId)?.open_hours ?? null;
  const taken = await occupied(deps.db, input.location_id, calendarId, occurrences.map((o) => ({ idx: o.index, s: o.start, e: o.end })));
  const collisions: Collision[] = [];
  const overrides = new Map<number, BookingRule[]>();
  for (const o of occurrences) {
    const at = { index: o.index, start_time: formatInZone(o.start, loc.zone), end_time: formatInZone(o.end, loc.zone) };
    const t = taken.find((x) => x.idx === o.index);
    const rules: BookingRule[] = [];
    if (t?.cita) {
      collisions.push({ ...at, reason: TAKEN, cita: { id: t.cita.id, title: t.cita.title, start_time: formatInZone(new Date(t.cita.start_time), loc.zone), end_time: formatInZone(new Date(t.cita.end_time), loc.zone) } });
      continue;
    }
    if (t?.block) {
      if (!force) {
        collisions.push({ ...at, reason: BLOCKED, block: blockRefView(t.block, loc.zone) });
        continue;
      }
      rules.push('slot_blocked');
    }
    if (outsideWorkingHours(hoursOf, o.start, o.end, loc.zone)) {
      if (!force) {
        collisions.push({ ...at, reason: CLOSED });
        continue;
      }
      rules.push('outside_working_hours');
    }
    if (rules.length) overrides.set(o.index, rules);
  }
  const skipping = input.on_conflict === 'skip';
  const free = occurrences.filter((o) => !collisions.some((c) => c.index === o.index));
  if ((collisions.length && !skipping) || free.length === 0) {
    throw new AppError(409, 'series_conflict', `${collisions.length} of the series' ${occurrences.length} occurrences cannot be booked; send "on_conflict": "skip" to book the others.`, {
      extra: { collisions },
    });
  }

  const now = deps.clock.now();
  // Prefixed: a series of ours is told apart from GHL's (whose master ids are GHL's own).
  const seriesId = `rv3:${crypto.randomUUID()}`;
  const rows: (NewCitaRow & { id: string })[] = free.map((o) => {
    const rules = overrides.get(o.index);
    const override: BookingOverride | null = rules ? { by: caller.access.clientId, at: now.toISOString(), rules } : null;
    return {
      ...newCitaRow(input, { calendarId, zone: loc.zone, start: o.start, end: o.end, override, now }),
      seriesId,
      seriesRule: rule,
      seriesIndex: o.index,
      seriesCount: count,
    };
  });
  let attempt = rows[0]!;
  const write = async (db: DbOrTx) => {
    const saved: CitaRow[] = [];
    for (const row of rows) {
      attempt = row;
      saved.push((await auditedWriteRow(db, { table: citas, insert: row }, { ctx: caller, action: 'create', before: null, after: row, at: now }))!);
    }
    return saved;
  };
  try {
    // All or nothing: a race lost on one occurrence (another booking, a new block) undoes them all.
    const saved = await deps.db.transaction(write);
    return { rows: saved, skipped: skipping ? collisions : [], ghlConnected: loc.connection === 'active' };
  } catch (err) {
    throw await overlapOr(deps.db, blockedOr(err, { calendarId, zone: loc.zone }), { locationId: input.location_id, calendarId, start: attempt.startTime, end: attempt.endTime });
  }
}
