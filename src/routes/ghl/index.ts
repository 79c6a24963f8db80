import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import * as z from 'zod/v4';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, problems, security } from '../../http/openapi';
import { externalId } from '../../domain/ids';
import { calendarsFor } from '../../locations/calendars';
import { freeSlotsFor } from '../../locations/free-slots';
import { MAX_YEAR, MIN_YEAR } from '../../domain/time';
import { accessOf } from '../../http/caller';

const calendarsQuery = z.strictObject({
  location_id: externalId().meta({ example: 'demo-location' }),
  refresh: z.enum(['0', '1', 'true', 'false']).optional().meta({ description: 'Skip the 5-minute cache.' }),
});

const calendarSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    active: z.boolean().meta({ description: 'Inactive (draft) calendars cannot be chosen.' }),
    type: z.string().nullable(),
    team_members: z.array(z.object({ user_id: z.string(), is_primary: z.boolean() })),
    open_hours: z
      .array(
        z.object({
          days: z.array(z.number().int().min(0).max(6)).meta({ description: '0 = Sunday … 6 = Saturday (GHL\'s daysOfTheWeek).' }),
          hours: z.array(z.object({ open: z.string().meta({ example: '09:00' }), close: z.string().meta({ example: '18:00' }) })),
        }),
      )
      .nullable()
      .meta({ description: "GHL's working hours in the location's wall clock (a close at or before the opening runs past midnight); null: none known, nothing is refused for hours." }),
    slot_duration_minutes: z.number().nullable().meta({ description: "GHL's slot length." }),
  })
  .meta({ id: 'Calendar' });

const freeSlotsParams = z.object({ calendarId: externalId().meta({ param: { name: 'calendarId', in: 'path' }, example: 'demo-calendar' }) });
const freeSlotsQuery = z.strictObject({
  location_id: externalId().meta({ example: 'demo-location' }),
  fecha: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, `not a valid calendar date (YYYY-MM-DD, years ${MIN_YEAR}–${MAX_YEAR})`).meta({ description: "A day in the location's zone.", example: '2026-12-14' }),
});
const freeSlotsSchema = z
  .object({
    location_id: z.string(),
    calendar_id: z.string(),
    fecha: z.string(),
    time_zone: z.string(),
    slots: z.array(z.object({ start_time: z.string().meta({ example: '2026-12-14T09:00:00-05:00' }), end_time: z.string().meta({ example: '2026-12-14T09:30:00-05:00' }) })),
  })
  .meta({ id: 'FreeSlots' });

const freeSlotsRoute = defineRoute({
  method: 'get',
  path: '/calendars/{calendarId}/free-slots',
  operationId: 'listFreeSlots',
  summary: "A calendar's free slots on a day",
  description: "Asked of GHL at once (its own slot length, buffers, hours and blocks apply); each slot's end is its start plus the calendar's slot length.",
  tags: ['GHL'],
  security: security.apiKey,
  request: { params: freeSlotsParams, query: freeSlotsQuery },
  responses: { 200: json(freeSlotsSchema, 'The free slots, in order.'), ...problems(401, 404, 409, 422, 429, 503) },
});

const freeSlotsHandler: RouteHandler<typeof freeSlotsRoute, AppEnv> = async (c) => {
  const { calendarId } = c.req.valid('param');
  const q = c.req.valid('query');
  return c.json(await freeSlotsFor(c.get('deps'), q.location_id, calendarId, q.fecha, accessOf(c)), 200);
};

const calendarsRoute = defineRoute({
  method: 'get',
  path: '/calendars',
  operationId: 'listGhlCalendars',
  summary: "A location's GHL calendars",
  description: 'Discovered from GHL, cached 5 minutes in the store.',
  tags: ['GHL'],
  security: security.apiKey,
  request: { query: calendarsQuery },
  responses: {
    200: json(z.object({ location_id: z.string(), calendars: z.array(calendarSchema), fetched_at: z.string(), cached: z.boolean() }).meta({ id: 'CalendarList' }), 'The calendars.'),
    ...problems(401, 404, 409, 422, 429, 503),
  },
});

const calendarsHandler: RouteHandler<typeof calendarsRoute, AppEnv> = async (c) => {
  const q = c.req.valid('query');
  return c.json(await calendarsFor(c.get('deps'), q.location_id, accessOf(c), { refresh: q.refresh === '1' || q.refresh === 'true' }), 200);
};

/** /api/ghl: what GHL has, for choosing calendars in the front end. */
export const ghlRoutes = createRouter().openapi(calendarsRoute, calendarsHandler).openapi(freeSlotsRoute, freeSlotsHandler);
