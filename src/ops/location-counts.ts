import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { citas } from '../db/schema';

/** Per location, the citas that need someone's attention: waiting for GHL, given up on, clashing. */
export function citaCountsByLocation(db: DbOrTx) {
  return db
    .select({
      locationId: citas.locationId,
      pending: sql<number>`count(*) filter (where ${citas.syncStatus} = 'pending_sync')::int`,
      failed: sql<number>`count(*) filter (where ${citas.syncStatus} = 'sync_failed')::int`,
      conflicts: sql<number>`count(*) filter (where ${citas.conflict} and ${citas.status} not in ('cancelled', 'invalid'))::int`,
    })
    .from(citas)
    .groupBy(citas.locationId);
}
