import type { BlockRef, BlockRow } from '../db/schema';
import { formatInZone, formatUtc } from '../domain/time';

/** What clients see of a block: times in the location's zone and in UTC, as for citas. */
export function blockView(row: BlockRow) {
  const tz = row.timeZone;
  return {
    id: row.id,
    location_id: row.locationId,
    calendar_id: row.calendarId,
    ghl_block_id: row.ghlBlockId,
    title: row.title,
    start_time: formatInZone(row.startTime, tz),
    end_time: formatInZone(row.endTime, tz),
    start_time_utc: formatUtc(row.startTime),
    end_time_utc: formatUtc(row.endTime),
    time_zone: tz,
    source: row.source,
    deleted: row.deletedAt !== null,
    sync: {
      status: row.syncStatus,
      error: row.syncError?.startsWith('internal:') ? 'internal: the push failed on our side; it is retried' : row.syncError,
      retries: row.syncRetries,
      last_synced_at: row.lastSyncedAt ? formatUtc(row.lastSyncedAt) : null,
    },
    version: row.version,
    created_at: formatUtc(row.createdAt),
    updated_at: formatUtc(row.updatedAt),
  };
}
export type BlockView = ReturnType<typeof blockView>;

/** A block as a cita or a refusal names it (BlockRef, as the database writes it), in the location's zone. */
export function blockRefView(ref: BlockRef, zone: string) {
  return {
    id: ref.id,
    title: ref.title,
    start_time: formatInZone(new Date(ref.start_time), zone),
    end_time: formatInZone(new Date(ref.end_time), zone),
  };
}
