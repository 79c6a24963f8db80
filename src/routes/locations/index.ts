import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { readJson, validate } from '../../http/json-body';
import { readSettings, writeSettings } from '../../locations/settings-service';
import { locationIdParam, putSettingsBody } from './schemas';

/** /api/locations/:locationId/settings: default calendar, synced calendars, time zone. */
export const locationsRoutes = new Hono<AppEnv>()
  .get('/:locationId/settings', async (c) => {
    const locationId = validate(locationIdParam, c.req.param('locationId'), 'locationId');
    return c.json(await readSettings(c.var.deps, locationId));
  })
  .put('/:locationId/settings', async (c) => {
    const locationId = validate(locationIdParam, c.req.param('locationId'), 'locationId');
    const body = await readJson(c, putSettingsBody);
    return c.json(await writeSettings(c.var.deps, locationId, body));
  });
