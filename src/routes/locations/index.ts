import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import * as z from 'zod/v4';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, jsonBody, problems, security } from '../../http/openapi';
import { listLocations, readSettings, writeSettings } from '../../locations/settings-service';
import { accessOf } from '../../http/caller';
import { locationParams, locationSchema, putSettingsBody, settingsSchema } from './schemas';
import { touchLocation } from '../../locations/location-rev';

const tags = ['Locations'];

const getSettingsRoute = defineRoute({
  method: 'get',
  path: '/{locationId}/settings',
  operationId: 'getLocationSettings',
  summary: "A location's settings",
  description: 'Calendars, time zone (and its source), GHL connection.',
  tags,
  security: security.apiKey,
  request: { params: locationParams },
  responses: { 200: json(settingsSchema, 'The settings.'), ...problems(401, 404, 429, 503) },
});

const putSettingsRoute = defineRoute({
  method: 'put',
  path: '/{locationId}/settings',
  operationId: 'putLocationSettings',
  summary: 'Choose calendars, time zone, notifications',
  description:
    'Only the fields sent change. For a connected location every calendar must exist and be active in GHL. ' +
    '`notify_patients`: default true, as in GHL (a missed reminder costs more than a duplicate).',
  tags,
  security: security.apiKey,
  request: { params: locationParams, body: jsonBody(putSettingsBody) },
  responses: { 200: json(settingsSchema, 'The settings as saved.'), ...problems(400, 401, 404, 413, 415, 422, 429, 503) },
});

const listLocationsRoute = defineRoute({
  method: 'get',
  path: '/',
  operationId: 'listLocations',
  summary: 'The locations this key may use',
  description: 'Each with its settings and GHL connection state. A key limited to locations sees those; a bootstrap key sees every location we know.',
  tags,
  security: security.apiKey,
  responses: { 200: json(z.object({ data: z.array(locationSchema) }).meta({ id: 'LocationList' }), 'The locations.'), ...problems(401, 429, 503) },
});

const listLocationsHandler: RouteHandler<typeof listLocationsRoute, AppEnv> = async (c) =>
  c.json({ data: await listLocations(c.get('deps'), accessOf(c)) }, 200);

const getSettingsHandler: RouteHandler<typeof getSettingsRoute, AppEnv> = async (c) =>
  c.json(await readSettings(c.get('deps'), c.req.valid('param').locationId, accessOf(c)), 200);

const putSettingsHandler: RouteHandler<typeof putSettingsRoute, AppEnv> = async (c) => {
  const { locationId } = c.req.valid('param');
  const saved = await writeSettings(c.get('deps'), locationId, c.req.valid('json'), accessOf(c));
  // The zone shapes every time the list shows.
  touchLocation(c.get('deps'), locationId);
  return c.json(saved, 200);
};

/** /api/locations: the locations a key may use; their settings (default calendar, synced calendars, time zone). */
export const locationsRoutes = createRouter()
  .openapi(listLocationsRoute, listLocationsHandler)
  .openapi(getSettingsRoute, getSettingsHandler)
  .openapi(putSettingsRoute, putSettingsHandler);
