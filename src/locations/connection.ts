import { isValidZone } from '../domain/time';
import { upsertLocationSettings } from '../locations/settings-repo';
import { listAndRemember } from './calendars';
import type { Deps } from '../deps';
import { findConnection, markConnection, saveConnection } from '../ghl/connections-repo';
import { GhlError } from '../ghl/errors';

/**
 * Connecting a location: an OAuth install (code → tokens) or a Private Integration token set by
 * an admin. Either way the token is proven by reading the GHL location, whose time zone becomes
 * the location's default zone.
 */

export async function connectWithPrivateToken(deps: Deps, locationId: string, token: string) {
  const now = deps.clock.now();
  await saveConnection(deps.db, {
    locationId,
    authType: 'pit',
    accessTokenEnc: await deps.ghl.cipher.encrypt(token, locationId),
    refreshTokenEnc: null,
    accessExpiresAt: null,
    scopes: null,
    companyId: null,
    updatedAt: now,
  });
  return verifyAndLearnZone(deps, locationId);
}

export async function connectWithAuthCode(deps: Deps, code: string) {
  const t = await deps.ghl.oauth.exchangeCode(code);
  if (!t.locationId) {
    throw new GhlError('validation', 'the install is not for a single location (userType Location is needed)');
  }
  const now = deps.clock.now();
  await saveConnection(deps.db, {
    locationId: t.locationId,
    authType: 'oauth',
    accessTokenEnc: await deps.ghl.cipher.encrypt(t.access_token, t.locationId),
    refreshTokenEnc: t.refresh_token ? await deps.ghl.cipher.encrypt(t.refresh_token, t.locationId) : null,
    accessExpiresAt: new Date(now.getTime() + t.expires_in * 1000),
    scopes: t.scope ?? null,
    companyId: t.companyId ?? null,
    updatedAt: now,
    lastRefreshedAt: now,
  });
  return verifyAndLearnZone(deps, t.locationId);
}

async function verifyAndLearnZone(deps: Deps, locationId: string) {
  try {
    const location = await deps.ghl.client.getLocation(locationId);
    const zone = location.timezone && isValidZone(location.timezone) ? location.timezone : null;
    await upsertLocationSettings(deps.db, locationId, { ghlTimeZone: zone }, deps.clock.now());
    // Its calendars too, so the calendar rule checks its first creates; not needed to connect.
    await listAndRemember(deps, locationId).catch((err: unknown) => deps.logger.warn('could not list the GHL calendars on connecting', { location_id: locationId, err }));
    return connectionView(deps, locationId, { name: location.name ?? null, time_zone: zone });
  } catch (err) {
    if (err instanceof GhlError && ['auth', 'scope', 'reauth_required', 'not_found'].includes(err.kind)) {
      await markConnection(deps.db, locationId, 'reauth_required', `token not accepted: ${err.message}`, deps.clock.now());
    }
    throw err;
  }
}

export async function connectionView(deps: Deps, locationId: string, ghlLocation?: { name: string | null; time_zone: string | null }) {
  const conn = await findConnection(deps.db, locationId);
  if (!conn) return { location_id: locationId, connected: false as const };
  return {
    location_id: locationId,
    connected: conn.status === 'active',
    auth_type: conn.authType,
    status: conn.status,
    last_error: conn.lastError,
    access_expires_at: conn.accessExpiresAt?.toISOString() ?? null,
    last_refreshed_at: conn.lastRefreshedAt?.toISOString() ?? null,
    scopes: conn.scopes?.split(' ').filter(Boolean) ?? null,
    circuit_open: await deps.ghl.client.breaker.isOpen(locationId),
    ...(ghlLocation ? { ghl_location: ghlLocation } : {}),
  };
}
