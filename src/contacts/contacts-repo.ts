import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { citas, contacts, type ContactRow } from '../db/schema';
import { driverOf } from '../db/driver';
import { citaContactOf, searchTextOf, type PatientFields } from './patient';

/** Queries on the contacts table (patients as GHL last told us); no rules here, only storage. */

/** One account of a contact from GHL: its fields (null when GHL said it is gone) and when GHL held it. */
export interface ContactNews {
  id: string;
  /** null: deleted in GHL (its last known fields are kept). */
  fields: PatientFields | null;
  /** GHL's dateUpdated, else when GHL told us. Orders accounts: an older one never wins. */
  at: Date;
}

/**
 * Saves accounts of contacts and passes what changed to their citas, in one statement: each row
 * is written only when its account is at least as new as the stored one (webhooks arrive in any
 * order, and a slow fetch may answer after a newer webhook), a deletion keeps the last known
 * fields, and every cita naming a written contact gets its details (citas.contact). Returns the
 * contacts written and the citas that changed.
 */
export async function saveContacts(db: DbOrTx, locationId: string, news: ContactNews[]): Promise<{ written: string[]; citas: number }> {
  if (!news.length) return { written: [], citas: 0 };
  const incoming = news.map((n) => {
    const f = n.fields;
    return {
      id: n.id,
      first_name: f?.firstName ?? null,
      last_name: f?.lastName ?? null,
      name: f?.name ?? null,
      phone: f?.phone ?? null,
      email: f?.email ?? null,
      search_text: f ? searchTextOf(f) : '',
      details: f ? citaContactOf(f, false) : null,
      deleted: f === null,
      at: n.at.toISOString(),
    };
  });
  const { rows } = await driverOf(db).query(
    `with incoming as (
       select distinct on (x.id) x.* from jsonb_to_recordset($2::jsonb)
         as x(id text, first_name text, last_name text, name text, phone text, email text, search_text text, details jsonb, deleted boolean, at timestamptz)
       order by x.id, x.at desc),
     saved as (
       insert into contacts as k (location_id, id, first_name, last_name, name, phone, email, search_text, details, ghl_updated_at, deleted_at, updated_at)
       select $1, i.id, i.first_name, i.last_name, i.name, i.phone, i.email, i.search_text,
              coalesce(i.details, '{"deleted":true}'::jsonb), i.at, case when i.deleted then i.at end, now()
       from incoming i
       on conflict (location_id, id) do update set
         first_name = case when excluded.deleted_at is null then excluded.first_name else k.first_name end,
         last_name = case when excluded.deleted_at is null then excluded.last_name else k.last_name end,
         name = case when excluded.deleted_at is null then excluded.name else k.name end,
         phone = case when excluded.deleted_at is null then excluded.phone else k.phone end,
         email = case when excluded.deleted_at is null then excluded.email else k.email end,
         search_text = case when excluded.deleted_at is null then excluded.search_text else k.search_text end,
         details = case when excluded.deleted_at is null then excluded.details else k.details || '{"deleted":true}'::jsonb end,
         ghl_updated_at = excluded.ghl_updated_at,
         deleted_at = excluded.deleted_at,
         updated_at = now()
       where excluded.ghl_updated_at >= k.ghl_updated_at
       returning k.id, k.details),
     touched as (
       update citas c set contact = s.details from saved s
       where c.location_id = $1 and c.contact_id = s.id and c.contact is distinct from s.details
       returning c.id)
     select (select coalesce(jsonb_agg(id), '[]'::jsonb) from saved) as written, (select count(*) from touched)::int as citas`,
    [locationId, JSON.stringify(incoming)],
  );
  const r = rows[0] as { written: string[] | string; citas: number | string };
  return { written: typeof r.written === 'string' ? (JSON.parse(r.written) as string[]) : r.written, citas: Number(r.citas) };
}

/**
 * Citas naming these contacts get the details we hold of them; returns the ids we hold no account
 * of (to fetch from GHL). One statement: what a webhook's deferred step costs when it knows them.
 */
