import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { locationSettings, type LocationSettingsRow } from '../db/schema';

export async function getLocationSettings(db: DbOrTx, locationId: string): Promise<LocationSettingsRow | null> {
  const rows = await db.select().from(locationSettings).where(eq(locationSettings.locationId, locationId)).limit(1);
  return rows[0] ?? null;
}

type SettingsPatch = Partial<Pick<LocationSettingsRow, 'defaultCalendarId' | 'timeZone' | 'ghlTimeZone' | 'syncedCalendarIds'>>;

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

/** The zone a location's citas live in: chosen, else GHL's, else the service default. */
export function effectiveZone(row: LocationSettingsRow | null, fallback: string): string {
  return row?.timeZone ?? row?.ghlTimeZone ?? fallback;
}

/** The calendars synced for a location: the chosen ones plus the default. */
export function syncedCalendars(row: LocationSettingsRow | null): string[] {
  const ids = new Set(row?.syncedCalendarIds ?? []);
  if (row?.defaultCalendarId) ids.add(row.defaultCalendarId);
  return [...ids];
}
