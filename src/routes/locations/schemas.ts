import * as z from 'zod';
import { externalId } from '../../domain/ids';
import { isValidZone } from '../../domain/time';

export const putSettingsBody = z.strictObject({
  default_calendar_id: externalId.nullable().optional(),
  /** Several calendars per location: one per doctor or room. */
  synced_calendar_ids: z.array(externalId).max(100).optional(),
  time_zone: z
    .string()
    .refine(isValidZone, { message: 'not a known IANA time zone (e.g. America/Lima)' })
    .nullable()
    .optional(),
});

export const locationIdParam = externalId;
