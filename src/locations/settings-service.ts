import { ghlConnections, locationSettings, type LocationSettingsRow } from '../db/schema';
import { formatUtc } from '../domain/time';
import { locationCalendars } from './calendars';
import { CALENDARS_REFUSED, calendarProblems } from './calendar-rule';
import { findConnection } from '../ghl/connections-repo';
import { AppError, type FieldError } from '../errors';
import type { Deps } from '../deps';
import { assertLocation, type Access } from '../access/access';
import { effectiveZone, getLocationSettings, syncedCalendars, upsertLocationSettings } from './settings-repo';

export interface SettingsInput {
  default_calendar_id?: string | null;
  synced_calendar_ids?: string[];
  time_zone?: string | null;
  notify_patients?: boolean;
}

export function settingsView(locationId: string, row: LocationSettingsRow | null, fallbackZone: string, connected: boolean) {
  return {
    location_id: locationId,
    default_calendar_id: row?.defaultCalendarId ?? null,
    synced_calendar_ids: syncedCalendars(row),
    time_zone: effectiveZone(row, fallbackZone),
    time_zone_source: (row?.timeZone ? 'settings' : row?.ghlTimeZone ? 'ghl' : 'default') as 'settings' | 'ghl' | 'default',
    // No row yet: the column's default (GHL's own: automations run).
    notify_patients: row?.notifyPatients ?? true,
    ghl_connected: connected,
    updated_at: row ? formatUtc(row.updatedAt) : null,
  };
}

export async function readSettings(deps: Deps, locationId: string, access: Access) {
  assertLocation(access, locationId);
  const [row, conn] = await Promise.all([getLocationSettings(deps.db, locationId), findConnection(deps.db, locationId)]);
  return settingsView(locationId, row, deps.config.APP_TIMEZONE, conn?.status === 'active');
}

/**
 * Saves a location's settings. When the location is connected to GHL every calendar named must
 * exist there and be active (checked against a fresh list when the cached one lacks it); a
 * location not yet connected keeps what it is given, to be checked once it connects.
 */
export async function writeSettings(deps: Deps, locationId: string, input: SettingsInput, access: Access) {
  assertLocation(access, locationId);
  const conn = await findConnection(deps.db, locationId);
  const named = [
    ...(input.default_calendar_id ? [{ field: 'default_calendar_id', id: input.default_calendar_id }] : []),
    ...(input.synced_calendar_ids ?? []).map((id, i) => ({ field: `synced_calendar_ids.${i}`, id })),
  ];
  if (conn?.status === 'active' && named.length) {
    const errors = await checkCalendars(deps, locationId, named);
    if (errors.length) throw AppError.validation(errors, CALENDARS_REFUSED);
  }
  const patch: Parameters<typeof upsertLocationSettings>[2] = {};
  if (input.default_calendar_id !== undefined) patch.defaultCalendarId = input.default_calendar_id;
  if (input.time_zone !== undefined) patch.timeZone = input.time_zone;
  if (input.synced_calendar_ids !== undefined) patch.syncedCalendarIds = [...new Set(input.synced_calendar_ids)];
  if (input.notify_patients !== undefined) patch.notifyPatients = input.notify_patients;
  const row = await upsertLocationSettings(deps.db, locationId, patch, deps.clock.now());
  return settingsView(locationId, row, deps.config.APP_TIMEZONE, conn?.status === 'active');
}

/** The calendar rule against GHL's list (a fresh one when the cached one lacks a calendar named). */
async function checkCalendars(deps: Deps, locationId: string, named: { field: string; id: string }[]): Promise<FieldError[]> {
  let { calendars } = await locationCalendars(deps, locationId);
  if (named.some((n) => !calendars.some((c) => c.id === n.id))) {
    ({ calendars } = await locationCalendars(deps, locationId, { refresh: true }));
  }
  // The settings choose the synced calendars: membership is not asked of them.
  return calendarProblems(named, locationId, { ghl: calendars, synced: null });
}

/**
 * The locations a key may use, each with its settings and GHL connection state: for a key limited
 * to locations, those; for any other, every location we know (settings or a connection).
 */
export async function listLocations(deps: Deps, access: Access) {
  const [settings, connections] = await Promise.all([deps.db.select().from(locationSettings), deps.db.select().from(ghlConnections)]);
  const ids = access.locations ?? [...new Set([...settings.map((s) => s.locationId), ...connections.map((c) => c.locationId)])].sort();
  return ids.map((id) => {
    const row = settings.find((s) => s.locationId === id) ?? null;
    const conn = connections.find((c) => c.locationId === id);
    return {
      ...settingsView(id, row, deps.config.APP_TIMEZONE, conn?.status === 'active'),
      connection: conn ? { status: conn.status, auth_type: conn.authType, last_error: conn.lastError } : null,
    };
  });
}

