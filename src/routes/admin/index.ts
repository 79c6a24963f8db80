import type { Context } from 'hono';
import type { RouteConfig, RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import * as z from 'zod/v4';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, jsonBody, problems, security } from '../../http/openapi';
import { externalId } from '../../domain/ids';
import { API_KEY_ROLES, SWEEP_HOLD_STATUSES } from '../../db/schema';
import { createApiKey, listApiKeys, revokeApiKey } from '../../access/api-keys';
import { connectionView, connectWithPrivateToken } from '../../locations/connection';
import { sweepPending } from '../../sync/outbound';
import { afterConnect } from '../../sync/after-connect';
import { citasAwaitingLink } from '../../citas/cita-link';
import { citaView } from '../../citas/cita-view';
import { citaSchema } from '../citas/schemas';
import { replayWebhook } from '../../webhooks/receive';
import { decideSweepHold, listSweepHolds } from '../../sync/sweep-holds';
import { syncStatus } from '../../ops/sync-status';
import { syncHealth } from '../../ops/staleness';
import { metricsReport, webhookStats } from '../../ops/metrics-report';
import { locationParams } from '../locations/schemas';

const tags = ['Admin'];
const loose = (name: string, description: string) => z.object({}).catchall(z.unknown()).meta({ id: name, description });

const connectionSchema = loose('Connection', 'The GHL connection: `connected`, `auth_type` (oauth|pit), `status` (active|reauth_required|uninstalled), `last_error`, expiry, scopes, `circuit_open`.');
const holdSchema = z
  .object({
    id: z.uuid(),
    location_id: z.string(),
    status: z.enum(SWEEP_HOLD_STATUSES),
    run_id: z.string().nullable(),
    would_cancel: z.number().int(),
    of: z.number().int(),
    cita_ids: z.array(z.string()),
    scan_started_at: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    decided_at: z.string().nullable(),
    decided_by: z.string().nullable(),
  })
  .meta({ id: 'HeldSweep' });

const connectionBody = z.strictObject({ private_integration_token: z.string().trim().min(10).max(4096) }).meta({ id: 'PrivateTokenConnect' });
const sweepBody = z.strictObject({ location_id: externalId().optional(), limit: z.number().int().min(1).max(1000).optional() }).meta({ id: 'PushPending' });
const sweepsQuery = z.strictObject({ status: z.enum(SWEEP_HOLD_STATUSES).optional(), location_id: externalId().optional() });
const holdParams = z.object({ id: z.uuid().meta({ param: { name: 'id', in: 'path' } }) });
const webhookParams = z.object({ webhookId: z.string().min(1).max(200).meta({ param: { name: 'webhookId', in: 'path' } }) });

const route = <P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(r: R) => defineRoute({ tags, security: security.apiKey, ...r });

