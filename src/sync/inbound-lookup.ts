import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { compiled } from '../db/compiled';
import { driverBool, driverOf } from '../db/driver';
import { parseJson, decodeRows } from '../db/json-rows';
import type { Rendered } from '../db/row-writes';
import { citas, contacts, locationSettings, type CitaRow } from '../db/schema';
import { activeStatusSql, holdsSlotSql, overlapsSql } from '../db/slot-sql';
import type { IncomingAppointment } from './appointment-mapping';

/** What applying one GHL appointment needs to know, read (and locked) in one statement. */
export interface InboundLookup {
  /** The cita holding this GHL id, locked for the transaction. */
  byGhlId: CitaRow | null;
  /** Our own create on the same calendar and times whose GHL id we have not stored yet, locked. */
  ownUnlinked: CitaRow | null;
  /** The location's time zone setting (its own, else GHL's), null when it has none. */
  zone: string | null;
  /** Whether another active cita on the calendar holds part of the appointment's slot. */
  overlaps: boolean;
  /** Whether we hold an account of the appointment's contact (else it is learnt after the answer). */
  contactKnown: boolean;
  /** Whether citas of ours are occurrences of a series with this id (the id names GHL's series itself). */
  seriesKnown: boolean;
  /** The first row `prelude` returned (null when it returned none, or there was none). */
  prelude: Record<string, unknown> | null;
}

const p = (name: string) => sql.placeholder(name);

export const INBOUND_LOOKUP = compiled(() => {
  const ownUnlinked = sql`(${citas.locationId} = ${p('location')} and ${citas.ghlCalendarId} = ${p('calendar')}
    and ${citas.startTime} = ${p('start')}::timestamptz and ${citas.endTime} = ${p('end')}::timestamptz
    and ${citas.source} = 'rv3' and ${citas.ghlAppointmentId} is null)`;
  return sql`select
    (select coalesce(${locationSettings.timeZone}, ${locationSettings.ghlTimeZone}) from ${locationSettings} where ${locationSettings.locationId} = ${p('location')}) as zone,
    (select json_agg(c) from (select * from ${citas}
       where ${citas.ghlAppointmentId} = ${p('id')} or (${ownUnlinked} and ${activeStatusSql})
       for update) c) as rows,
    exists (select 1 from ${citas}
       where ${citas.locationId} = ${p('location')} and ${citas.ghlCalendarId} = ${p('calendar')}
         and ${holdsSlotSql} and ${overlapsSql(p('start'), p('end'))}
         and ${citas.ghlAppointmentId} is distinct from ${p('id')} and not ${ownUnlinked}) as overlaps,
    exists (select 1 from ${contacts} where ${contacts.locationId} = ${p('location')} and ${contacts.id} = ${p('contact')}) as contact_known,
    exists (select 1 from ${citas} where ${citas.locationId} = ${p('location')} and ${citas.seriesId} = ${p('id')}) as series_known`;
});

/**
 * One round trip for everything the apply reads: both candidate citas (locked FOR UPDATE: a
 * concurrent webhook or edit of the same appointment waits for us), the location's zone, and
 * whether the slot is taken. The overlap answer is a snapshot: a writer committing in between
 * makes the write fail on the overlap constraint, and the caller runs the transaction again. It is
 * read through the constraint's index (src/db/slot-sql.ts), so it costs the same at any history.
 * `prelude`, a data-modifying statement of the caller's (the webhook's claim, its parameters
 * numbered from the `first` it is given), runs in the same statement and hands back its first row.
 */
export async function lookupInbound(tx: Tx, inc: IncomingAppointment, prelude?: (first: number) => Rendered): Promise<InboundLookup> {
  const lookup = INBOUND_LOOKUP({ location: inc.locationId, calendar: inc.calendarId, id: inc.id, start: inc.startTime.toISOString(), end: inc.endTime.toISOString(), contact: inc.contactId });
  const pre = prelude?.(lookup.params.length + 1);
  const text = pre ? withPrelude(lookup.text, pre.text) : lookup.text;
  const result = await driverOf(tx).query(text, pre ? [...lookup.params, ...pre.params] : lookup.params);
  const row = result.rows[0] as { prelude?: unknown; zone: string | null; rows: unknown; overlaps: unknown; contact_known: unknown; series_known: unknown };
  const found = decodeRows(citas, typeof row.rows === 'string' ? JSON.parse(row.rows) : row.rows);
  return {
    byGhlId: found.find((c) => c.ghlAppointmentId === inc.id) ?? null,
    ownUnlinked: found.find((c) => c.ghlAppointmentId === null) ?? null,
    zone: row.zone ?? null,
    overlaps: driverBool(row.overlaps),
    contactKnown: driverBool(row.contact_known),
    seriesKnown: driverBool(row.series_known),
    prelude: parseJson(row.prelude),
  };
}

/** The lookup behind a prelude, kept per prelude text (a handful of shapes; every webhook asks). */
const withPreludes = new Map<string, string>();
function withPrelude(lookup: string, prelude: string): string {
  let text = withPreludes.get(prelude);
  if (text === undefined) {
    text = `with pre as (${prelude}) select (select row_to_json(pre) from pre limit 1) as prelude, ${lookup.replace(/^select\s+/, '')}`;
    if (withPreludes.size < 64) withPreludes.set(prelude, text);
  }
  return text;
}
