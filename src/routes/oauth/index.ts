import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../http/app-env';
import { validate } from '../../http/json-body';
import { connectWithAuthCode } from '../../locations/connection';

const callbackQuery = z.looseObject({ code: z.string().min(1).max(2048) });

/**
 * /oauth/callback: where GHL sends the browser after a location installs our app. Public (GHL
 * redirects a person here); the code is single-use and only our client secret can redeem it.
 */
export const oauthRoutes = new Hono<AppEnv>().get('/callback', async (c) => {
  const { code } = validate(callbackQuery, c.req.query());
  const connection = await connectWithAuthCode(c.var.deps, code);
  return c.json({ installed: true, ...connection });
});
