import type { Context } from 'hono';
import * as z from 'zod/v4';
import { createRouter, json, jsonBody, problems, security } from '../../http/openapi';
import type { AppEnv } from '../../http/app-env';
import { AppError } from '../../errors';
import { validate } from '../../http/json-body';
import { requireQStash, publicUrl } from '../../http/middleware/qstash';
import type { SyncKind } from '../../db/schema';
import { externalId } from '../../domain/ids';
import { fanOut, runForLocation } from '../../jobs/fan-out';
import { pushJobUrl, pushWithRetries } from '../../sync/push-retry';
import { learnContacts } from '../../contacts/contacts-service';
import { BACKFILL_MAX_DAYS } from '../../sync/backfill-days';

/** The kinds QStash schedules; a backfill is asked for by a person or the connection. */
const SCHEDULED_KINDS = ['incremental', 'full', 'cleanup'] as const satisfies readonly SyncKind[];

const runBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(SCHEDULED_KINDS), location_id: externalId() }),
  // The clinic's past: how many days back from now (default 90), never swept or pushed (src/sync/backfill.ts).
  z.strictObject({ kind: z.literal('backfill'), location_id: externalId(), days: z.number().int().min(1).max(BACKFILL_MAX_DAYS).optional() }),
]);

const messageId = (c: Context<AppEnv>) => c.req.header('upstash-message-id') ?? null;

/** The scheduled endpoints: one message per connected location to /api/jobs/run. */
const scheduled = (kind: SyncKind) =>
  async function fanOutScheduledJob(c: Context<AppEnv>) {
    const runUrl = publicUrl(c.get('deps').config.PUBLIC_BASE_URL, new URL('/api/jobs/run', c.req.url).toString());
    return c.json(await fanOut(c.get('deps'), kind, { runUrl, messageId: messageId(c) }));
  };

/** The message QStash delivered (its raw body was read for the signature check), as JSON. */
function jobMessage(c: Context<AppEnv>): unknown {
  try {
    return JSON.parse(c.get('jobBody') ?? '');
  } catch {
    throw new AppError(400, 'invalid_json', 'The job message is not JSON.');
  }
}

/** One location's job, as published by the fan-out. */
async function runLocationJob(c: Context<AppEnv>) {
  const msg = validate(runBody, jobMessage(c));
  const result = await runForLocation(c.get('deps'), msg.kind, msg.location_id, messageId(c), 'days' in msg ? { days: msg.days } : {});
  if ('nonRetryable' in result) {
    // 489 + this header: QStash stops retrying (a retry cannot fix a dead connection) and DLQs it.
    return c.json(result, 489 as never, { 'Upstash-NonRetryable-Error': 'true' });
  }
  return c.json(result);
}

const pushBody = z.union([
  z.strictObject({ cita_id: z.uuid(), hop: z.number().int().min(0).max(1000) }),
  z.strictObject({ block_id: z.uuid(), hop: z.number().int().min(0).max(1000) }),
]);

/** A delayed retry of a push that failed for a reason time fixes (src/sync/push-retry.ts). */
async function pushJob(c: Context<AppEnv>) {
  const msg = validate(pushBody, jobMessage(c));
  const deps = c.get('deps');
  // The next retry, if one is due, is its own message: this one is done (200) whatever the outcome.
  return c.json(await pushWithRetries(deps, msg, pushJobUrl(deps.config, c.req.url)));
}

const contactsBody = z.strictObject({ location_id: externalId(), contact_ids: z.array(externalId()).min(1).max(200) });

/** Contacts a webhook met that we never heard of, learnt from GHL here (the webhooks function does not talk to GHL). */
async function contactsJob(c: Context<AppEnv>) {
  const msg = validate(contactsBody, jobMessage(c));
  return c.json(await learnContacts(c.get('deps'), msg.location_id, msg.contact_ids));
}

const router = createRouter();

