import * as z from 'zod';
import { CITA_STATUSES, type CitaStatus } from '../db/schema';
import { ghlAppointment, type GhlAppointment } from '../ghl/schemas';
import { notesFromDescription } from '../sync/appointment-mapping';

/**
 * GHL webhook payloads, parsed tolerantly: unknown fields pass, GHL's misspellings are accepted
 * (`appoinmentStatus`), and the examples' wrong `type` on Update/Delete does not matter because
 * the type is only read from the envelope.
 */

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not an ISO date-time' });

export const webhookEnvelope = z.looseObject({
  type: z.string().min(1).max(100),
  webhookId: z.string().min(1).max(200),
  timestamp: isoInstant,
  locationId: z.string().min(1).max(128).optional(),
});

// The API's appointment, stricter where a webhook must be usable on its own.
const appointment = ghlAppointment.extend({
  id: z.string().min(1).max(128),
  calendarId: z.string().min(1).max(128),
  appoinmentStatus: z.string().nullish(),
});

export const appointmentWebhook = z.looseObject({
  type: z.enum(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']),
  locationId: z.string().min(1).max(128),
  appointment,
});

export const APPOINTMENT_TYPES = new Set(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']);
export const INSTALL_TYPES = new Set(['INSTALL', 'UNINSTALL']);

/** An appointment as the inbound side needs it, whatever carried it (webhook or a sync job's fetch). */
export interface IncomingAppointment {
  id: string;
  locationId: string;
  calendarId: string;
  contactId: string | null;
  title: string | null;
  status: CitaStatus | null;
  assignedUserId: string | null;
  notes: string | null;
  startTime: Date;
  endTime: Date;
  dateUpdated: Date | null;
  deleted: boolean;
}

/** GHL responses may say `active`/`completed`; everything else is already our vocabulary. */
export function statusFromGhl(raw: string | null | undefined): CitaStatus | null {
  if (!raw) return null;
  const s = raw.toLowerCase();
  if ((CITA_STATUSES as readonly string[]).includes(s)) return s as CitaStatus;
  if (s === 'active') return 'confirmed';
  if (s === 'completed') return 'showed';
  return null;
}

export function incomingFromWebhook(p: z.output<typeof appointmentWebhook>): IncomingAppointment {
  return incomingFromGhl(p.locationId, p.appointment, p.type === 'AppointmentDelete');
}

/** A GHL appointment (webhook payload or API listing) as the inbound side needs it. */
export function incomingFromGhl(
  locationId: string,
  a: GhlAppointment & { appoinmentStatus?: string | null },
  deleted = false,
): IncomingAppointment {
  return {
    id: a.id,
    locationId,
    calendarId: a.calendarId ?? '',
    contactId: a.contactId || null,
    title: a.title || null,
    status: statusFromGhl(a.appointmentStatus ?? a.appoinmentStatus),
    assignedUserId: a.assignedUserId || null,
    // Listings carry the description (our marker stripped, it is the notes); webhooks only notes.
    notes: a.notes || notesFromDescription(a.description),
    startTime: new Date(a.startTime),
    endTime: new Date(a.endTime),
    dateUpdated: a.dateUpdated ? new Date(a.dateUpdated) : null,
    deleted,
  };
}
