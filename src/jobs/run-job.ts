import type { SyncKind } from '../db/schema';
import type { Deps } from '../deps';
import { cleanupLocation } from '../sync/cleanup';
import { reconcileLocation } from '../sync/reconcile';
import { backfillLocation } from '../sync/backfill';
import { findConnection } from '../ghl/connections-repo';
import { GhlError } from '../ghl/errors';

const LOCK_TTL_MS = 15 * 60_000;

/**
 * Runs one kind of job for one location, at most once at a time: QStash delivers at least once,
 * so a second delivery while one runs is skipped (and a rerun of a finished job changes nothing).
 */
export async function runJob(deps: Deps, opts: { kind: SyncKind; locationId: string; messageId?: string | null; /** backfill only: how far back (default 90). */ days?: number }) {
  const conn = await findConnection(deps.db, opts.locationId);
  if (!conn) throw new GhlError('not_connected', `location ${opts.locationId} has no GHL connection`);
  if (conn.status !== 'active') throw new GhlError('reauth_required', `the GHL connection of ${opts.locationId} is ${conn.status}`);
  const key = `job-lock:${opts.kind}:${opts.locationId}`;
  const owner = crypto.randomUUID();
  if (!(await deps.store.setIfAbsent(key, owner, LOCK_TTL_MS))) {
    return { skipped: true as const, reason: 'a run of this job for this location is in progress' };
  }
  const started = Date.now();
  try {
    const r =
      opts.kind === 'cleanup'
        ? await cleanupLocation(deps, opts)
        : opts.kind === 'backfill'
          ? await backfillLocation(deps, { locationId: opts.locationId, days: opts.days, messageId: opts.messageId })
          : await reconcileLocation(deps, { locationId: opts.locationId, kind: opts.kind, messageId: opts.messageId });
    deps.metrics.observe('job_duration_seconds', (Date.now() - started) / 1000, { kind: opts.kind, outcome: r.outcome });
    return { skipped: false as const, ...r };
  } finally {
    await deps.store.compareAndDelete(key, owner);
  }
}
