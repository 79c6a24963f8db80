/**
 * A long run shows its progress while it runs: `npm run job` and sync-status read the counts of a
 * `running` sync_runs row, so withSyncRun saves them every PROGRESS_EVERY_MS of the run — and a run
 * that ends sooner costs no statement for it.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { syncRuns } from '../../src/db/schema';
import { fixedClock } from '../../src/lib/clock';
import { PROGRESS_EVERY_MS, withSyncRun } from '../../src/sync/sync-run';
import { createTestEnv, type TestEnv } from '../support/harness';

let t: TestEnv | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('withSyncRun progress', () => {
  it('saves the counts of a running run once PROGRESS_EVERY_MS has passed, not before; the end saves the final counts', async () => {
    const clock = fixedClock('2026-06-01T10:00:00Z');
    t = await createTestEnv({ clock });
    const deps = t.deps;
    const stored = async (id: string) => (await deps.db.select().from(syncRuns).where(eq(syncRuns.id, id)))[0]!;
    const seen: { outcome: string; windows: number | undefined }[] = [];

    const result = await withSyncRun(deps, { kind: 'full', locationId: 'loc-progress' }, { windows: 0 }, async ({ id, counts, progress }) => {
      counts.windows = 1;
      await progress(); // too soon: nothing saved
      let row = await stored(id);
      seen.push({ outcome: row.outcome, windows: (row.counts as { windows?: number } | null)?.windows });

      clock.advance(PROGRESS_EVERY_MS);
      counts.windows = 2;
      await progress();
      row = await stored(id);
      seen.push({ outcome: row.outcome, windows: (row.counts as { windows?: number }).windows });

      counts.windows = 3;
      await progress(); // again too soon after the last save
      row = await stored(id);
      seen.push({ outcome: row.outcome, windows: (row.counts as { windows?: number }).windows });
      return { outcome: 'ok' };
    });

    expect(seen).toEqual([
      { outcome: 'running', windows: undefined },
      { outcome: 'running', windows: 2 },
      { outcome: 'running', windows: 2 },
    ]);
    const done = await stored(result.runId);
    expect(done.outcome).toBe('ok');
    expect(done.counts).toEqual({ windows: 3 });
  });
});
