import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import * as z from 'zod/v4';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, problems, security } from '../../http/openapi';
import { connectWithAuthCode } from '../../locations/connection';
import { sweepPending } from '../../sync/outbound';

const callbackQuery = z.looseObject({ code: z.string().min(1).max(2048).meta({ description: 'The single-use code GHL hands the browser.' }) });

const callbackRoute = defineRoute({
  method: 'get',
  path: '/callback',
  operationId: 'oauthCallback',
  summary: "GHL's redirect after a location installs the app",
  description: 'Exchanges the code for tokens (stored encrypted) and reads the location to learn its time zone.',
  tags: ['GHL'],
  security: security.none,
  request: { query: callbackQuery },
  responses: {
    200: json(z.object({ installed: z.literal(true) }).catchall(z.unknown()).meta({ id: 'Installed' }), 'Installed.'),
    ...problems(409, 422, 503),
  },
});

const callback: RouteHandler<typeof callbackRoute, AppEnv> = async (c) => {
  const connection = await connectWithAuthCode(c.get('deps'), c.req.valid('query').code);
  // Citas saved while the location was not connected go to GHL now, not at the next sweep.
  c.get('defer')(sweepPending(c.get('deps'), { locationId: connection.location_id }));
  return c.json({ installed: true as const, ...connection }, 200);
};

/**
 * /oauth/callback: where GHL sends the browser after a location installs our app. Public (GHL
 * redirects a person here); the code is single-use and only our client secret can redeem it.
 */
export const oauthRoutes = createRouter().openapi(callbackRoute, callback);
