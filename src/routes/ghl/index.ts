import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../http/app-env';
import { validate } from '../../http/json-body';
import { externalId } from '../../domain/ids';
import { locationCalendars } from '../../locations/calendars';

const calendarsQuery = z.strictObject({
  location_id: externalId,
  refresh: z.enum(['0', '1', 'true', 'false']).optional(),
});

/** /api/ghl: what GHL has, for choosing calendars in the front end. */
export const ghlRoutes = new Hono<AppEnv>().get('/calendars', async (c) => {
  const q = validate(calendarsQuery, c.req.query());
  const refresh = q.refresh === '1' || q.refresh === 'true';
  const result = await locationCalendars(c.var.deps, q.location_id, { refresh });
  return c.json({ location_id: q.location_id, ...result });
});
