import type { Deps } from '../deps';
import { jobUrl } from '../queue/job-queue';
import { assertLocation, type Access } from '../access/access';
import { AppError } from '../errors';
import { GhlError } from '../ghl/errors';
import type { ContactRow } from '../db/schema';
import { touchLocation } from '../locations/location-rev';
import { contactIdsInUse, fillCitasFromKnown, fillCitasMissingContact, findContact, liveContactIds, saveContacts, searchContacts, unknownContactIds, type ContactNews } from './contacts-repo';
import { displayName, fold, mergedFields, newsFromGhl, patientFromGhl, searchPatterns } from './patient';

/**
 * Patients: found by typing (ours first, then GHL's own search), created in GHL (its upsert
 * matches by email or phone, so no duplicate patient), and kept current from GHL. Names, phones
 * and emails never reach a log line or a metric: ids only.
 */

/** What the API shows of a patient. */
export function contactView(row: ContactRow) {
  return {
    id: row.id,
    location_id: row.locationId,
    name: displayName(row),
    first_name: row.firstName,
    last_name: row.lastName,
    phone: row.phone,
    email: row.email,
    deleted: row.deletedAt !== null,
    updated_at: row.updatedAt.toISOString(),
  };
}
export type ContactView = ReturnType<typeof contactView>;


/** Fewer typed characters than this search ours only: GHL's search is for someone being looked for. */
const GHL_SEARCH_MIN_CHARS = 3;

export async function searchPatients(deps: Deps, access: Access, q: { locationId: string; q: string; limit: number }) {
  assertLocation(access, q.locationId);
  const patterns = searchPatterns(q.q);
  const ours = await searchContacts(deps.db, q.locationId, patterns, q.limit);
  let ghl: 'used' | 'not_needed' | 'unavailable' = 'not_needed';
  const found = ours.map(contactView);
  if (found.length < q.limit && fold(q.q).length >= GHL_SEARCH_MIN_CHARS) {
    try {
      const theirs = await deps.ghl.client.searchContacts(q.locationId, { query: q.q.trim(), pageLimit: q.limit });
      ghl = 'used';
      const now = deps.clock.now();
      const fresh = theirs.contacts.filter((c) => !found.some((f) => f.id === c.id));
      if (fresh.length) {
        await saveContacts(deps.db, q.locationId, fresh.map((c) => newsFromGhl(c, now)));
        // As stored (a newer account we already held wins over the search index's copy).
        for (const c of fresh) {
          const row = await findContact(deps.db, q.locationId, c.id);
          if (row && !row.deletedAt && found.length < q.limit) found.push(contactView(row));
        }
      }
    } catch (err) {
      // Our own list still answers: GHL's search is a bonus, never a reason to fail the box.
      if (!(err instanceof GhlError)) throw err;
      ghl = 'unavailable';
      deps.logger.info('ghl contact search unavailable; answering with ours', { location_id: q.locationId, kind: err.kind });
    }
  }
  return { data: found, ghl_search: ghl };
}

export async function getPatient(deps: Deps, access: Access, locationId: string, id: string): Promise<ContactView> {
  assertLocation(access, locationId);
  const held = await findContact(deps.db, locationId, id);
  if (held) return contactView(held);
  // Not seen yet (an id from an appointment, or typed by a developer): GHL knows. A 404 there is
  // a 404 here (nothing stored: no cita names it).
  let contact;
  try {
    contact = await deps.ghl.client.getContact(locationId, id);
  } catch (err) {
    // GHL answers 403 for another location's contact: to the caller it does not exist here either.
    if (err instanceof GhlError && (err.kind === 'not_found' || err.kind === 'scope')) throw AppError.notFound('Contact', id);
    throw err;
  }
  await saveContacts(deps.db, locationId, [newsFromGhl(contact, deps.clock.now())]);
  const learnt = await findContact(deps.db, locationId, id);
  if (!learnt) throw AppError.notFound('Contact', id);
  return contactView(learnt);
}

export interface NewPatient {
  location_id: string;
  first_name?: string;
  last_name?: string;
  name?: string;
  phone?: string;
  email?: string;
}

/** Creates the patient in GHL (or finds the one with the same email or phone) and keeps it. */
export async function createPatient(deps: Deps, access: Access, input: NewPatient): Promise<{ contact: ContactView; created: boolean }> {
  assertLocation(access, input.location_id);
  const body = {
    ...(input.first_name ? { firstName: input.first_name } : {}),
    ...(input.last_name ? { lastName: input.last_name } : {}),
    ...(input.name ? { name: input.name } : {}),
    ...(input.email ? { email: input.email } : {}),
    ...(input.phone ? { phone: input.phone } : {}),
  };
  const answer = await deps.ghl.client.upsertContact(input.location_id, body);
  const news = newsFromGhl(answer.contact, deps.clock.now());
  await saveContacts(deps.db, input.location_id, [{ ...news, fields: mergedFields(news.fields!, patientFromGhl(body)) }]);
  touchLocation(deps, input.location_id);
  const row = await findContact(deps.db, input.location_id, answer.contact.id);
  deps.logger.info('patient upserted in ghl', { location_id: input.location_id, contact_id: answer.contact.id, new: answer.new ?? null });
  return { contact: contactView(row!), created: answer.new === true };
}

/**
 * Contacts this isolate asked GHL for lately: a week of appointments for one patient GHL has not
 * told us of yet asks for it once a minute at most, not once per webhook. Bounded; per isolate.
 */
