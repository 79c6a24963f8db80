import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../http/app-env';
import { readJson, validate } from '../../http/json-body';
import { appErrorFromGhl } from '../../http/ghl-errors';
import { connectionView, connectWithPrivateToken } from '../../ghl/connect';
import { sweepPending } from '../../sync/outbound';
import { AppError } from '../../http/errors';
import { findEvent, finishEvent, firstDeliveryStats } from '../../webhooks/events-repo';
import { applyEvent } from '../../webhooks/receive';
import { syncStatus } from '../../jobs/sync-status';
import { metricsReport } from '../../observability/report';

const locationId = z.string().trim().min(1).max(128);
const connectionBody = z.strictObject({ private_integration_token: z.string().trim().min(10).max(4096) });
const sweepBody = z.strictObject({
  location_id: locationId.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});

/** /api/admin: operator routes (admin key). */
export const adminRoutes = new Hono<AppEnv>()
  .get('/locations/:locationId/connection', async (c) => {
    const id = validate(locationId, c.req.param('locationId'), 'locationId');
    return c.json(await connectionView(c.var.deps, id));
  })
  .put('/locations/:locationId/connection', async (c) => {
    const id = validate(locationId, c.req.param('locationId'), 'locationId');
    const body = await readJson(c, connectionBody);
    const view = await connectWithPrivateToken(c.var.deps, id, body.private_integration_token).catch((e) => {
      throw appErrorFromGhl(e);
    });
    return c.json(view);
  })
  .get('/sync-status', async (c) => c.json(await syncStatus(c.var.deps)))
  .get('/metrics', async (c) => c.json(await metricsReport(c.var.deps)))
  /** Webhook counters (shared store) and the first-delivery rate (durable record). */
  .get('/webhooks/stats', async (c) => {
    const { deps } = c.var;
    const names = ['received', 'created', 'applied', 'cancelled', 'conflict', 'duplicate', 'stale', 'echo', 'unchanged', 'ignored', 'invalid_signature', 'invalid_timestamp', 'invalid_payload', 'failed', 'first_delivery'];
    const [counters, durable] = await Promise.all([deps.metrics.read(names.map((n) => `webhooks.${n}`)), firstDeliveryStats(deps.db)]);
    return c.json({
      counters: Object.fromEntries(names.map((n) => [n, counters[`webhooks.${n}`] ?? 0])),
      first_delivery: durable,
    });
  })
  /**
   * Reprocesses a stored webhook. Safe to repeat: applying is idempotent (stale and unchanged
   * events change nothing), and the event keeps its delivery count.
   */
  .post('/webhooks/:webhookId/replay', async (c) => {
    const webhookId = c.req.param('webhookId');
    const { deps } = c.var;
    const event = await findEvent(deps.db, webhookId);
    if (!event) throw AppError.notFound('Webhook', webhookId);
    const result = await deps.db.transaction(async (tx) => {
      const r = await applyEvent(tx, deps, { ...event, requestId: c.var.requestId }, event.payload);
      await finishEvent(tx, webhookId, { outcome: r.outcome, citaId: r.citaId, at: deps.clock.now() });
      return r;
    });
    return c.json({ webhook_id: webhookId, replayed: true, previous_outcome: event.outcome, outcome: result.outcome, cita_id: result.citaId });
  })
  /** Pushes citas left in pending_sync; the scheduled jobs call the same function. */
  .post('/sync/push-pending', async (c) => {
    const body = await readJson(c, sweepBody, { allowEmpty: true });
    return c.json(await sweepPending(c.var.deps, { limit: body.limit, locationId: body.location_id }));
  });
