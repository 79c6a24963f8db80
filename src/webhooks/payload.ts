import * as z from 'zod/v4';
import { externalId } from '../domain/ids';
import { isSaneInstantString } from '../domain/time';
import { ghlAppointment } from '../ghl/schemas';
import { incomingFromGhl, type IncomingAppointment } from '../sync/appointment-mapping';
import { patientFromGhl } from '../contacts/patient';
import type { ContactNews } from '../contacts/contacts-repo';

/**
 * GHL webhook payloads, parsed tolerantly: unknown fields pass, GHL's misspellings are accepted
 * (`appoinmentStatus`), and the examples' wrong `type` on Update/Delete does not matter because
 * the type is only read from the envelope.
 */

const isoInstant = z.string().refine(isSaneInstantString, { message: 'not an ISO date-time within the years we accept' });

export const webhookEnvelope = z.looseObject({
  type: z.string().min(1).max(100),
  webhookId: z.string().min(1).max(200),
  timestamp: isoInstant,
  locationId: externalId().optional(),
});

// The API's appointment, stricter where a webhook must be usable on its own.
const appointment = ghlAppointment.extend({
  id: externalId(),
  calendarId: externalId(),
  appoinmentStatus: z.string().nullish(),
});

export const appointmentWebhook = z.looseObject({
  type: z.enum(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']),
  locationId: externalId(),
  appointment: appointment.refine((a) => Date.parse(a.endTime) > Date.parse(a.startTime), {
    message: 'endTime must be after startTime',
    path: ['endTime'],
  }),
});

const APPOINTMENT_TYPES = new Set(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']);

/** GHL's Contact* events (ContactCreate.md etc.): the contact's fields at the top level. */
export const contactWebhook = z.looseObject({
  type: z.enum(['ContactCreate', 'ContactUpdate', 'ContactDelete']),
  locationId: externalId(),
  id: externalId(),
  firstName: z.string().max(200).nullish(),
  lastName: z.string().max(200).nullish(),
  name: z.string().max(400).nullish(),
  email: z.string().max(320).nullish(),
  phone: z.string().max(50).nullish(),
});
const CONTACT_TYPES = new Set(['ContactCreate', 'ContactUpdate', 'ContactDelete']);

/** What a signed delivery asks of us, decided from its payload alone (no I/O). */
export type ParsedEvent =
  | { kind: 'appointment'; appointment: IncomingAppointment }
  /** A patient created, changed or deleted in GHL; ordered by the event's `timestamp` (Contact* events carry no dateUpdated). */
  | { kind: 'contact'; locationId: string; news: ContactNews }
  /** `at`: when GHL removed the app (the event's `timestamp`). */
  | { kind: 'uninstall'; locationId: string | null; at: Date }
  /** INSTALL carries no tokens (those arrive through /oauth/callback): recorded only. */
  | { kind: 'install' }
  /** An event type we do not handle: recorded as ignored. */
  | { kind: 'ignored' }
  /** Signed but not a valid event of its type: final, never worth a re-delivery. */
  | { kind: 'invalid'; reason: string; fields: { field: string; message: string }[] };

// ── The common case without zod ───────────────────────────────────────────────────────────────
// Every delivery is parsed, and on Workers zod's object parsing (issues, copies of each level) was
// a visible share of a webhook's CPU. A well-formed delivery is recognised by hand here, with the
// schemas' exact rules and outputs; anything the hand check does not accept goes to the schema,
// which accepts or refuses it and says why. So the schemas stay the only definition of what is
// refused (test/unit/webhook-payload.test.ts holds the two to the same answers).

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
/** externalId(): trimmed, 1–128 characters; undefined when not. */
function idOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t.length >= 1 && t.length <= 128 ? t : undefined;
}
const isInstant = (v: unknown): v is string => typeof v === 'string' && isSaneInstantString(v);
const isOptionalText = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/** webhookEnvelope's output for a delivery it plainly accepts, or null (then ask the schema). */
export function quickEnvelope(payload: unknown): z.output<typeof webhookEnvelope> | null {
  if (!isPlain(payload)) return null;
  const { type, webhookId, timestamp, locationId } = payload;
  if (typeof type !== 'string' || type.length < 1 || type.length > 100) return null;
  if (typeof webhookId !== 'string' || webhookId.length < 1 || webhookId.length > 200) return null;
  if (!isInstant(timestamp)) return null;
  const location = locationId === undefined ? undefined : idOf(locationId);
  if (locationId !== undefined && location === undefined) return null;
  return { type, webhookId, timestamp, ...(location !== undefined ? { locationId: location } : {}) };
}

const APPOINTMENT_TEXT = ['contactId', 'title', 'appointmentStatus', 'assignedUserId', 'notes', 'description', 'address', 'appoinmentStatus'] as const;

/**
 * appointmentWebhook's appointment for a delivery it plainly accepts (the fields incomingFromGhl
 * reads, ids trimmed as the schema trims them), or null (then ask the schema).
 */
function quickAppointment(payload: unknown): { deleted: boolean; locationId: string; appointment: Parameters<typeof incomingFromGhl>[1] } | null {
  if (!isPlain(payload) || typeof payload.type !== 'string' || !APPOINTMENT_TYPES.has(payload.type)) return null;
  const locationId = idOf(payload.locationId);
  const a = payload.appointment;
  if (locationId === undefined || !isPlain(a)) return null;
  const id = idOf(a.id);
  const calendarId = idOf(a.calendarId);
  if (id === undefined || calendarId === undefined) return null;
  if (a.locationId !== undefined && typeof a.locationId !== 'string') return null;
  for (const k of APPOINTMENT_TEXT) if (!isOptionalText(a[k])) return null;
  const { startTime, endTime, dateAdded, dateUpdated } = a;
  if (!isInstant(startTime) || !isInstant(endTime)) return null;
  if (dateAdded !== undefined && dateAdded !== null && !isInstant(dateAdded)) return null;
  if (dateUpdated !== undefined && dateUpdated !== null && !isInstant(dateUpdated)) return null;
  if (!(Date.parse(endTime) > Date.parse(startTime))) return null;
  return { deleted: payload.type === 'AppointmentDelete', locationId, appointment: { ...a, id, calendarId, startTime, endTime } as Parameters<typeof incomingFromGhl>[1] };
}

/** `observedAt`: when GHL emitted the event (its `timestamp`), which orders it against what we know. */
export function parseEvent(type: string, locationId: string | null, payload: unknown, observedAt: Date): ParsedEvent {
  if (APPOINTMENT_TYPES.has(type)) {
    const quick = quickAppointment(payload);
    if (quick) return { kind: 'appointment', appointment: incomingFromGhl(quick.locationId, quick.appointment, { deleted: quick.deleted, observedAt }) };
    const parsed = appointmentWebhook.safeParse(payload);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      return { kind: 'invalid', reason: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields };
    }
    const p = parsed.data;
    return { kind: 'appointment', appointment: incomingFromGhl(p.locationId, p.appointment, { deleted: p.type === 'AppointmentDelete', observedAt }) };
  }
  if (CONTACT_TYPES.has(type)) {
    const parsed = contactWebhook.safeParse(payload);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      return { kind: 'invalid', reason: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields };
    }
    const p = parsed.data;
    return { kind: 'contact', locationId: p.locationId, news: { id: p.id, fields: type === 'ContactDelete' ? null : patientFromGhl(p), at: observedAt } };
  }
  if (type === 'UNINSTALL') return { kind: 'uninstall', locationId, at: observedAt };
  if (type === 'INSTALL') return { kind: 'install' };
  return { kind: 'ignored' };
}