const askedBy = new WeakMap<object, Map<string, number>>();
const ASK_AGAIN_AFTER_MS = 60_000;
function askedLately(deps: Deps, key: string, now: number): boolean {
  // Kept beside the store, which lives as long as the isolate (or the Node process's deps).
  let asked = askedBy.get(deps.store);
  if (!asked) askedBy.set(deps.store, (asked = new Map()));
  const at = asked.get(key);
  if (at !== undefined && now - at < ASK_AGAIN_AFTER_MS) return true;
  if (asked.size >= 1000) asked.clear();
  asked.set(key, now);
  return false;
}

/** At most this many contacts fetched one by one per call: a sync job's share of the location's GHL budget. */
const FETCH_LIMIT = 200;
const FETCH_CONCURRENCY = 2;

/**
 * Contacts named by citas: citas get the details we hold; the ones we hold no account of are
 * fetched from GHL (through the location's rate limiter, a few at a time) and saved, a 404 saved as
 * deleted. After a webhook's answer (never in its hot path) and from the sync jobs.
 */
export async function learnContacts(
  deps: Deps,
  locationId: string,
  ids: string[],
  /** refetch: ask GHL even for contacts we hold (the full job); throttle: not an id asked lately (request paths). */
  opts: { refetch?: boolean; throttle?: boolean } = {},
): Promise<{ fetched: number; deleted: number; failed: number }> {
  const wanted = [...new Set(ids)].slice(0, FETCH_LIMIT);
  if (!wanted.length) return { fetched: 0, deleted: 0, failed: 0 };
  const now = deps.clock.now().getTime();
  const toFetch = opts.refetch ? wanted : (await fillCitasFromKnown(deps.db, locationId, wanted)).unknown.filter((id) => !opts.throttle || !askedLately(deps, `${locationId}|${id}`, now));
  const news: ContactNews[] = [];
  let failed = 0;
  const queue = [...toFetch];
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      try {
        news.push(newsFromGhl(await deps.ghl.client.getContact(locationId, id), deps.clock.now()));
      } catch (err) {
        if (err instanceof GhlError && err.kind === 'not_found') news.push({ id, fields: null, at: deps.clock.now() });
        else {
          failed++;
          if (!(err instanceof GhlError)) throw err;
          deps.logger.info('contact not fetched; the next sync tries again', { location_id: locationId, contact_id: id, kind: err.kind });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: FETCH_CONCURRENCY }, worker));
  const saved = await saveContacts(deps.db, locationId, news);
  if (saved.citas) touchLocation(deps, locationId);
  return { fetched: news.length, deleted: news.filter((n) => n.fields === null).length, failed };
}

export const CONTACTS_JOB_PATH = '/api/jobs/contacts';

/**
 * For a function that does not talk to GHL (the webhooks Worker): the contacts to learn go to the
 * jobs function as a queue message (QStash when deployed), de-duplicated per contact for QStash's
 * window, so a week of bookings for one new patient asks GHL once. Without a queue the incremental
 * job learns them within the hour.
 */
export async function learnContactsLater(deps: Deps, locationId: string, ids: string[], requestUrl: string): Promise<void> {
  if (!deps.queue || !ids.length) return;
  await deps.queue.publish({
    url: jobUrl(deps.config, requestUrl, CONTACTS_JOB_PATH),
    body: { location_id: locationId, contact_ids: ids },
    deduplicationId: `contacts-${locationId}-${ids.join('-')}`.slice(0, 200),
    // A burst of bookings for a new patient: its other webhooks commit their citas first, so the
    // one message that is kept fills them all (the incremental job catches any it still misses).
    delaySeconds: 2,
    retries: 3,
  });
}

/**
 * The incremental job's part: contacts citas name that we never learnt (a lost webhook, a failed
 * fetch), and citas that missed the details of a contact saved while they were being written.
 */
export async function learnUnknownContacts(deps: Deps, locationId: string) {
  const filled = await fillCitasMissingContact(deps.db, locationId);
  if (filled) touchLocation(deps, locationId);
  return learnContacts(deps, locationId, await unknownContactIds(deps.db, locationId, FETCH_LIMIT));
}

const PAGE = 500;
const MAX_PAGES = 100;

/**
 * The full job's first part, started beside its first appointment listing: every contact of the
 * location as GHL lists it (pages of 500), so renames whose webhooks were lost arrive, and so the
 * citas the job is about to insert get their patients from the database as they are written
 * (listed after them, the citas of a newly connected clinic were each written twice).
 */
export async function listAllContacts(deps: Deps, locationId: string): Promise<{ listed: Set<string>; calls: number }> {
  const now = deps.clock.now();
  const listed = new Set<string>();
  let calls = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const r = await deps.ghl.client.searchContacts(locationId, { pageLimit: PAGE, page });
    calls++;
    await saveContacts(deps.db, locationId, r.contacts.map((c) => newsFromGhl(c, now)));
    for (const c of r.contacts) listed.add(c.id);
    if (r.contacts.length < PAGE) break;
  }
  return { listed, calls };
}

/**
 * The full job's last part: the contacts we hold as alive, or that citas name, which the listing
 * did not show are asked for one by one (GHL's search index lags its writes by seconds, so absence
 * from a listing is no proof): a 404 marks them deleted.
 */
export async function checkUnlistedContacts(deps: Deps, locationId: string, listed: Set<string>) {
  const [inUse, live] = await Promise.all([contactIdsInUse(deps.db, locationId), liveContactIds(deps.db, locationId)]);
  const unseen = [...new Set([...inUse, ...live])].filter((id) => !listed.has(id));
  const checked = await learnContacts(deps, locationId, unseen, { refetch: true });
  if (checked.fetched) touchLocation(deps, locationId);
  return { listed: listed.size, checked: checked.fetched, deleted: checked.deleted, failed: checked.failed };
}
