import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { compiled } from '../db/compiled';
import { driverBool, driverOf } from '../db/driver';
import { parseJson } from '../db/json-rows';
import type { KnownCalendar } from './calendar-rule';
import { blockScansSql, type BlockScan } from '../blocks/blocks-repo';
import { ghlConnections, locationSettings, type ConnectionStatus, type LocationSettingsRow } from '../db/schema';

export async function getLocationSettings(db: DbOrTx, locationId: string): Promise<LocationSettingsRow | null> {
  const rows = await db.select().from(locationSettings).where(eq(locationSettings.locationId, locationId)).limit(1);
  return rows[0] ?? null;
}

/**
 * What a write into a location needs: its zone, its calendars (the default, the synced ones, and
 * GHL's as last listed, for the calendar rule), and whether GHL hears of it.
 */
export interface WriteContext {
  settings: Pick<LocationSettingsRow, 'timeZone' | 'ghlTimeZone' | 'defaultCalendarId' | 'syncedCalendarIds' | 'ghlCalendars'> | null;
  connection: ConnectionStatus | null;
  /** When each calendar's blocks were last read from GHL (blocks-scan.ts decides if a booking re-reads them). */
  blockScans: BlockScan[] | null;
}

// One statement, rendered once: the create path reads all of it on every request.
const WRITE_CONTEXT = compiled(
  () => sql`select ${locationSettings.locationId} is not null as has_settings, ${locationSettings.timeZone} as time_zone,
    ${locationSettings.ghlTimeZone} as ghl_time_zone, ${locationSettings.defaultCalendarId} as default_calendar_id,
    ${locationSettings.syncedCalendarIds} as synced_calendar_ids, ${locationSettings.ghlCalendars} as ghl_calendars,
    (select ${ghlConnections.status} from ${ghlConnections} where ${ghlConnections.locationId} = ${sql.placeholder('location')}) as connection,
    ${blockScansSql(sql.placeholder('location'))} as block_scans
    from (select 1) as one left join ${locationSettings} on ${locationSettings.locationId} = ${sql.placeholder('location')}`,
);

export async function getWriteContext(db: DbOrTx, locationId: string): Promise<WriteContext> {
  const { text, params } = WRITE_CONTEXT({ location: locationId });
  const row = (await driverOf(db).query(text, params)).rows[0] as {
    has_settings: boolean | string;
    time_zone: string | null;
    ghl_time_zone: string | null;
    default_calendar_id: string | null;
    synced_calendar_ids: unknown;
    ghl_calendars: unknown;
    connection: ConnectionStatus | null;
    block_scans: unknown;
  };
  return {
    settings: driverBool(row.has_settings)
      ? {
          timeZone: row.time_zone,
          ghlTimeZone: row.ghl_time_zone,
          defaultCalendarId: row.default_calendar_id,
          syncedCalendarIds: (parseJson(row.synced_calendar_ids) as string[] | null) ?? [],
          ghlCalendars: parseJson(row.ghl_calendars) as KnownCalendar[] | null,
        }
      : null,
    connection: row.connection,
    blockScans: parseJson(row.block_scans) as BlockScan[] | null,
  };
}

/**
 * GHL's calendars for a location as just listed, kept beside its settings: what a cita's create
 * checks its calendar against (calendar-rule.ts) inside the statement it already runs, without
 * asking GHL. Touches nothing else of the row (not even updated_at: nobody changed the settings).
 */
export async function rememberGhlCalendars(db: DbOrTx, locationId: string, calendars: KnownCalendar[], at: Date): Promise<void> {
  const snapshot = calendars.map(({ id, name, active, open_hours, slot_duration_minutes }) => ({ id, name, active, open_hours: open_hours ?? null, slot_duration_minutes: slot_duration_minutes ?? null }));
  await db
    .insert(locationSettings)
    .values({ locationId, ghlCalendars: snapshot, ghlCalendarsAt: at, updatedAt: at })
    .onConflictDoUpdate({ target: locationSettings.locationId, set: { ghlCalendars: snapshot, ghlCalendarsAt: at } });
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
export function syncedCalendars(row: Pick<LocationSettingsRow, 'syncedCalendarIds' | 'defaultCalendarId'> | null): string[] {
  const ids = new Set(row?.syncedCalendarIds ?? []);
  if (row?.defaultCalendarId) ids.add(row.defaultCalendarId);
  return [...ids];
}
