import * as z from 'zod/v4';
import { isSaneInstantString } from '../domain/time';

/**
 * GHL payloads, parsed tolerantly: unknown fields pass through (GHL adds fields without notice and
 * misspells some, e.g. `appoinmentPerSlot`), and only what we rely on is required.
 */

const isoWithOffset = z.string().refine(isSaneInstantString, { message: 'not an ISO date-time within the years we accept' });

export const ghlAppointment = z.looseObject({
  id: z.string().min(1),
  calendarId: z.string().optional(),
  locationId: z.string().optional(),
  contactId: z.string().nullish(),
  title: z.string().nullish(),
  appointmentStatus: z.string().nullish(),
  assignedUserId: z.string().nullish(),
  notes: z.string().nullish(),
  description: z.string().nullish(),
  address: z.string().nullish(),
  startTime: isoWithOffset,
  endTime: isoWithOffset,
  dateAdded: isoWithOffset.nullish(),
  dateUpdated: isoWithOffset.nullish(),
});
export type GhlAppointment = z.output<typeof ghlAppointment>;

/** An appointment we can store: it parses, and it ends after it starts. */
export const usableAppointment = ghlAppointment.refine((a) => Date.parse(a.endTime) > Date.parse(a.startTime), {
  message: 'endTime must be after startTime',
  path: ['endTime'],
});

/** Create/update answers: the appointment itself, unwrapped, without dateAdded/dateUpdated. */
export const ghlAppointmentWriteResponse = ghlAppointment;
export const ghlAppointmentGetResponse = z.looseObject({ event: ghlAppointment });
/** Listings are read item by item (see GhlClient.listEvents): one bad appointment must not hide the rest. */
export const ghlEventsResponse = z.looseObject({ events: z.array(z.unknown()) });

export const ghlCalendar = z.looseObject({
  id: z.string().min(1),
  locationId: z.string().optional(),
  name: z.string().default(''),
  isActive: z.boolean().optional(),
  calendarType: z.string().optional(),
  teamMembers: z
    .array(z.looseObject({ userId: z.string(), isPrimary: z.boolean().optional(), priority: z.number().optional() }))
    .optional(),
  // Read tolerantly by domain/working-hours.ts: a malformed entry is dropped, not a failed listing.
  openHours: z.unknown().optional(),
  slotDuration: z.number().nullish(),
  slotDurationUnit: z.string().nullish(),
});
export type GhlCalendar = z.output<typeof ghlCalendar>;
export const ghlCalendarsResponse = z.looseObject({ calendars: z.array(ghlCalendar) });

export const ghlLocationResponse = z.looseObject({
  location: z.looseObject({ id: z.string(), name: z.string().optional(), timezone: z.string().nullish() }),
});

export const ghlContact = z.looseObject({
  id: z.string().min(1),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  name: z.string().nullish(),
  contactName: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  dateUpdated: z.string().nullish(),
});
export type GhlContact = z.output<typeof ghlContact>;
export const ghlContactGetResponse = z.looseObject({ contact: ghlContact });
export const ghlContactSearchResponse = z.looseObject({ contacts: z.array(ghlContact), total: z.number().optional() });
export const ghlContactUpsertResponse = z.looseObject({ new: z.boolean().optional(), contact: ghlContact });

export const ghlTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive(),
  scope: z.string().optional(),
  locationId: z.string().optional(),
  companyId: z.string().optional(),
  userType: z.string().optional(),
});
export type GhlTokenResponse = z.output<typeof ghlTokenResponse>;

/** What we send to create or update an appointment. */
export interface AppointmentWrite {
  calendarId: string;
  locationId?: string;
  contactId?: string;
  startTime: string;
  endTime: string;
  title: string;
  appointmentStatus: string;
  assignedUserId?: string;
  description?: string;
  ignoreFreeSlotValidation: boolean;
  ignoreDateRange?: boolean;
  toNotify?: boolean;
}

/** A blocked slot as GHL lists and answers it (startTime/endTime typed `object` in the document: strings in its examples). */
export const ghlBlockedSlot = z.looseObject({
  id: z.string().min(1),
  locationId: z.string().optional(),
  calendarId: z.string().nullish(),
  title: z.string().nullish(),
  startTime: isoWithOffset,
  endTime: isoWithOffset,
  assignedUserId: z.string().nullish(),
});
export type GhlBlockedSlot = z.output<typeof ghlBlockedSlot>;
export const ghlBlockedSlotsResponse = z.looseObject({ events: z.array(z.unknown()) });
export const ghlDeleteEventResponse = z.looseObject({ succeeded: z.boolean().optional() });
/** `{"2024-10-28": {"slots": ["2024-10-28T10:00:00-05:00", …]}, …}` (other keys, e.g. traceId, ignored). */
export const ghlFreeSlotsResponse = z.record(z.string(), z.unknown());

/** What we send to create or edit a block slot. */
export interface BlockSlotWrite {
  calendarId: string;
  locationId: string;
  title: string;
  startTime: string;
  endTime: string;
}
