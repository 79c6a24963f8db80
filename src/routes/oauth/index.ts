import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import * as z from 'zod/v4';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, problems, security } from '../../http/openapi';
import { rateLimit } from '../../http/middleware/limits';
import { clientIp } from '../../http/client-ip';
import { connectWithAuthCode } from '../../locations/connection';
import { afterConnect } from '../../sync/after-connect';
import { pageForPeople } from './install-page';

const callbackQuery = z.looseObject({ code: z.string().min(1).max(2048).meta({ description: 'The single-use code GHL hands the browser.' }) });

const installPage = { 'text/html': { schema: z.string().meta({ description: 'The same answer as a page for the person installing (a browser, `Accept: text/html`).' }) } };

/** Each answer also comes as the page (./install-page.ts). */
function withPage<R extends Record<number, { description: string; content: Record<string, unknown> }>>(responses: R): R {
  return Object.fromEntries(Object.entries(responses).map(([status, r]) => [status, { ...r, content: { ...r.content, ...installPage } }])) as unknown as R;
}

const callbackRoute = defineRoute({
  method: 'get',
  path: '/callback',
  operationId: 'oauthCallback',
  summary: "GHL's redirect after a location installs the app",
  description:
    'Exchanges the code for tokens (stored encrypted) and reads the location to learn its time zone. ' +
    'Opened by the browser of the person installing: for `Accept: text/html` every answer is a short page in Spanish; JSON for `Accept: application/json`. ' +
    '`OAUTH_RATE_LIMIT_PER_MINUTE` per client IP (each call costs a GHL token request).',
  tags: ['GHL'],
  security: security.none,
  request: { query: callbackQuery },
  responses: withPage({
    200: json(z.object({ installed: z.literal(true) }).catchall(z.unknown()).meta({ id: 'Installed' }), 'Installed.'),
    ...problems(409, 422, 429, 503),
  }),
});

const callback: RouteHandler<typeof callbackRoute, AppEnv> = async (c) => {
  const connection = await connectWithAuthCode(c.get('deps'), c.req.valid('query').code);
  // Citas saved while the location was not connected go to GHL now, not at the next sweep.
  c.get('defer')(() => afterConnect(c.get('deps'), connection.location_id));
  return c.json({ installed: true as const, ...connection }, 200);
};

/**
 * /oauth/callback: where GHL sends the browser after a location installs our app. Public (GHL
 * redirects a person here); the code is single-use and only our client secret can redeem it, but
 * each call costs a token request to GHL: rate-limited per client IP.
 */
const router = createRouter();
// The page wraps everything after it, the rate limit's 429 included.
router.use('/callback', pageForPeople);
router.use('/callback', rateLimit({ name: 'oauth', binding: 'OAUTH_LIMITER', windowMs: 60_000, limit: (c) => c.get('deps').config.OAUTH_RATE_LIMIT_PER_MINUTE, key: clientIp }));
export const oauthRoutes = router.openapi(callbackRoute, callback);
