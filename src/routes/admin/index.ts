import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../http/app-env';
import { readJson, validate } from '../../http/json-body';
import { externalId } from '../../domain/ids';
import { connectionView, connectWithPrivateToken } from '../../locations/connection';
import { sweepPending } from '../../sync/outbound';
import { replayWebhook } from '../../webhooks/receive';
import { syncStatus } from '../../ops/sync-status';
import { metricsReport, webhookStats } from '../../ops/metrics-report';

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
  .post('/webhooks/:webhookId/replay', async (c) => c.json(await replayWebhook(c.var.deps, c.req.param('webhookId'), c.var.requestId)))
  /** Pushes citas left in pending_sync; the scheduled jobs call the same function. */
  .post('/sync/push-pending', async (c) => {
    const body = await readJson(c, sweepBody, { allowEmpty: true });
    return c.json(await sweepPending(c.var.deps, { limit: body.limit, locationId: body.location_id }));
  });
