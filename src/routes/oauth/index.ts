import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../http/app-env';
import { validate } from '../../http/json-body';
import { appErrorFromGhl } from '../../http/ghl-errors';
import { connectWithAuthCode } from '../../ghl/connect';

const callbackQuery = z.looseObject({ code: z.string().min(1).max(2048) });

/**
 * /oauth/callback: where GHL sends the browser after a location installs our app. Public (GHL
 * redirects a person here); the code is single-use and only our client secret can redeem it.
 */
export const oauthRoutes = new Hono<AppEnv>().get('/callback', async (c) => {
  const { code } = validate(callbackQuery, c.req.query());
  const connection = await connectWithAuthCode(c.var.deps, code).catch((e) => {
    throw appErrorFromGhl(e);
  });
  return c.json({ installed: true, ...connection });
});