export async function fillCitasFromKnown(db: DbOrTx, locationId: string, ids: string[]): Promise<{ unknown: string[]; citas: number }> {
  if (!ids.length) return { unknown: [], citas: 0 };
  const { rows } = await driverOf(db).query(
    `with asked as (select distinct jsonb_array_elements_text($2::jsonb) as id),
     known as (select k.id, k.details from contacts k join asked a on a.id = k.id where k.location_id = $1),
     touched as (
       update citas c set contact = k.details from known k
       where c.location_id = $1 and c.contact_id = k.id and c.contact is distinct from k.details
       returning c.id)
     select (select coalesce(jsonb_agg(a.id), '[]'::jsonb) from asked a where a.id not in (select id from known)) as unknown,
            (select count(*) from touched)::int as citas`,
    [locationId, JSON.stringify(ids)],
  );
  const r = rows[0] as { unknown: string[] | string; citas: number | string };
  return { unknown: typeof r.unknown === 'string' ? (JSON.parse(r.unknown) as string[]) : r.unknown, citas: Number(r.citas) };
}

export async function findContact(db: DbOrTx, locationId: string, id: string): Promise<ContactRow | null> {
  const rows = await db.select().from(contacts).where(and(eq(contacts.locationId, locationId), eq(contacts.id, id))).limit(1);
  return rows[0] ?? null;
}

/**
 * The location's patients whose search text contains every pattern (searchPatterns), deleted ones
 * left out, by name. A sequential read of the location's rows: 10,000 patients take a few ms (see
 * `npm run bench:contacts`), so no trigram index (an extension Neon and PGlite load differently).
 */
export async function searchContacts(db: DbOrTx, locationId: string, patterns: string[], limit: number): Promise<ContactRow[]> {
  const conds: SQL[] = [eq(contacts.locationId, locationId), isNull(contacts.deletedAt), ...patterns.map((p) => sql`${contacts.searchText} like ${p}`)];
  return db
    .select()
    .from(contacts)
    .where(and(...conds))
    .orderBy(sql`lower(coalesce(${contacts.name}, ${contacts.firstName}, ''))`, asc(contacts.id))
    .limit(limit);
}

/**
 * Citas naming a contact we hold but carrying none of its details: written while that contact's
 * first account was being saved (each statement saw the other's work uncommitted). Returns how many.
 */
export async function fillCitasMissingContact(db: DbOrTx, locationId: string): Promise<number> {
  const { rows } = await driverOf(db).query(
    `with f as (update citas c set contact = k.details from contacts k
       where c.location_id = $1 and k.location_id = $1 and k.id = c.contact_id and c.contact is null returning c.id)
     select count(*)::int as n from f`,
    [locationId],
  );
  return Number((rows[0] as { n: number | string }).n);
}

/** Contact ids named by the location's citas that we hold no account of: to fetch from GHL. */
export async function unknownContactIds(db: DbOrTx, locationId: string, limit: number): Promise<string[]> {
  const { rows } = await driverOf(db).query(
    `select distinct c.contact_id as id from citas c
     where c.location_id = $1 and c.contact_id is not null
       and not exists (select 1 from contacts k where k.location_id = c.location_id and k.id = c.contact_id)
     limit $2`,
    [locationId, limit],
  );
  return (rows as { id: string }[]).map((r) => r.id);
}

/** The contacts of the location that citas name and GHL has not deleted (what a full sync checks). */
export async function contactIdsInUse(db: DbOrTx, locationId: string): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ id: citas.contactId })
    .from(citas)
    .where(and(eq(citas.locationId, locationId), sql`${citas.contactId} is not null`));
  return new Set(rows.map((r) => r.id!));
}

/** The location's contacts we take to exist (not deleted), by id: what a full listing is compared with. */
export async function liveContactIds(db: DbOrTx, locationId: string): Promise<Set<string>> {
  const rows = await db.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.locationId, locationId), isNull(contacts.deletedAt)));
  return new Set(rows.map((r) => r.id));
}