/** /api/jobs: called by QStash only (signature checked before any handler). */
export const jobRoutes = router
  .use('*', requireQStash())
  .post('/sync/incremental', scheduled('incremental'))
  .post('/sync/full', scheduled('full'))
  .post('/cleanup', scheduled('cleanup'))
  .post('/run', runLocationJob)
  .post('/push', pushJob)
  .post('/contacts', contactsJob);

const fanOutSchema = z.object({ kind: z.enum(SCHEDULED_KINDS), published: z.number().int().optional(), message_ids: z.array(z.string()).optional(), ran_inline: z.number().int().optional() }).catchall(z.unknown()).meta({ id: 'JobFanOut' });
const runResultSchema = z.object({ skipped: z.boolean() }).catchall(z.unknown()).meta({ id: 'JobRun',  description: 'The run: outcome (ok, partial), counts, runId; or skipped when one is already running.' });
const jobDocs = { tags: ['Jobs'], security: security.qstash };
for (const [path, kind, summary] of [
  ['/sync/incremental', 'incremental', 'Hourly: GHL → RV3 for the next 14 days, then push what is pending'],
  ['/sync/full', 'full', 'Daily: the same for the next 3 months'],
  ['/cleanup', 'cleanup', 'Weekly: verify upcoming citas exist in GHL, retry sync_failed, prune'],
] as const) {
  router.document({
    ...jobDocs,
    method: 'post',
    path,
    operationId: `scheduled_${kind}`,
    summary,
    description: 'Called by a QStash schedule; publishes one `/api/jobs/run` message per connected location.',
    responses: { 200: json(fanOutSchema, 'Fanned out (or run inline without a queue).'), ...problems(401) },
  });
}
router.document({
  ...jobDocs,
  method: 'post',
  path: '/push',
  operationId: 'pushJob',
  summary: 'Retry of a push to GHL',
  description: 'A delayed, de-duplicated message published after a push failed for a reason time fixes; schedules the next one when needed.',
  request: { body: jsonBody(pushBody.meta({ id: 'PushJob' })) },
  responses: {
    200: json(z.object({ outcome: z.string(), retry_in_s: z.number().nullable() }).meta({ id: 'PushJobResult' }), 'Pushed, or the next retry scheduled.'),
    ...problems(400, 401, 422, 503),
  },
});
router.document({
  ...jobDocs,
  method: 'post',
  path: '/contacts',
  operationId: 'contactsJob',
  summary: 'Learn patients from GHL',
  description: 'Published after a webhook named a contact we never heard of (de-duplicated per contact); fetched through the location rate limiter, a 404 kept as deleted.',
  request: { body: jsonBody(contactsBody.meta({ id: 'ContactsJob' })) },
  responses: {
    200: json(z.object({ fetched: z.number().int(), deleted: z.number().int(), failed: z.number().int() }).meta({ id: 'ContactsJobResult' }), 'Learnt (failures are left to the sync jobs).'),
    ...problems(400, 401, 422, 503),
  },
});
router.document({
  ...jobDocs,
  method: 'post',
  path: '/run',
  operationId: 'runLocationJob',
  summary: "One location's job",
  description: 'A fan-out message, or one location\'s history (`backfill`, `days` back from now, default 90: imported, never swept or pushed). Answers 489 with `Upstash-NonRetryable-Error: true` when the connection needs re-authorisation (a retry cannot help).',
  request: { body: jsonBody(runBody.meta({ id: 'JobMessage' })) },
  responses: {
    200: json(runResultSchema, 'Ran, or skipped.'),
    489: {
      ...json(z.object({ nonRetryable: z.literal(true), error: z.string(), detail: z.string() }), 'The connection is dead; not retried.'),
      headers: { 'Upstash-NonRetryable-Error': { description: 'Tells QStash not to retry this message (it goes to the DLQ).', required: true, schema: { type: 'string', const: 'true' } } },
    },
    ...problems(400, 401, 422, 503),
  },
});
