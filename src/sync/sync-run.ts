import { recordableMessage } from '../db/pg-errors';
import { eq } from 'drizzle-orm';
import { syncRuns, type SyncKind } from '../db/schema';
import type { Deps } from '../deps';

export type RunOutcome = 'ok' | 'partial' | 'failed';

/** How often a running run's counts are saved for those following it. */
export const PROGRESS_EVERY_MS = 2_000;

export interface SyncRunResult<C> {
  runId: string;
  outcome: RunOutcome;
  counts: C;
  error: string | null;
}

/**
 * Records one job run for one location as a `sync_runs` row: `running` while `body` works, then
 * its outcome and counts. A run that throws is recorded `failed` with its error and the counts it
 * reached, and the error goes on to the caller (a dead connection must still reach QStash as 489).
 */
export async function withSyncRun<C extends object>(
  deps: Pick<Deps, 'db' | 'clock' | 'logger'>,
  opts: { kind: SyncKind; locationId: string; messageId?: string | null },
  counts: C,
  body: (run: { id: string; startedAt: Date; counts: C; progress: () => Promise<void> }) => Promise<{ outcome: 'ok' | 'partial'; error?: string | null }>,
): Promise<SyncRunResult<C>> {
  const { db, clock, logger } = deps;
  const startedAt = clock.now();
  const [run] = await db
    .insert(syncRuns)
    .values({ kind: opts.kind, locationId: opts.locationId, startedAt, outcome: 'running', messageId: opts.messageId ?? null })
    .returning({ id: syncRuns.id });
  const id = run!.id;
  const finish = async (outcome: RunOutcome, error: string | null) => {
    await db
      .update(syncRuns)
      .set({ finishedAt: clock.now(), outcome, counts: { ...counts } as Record<string, number>, error: error?.slice(0, 2000) ?? null })
      .where(eq(syncRuns.id, id));
    logger.info('sync run finished', { kind: opts.kind, location_id: opts.locationId, run_id: id, outcome, counts, ms: clock.now().getTime() - startedAt.getTime() });
  };
  // Counts so far, for whoever follows the run (npm run job, sync-status): saved at most every
  // PROGRESS_EVERY_MS, so a run that ends sooner costs no extra statement. Progress is a courtesy:
  // failing to save it never fails the run.
  let savedAt = startedAt.getTime();
  const progress = async () => {
    const now = clock.now().getTime();
    if (now - savedAt < PROGRESS_EVERY_MS) return;
    savedAt = now;
    await db
      .update(syncRuns)
      .set({ counts: { ...counts } as Record<string, number> })
      .where(eq(syncRuns.id, id))
      .catch((err: unknown) => logger.warn('sync run progress not saved', { run_id: id, err }));
  };
  let result: { outcome: 'ok' | 'partial'; error?: string | null };
  try {
    result = await body({ id, startedAt, counts, progress });
  } catch (err) {
    // The record names the kind of failure; the log line (finish) keeps the error itself.
    logger.warn('sync run failed', { kind: opts.kind, location_id: opts.locationId, run_id: id, err });
    await finish('failed', recordableMessage(err));
    throw Object.assign(err as object, { runId: id });
  }
  await finish(result.outcome, result.error ?? null);
  return { runId: id, outcome: result.outcome, counts, error: result.error ?? null };
}
