import { AppError } from '../errors';

/**
 * Who is calling, once authenticated: a role, a stable digest-derived id (never the key) and the
 * locations the key may use (null: every location). Use cases take it and check it themselves, so
 * a route cannot forget to.
 */
export interface Access {
  clientId: string;
  role: 'api' | 'admin';
  locations: readonly string[] | null;
}

/** Internal callers (jobs, the dev server's demo setup): every location. */
export const SYSTEM_ACCESS: Access = { clientId: 'system', role: 'admin', locations: null };

export function mayUse(access: Access, locationId: string): boolean {
  return access.locations === null || access.locations.includes(locationId);
}

/**
 * A location this key may not use answers exactly like one that does not exist (404): a key for
 * clinic A learns nothing about clinic B, not even that it is there. Only for a location the
 * caller named: a row found by its own id is refused by that id (getCita), never by its location.
 */
export function assertLocation(access: Access, locationId: string): void {
  if (!mayUse(access, locationId)) throw AppError.notFound('Location', locationId);
}
