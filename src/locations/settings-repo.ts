import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { compiled } from '../db/compiled';
import { driverBool, driverOf } from '../db/driver';
import { ghlConnections, locationSettings, type ConnectionStatus, type LocationSettingsRow } from '../db/schema';

export async function getLocationSettings(db: DbOrTx, locationId: string): Promise<LocationSettingsRow | null> {
  const rows = await db.select().from(locationSettings).where(eq(locationSettings.locationId, locationId)).limit(1);
  return rows[0] ?? null;
}

/** What a write into a location needs: its zone and default calendar, and whether GHL hears of it. */
export interface WriteContext {
  settings: Pick<LocationSettingsRow, 'timeZone' | 'ghlTimeZone' | 'defaultCalendarId'> | null;
  connection: ConnectionStatus | null;
}

// One statement, rendered once: the create path reads both on every request.
const WRITE_CONTEXT = compiled(
  () => sql`select ${locationSettings.locationId} is not null as has_settings, ${locationSettings.timeZone} as time_zone,
    ${locationSettings.ghlTimeZone} as ghl_time_zone, ${locationSettings.defaultCalendarId} as default_calendar_id,
    (select ${ghlConnections.status} from ${ghlConnections} where ${ghlConnections.locationId} = ${sql.placeholder('location')}) as connection
    from (select 1) as one left join ${locationSettings} on ${locationSettings.locationId} = ${sql.placeholder('location')}`,
);

export async function getWriteContext(db: DbOrTx, locationId: string): Promise<WriteContext> {
  const { text, params } = WRITE_CONTEXT({ location: locationId });
  const row = (await driverOf(db).query(text, params)).rows[0] as {
    has_settings: boolean | string;
    time_zone: string | null;
    ghl_time_zone: string | null;
    default_calendar_id: string | null;
    connection: ConnectionStatus | null;
  };
  return {
    settings: driverBool(row.has_settings) ? { timeZone: row.time_zone, ghlTimeZone: row.ghl_time_zone, defaultCalendarId: row.default_calendar_id } : null,
    connection: row.connection,
  };
}

type SettingsPatch = Partial<Pick<LocationSettingsRow, 'defaultCalendarId' | 'timeZone' | 'ghlTimeZone' | 'syncedCalendarIds' | 'notifyPatients'>>;

/** Writes only the fields given; creates the row on first use. */
export async function upsertLocationSettings(
  db: DbOrTx,
  locationId: string,
  patch: SettingsPatch,
  at: Date,
): Promise<LocationSettingsRow> {
  const [saved] = await db
    .insert(locationSettings)
    .values({ locationId, ...patch, updatedAt: at })
    .onConflictDoUpdate({ target: locationSettings.locationId, set: { ...patch, updatedAt: at } })
    .returning();
  return saved!;
}

/** How a push to GHL is made for this location (see PushOptions): its patients notified or not. */
export async function pushOptions(db: DbOrTx, locationId: string): Promise<{ notify: boolean }> {
  const rows = await db.select({ notify: locationSettings.notifyPatients }).from(locationSettings).where(eq(locationSettings.locationId, locationId)).limit(1);
  // No settings row: the column's default.
  return { notify: rows[0]?.notify ?? true };
}

/** The zone a location's citas live in: chosen, else GHL's, else the service default. */
export function effectiveZone(row: Pick<LocationSettingsRow, 'timeZone' | 'ghlTimeZone'> | null, fallback: string): string {
  return row?.timeZone ?? row?.ghlTimeZone ?? fallback;
}

/** The calendars synced for a location: the chosen ones plus the default. */
export function syncedCalendars(row: LocationSettingsRow | null): string[] {
  const ids = new Set(row?.syncedCalendarIds ?? []);
  if (row?.defaultCalendarId) ids.add(row.defaultCalendarId);
  return [...ids];
}
