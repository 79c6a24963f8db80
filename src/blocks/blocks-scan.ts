import type { Deps } from '../deps';
import { dayBounds, dayInZone } from '../domain/time';
import { touchLocation } from '../locations/location-rev';
import { applyBlockScan, type BlockScan } from './blocks-repo';

/**
 * GHL → us for blocked time. GHL sends no webhook for blocks, so they are read: by the sync jobs
 * over their windows (every synced calendar), and on demand by a booking whose copy of its day is
 * older than BLOCKS_FRESH_MS (a block made in GHL a minute ago must refuse the booking).
 */

/** How old a calendar's copy of its blocks may be when a booking is judged by it. */
export const BLOCKS_FRESH_MS = 5 * 60_000;

type ScanDeps = Pick<Deps, 'db' | 'ghl' | 'clock' | 'logger' | 'writeBehind'>;

/**
 * Reads the calendars' blocks over [from, to) from GHL and applies them (one GHL call and one
 * statement per calendar). A listing with an item we could not read marks nothing deleted.
 */
export async function scanBlocks(deps: ScanDeps, locationId: string, calendarIds: string[], zone: string, from: Date, to: Date) {
  let changed = 0;
  let gone = 0;
  for (const calendarId of calendarIds) {
    const at = deps.clock.now();
    const listed = await deps.ghl.client.listBlockedSlots(locationId, calendarId, from, to);
    const r = await applyBlockScan(
      deps.db,
      { locationId, calendarId, zone, from, to, at, sweep: listed.refused === 0 },
      listed.blocks.map((b) => ({ ghlBlockId: b.id, title: b.title?.trim() || 'Bloqueado', start: new Date(b.startTime), end: new Date(b.endTime) })),
    );
    changed += r.changed;
    gone += r.gone;
  }
  if (changed || gone) touchLocation(deps, locationId);
  return { blocks_changed: changed, blocks_gone: gone, block_calls: calendarIds.length };
}

/** Whether a booking of [start, end) on the calendar must read GHL's blocks first. */
export function blocksStale(scans: BlockScan[] | null, calendarId: string, start: Date, end: Date, now: Date): boolean {
  const scan = scans?.find((s) => s.calendar_id === calendarId);
  if (!scan) return true;
  return now.getTime() - Date.parse(scan.at) > BLOCKS_FRESH_MS || Date.parse(scan.from) > start.getTime() || Date.parse(scan.to) < end.getTime();
}

/**
 * Re-reads a calendar's blocks before a booking is judged. Near bookings read the incremental
 * job's span (today − 1 day to + SYNC_INCREMENTAL_DAYS), so the next bookings of the next minutes
 * find a fresh copy and cost no GHL call; a far one reads its own days. GHL failing is no reason
 * to refuse a booking: the stored copy decides then, and the failure is logged.
 */
export async function freshenBlocks(deps: ScanDeps & Pick<Deps, 'config'>, b: { locationId: string; calendarId: string; zone: string; start: Date; end: Date }): Promise<void> {
  const now = deps.clock.now();
  const near = { from: new Date(now.getTime() - 86_400_000), to: new Date(now.getTime() + deps.config.SYNC_INCREMENTAL_DAYS * 86_400_000) };
  const own = { from: dayBounds(dayInZone(b.start, b.zone), b.zone)?.start ?? b.start, to: dayBounds(dayInZone(b.end, b.zone), b.zone)?.end ?? b.end };
  const span = near.from <= b.start && b.end <= near.to ? near : own;
  try {
    await scanBlocks(deps, b.locationId, [b.calendarId], b.zone, span.from, span.to);
  } catch (err) {
    deps.logger.warn('blocks not re-read from GHL before a booking; the stored copy decides', { location_id: b.locationId, calendar_id: b.calendarId, err });
  }
}