const getConnectionRoute = route({
  method: 'get',
  path: '/locations/{locationId}/connection',
  operationId: 'getConnection',
  summary: "A location's GHL connection",
  description: 'How it is connected (OAuth or a Private Integration token), its status, last error, expiry and scopes; never the tokens.',
  request: { params: locationParams },
  responses: { 200: json(connectionSchema, 'The connection.'), ...problems(401, 403, 404) },
});
const putConnectionRoute = route({
  method: 'put',
  path: '/locations/{locationId}/connection',
  operationId: 'connectWithPrivateToken',
  summary: 'Connect a location with a Private Integration token',
  description: "Verified against GHL (the location is read, its time zone learnt); replaces any earlier connection.",
  request: { params: locationParams, body: jsonBody(connectionBody) },
  responses: { 200: json(connectionSchema, 'Connected.'), ...problems(400, 401, 403, 404, 409, 413, 415, 422, 503) },
});
const syncStatusRoute = route({
  method: 'get',
  path: '/sync-status',
  operationId: 'getSyncStatus',
  summary: 'Sync state per location',
  description: 'Per location and job kind the last run and last success with its age, pending / failed / conflict counts, the connection, a held sweep; rolled up into healthy / degraded / failing.',
  responses: { 200: json(loose('SyncStatus', 'See the README, "Scheduled sync jobs".'), 'The sync status.'), ...problems(401, 403, 503) },
});
const syncHealthRoute = route({
  method: 'get',
  path: '/sync-health',
  operationId: 'getSyncHealth',
  summary: 'Which locations make /healthz degraded',
  description:
    'The public `/healthz` only counts them; this names them: connected locations whose incremental sync has not succeeded within `SYNC_STALE_AFTER_MS`, ' +
    'locations with a sweep held for review, and connections that need re-authorisation.',
  responses: {
    200: json(
      z
        .object({ ok: z.boolean(), stale_locations: z.array(z.string()), held_sweeps: z.array(z.string()), reauth_required: z.array(z.string()) })
        .meta({ id: 'SyncHealth' }),
      'The locations, by what is wrong.',
    ),
    ...problems(401, 403, 429, 503),
  },
});
const metricsJsonRoute = route({
  method: 'get',
  path: '/metrics',
  operationId: 'getMetricsJson',
  summary: 'Metrics as JSON',
  description: 'The counters behind `/metrics`, as JSON, with the ratios operators ask for.',
  responses: { 200: json(loose('MetricsReport', 'Counters and the ratios operators ask for.'), 'The metrics.'), ...problems(401, 403, 503) },
});
const webhookStatsRoute = route({
  method: 'get',
  path: '/webhooks/stats',
  operationId: 'getWebhookStats',
  summary: 'Webhook counters and first-delivery rate',
  description: 'Deliveries by outcome (shared store) and the share processed on GHL’s first delivery (durable record).',
  responses: { 200: json(loose('WebhookStats', 'Counters by outcome (shared store) and the first-delivery rate (durable record).'), 'The stats.'), ...problems(401, 403, 503) },
});
const replayRoute = route({
  method: 'post',
  path: '/webhooks/{webhookId}/replay',
  operationId: 'replayWebhook',
  summary: 'Reprocess a stored webhook',
  description: 'Through the delivery pipeline’s own parse and apply; idempotent (applying twice changes nothing).',
  request: { params: webhookParams },
  responses: {
    200: json(z.object({ webhook_id: z.string(), replayed: z.literal(true), previous_outcome: z.string(), outcome: z.string(), cita_id: z.string().nullable() }).meta({ id: 'WebhookReplay' }), 'Replayed.'),
    ...problems(401, 403, 404, 503),
  },
});
const listSweepsRoute = route({
  method: 'get',
  path: '/sweeps',
  operationId: 'listHeldSweeps',
  summary: 'Sweeps held for review',
  description: 'A sync that would have cancelled an unusual share of a location’s citas holds the sweep for a person.',
  request: { query: sweepsQuery },
  responses: { 200: json(z.object({ data: z.array(holdSchema) }), 'The holds, newest first.'), ...problems(401, 403, 422) },
});
const decision = (verb: 'confirm' | 'dismiss') =>
  route({
    method: 'post',
    path: `/sweeps/{id}/${verb}`,
    operationId: verb === 'confirm' ? 'confirmHeldSweep' : 'dismissHeldSweep',
    summary: verb === 'confirm' ? 'Confirm a held sweep: cancel those citas' : 'Dismiss a held sweep: cancel nothing',
    description:
      (verb === 'confirm'
        ? 'Cancels the held citas that are still active, synced and unchanged since the scan, and says how many. '
        : 'Closes the hold; every cita stays as it is. ') + 'A hold already decided is a 409 (`already_decided`).',
    request: { params: holdParams },
    responses: { 200: json(holdSchema.extend({ cancelled: z.number().int() }), 'The decision.'), ...problems(401, 403, 404, 409) },
  });
