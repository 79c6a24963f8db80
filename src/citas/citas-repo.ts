import { and, asc, eq, getTableColumns, ne, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { citas, ghlConnections, LONG_CITA, locationSettings, type CitaRow, type CitaStatus, type NewCitaRow } from '../db/schema';
import { holdsSlotSql, overlapsSql } from '../db/slot-sql';
import { compiled } from '../db/compiled';
import { driverBool, driverOf } from '../db/driver';
import { decodeRows, isInstantColumn } from '../db/json-rows';
import type { Rendered } from '../db/row-writes';

/** Queries on the citas table; no rules here, only storage. */

export async function insertCita(db: DbOrTx, row: NewCitaRow): Promise<CitaRow> {
  const [saved] = await db.insert(citas).values(row).returning();
  return saved!;
}

export async function findCita(db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<CitaRow | null> {
  const q = db.select().from(citas).where(eq(citas.id, id)).limit(1);
  const rows = opts.forUpdate ? await q.for('update') : await q;
  return rows[0] ?? null;
}

export async function updateCita(db: DbOrTx, id: string, patch: Partial<NewCitaRow>): Promise<CitaRow> {
  const [saved] = await db.update(citas).set(patch).where(eq(citas.id, id)).returning();
  return saved!;
}

/** The cita whose hold on (part of) a slot refused a write, to name it in a 409: read as the guard reads it. */
export async function findOverlapping(
  db: DbOrTx,
  slot: { locationId: string; calendarId: string; start: Date; end: Date; excludeId?: string },
): Promise<CitaRow | null> {
  const conds: SQL[] = [
    eq(citas.locationId, slot.locationId),
    eq(citas.ghlCalendarId, slot.calendarId),
    holdsSlotSql,
    overlapsSql(slot.start, slot.end),
  ];
  if (slot.excludeId) conds.push(ne(citas.id, slot.excludeId));
  const rows = await db.select().from(citas).where(and(...conds)).orderBy(asc(citas.startTime)).limit(1);
  return rows[0] ?? null;
}

export interface ListFilter {
  locationId: string;
  from?: Date;
  to?: Date;
  statuses?: CitaStatus[];
  calendarIds?: string[];
  conflict?: boolean;
  after?: { start: Date; id: string };
  limit: number;
}

export interface LocationPage {
  /** The location's settings as stored (null when it has none). */
  settings: { time_zone: string | null; ghl_time_zone: string | null; default_calendar_id: string | null } | null;
  /** Whether anything names the location (settings, a connection, citas). */
  known: boolean;
  rows: CitaRow[];
}

const listShapes = new Map<string, (values: Record<string, unknown>) => Rendered>();
const p = (name: string) => sql.placeholder(name);

const LONG = sql.raw(`interval '${LONG_CITA}'`);

/**
 * The page's citas. With a lower bound (`desde`), in two parts read by two indexes: the ordinary
 * citas, which all start less than LONG_CITA before it, and the few longer ones (their own partial
 * index). A single range `start_time < hasta` has no lower bound in the index and reads every
 * earlier cita of the location: 20,000 past citas made a day's page 2.5 ms instead of 0.2 ms.
 */
function pageOf(conds: SQL[], bounded: boolean): SQL {
  const page = (extra: SQL[]) => sql`select * from ${citas} where ${and(...conds, ...extra)} order by ${citas.startTime}, ${citas.id} limit ${p('limit')}::int`;
  if (!bounded) return page([]);
  const span = sql`${citas.endTime} - ${citas.startTime}`;
  return sql`select * from ((${page([sql`${citas.startTime} > ${p('from')}::timestamptz - ${LONG}`, sql`${span} <= ${LONG}`])})
    union all (${page([sql`${span} > ${LONG}`])})) parts order by start_time, id limit ${p('limit')}::int`;
}

/**
 * A page of citas and what the list needs of its location, in one statement — the list is what
 * front ends poll. Rendered once per combination of filters (compiled.ts), bound per call.
 */
export async function listPage(db: DbOrTx, f: ListFilter): Promise<LocationPage> {
  const { text, params } = listStatement(f);
  const { rows } = await driverOf(db).query(text, params);
  const first = rows[0] as { settings_zone: string | null; settings_ghl_zone: string | null; settings_calendar: string | null; has_settings: unknown; known: unknown; id: string | null };
  return {
    settings: driverBool(first.has_settings) ? { time_zone: first.settings_zone, ghl_time_zone: first.settings_ghl_zone, default_calendar_id: first.settings_calendar } : null,
    known: driverBool(first.known),
    rows: first.id === null ? [] : decodeRows(citas, rows as Record<string, unknown>[], { instantsAsMs: true }),
  };
}

/**
 * The page's columns, its instants as whole milliseconds since the epoch (floor: as a Date reads
 * the microseconds Postgres keeps): a list writes six per cita, and the driver parsed each one's
 * text into a Date only for the view to take its number again. A number is a Date for nothing.
 */
function pageColumns(): SQL {
  return sql.join(
    Object.values(getTableColumns(citas)).map((col) => {
      const name = sql.identifier(col.name);
      return isInstantColumn(col) ? sql`floor(extract(epoch from c.${name}) * 1000)::float8 as ${name}` : sql`c.${name}`;
    }),
    sql`, `,
  );
}

/** listPage's statement for a filter (rendered once per combination of filters). */
export function listStatement(f: ListFilter): Rendered {
  const shape = ['from', 'to', 'statuses', 'calendarIds', 'conflict', 'after'].filter((k) => {
    const v = f[k as keyof ListFilter];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
  const key = shape.join(',');
  let render = listShapes.get(key);
  if (!render) {
    const has = (k: string) => shape.includes(k);
    render = compiled(() => {
      const conds: SQL[] = [sql`${citas.locationId} = ${p('location')}`];
      if (has('to')) conds.push(sql`${citas.startTime} < ${p('to')}::timestamptz`);
      if (has('from')) conds.push(sql`${citas.endTime} > ${p('from')}::timestamptz`);
      if (has('statuses')) conds.push(sql`${citas.status} in (select jsonb_array_elements_text(${p('statuses')}::jsonb))`);
      if (has('calendarIds')) conds.push(sql`${citas.ghlCalendarId} in (select jsonb_array_elements_text(${p('calendarIds')}::jsonb))`);
      if (has('conflict')) conds.push(sql`(${citas.conflict} or ${citas.blockConflict} is not null or ${citas.matchCandidates} is not null) = ${p('conflict')}::boolean`);
      if (has('after')) conds.push(sql`(${citas.startTime}, ${citas.id}) > (${p('afterStart')}::timestamptz, ${p('afterId')}::uuid)`);
      // The page comes back as rows, the location's facts beside each (one row of nulls when the
      // page is empty): Postgres writing fifty rows as JSON cost it more than finding them.
      // Settings as plain text columns: a json one would be parsed again for every row.
      return sql`select loc.settings_zone, loc.settings_ghl_zone, loc.settings_calendar, loc.has_settings, loc.known, ${pageColumns()} from (select
        s.${sql.identifier(locationSettings.timeZone.name)} as settings_zone, s.${sql.identifier(locationSettings.ghlTimeZone.name)} as settings_ghl_zone,
        s.${sql.identifier(locationSettings.defaultCalendarId.name)} as settings_calendar, s.${sql.identifier(locationSettings.locationId.name)} is not null as has_settings,
        (s.${sql.identifier(locationSettings.locationId.name)} is not null
          or exists (select 1 from ${ghlConnections} where ${ghlConnections.locationId} = ${p('location')})
          or exists (select 1 from ${citas} where ${citas.locationId} = ${p('location')})) as known
        from (select 1) one left join ${locationSettings} s on s.${sql.identifier(locationSettings.locationId.name)} = ${p('location')}) loc
        left join lateral (${pageOf(conds, has('from'))}) c on true
        order by c.start_time, c.id`;
    });
    listShapes.set(key, render);
  }
  return render({
    location: f.locationId,
    from: f.from?.toISOString(),
    to: f.to?.toISOString(),
    statuses: f.statuses ? JSON.stringify(f.statuses) : undefined,
    calendarIds: f.calendarIds ? JSON.stringify(f.calendarIds) : undefined,
    conflict: f.conflict,
    afterStart: f.after?.start.toISOString(),
    afterId: f.after?.id,
    limit: f.limit,
  });
}

