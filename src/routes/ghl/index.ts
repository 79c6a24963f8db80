import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import * as z from 'zod/v4';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, problems, security } from '../../http/openapi';
import { externalId } from '../../domain/ids';
import { calendarsFor } from '../../locations/calendars';
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
  })
  .meta({ id: 'Calendar' });

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
export const ghlRoutes = createRouter().openapi(calendarsRoute, calendarsHandler);
