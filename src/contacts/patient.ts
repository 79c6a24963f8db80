import type { ContactDetails } from '../db/schema';

/**
 * Patients as GHL keeps them (GHL is their source of truth), as pure functions: what we store of a
 * GHL contact, what a cita shows of it, and how a typed search matches it. No I/O here.
 */

/** The fields we keep of a GHL contact: enough to greet, call and find a patient. */
export interface PatientFields {
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
}

/** A GHL contact (GET /contacts/{id}, search, upsert answers, Contact* webhooks) → our fields. */
export function patientFromGhl(c: { firstName?: unknown; lastName?: unknown; name?: unknown; contactName?: unknown; phone?: unknown; email?: unknown }): PatientFields {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return {
    firstName: text(c.firstName),
    lastName: text(c.lastName),
    name: text(c.name) ?? text(c.contactName),
    phone: text(c.phone),
    email: text(c.email)?.toLowerCase() ?? null,
  };
}

/** GHL's answer, its gaps filled from what we sent (an upsert's answer may leave out what it matched on). */
export function mergedFields(got: PatientFields, sent: PatientFields): PatientFields {
  return {
    firstName: got.firstName ?? sent.firstName,
    lastName: got.lastName ?? sent.lastName,
    name: got.name ?? sent.name,
    phone: got.phone ?? sent.phone,
    email: got.email ?? sent.email,
  };
}

/** The name a person reads: GHL's full name, else first and last, else null (the page says «sin nombre»). */
export function displayName(p: Pick<PatientFields, 'firstName' | 'lastName' | 'name'>): string | null {
  return p.name ?? ([p.firstName, p.lastName].filter(Boolean).join(' ') || null);
}

/** What a cita carries of its patient (citas.contact): the last known details, and whether GHL deleted it. */
export function citaContactOf(p: PatientFields, deleted: boolean): ContactDetails {
  const out: ContactDetails = {};
  const name = displayName(p);
  if (name) out.name = name;
  if (p.firstName) out.first_name = p.firstName;
  if (p.lastName) out.last_name = p.lastName;
  if (p.phone) out.phone = p.phone;
  if (p.email) out.email = p.email;
  if (deleted) out.deleted = true;
  return out;
}

/** Lower case, accents off (Pérez ~ perez), spaces folded: how names are compared in a search. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The text a search matches (contacts.search_text): names and email folded, and the phone's digits
 * (with and without Peru's +51), so "ana perez", "pérez", "987 654 321" and "ana@" all find Ana.
 */
export function searchTextOf(p: PatientFields): string {
  const digits = p.phone?.replace(/\D/g, '') ?? '';
  const local = digits.startsWith('51') && digits.length === 11 ? digits.slice(2) : '';
  return [displayName(p), p.firstName, p.lastName, p.email, digits, local].filter(Boolean).map((s) => fold(s!)).join(' | ');
}

/**
 * A typed query → the LIKE patterns every one of which a patient's search text must contain: each
 * word folded; a word that is mostly a phone number matches by its digits alone ("987-654-321").
 * LIKE's own wildcards are escaped: a person typing "_" or "%" means those characters.
 */
export function searchPatterns(q: string): string[] {
  return fold(q)
    .split(' ')
    .map((w) => (/^[+\d() -]{3,}$/.test(w) && /\d{3}/.test(w) ? w.replace(/\D/g, '') : w))
    .filter((w) => w.length > 0)
    .slice(0, 6)
    .map((w) => `%${w.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
}

/**
 * A GHL contact as an account to save: its fields and when GHL held them (its dateUpdated, else
 * `now`, when we heard it), which orders accounts against each other.
 */
export function newsFromGhl(c: { id: string; dateUpdated?: string | null } & Parameters<typeof patientFromGhl>[0], now: Date): { id: string; fields: PatientFields; at: Date } {
  const updated = c.dateUpdated ? Date.parse(c.dateUpdated) : NaN;
  return { id: c.id, fields: patientFromGhl(c), at: Number.isFinite(updated) ? new Date(updated) : now };
}
