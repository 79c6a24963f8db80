import type { Deps } from '../deps';
import { GhlError } from '../ghl/errors';
import { formatInZone } from '../domain/time';
import { touchLocation } from '../locations/location-rev';
import type { BlockRow } from '../db/schema';
import type { BlockSlotWrite } from '../ghl/schemas';
import { findBlock, pendingBlockIds, updateBlock } from '../blocks/blocks-repo';
import { NOT_AN_ATTEMPT, PASSES_WITH_TIME, type PushOutcome } from './outbound';

/**
 * RV3 → GHL for blocked time, on the citas' outbound path (sync/outbound.ts): after the answer,
 * one push per block at a time under a lock in the store, failures counted up to
 * SYNC_MAX_ATTEMPTS then `sync_failed`, the ones time fixes retried by the queue (push-retry.ts)
 * and by the jobs' sweep of pending blocks. A create whose answer was lost is looked for in GHL's
 * listing before it is tried again, so a block is never made twice.
 */

const LOCK_TTL_MS = 120_000;

export async function pushBlock(deps: Deps, blockId: string): Promise<PushOutcome> {
  const lockKey = `push-lock:block:${blockId}`;
  const owner = crypto.randomUUID();
  const locked = await deps.store.setIfAbsent(lockKey, owner, LOCK_TTL_MS).catch(() => null);
  if (locked === null) return 'retry';
  if (!locked) return 'busy';
  try {
    let outcome: PushOutcome = 'skipped';
    // A change saved while we pushed leaves the block pending at a newer version: push that too.
    for (let round = 0; round < 3; round++) {
      const block = await findBlock(deps.db, blockId);
      if (!block || block.syncStatus !== 'pending_sync') return round === 0 ? 'skipped' : outcome;
      outcome = await pushVersion(deps, block);
      touchLocation(deps, block.locationId);
      if (outcome !== 'synced') return outcome;
    }
    return outcome;
  } finally {
    await deps.store.compareAndDelete(lockKey, owner).catch(() => false);
  }
}

function blockWrite(b: BlockRow): BlockSlotWrite {
  // With the location's offset, as GHL's own examples write them (ghl-api.md: rewriting to Z has bitten others).
  return { calendarId: b.calendarId, locationId: b.locationId, title: b.title, startTime: formatInZone(b.startTime, b.timeZone), endTime: formatInZone(b.endTime, b.timeZone) };
}

async function pushVersion(deps: Deps, b: BlockRow): Promise<PushOutcome> {
  const { client } = deps.ghl;
  try {
    if (b.deletedAt) {
      if (b.ghlBlockId) {
        await client.deleteEvent(b.locationId, b.ghlBlockId).catch((err: unknown) => {
          // Already gone in GHL: what we asked for.
          if (!(err instanceof GhlError && err.kind === 'not_found')) throw err;
        });
      }
      return markSynced(deps, b, {});
    }
    if (!b.ghlBlockId) {
      const ghlId = await createOnce(deps, b);
      return markSynced(deps, b, { ghlBlockId: ghlId });
    }
    try {
      await client.updateBlockSlot(b.locationId, b.ghlBlockId, blockWrite(b));
    } catch (err) {
      if (!(err instanceof GhlError && err.kind === 'not_found')) throw err;
      // Deleted in GHL meanwhile: a GHL delete wins over our edit, as for citas.
      return markSynced(deps, b, { deletedAt: deps.clock.now() });
    }
    return markSynced(deps, b, {});
  } catch (err) {
    return recordFailure(deps, b, err);
  }
}

async function createOnce(deps: Deps, b: BlockRow): Promise<string> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return (await deps.ghl.client.createBlockSlot(b.locationId, blockWrite(b))).id;
    } catch (err) {
      if (!(err instanceof GhlError) || !err.details.maybeWritten) throw err;
      last = err;
      // GHL's block has no field for our marker: the same calendar, times and title is ours.
      const { blocks } = await deps.ghl.client.listBlockedSlots(b.locationId, b.calendarId, b.startTime, b.endTime);
      const found = blocks.find((x) => Date.parse(x.startTime) === b.startTime.getTime() && Date.parse(x.endTime) === b.endTime.getTime() && (x.title ?? '') === b.title);
      if (found) return found.id;
    }
  }
  throw last;
}

async function markSynced(deps: Deps, b: BlockRow, patch: { ghlBlockId?: string; deletedAt?: Date }): Promise<PushOutcome> {
  const now = deps.clock.now();
  // Stored whatever the version: the block exists in GHL now under that id.
  if (patch.ghlBlockId) await updateBlock(deps.db, b.id, { ghlBlockId: patch.ghlBlockId });
  // Conditional on the version pushed: a newer one (edited meanwhile) stays pending for the next round.
  await updateBlock(deps.db, b.id, { ...patch, syncStatus: 'synced', syncError: null, syncRetries: 0, lastSyncedAt: now }, b.version);
  return 'synced';
}

async function recordFailure(deps: Deps, b: BlockRow, err: unknown): Promise<PushOutcome> {
  const kind = err instanceof GhlError ? err.kind : 'internal';
  const counts = !NOT_AN_ATTEMPT.has(kind);
  const retries = b.syncRetries + (counts ? 1 : 0);
  const failed = retries >= deps.config.SYNC_MAX_ATTEMPTS;
  const message = `${kind}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000);
  await updateBlock(deps.db, b.id, { syncError: message, syncRetries: retries, syncStatus: failed ? 'sync_failed' : 'pending_sync' }, b.version);
  deps.logger[kind === 'internal' ? 'error' : counts ? 'warn' : 'info']('block push failed', { block_id: b.id, kind, attempt: retries, final: failed, err });
  deps.metrics.count('sync_pushes_total', { outcome: failed ? 'failed' : counts ? 'retry' : 'deferred' });
  if (kind === 'internal') throw err;
  if (failed) return 'failed';
  return PASSES_WITH_TIME.has(kind) ? 'retry' : counts ? 'failed' : 'deferred';
}

/** The blocks left pending (GHL down, the location not connected yet), a few at a time: the jobs call it. */
export async function sweepPendingBlocks(deps: Deps, opts: { locationId?: string; limit?: number } = {}) {
  const ids = await pendingBlockIds(deps.db, { locationId: opts.locationId, limit: opts.limit ?? 100 });
  const counts: Record<PushOutcome, number> = { synced: 0, unchanged: 0, skipped: 0, busy: 0, retry: 0, deferred: 0, failed: 0 };
  for (const id of ids) counts[await pushBlock(deps, id)]++;
  return counts;
}
