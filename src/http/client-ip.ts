import type { Context } from 'hono';
import type { AppEnv } from './app-env';

/** Who calls a public route, for its rate limit: the client's IP as the edge reports it. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'unknown';
}
