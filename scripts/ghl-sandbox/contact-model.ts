import type { Contact, ContactSearchItem, ContactView } from './types';

/**
 * Contacts as GHL keeps and shows them: how given fields are stored (emails lower-cased, phones
 * without formatting), the two answer shapes (GET/upsert, search items), and how a search query
 * matches. Records are never changed in place: every change stores a new object, so what a queued
 * webhook or a cached search key was made from stays as it was.
 */

export type ContactFields = Partial<Record<'firstName' | 'lastName' | 'name' | 'email' | 'phone', string>>;

const PERSON_FIELDS = ['firstName', 'lastName', 'name', 'email', 'phone'] as const;

export function emptyContact(id: string, locationId: string, nowMs: number): Contact {
  return { id, locationId, firstName: null, lastName: null, name: null, email: null, phone: null, addedMs: nowMs, updatedMs: nowMs, deleted: false };
}

/**
 * Upsert's rule: the given (non-empty) fields win, the rest stay. `name` follows first + last
 * unless it is given, as GHL derives it.
 */
export function buildContact(base: Contact, input: ContactFields): Contact {
  const firstName = input.firstName ?? base.firstName;
  const lastName = input.lastName ?? base.lastName;
  const derived = [firstName, lastName].filter(Boolean).join(' ');
  return {
    ...base,
    firstName,
    lastName,
    name: input.name ?? (derived || base.name),
    email: input.email !== undefined ? normalizeEmail(input.email) : base.email,
    phone: input.phone !== undefined ? normalizePhone(input.phone) : base.phone,
  };
}

/** A person's edit in GHL's UI: the given fields change, '' clears one. */
export function editContact(base: Contact, changes: ContactFields): Contact {
  // undefined: not given (keep); null: cleared.
  const given = (f: (typeof PERSON_FIELDS)[number]): string | null | undefined => {
    const v = changes[f]?.trim();
    return v === undefined ? undefined : v === '' ? null : v;
  };
  const keep = <T>(value: T | undefined, current: T): T => (value === undefined ? current : value);
  const firstName = keep(given('firstName'), base.firstName);
  const lastName = keep(given('lastName'), base.lastName);
  const namesChanged = changes.firstName !== undefined || changes.lastName !== undefined;
  const derivedName = namesChanged ? [firstName, lastName].filter(Boolean).join(' ') || null : base.name;
  const email = keep(given('email'), base.email);
  const phone = keep(given('phone'), base.phone);
  return {
    ...base,
    firstName,
    lastName,
    name: keep(given('name'), derivedName),
    email: email === null ? null : normalizeEmail(email),
    phone: phone === null ? null : normalizePhone(phone),
  };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** GHL stores phones as E.164: `+51 999-000 (111)` is kept as `+51999000111`. */
export function normalizePhone(phone: string): string {
  return phone.trim().replace(/[\s().-]/g, '');
}

export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

/** Contact dates read as GHL's do: ISO-8601 UTC with milliseconds. */
export function contactDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** A change's instant: now, or 1 ms after the last one if the clock has not moved past it. */
export function laterThan(nowMs: number, previousMs: number): number {
  return nowMs > previousMs ? nowMs : previousMs + 1;
}

/** The person fields that are known (absent, never null, where nobody gave them). */
export function personFields(c: Contact): ContactFields {
  const out: ContactFields = {};
  for (const f of PERSON_FIELDS) {
    const value = c[f];
    if (value !== null) out[f] = value;
  }
  return out;
}

export function contactView(c: Contact): ContactView {
  return { id: c.id, locationId: c.locationId, ...personFields(c), dateAdded: contactDate(c.addedMs), dateUpdated: contactDate(c.updatedMs) };
}

export function contactSearchItem(c: Contact): ContactSearchItem {
  const item: ContactSearchItem = { id: c.id, locationId: c.locationId, dateAdded: contactDate(c.addedMs), dateUpdated: contactDate(c.updatedMs), tags: [] };
  if (c.firstName !== null) Object.assign(item, { firstName: c.firstName, firstNameLowerCase: c.firstName.toLowerCase() });
  if (c.lastName !== null) Object.assign(item, { lastName: c.lastName, lastNameLowerCase: c.lastName.toLowerCase() });
  if (c.name !== null) item.contactName = c.name;
  if (c.email !== null) item.email = c.email;
  if (c.phone !== null) item.phone = c.phone;
  return item;
}

/** Lower case, accents dropped: «Pérez» and «perez» are the same to a search. */
export function folded(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// What a contact is searched by, made once per stored record (records are replaced, never edited).
const haystacks = new WeakMap<Contact, { text: string; digits: string }>();

function haystackOf(c: Contact): { text: string; digits: string } {
  let h = haystacks.get(c);
  if (!h) {
    h = { text: folded([c.firstName, c.lastName, c.name, c.email, c.phone].filter(Boolean).join(' ')), digits: c.phone ? phoneDigits(c.phone) : '' };
    haystacks.set(c, h);
  }
  return h;
}

/** A query's words, folded; `+51 999` is two words, each matched on its own. */
export function queryTerms(query: string): string[] {
  return folded(query).split(/\s+/).filter(Boolean);
}

const PHONE_LIKE = /^[+\d().-]+$/;

/**
 * Every word of the query is contained in the names, the email or the phone (case and accents
 * ignored); a word of digits also matches the phone's digits whatever its formatting.
 */
export function contactMatches(c: Contact, terms: string[]): boolean {
  const h = haystackOf(c);
  return terms.every((t) => h.text.includes(t) || (PHONE_LIKE.test(t) && phoneDigits(t) !== '' && h.digits.includes(phoneDigits(t))));
}
