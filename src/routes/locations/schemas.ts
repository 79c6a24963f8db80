import { z } from '@hono/zod-openapi';
import { externalId } from '../../domain/ids';
import { isValidZone } from '../../domain/time';

export const locationParams = z.object({ locationId: externalId().openapi({ param: { name: 'locationId', in: 'path' }, example: 'demo-location' }) });

export const putSettingsBody = z
  .strictObject({
    default_calendar_id: externalId().nullable().optional().openapi({ example: 'demo-cal-dra-gomez' }),
    /** Several calendars per location: one per doctor or room. */
    synced_calendar_ids: z.array(externalId()).max(100).optional().openapi({ description: 'Calendars synced with GHL (one per doctor or room); the default is always one.' }),
    time_zone: z
      .string()
      .refine(isValidZone, { message: 'not a known IANA time zone (e.g. America/Lima)' })
      .nullable()
      .optional()
      .openapi({ description: "IANA zone; null → the GHL location's zone, else the service default.", example: 'America/Lima' }),
  })
  .openapi('SettingsUpdate');

export const settingsSchema = z
  .object({
    location_id: z.string(),
    default_calendar_id: z.string().nullable(),
    synced_calendar_ids: z.array(z.string()),
    time_zone: z.string().openapi({ example: 'America/Lima' }),
    time_zone_source: z.enum(['settings', 'ghl', 'default']),
    ghl_connected: z.boolean(),
    updated_at: z.string().nullable(),
  })
  .openapi('LocationSettings');

export const locationSchema = settingsSchema
  .extend({
    connection: z
      .object({ status: z.enum(['active', 'reauth_required', 'uninstalled']), auth_type: z.enum(['oauth', 'pit']), last_error: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The GHL connection; null when the location was never connected.' }),
  })
  .openapi('Location');
