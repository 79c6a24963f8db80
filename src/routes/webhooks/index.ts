import type { Context } from 'hono';
import * as z from 'zod/v4';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, problems, security } from '../../http/openapi';
import { appointmentWebhook, contactWebhook, webhookEnvelope } from '../../webhooks/payload';
import { AppError } from '../../errors';
import { limitBody, rateLimit } from '../../http/middleware/limits';
import { clientIp } from '../../http/client-ip';
import { createWebhookVerifier, type WebhookVerifier } from '../../webhooks/signature';
import { receiveGhlWebhook } from '../../webhooks/receive';
import { learnContactsLater } from '../../contacts/contacts-service';
import type { AppConfig } from '../../config/config';

/** One verifier per configuration: importing the keys is the costly part of verifying. */
const verifiers = new WeakMap<AppConfig, WebhookVerifier>();
function verifierFor(config: AppConfig): WebhookVerifier {
  let v = verifiers.get(config);
  if (!v) {
    v = createWebhookVerifier({ ed25519: config.GHL_WEBHOOK_ED25519_PUBLIC_KEY, rsa: config.GHL_WEBHOOK_RSA_PUBLIC_KEY });
    verifiers.set(config, v);
  }
  return v;
}

/**
 * A GHL delivery: the raw bytes go to the pipeline (src/webhooks/receive.ts) untouched. GHL
 * re-delivers only after a 429, so anything the pipeline did not decide itself (401, 400, 429) is
 * answered 429 too: a 500 would lose the event for good.
 */
async function receiveGhlDelivery(c: Context<AppEnv>) {
  const started = Date.now();
  let result;
  try {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    result = await receiveGhlWebhook(c.get('deps'), verifierFor(c.get('deps').config), { raw, headers: c.req.raw.headers, requestId: c.get('requestId') });
  } catch (err) {
    const refused = err instanceof AppError ? err : null;
    if (!refused) c.get('log').error('webhook failed unexpectedly; asking GHL to re-deliver', { err });
    countDelivery(c, refused ? (OUTCOME_OF_CODE[refused.code] ?? refused.code) : 'failed', started, false);
    throw refused ?? new AppError(429, 'retry_later', 'The webhook could not be processed right now; deliver it again.', { headers: { 'Retry-After': '60' } });
  }
  countDelivery(c, result.body.outcome, started, result.firstDelivery === true);
  // A patient we never heard of: the jobs function learns it from GHL (this function does not talk
  // to GHL), through the location's rate limiter; the message leaves after the answer.
  const learn = result.learnContact;
  if (learn) c.get('defer')(() => learnContactsLater(c.get('deps'), learn.locationId, [learn.contactId], c.req.url));
  Object.assign(c.get('logEvent'), { webhook_id: result.body.webhook_id, outcome: result.body.outcome, handle_ms: Date.now() - started });
  return c.json(result.body, 200);
}

/** A refused delivery's outcome, by the problem code the pipeline answered with. */
const OUTCOME_OF_CODE: Record<string, string> = {
  invalid_signature: 'invalid_signature',
  stale_webhook: 'invalid_timestamp',
  invalid_payload: 'invalid_payload',
  retry_later: 'failed',
};

/** Every delivery counted once, by its outcome (metrics wait in the process; no store call here). */
function countDelivery(c: Context<AppEnv>, outcome: string, started: number, firstDelivery: boolean) {
  const { metrics } = c.get('deps');
  metrics.count('webhooks_total', { outcome });
  metrics.observe('webhook_duration_seconds', (Date.now() - started) / 1000, { outcome });
  if (firstDelivery) metrics.count('webhooks_first_delivery_total', {});
}

const deliverySchema = z
  .object({
    received: z.literal(true),
    outcome: z.string().meta({ description: 'created, applied, cancelled, conflict, stale, echo, unchanged, ignored, duplicate' }),
    webhook_id: z.string(),
    cita_id: z.string().nullable().optional(),
  })
  .meta({ id: 'WebhookReceipt' });

/**
 * /api/webhooks/ghl (also /api/webhooks/ghl/appointments): GHL's signed webhooks. Public: the
 * signature is the authentication. Guarded by a per-IP limit and a body limit before anything
 * is read. The handler reads the raw bytes itself (the signature covers them), so the route is
 * documented in the spec but validated by the pipeline, not by a schema.
 */
const router = createRouter();

export const webhookRoutes = router
  .use('*', limitBody((c) => c.get('deps').config.WEBHOOK_MAX_BODY_BYTES))
  .use('*', rateLimit({ name: 'webhooks', binding: 'WEBHOOK_LIMITER', windowMs: 60_000, limit: (c) => c.get('deps').config.WEBHOOK_RATE_LIMIT_PER_MINUTE, key: clientIp }))
  .post('/ghl', receiveGhlDelivery)
  .post('/ghl/appointments', receiveGhlDelivery);

/**
 * What GHL delivers, for the document (the pipeline parses it with ../../webhooks/payload.ts): the
 * envelope every delivery carries (`timestamp`, `webhookId`; GHL's event pages leave it out) around
 * an appointment event, INSTALL / UNINSTALL, or any other event, which is recorded and ignored.
 */
const { webhookId, timestamp } = webhookEnvelope.shape;
const ghlWebhookBody = z
  .union([
    appointmentWebhook.extend({ webhookId, timestamp }).meta({ id: 'GhlAppointmentWebhook' }),
    webhookEnvelope.extend({ type: z.enum(['INSTALL', 'UNINSTALL']), appId: z.string().optional(), companyId: z.string().optional() }).meta({
      id: 'GhlAppWebhook',
      description: 'The app installed in a location (recorded; its tokens come through /oauth/callback) or removed from it (the connection becomes `uninstalled`).',
    }),
    contactWebhook.extend({ webhookId, timestamp }).meta({
      id: 'GhlContactWebhook',
      description: "A patient created, changed or deleted in GHL: kept in our contacts, and passed to the citas that name it (ordered by `timestamp`).",
    }),
    webhookEnvelope
      .extend({ type: z.string().regex(/^(?!(Appointment(Create|Update|Delete)|Contact(Create|Update|Delete)|INSTALL|UNINSTALL)$)/) })
      .meta({ id: 'GhlOtherWebhook', description: 'Any other event type: recorded, answered `ignored`.' }),
  ])
  .meta({ id: 'GhlWebhook' });

for (const path of ['/ghl', '/ghl/appointments']) {
  router.document({
    method: 'post',
    path,
    operationId: path === '/ghl' ? 'receiveGhlWebhook' : 'receiveGhlAppointmentWebhook',
    summary: "GHL's signed webhooks",
    description:
      'AppointmentCreate / AppointmentUpdate / AppointmentDelete, INSTALL / UNINSTALL (others are recorded and ignored). Signature over the raw bytes, ' +
      'freshness of `timestamp`, idempotent by `webhookId`. GHL re-delivers only after a 429, so transient trouble is a 429 ' +
      'and anything final a recorded 400.',
    tags: ['Webhooks'],
    security: security.ghl,
    request: { body: { required: true, content: { 'application/json': { schema: ghlWebhookBody } } } },
    responses: {
      200: json(deliverySchema, 'Processed (or a duplicate of one that was).'),
      ...problems(400, 401, 413, 429),
    },
  });
}
