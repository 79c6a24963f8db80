import { Hono } from 'hono';
import { buildContact, contactMatches, contactSearchItem, contactView, emptyContact, laterThan, queryTerms } from '../contact-model';
import type { SandboxCore } from '../core';
import { GhlError, traceId } from '../errors';
import { readJsonObject, requireLocation, requireScope } from '../guards';
import { ghlId } from '../ids';

const CONTACT_FIELDS = ['firstName', 'lastName', 'name', 'email', 'phone'] as const;
/** GHL's search pages hold at most this many contacts. */
const MAX_PAGE_LIMIT = 500;
/** Search features GHL has and the sandbox does not: refused rather than ignored, so no answer is silently wrong. */
const UNSUPPORTED_SEARCH_FIELDS = ['filters', 'sort', 'searchAfter'];

export function contactRoutes(core: SandboxCore) {
  const app = new Hono();
  const { store } = core;

  /** Finds the location's contact with the same email or phone and updates it, or creates one: ContactCreate or ContactUpdate. */
  app.post('/contacts/upsert', async (c) => {
    requireScope(c, 'contacts.write');
    const body = await readJsonObject(c);
    const problems: string[] = [];
    if (typeof body.locationId !== 'string' || body.locationId === '') problems.push('locationId should not be empty');
    for (const f of CONTACT_FIELDS) {
      if (body[f] !== undefined && body[f] !== null && typeof body[f] !== 'string') problems.push(`${f} must be a string`);
    }
    if (problems.length > 0) throw GhlError.unprocessable(problems);
    const locationId = body.locationId as string;
    requireLocation(c, locationId);

    const input: Partial<Record<(typeof CONTACT_FIELDS)[number], string>> = {};
    for (const f of CONTACT_FIELDS) if (typeof body[f] === 'string' && body[f] !== '') input[f] = body[f] as string;
    const existing = store.findContactFor(locationId, input.email ?? null, input.phone ?? null);
    const nowMs = core.now();
    // Any upsert of an existing contact is a save: dateUpdated moves and ContactUpdate goes out, changed or not.
    const contact = existing
      ? { ...buildContact(existing, input), updatedMs: laterThan(nowMs, existing.updatedMs) }
      : buildContact(emptyContact(ghlId(), locationId, nowMs), input);
    store.contacts.set(contact.id, contact);
    core.contactChanged(existing ? 'ContactUpdate' : 'ContactCreate', contact);
    return c.json({ new: !existing, contact: contactView(contact), traceId: traceId() }, 200);
  });

  /**
   * `POST /contacts/search` with `query` (every word in the names, email or phone; case and
   * accents ignored) or without (all of them), paged by `page` (from 1) and `pageLimit`, oldest
   * first. Deleted contacts are not found. contacts.json declares only 400 for bad input.
   */
  app.post('/contacts/search', async (c) => {
    requireScope(c, 'contacts.readonly');
    const body = await readJsonObject(c);
    const problems = searchProblems(body);
    if (problems.length > 0) throw GhlError.invalidSearchRequest(problems);
    const locationId = body.locationId as string;
    requireLocation(c, locationId);

    const terms = typeof body.query === 'string' ? queryTerms(body.query) : [];
    const found = terms.length > 0 ? store.liveContacts(locationId).filter((contact) => contactMatches(contact, terms)) : store.liveContacts(locationId);
    const pageLimit = body.pageLimit as number;
    const page = (body.page as number | undefined) ?? 1;
    const contacts = found.slice((page - 1) * pageLimit, page * pageLimit).map(contactSearchItem);
    return c.json({ contacts, total: found.length, traceId: traceId() });
  });

  app.get('/contacts/:contactId', (c) => {
    requireScope(c, 'contacts.readonly');
    // A deleted contact is gone for the API, as an unknown one.
    const contact = store.liveContact(c.req.param('contactId'));
    if (!contact) throw GhlError.notFound('Contact not found');
    requireLocation(c, contact.locationId);
    return c.json({ contact: contactView(contact), traceId: traceId() });
  });

  return app;
}

/** class-validator style messages, one per bad field. */
function searchProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (body.locationId === undefined || body.locationId === null || body.locationId === '') problems.push('locationId should not be empty');
  else if (typeof body.locationId !== 'string') problems.push('locationId must be a string');
  if (body.pageLimit === undefined || body.pageLimit === null) problems.push('pageLimit should not be empty');
  else if (!Number.isInteger(body.pageLimit)) problems.push('pageLimit must be an integer number');
  else if ((body.pageLimit as number) < 1) problems.push('pageLimit must not be less than 1');
  else if ((body.pageLimit as number) > MAX_PAGE_LIMIT) problems.push(`pageLimit must not be greater than ${MAX_PAGE_LIMIT}`);
  if (body.page !== undefined) {
    if (!Number.isInteger(body.page)) problems.push('page must be an integer number');
    else if ((body.page as number) < 1) problems.push('page must not be less than 1');
  }
  if (body.query !== undefined && typeof body.query !== 'string') problems.push('query must be a string');
  for (const f of UNSUPPORTED_SEARCH_FIELDS) {
    const v = body[f];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) problems.push(`${f} is not implemented by the GHL sandbox (use query and page)`);
  }
  return problems;
}
