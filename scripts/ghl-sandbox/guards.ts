import type { Context } from 'hono';
import { authOf } from './request-auth';
import { GhlError } from './errors';
import type { Scope } from './types';

export function requireScope(c: Context, scope: Scope): void {
  if (!authOf(c).scopes.includes(scope)) throw GhlError.missingScope();
}

/** A token is bound to one location; naming any other one is a 403, whether it exists or not. */
export function requireLocation(c: Context, locationId: string): void {
  if (locationId !== authOf(c).locationId) throw GhlError.wrongLocation();
}

export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw GhlError.badRequest('Request body must be valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw GhlError.badRequest('Request body must be a JSON object');
  return body as Record<string, unknown>;
}