const confirmSweepRoute = decision('confirm');
const dismissSweepRoute = decision('dismiss');
const pushPendingRoute = route({
  method: 'post',
  path: '/sync/push-pending',
  operationId: 'pushPending',
  summary: 'Push citas left pending',
  description: 'The scheduled jobs call the same.',
  request: { body: { ...jsonBody(sweepBody), required: false } },
  responses: { 200: json(loose('PushSummary', 'examined, synced, unchanged, skipped, busy, retry, deferred, failed, still_pending'), 'What happened.'), ...problems(400, 401, 403, 415, 422) },
});

const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key, to tell keys apart.', example: 'cs_Ab3x9Q' }),
    role: z.enum(API_KEY_ROLES),
    location_ids: z.array(z.string()).nullable().meta({ description: 'The locations this key may use; null: every location.' }),
    created_at: z.string(),
    created_by: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });
const apiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).meta({ example: 'Recepción Clínica Demo' }),
    role: z.enum(API_KEY_ROLES).default('api'),
    location_ids: z.array(externalId()).min(1).max(100).optional().meta({ description: 'Limit the key to these locations (omit: every location).', example: ['demo-location'] }),
  })
  .meta({ id: 'ApiKeyCreate' });
const apiKeyParams = z.object({ id: z.uuid().meta({ param: { name: 'id', in: 'path' } }) });

const createApiKeyRoute = route({
  method: 'post',
  path: '/api-keys',
  operationId: 'createApiKey',
  summary: 'Make an API key',
  description: 'The key is in this answer only (we keep its SHA-256). A key limited to locations gets 404 for any other location.',
  request: { body: jsonBody(apiKeyBody) },
  responses: { 201: json(apiKeySchema.extend({ key: z.string() }).meta({ id: 'ApiKeyCreated' }), 'Made; `key` is shown this once.'), ...problems(400, 401, 403, 415, 422) },
});
const listApiKeysRoute = route({
  method: 'get',
  path: '/api-keys',
  operationId: 'listApiKeys',
  summary: 'The API keys admins made',
  description: 'Keys from the environment (API_KEYS, ADMIN_API_KEYS) are not listed: they are bootstrap keys.',
  responses: { 200: json(z.object({ data: z.array(apiKeySchema) }), 'The keys, newest first.'), ...problems(401, 403) },
});
const revokeApiKeyRoute = route({
  method: 'delete',
  path: '/api-keys/{id}',
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key',
  description: 'Takes effect everywhere within `API_KEY_CACHE_MS` (30 s). Revoking twice is fine.',
  request: { params: apiKeyParams },
  responses: { 200: json(apiKeySchema, 'Revoked.'), ...problems(401, 403, 404) },
});

const makeApiKey: RouteHandler<typeof createApiKeyRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const made = await createApiKey(c.get('deps'), { name: body.name, role: body.role, locationIds: body.location_ids ?? null }, c.get('client')?.clientId ?? null);
  return c.json(made, 201);
};
const listKeys: RouteHandler<typeof listApiKeysRoute, AppEnv> = async (c) => c.json({ data: await listApiKeys(c.get('deps').db) }, 200);
const revokeKey: RouteHandler<typeof revokeApiKeyRoute, AppEnv> = async (c) => c.json(await revokeApiKey(c.get('deps'), c.req.valid('param').id), 200);

