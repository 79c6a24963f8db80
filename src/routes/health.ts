import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import type { AppEnv } from '../http/app-env';
import { countConnectionsByStatus } from '../ghl/connections-repo';
import { withTimeout } from '../lib/timeout';
import { locationsWithHeldSweeps, staleIncrementalLocations } from '../ops/staleness';

const CHECK_TIMEOUT_MS = 2_000;

interface Check {
  ok: boolean;
  latency_ms: number;
  error?: string;
}

/** Runs one check with a deadline: a hanging dependency must not hang the health check. */
async function timed(fn: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS, 'check');
    return { ok: true, latency_ms: Date.now() - started };
  } catch (err) {
    return { ok: false, latency_ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * /healthz: is each dependency answering, and how fast. Without the database nothing works
 * (503); without the store we still serve citas, degraded.
 * /readyz: can this instance take traffic: database reachable and migrated.
 */
export const healthRoutes = new Hono<AppEnv>()
  .get('/healthz', async (c) => {
    const { db, store } = c.var.deps;
    let connections: Record<string, number> = {};
    let stale: string[] = [];
    let held: string[] = [];
    const [database, kv] = await Promise.all([
      timed(async () => {
        [connections, stale, held] = await Promise.all([countConnectionsByStatus(db), staleIncrementalLocations(c.var.deps), locationsWithHeldSweeps(db)]);
      }),
      timed(() => store.ping()),
    ]);
    // A location whose GHL connection died syncs nothing until someone reinstalls: say so here.
    const reauth = connections.reauth_required ?? 0;
    const ghl = { connections, reauth_required: reauth, ok: reauth === 0 };
    // A connected location whose incremental sync has not succeeded lately drifts from GHL.
    // A held sweep waits for a person: the citas GHL no longer lists are neither cancelled nor explained.
    const sync = { stale_locations: stale, held_sweeps: held, ok: stale.length === 0 && held.length === 0 };
    const status = !database.ok ? 'down' : !kv.ok || !ghl.ok || !sync.ok ? 'degraded' : 'ok';
    return c.json({ status, checks: { database, store: kv, ghl, sync } }, database.ok ? 200 : 503);
  })
  .get('/readyz', async (c) => {
    const schema = await timed(() => c.var.deps.db.execute(sql`select 1 from citas limit 0`));
    return c.json({ ready: schema.ok, ...(schema.ok ? {} : { error: schema.error }) }, schema.ok ? 200 : 503);
  });
