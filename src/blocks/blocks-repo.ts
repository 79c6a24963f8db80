import { and, asc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { driverOf } from '../db/driver';
import { blockScans, calendarBlocks, type BlockRef, type BlockRow, type NewBlockRow } from '../db/schema';
import { parseJson } from '../db/json-rows';

/** Queries on calendar_blocks and block_scans; no rules here, only storage. */

export async function findBlock(db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<BlockRow | null> {
  const q = db.select().from(calendarBlocks).where(eq(calendarBlocks.id, id)).limit(1);
  const rows = opts.forUpdate ? await q.for('update') : await q;
  return rows[0] ?? null;
}

export async function insertBlock(db: DbOrTx, row: NewBlockRow): Promise<BlockRow> {
  const [saved] = await db.insert(calendarBlocks).values(row).returning();
  return saved!;
}

export async function updateBlock(db: DbOrTx, id: string, patch: Partial<NewBlockRow>, version?: number): Promise<BlockRow | null> {
  const cond = version === undefined ? eq(calendarBlocks.id, id) : and(eq(calendarBlocks.id, id), eq(calendarBlocks.version, version));
  const [saved] = await db.update(calendarBlocks).set(patch).where(cond).returning();
  return saved ?? null;
}

/** Live blocks of a location intersecting [from, to), oldest start first. */
export async function listLiveBlocks(db: DbOrTx, f: { locationId: string; from: Date; to: Date; calendarIds?: string[] }): Promise<BlockRow[]> {
  const conds = [
    eq(calendarBlocks.locationId, f.locationId),
    isNull(calendarBlocks.deletedAt),
    lt(calendarBlocks.startTime, f.to),
    gt(calendarBlocks.endTime, f.from),
  ];
  if (f.calendarIds?.length) conds.push(inArray(calendarBlocks.calendarId, f.calendarIds));
  return db.select().from(calendarBlocks).where(and(...conds)).orderBy(asc(calendarBlocks.startTime), asc(calendarBlocks.id)).limit(2000);
}

/** The first live block on a calendar overlapping [start, end): what a forced booking overrides. */
export async function blockAt(db: DbOrTx, locationId: string, calendarId: string, start: Date, end: Date): Promise<BlockRef | null> {
  const { rows } = await driverOf(db).query('select block_ref($1, $2, $3::timestamptz, $4::timestamptz, null) as ref', [locationId, calendarId, start.toISOString(), end.toISOString()]);
  return (parseJson((rows[0] as { ref: unknown } | undefined)?.ref) as BlockRef | null) ?? null;
}

/** One block of GHL's listing, as a scan stores it. */
export interface ScannedBlock {
  ghlBlockId: string;
  title: string;
  start: Date;
  end: Date;
}

/**
 * A calendar's blocks as GHL listed them over [from, to), applied in one statement: new ones
 * inserted, changed ones updated, ours that GHL no longer lists in the window marked deleted (only
 * when `sweep`: the listing was read whole), and the scan's time recorded. A block with a change of
 * ours still on its way to GHL (pending_sync) is left as it is: the push is about to say it.
 */
export async function applyBlockScan(
  db: DbOrTx,
  scan: { locationId: string; calendarId: string; zone: string; from: Date; to: Date; at: Date; sweep: boolean },
  blocks: ScannedBlock[],
): Promise<{ changed: number; gone: number }> {
  const incoming = JSON.stringify(blocks.map((b) => ({ ghl_block_id: b.ghlBlockId, title: b.title, start_time: b.start.toISOString(), end_time: b.end.toISOString() })));
  const text = `with incoming as (
      select * from jsonb_to_recordset($1::jsonb) as x(ghl_block_id text, title text, start_time timestamptz, end_time timestamptz)
    ), upserted as (
      insert into calendar_blocks (location_id, calendar_id, ghl_block_id, title, start_time, end_time, time_zone, source, sync_status, last_synced_at, created_at, updated_at)
      select $2, $3, i.ghl_block_id, i.title, i.start_time, i.end_time, $4, 'ghl', 'synced', $5::timestamptz, $5::timestamptz, $5::timestamptz from incoming i
      on conflict (location_id, ghl_block_id) do update set calendar_id = excluded.calendar_id, title = excluded.title,
        start_time = excluded.start_time, end_time = excluded.end_time, deleted_at = null, last_synced_at = excluded.last_synced_at,
        updated_at = excluded.updated_at, version = calendar_blocks.version + 1
      where calendar_blocks.sync_status <> 'pending_sync' and (calendar_blocks.deleted_at is not null
        or (calendar_blocks.calendar_id, calendar_blocks.title, calendar_blocks.start_time, calendar_blocks.end_time)
          is distinct from (excluded.calendar_id, excluded.title, excluded.start_time, excluded.end_time))
      returning 1
    ), gone as (
      update calendar_blocks set deleted_at = $5::timestamptz, updated_at = $5::timestamptz, version = version + 1
      where $8::boolean and location_id = $2 and calendar_id = $3 and ghl_block_id is not null and deleted_at is null
        and sync_status <> 'pending_sync' and start_time < $7::timestamptz and end_time > $6::timestamptz
        and ghl_block_id not in (select ghl_block_id from incoming)
      returning 1
    ), scanned as (
      insert into block_scans (location_id, calendar_id, scanned_from, scanned_to, scanned_at) values ($2, $3, $6::timestamptz, $7::timestamptz, $5::timestamptz)
      on conflict (location_id, calendar_id) do update set scanned_from = excluded.scanned_from, scanned_to = excluded.scanned_to, scanned_at = excluded.scanned_at
    )
    select (select count(*) from upserted)::int as changed, (select count(*) from gone)::int as gone`;
  const params = [incoming, scan.locationId, scan.calendarId, scan.zone, scan.at.toISOString(), scan.from.toISOString(), scan.to.toISOString(), scan.sweep];
  const { rows } = await driverOf(db).query(text, params);
  const r = rows[0] as { changed: number | string; gone: number | string };
  return { changed: Number(r.changed), gone: Number(r.gone) };
}

/** Blocks made or changed here and not yet in GHL, oldest first. */
export async function pendingBlockIds(db: DbOrTx, opts: { locationId?: string; limit: number }): Promise<string[]> {
  const conds = [eq(calendarBlocks.syncStatus, 'pending_sync')];
  if (opts.locationId) conds.push(eq(calendarBlocks.locationId, opts.locationId));
  const rows = await db.select({ id: calendarBlocks.id }).from(calendarBlocks).where(and(...conds)).orderBy(asc(calendarBlocks.updatedAt)).limit(opts.limit);
  return rows.map((r) => r.id);
}

/** A scan record as the write context reads it (block_scans, per calendar). */
export interface BlockScan {
  calendar_id: string;
  from: string;
  to: string;
  at: string;
}

/** The subquery the write context runs for a location's scans (one statement with the settings). */
export const blockScansSql = (location: ReturnType<typeof sql.placeholder>) =>
  sql`(select json_agg(json_build_object('calendar_id', ${blockScans.calendarId}, 'from', ${blockScans.scannedFrom}, 'to', ${blockScans.scannedTo}, 'at', ${blockScans.scannedAt})) from ${blockScans} where ${blockScans.locationId} = ${location})`;
