import * as z from 'zod/v4';
import { externalId } from '../../domain/ids';
import { isValidZone } from '../../domain/time';

const NOTIFY_PATIENTS = "Sent as `toNotify` on every push: true lets GHL's automations message patients.";

export const locationParams = z.object({ locationId: externalId().meta({ param: { name: 'locationId', in: 'path' }, example: 'demo-location' }) });

export const putSettingsBody = z
  .strictObject({
    default_calendar_id: externalId().nullable().optional().meta({ example: 'demo-cal-dra-gomez' }),
    /** Several calendars per location: one per doctor or room. */
    synced_calendar_ids: z.array(externalId()).max(100).optional().meta({ description: 'Calendars synced with GHL (one per doctor or room); the default is always one.' }),
    time_zone: z
      .string()
      .refine(isValidZone, { message: 'not a known IANA time zone (e.g. America/Lima)' })
      .nullable()
      .optional()
      .meta({ description: "IANA zone; null → the GHL location's zone, else the service default.", example: 'America/Lima' }),
    notify_patients: z.boolean().optional().meta({ description: NOTIFY_PATIENTS, example: true }),
  })
  .meta({ id: 'SettingsUpdate' });

export const settingsSchema = z
  .object({
    location_id: z.string(),
    default_calendar_id: z.string().nullable(),
    synced_calendar_ids: z.array(z.string()),
    time_zone: z.string().meta({ example: 'America/Lima' }),
    time_zone_source: z.enum(['settings', 'ghl', 'default']),
    notify_patients: z.boolean().meta({ description: NOTIFY_PATIENTS }),
    ghl_connected: z.boolean(),
    updated_at: z.string().nullable(),
  })
  .meta({ id: 'LocationSettings' });

export const locationSchema = settingsSchema
  .extend({
    connection: z
      .object({ status: z.enum(['active', 'reauth_required', 'uninstalled']), auth_type: z.enum(['oauth', 'pit']), last_error: z.string().nullable() })
      .nullable()
      .meta({ description: 'The GHL connection; null when the location was never connected.' }),
  })
  .meta({ id: 'Location' });