const getConnection: RouteHandler<typeof getConnectionRoute, AppEnv> = async (c) => c.json(await connectionView(c.get('deps'), c.req.valid('param').locationId), 200);
const putConnection: RouteHandler<typeof putConnectionRoute, AppEnv> = async (c) => {
  const { locationId } = c.req.valid('param');
  const connection = await connectWithPrivateToken(c.get('deps'), locationId, c.req.valid('json').private_integration_token);
  // Citas saved while the location was not connected go to GHL now — those GHL already holds are
  // linked, not pushed twice — and the clinic's history comes in (sync/after-connect.ts).
  c.get('defer')(() => afterConnect(c.get('deps'), locationId));
  return c.json(connection, 200);
};
const getSyncStatus: RouteHandler<typeof syncStatusRoute, AppEnv> = async (c) => c.json(await syncStatus(c.get('deps')), 200);
const getSyncHealth: RouteHandler<typeof syncHealthRoute, AppEnv> = async (c) => c.json(await syncHealth(c.get('deps')), 200);
const getMetricsJson: RouteHandler<typeof metricsJsonRoute, AppEnv> = async (c) => c.json(await metricsReport(c.get('deps')), 200);
const getWebhookStats: RouteHandler<typeof webhookStatsRoute, AppEnv> = async (c) => c.json(await webhookStats(c.get('deps')), 200);
const replay: RouteHandler<typeof replayRoute, AppEnv> = async (c) => c.json(await replayWebhook(c.get('deps'), c.req.valid('param').webhookId, c.get('requestId')), 200);
const listSweeps: RouteHandler<typeof listSweepsRoute, AppEnv> = async (c) => {
  const q = c.req.valid('query');
  return c.json({ data: await listSweepHolds(c.get('deps'), { status: q.status, locationId: q.location_id }) }, 200);
};
const decider = (c: Context<AppEnv>) => ({ clientId: c.get('client')?.clientId ?? null, requestId: c.get('requestId') });
const confirmSweep: RouteHandler<typeof confirmSweepRoute, AppEnv> = async (c) => c.json(await decideSweepHold(c.get('deps'), c.req.valid('param').id, 'confirm', decider(c)), 200);
const dismissSweep: RouteHandler<typeof dismissSweepRoute, AppEnv> = async (c) => c.json(await decideSweepHold(c.get('deps'), c.req.valid('param').id, 'dismiss', decider(c)), 200);
const pushPending: RouteHandler<typeof pushPendingRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json') ?? {};
  return c.json(await sweepPending(c.get('deps'), { limit: body.limit, locationId: body.location_id }), 200);
};

const matchesRoute = defineRoute({
  method: 'get',
  path: '/matches',
  operationId: 'listAmbiguousMatches',
  summary: 'Citas waiting to be linked to a GHL appointment',
  description: 'When a location connected, GHL held more than one appointment that could be each of these citas (same calendar, times, patient): a person links one (`POST /api/citas/{id}/link`); until then they are not pushed.',
  tags: ['Admin'],
  security: security.apiKey,
  request: { query: z.strictObject({ location_id: externalId().meta({ example: 'demo-location' }) }) },
  responses: { 200: json(z.object({ data: z.array(citaSchema) }).meta({ id: 'AmbiguousMatches' }), 'The citas and their candidates.'), ...problems(401, 403, 422, 429, 503) },
});
const listMatches: RouteHandler<typeof matchesRoute, AppEnv> = async (c) => c.json({ data: (await citasAwaitingLink(c.get('deps'), c.req.valid('query').location_id)).map(citaView) }, 200);

/** /api/admin: operator routes (admin key). */
export const adminRoutes = createRouter()
  .openapi(getConnectionRoute, getConnection)
  .openapi(putConnectionRoute, putConnection)
  .openapi(syncStatusRoute, getSyncStatus)
  .openapi(syncHealthRoute, getSyncHealth)
  .openapi(metricsJsonRoute, getMetricsJson)
  .openapi(webhookStatsRoute, getWebhookStats)
  .openapi(replayRoute, replay)
  .openapi(listSweepsRoute, listSweeps)
  .openapi(confirmSweepRoute, confirmSweep)
  .openapi(dismissSweepRoute, dismissSweep)
  .openapi(pushPendingRoute, pushPending)
  .openapi(createApiKeyRoute, makeApiKey)
  .openapi(listApiKeysRoute, listKeys)
  .openapi(revokeApiKeyRoute, revokeKey)
  .openapi(matchesRoute, listMatches);
