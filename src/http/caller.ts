import type { Context } from 'hono';
import type { Access } from '../access/access';
import { AppError } from '../errors';
import type { AppEnv } from './app-env';

/** The authenticated key's access (the /api guard runs before any handler that asks). */
export function accessOf(c: Context<AppEnv>): Access {
  const client = c.get('client');
  if (!client) throw new AppError(401, 'unauthorized', 'Send an API key as "Authorization: Bearer <key>".');
  return client;
}

/** Who asks, and how their change is audited. */
export function callerOf(c: Context<AppEnv>) {
  return { actor: 'api' as const, requestId: c.get('requestId'), access: accessOf(c) };
}
