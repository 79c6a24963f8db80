import { Hono, type Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../http/app-env';
import { readJson, validate } from '../../http/json-body';
import { externalId } from '../../domain/ids';
import { connectionView, connectWithPrivateToken } from '../../locations/connection';
import { sweepPending } from '../../sync/outbound';
import { replayWebhook } from '../../webhooks/receive';
import { decideSweepHold, listSweepHolds } from '../../sync/sweep-holds';
import { SWEEP_HOLD_STATUSES } from '../../db/schema';
import { AppError } from '../../errors';
import { syncStatus } from '../../ops/sync-status';
import { metricsReport, webhookStats } from '../../ops/metrics-report';

const webhookIdParam = z.string().min(1).max(200);
const sweepsQuery = z.strictObject({ status: z.enum(SWEEP_HOLD_STATUSES).optional(), location_id: externalId.optional() });
// A malformed id names no hold: a 404 like any unknown one.
const holdId = (raw: string) => {
  if (!z.uuid().safeParse(raw).success) throw AppError.notFound('Held sweep', raw);
  return raw;
};
const decider = (c: Context<AppEnv>) => ({ clientId: c.var.client?.id ?? null, requestId: c.var.requestId });
const connectionBody = z.strictObject({ private_integration_token: z.string().trim().min(10).max(4096) });
const sweepBody = z.strictObject({
  location_id: externalId.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});

/** /api/admin: operator routes (admin key). */
export const adminRoutes = new Hono<AppEnv>()
  .get('/locations/:locationId/connection', async (c) => {
    const id = validate(externalId, c.req.param('locationId'), 'locationId');
    return c.json(await connectionView(c.var.deps, id));
  })
  .put('/locations/:locationId/connection', async (c) => {
    const id = validate(externalId, c.req.param('locationId'), 'locationId');
    const body = await readJson(c, connectionBody);
    return c.json(await connectWithPrivateToken(c.var.deps, id, body.private_integration_token));
  })
  .get('/sync-status', async (c) => c.json(await syncStatus(c.var.deps)))
  .get('/metrics', async (c) => c.json(await metricsReport(c.var.deps)))
  /** Webhook counters (shared store) and the first-delivery rate (durable record). */
  .get('/webhooks/stats', async (c) => c.json(await webhookStats(c.var.deps)))
  /** Reprocesses a stored webhook through the delivery pipeline's own parse and apply. */
  .post('/webhooks/:webhookId/replay', async (c) => {
    const webhookId = validate(webhookIdParam, c.req.param('webhookId'), 'webhookId');
    return c.json(await replayWebhook(c.var.deps, webhookId, c.var.requestId));
  })
  /** Sweeps a sync job held for review (it would have cancelled an unusual share of a location's citas). */
  .get('/sweeps', async (c) => {
    const q = validate(sweepsQuery, c.req.query());
    return c.json({ data: await listSweepHolds(c.var.deps, { status: q.status, locationId: q.location_id }) });
  })
  .post('/sweeps/:id/confirm', async (c) => c.json(await decideSweepHold(c.var.deps, holdId(c.req.param('id')), 'confirm', decider(c))))
  .post('/sweeps/:id/dismiss', async (c) => c.json(await decideSweepHold(c.var.deps, holdId(c.req.param('id')), 'dismiss', decider(c))))
  /** Pushes citas left in pending_sync; the scheduled jobs call the same function. */
  .post('/sync/push-pending', async (c) => {
    const body = await readJson(c, sweepBody, { allowEmpty: true });
    return c.json(await sweepPending(c.var.deps, { limit: body.limit, locationId: body.location_id }));
  });
