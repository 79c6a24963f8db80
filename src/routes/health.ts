import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../http/router';
import * as z from 'zod/v4';
import { sql } from 'drizzle-orm';
import type { AppEnv } from '../http/app-env';
import { createRouter, json, security } from '../http/openapi';
import { countConnectionsByStatus } from '../ghl/connections-repo';
import { TimeoutError, withTimeout } from '../lib/timeout';
import type { Logger } from '../observability/logger';
import { locationsWithHeldSweeps, staleIncrementalLocations } from '../ops/staleness';

const CHECK_TIMEOUT_MS = 2_000;

/**
 * What a failed check says to anyone: a fixed word. The driver's own message names statements,
 * hosts and files, so it goes to the log (with the request id), never into the answer.
 */
const CHECK_ERRORS = ['timeout', 'unavailable'] as const;
type CheckError = (typeof CHECK_ERRORS)[number];

interface Check {
  ok: boolean;
  latency_ms: number;
  error?: CheckError;
}

/** Runs one check with a deadline: a hanging dependency must not hang the health check. */
async function timed(name: string, log: Logger, fn: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS, name);
    return { ok: true, latency_ms: Date.now() - started };
  } catch (err) {
    log.warn('health check failed', { check: name, err });
    return { ok: false, latency_ms: Date.now() - started, error: err instanceof TimeoutError ? 'timeout' : 'unavailable' };
  }
}

const checkSchema = z.object({
  ok: z.boolean(),
  latency_ms: z.number(),
  error: z.enum(CHECK_ERRORS).optional().meta({ description: 'Why, in one word; details in the logs.' }),
});
const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    checks: z.object({
      database: checkSchema,
      store: checkSchema,
      ghl: z.object({ connections: z.record(z.string(), z.number()), reauth_required: z.number(), ok: z.boolean() }),
      sync: z
        .object({ stale_locations: z.number().int(), held_sweeps: z.number().int(), ok: z.boolean() })
        .meta({ description: 'Counts; which locations: `GET /api/admin/sync-health`.' }),
    }),
  })
  .meta({ id: 'Health' });
const readySchema = z.object({ ready: z.boolean(), error: z.enum(CHECK_ERRORS).optional() }).meta({ id: 'Readiness' });

const healthRoute = defineRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'health',
  summary: 'Is each dependency answering, and how fast',
  description:
    'Without the database nothing works (503, `down`); without the store, a connection needing re-authorisation, a stale sync or a held sweep: 200 `degraded`. ' +
    'Public: counts only, no names or error text.',
  tags: ['Operations'],
  security: security.none,
  responses: { 200: json(healthSchema, 'Up (ok or degraded).'), 503: json(healthSchema, 'The database is down.') },
});
const readyRoute = defineRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'ready',
  summary: 'Can this instance take traffic (database reachable and migrated)',
  description: 'Readiness probe: 200 once the database answers with our tables, else 503.',
  tags: ['Operations'],
  security: security.none,
  responses: { 200: json(readySchema, 'Ready.'), 503: json(readySchema, 'Not ready.') },
});

const health: RouteHandler<typeof healthRoute, AppEnv> = async (c) => {
  const { db, store } = c.get('deps');
  const log = c.get('log');
  let connections: Record<string, number> = {};
  let stale: string[] = [];
  let held: string[] = [];
  const [database, kv] = await Promise.all([
    timed('database', log, async () => {
      [connections, stale, held] = await Promise.all([countConnectionsByStatus(db), staleIncrementalLocations(c.get('deps')), locationsWithHeldSweeps(db)]);
    }),
    timed('store', log, () => store.ping()),
  ]);
  // A location whose GHL connection died syncs nothing until someone reinstalls: say so here.
  const reauth = connections.reauth_required ?? 0;
  const ghl = { connections, reauth_required: reauth, ok: reauth === 0 };
  // A connected location whose incremental sync has not succeeded lately drifts from GHL; a held
  // sweep waits for a person (the citas GHL no longer lists are neither cancelled nor explained).
  // Anyone may read this: counts only; the locations are named on the admin route.
  const sync = { stale_locations: stale.length, held_sweeps: held.length, ok: stale.length === 0 && held.length === 0 };
  const status = !database.ok ? ('down' as const) : !kv.ok || !ghl.ok || !sync.ok ? ('degraded' as const) : ('ok' as const);
  const body = { status, checks: { database, store: kv, ghl, sync } };
  return database.ok ? c.json(body, 200) : c.json(body, 503);
};

const ready: RouteHandler<typeof readyRoute, AppEnv> = async (c) => {
  const schema = await timed('schema', c.get('log'), () => c.get('deps').db.execute(sql`select 1 from citas limit 0`));
  const body = { ready: schema.ok, ...(schema.ok ? {} : { error: schema.error }) };
  return schema.ok ? c.json(body, 200) : c.json(body, 503);
};

/**
 * /healthz: is each dependency answering, and how fast. /readyz: can this instance take traffic.
 */
export const healthRoutes = createRouter().openapi(healthRoute, health).openapi(readyRoute, ready);
