import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { readJson, validate } from '../../http/json-body';
import { getLocationSettings, upsertLocationSettings } from '../../locations/settings-repo';
import type { LocationSettingsRow } from '../../db/schema';
import { formatUtc } from '../../domain/time';
import { locationIdParam, putSettingsBody } from './schemas';

/** /api/locations/:locationId/settings: which calendar citas go to by default, and the zone. */
export const locationsRoutes = new Hono<AppEnv>()
  .get('/:locationId/settings', async (c) => {
    const locationId = validate(locationIdParam, c.req.param('locationId'), 'locationId');
    const row = await getLocationSettings(c.var.deps.db, locationId);
    return c.json(settingsView(locationId, row, c.var.deps.config.APP_TIMEZONE));
  })
  .put('/:locationId/settings', async (c) => {
    const locationId = validate(locationIdParam, c.req.param('locationId'), 'locationId');
    const body = await readJson(c, putSettingsBody);
    const current = await getLocationSettings(c.var.deps.db, locationId);
    const row = await upsertLocationSettings(c.var.deps.db, {
      locationId,
      defaultCalendarId: body.default_calendar_id !== undefined ? body.default_calendar_id : (current?.defaultCalendarId ?? null),
      timeZone: body.time_zone !== undefined ? body.time_zone : (current?.timeZone ?? null),
      updatedAt: c.var.deps.clock.now(),
    });
    return c.json(settingsView(locationId, row, c.var.deps.config.APP_TIMEZONE));
  });

function settingsView(locationId: string, row: LocationSettingsRow | null, fallbackZone: string) {
  return {
    location_id: locationId,
    default_calendar_id: row?.defaultCalendarId ?? null,
    time_zone: row?.timeZone ?? fallbackZone,
    time_zone_is_default: !row?.timeZone,
    updated_at: row ? formatUtc(row.updatedAt) : null,
  };
}
