import * as z from 'zod';
import { isValidZone } from '../../domain/time';

const calendarId = z.string().trim().min(1).max(128);

export const putSettingsBody = z.strictObject({
  default_calendar_id: calendarId.nullable().optional(),
  /** Several calendars per location: one per doctor or room. */
  synced_calendar_ids: z.array(calendarId).max(100).optional(),
  time_zone: z
    .string()
    .refine(isValidZone, { message: 'not a known IANA time zone (e.g. America/Lima)' })
    .nullable()
    .optional(),
});

export const locationIdParam = z.string().trim().min(1).max(128);
