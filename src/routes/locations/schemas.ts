import * as z from 'zod';
import { isValidZone } from '../../domain/time';

export const putSettingsBody = z.strictObject({
  default_calendar_id: z.string().trim().min(1).max(128).nullable().optional(),
  time_zone: z
    .string()
    .refine(isValidZone, { message: 'not a known IANA time zone (e.g. America/Lima)' })
    .nullable()
    .optional(),
});

export const locationIdParam = z.string().trim().min(1).max(128);
