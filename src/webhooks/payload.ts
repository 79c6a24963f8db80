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

/** `observedAt`: when GHL emitted the event (its `timestamp`), which orders it against what we know. */
export function parseEvent(type: string, locationId: string | null, payload: unknown, observedAt: Date): ParsedEvent {
  if (APPOINTMENT_TYPES.has(type)) {
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
