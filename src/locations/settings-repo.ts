import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { locationSettings, type LocationSettingsRow } from '../db/schema';

export async function getLocationSettings(db: DbOrTx, locationId: string): Promise<LocationSettingsRow | null> {
  const rows = await db.select().from(locationSettings).where(eq(locationSettings.locationId, locationId)).limit(1);
  return rows[0] ?? null;
}

export async function upsertLocationSettings(
  db: DbOrTx,
  row: { locationId: string; defaultCalendarId: string | null; timeZone: string | null; updatedAt: Date },
): Promise<LocationSettingsRow> {
  const [saved] = await db
    .insert(locationSettings)
    .values(row)
    .onConflictDoUpdate({
      target: locationSettings.locationId,
      set: { defaultCalendarId: row.defaultCalendarId, timeZone: row.timeZone, updatedAt: row.updatedAt },
    })
    .returning();
  return saved!;
}
