import { createRoute, type RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, jsonBody, problems, security } from '../../http/openapi';
import { readSettings, writeSettings } from '../../locations/settings-service';
import { locationParams, putSettingsBody, settingsSchema } from './schemas';

const tags = ['Locations'];

const getSettingsRoute = createRoute({
  method: 'get',
  path: '/{locationId}/settings',
  operationId: 'getLocationSettings',
  summary: "A location's settings",
  tags,
  security: security.apiKey,
  request: { params: locationParams },
  responses: { 200: json(settingsSchema, 'The settings.'), ...problems(401, 404, 429, 503) },
});

const putSettingsRoute = createRoute({
  method: 'put',
  path: '/{locationId}/settings',
  operationId: 'putLocationSettings',
  summary: 'Choose calendars and time zone',
  description: 'Only the fields sent change. For a connected location every calendar must exist and be active in GHL.',
  tags,
  security: security.apiKey,
  request: { params: locationParams, body: jsonBody(putSettingsBody) },
  responses: { 200: json(settingsSchema, 'The settings as saved.'), ...problems(400, 401, 404, 413, 415, 422, 429, 503) },
});

const getSettingsHandler: RouteHandler<typeof getSettingsRoute, AppEnv> = async (c) =>
  c.json(await readSettings(c.var.deps, c.req.valid('param').locationId), 200);

const putSettingsHandler: RouteHandler<typeof putSettingsRoute, AppEnv> = async (c) =>
  c.json(await writeSettings(c.var.deps, c.req.valid('param').locationId, c.req.valid('json')), 200);

/** /api/locations/{locationId}/settings: default calendar, synced calendars, time zone. */
export const locationsRoutes = createRouter()
  .openapi(getSettingsRoute, getSettingsHandler)
  .openapi(putSettingsRoute, putSettingsHandler);
