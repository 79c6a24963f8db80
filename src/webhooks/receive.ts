import type { Deps } from '../deps';
import type { Tx } from '../db/client';
import type { WebhookOutcome } from '../db/schema';
import { AppError } from '../errors';
import { applyUninstall } from './app-events';
import { isPermanentDataError, pgErrorInfo } from '../db/pg-errors';
import { MAX_JSON_DEPTH, storableJson, storableText, unsafeJsonFields } from '../domain/text';
import { sha256, toHex } from '../lib/hex';
import { withTimeout } from '../lib/timeout';
import { applyGhlAppointment, InboundRace, InboundRefused } from '../sync/inbound';
import { lookupInbound } from '../sync/inbound-lookup';
import { claimEvent, claimRendered, eventOutcome, findEvent, finishEvent, finishWrite, recordFailedDelivery, type NewEvent } from './events-repo';
import { parseEvent, quickEnvelope, webhookEnvelope, type ParsedEvent } from './payload';
import type { WebhookVerifier } from './signature';
import { renderWrite } from '../db/row-writes';
import { saveContacts } from '../contacts/contacts-repo';
import { touchLocation } from '../locations/location-rev';

/**
 * One GHL webhook delivery, start to finish. The order matters:
 *  1. signature over the raw bytes (401, nothing stored but a counter and a log line);
 *  2. JSON, envelope and payload (400 when signed but malformed, recorded as `invalid`);
 *  3. freshness of `timestamp` (401: a replay or a forged clock);
 *  4. the fast idempotency key in the store (duplicate → 200);
 *  5. the claim row + the change in one transaction (the durable guarantee);
 *  6. on failure: the key records the failed attempt and we answer 429, the only answer GHL
 *     re-delivers after.
 */

export const IDEMPOTENCY_TTL_MS = 72 * 3600_000;
/** The idempotency key's value after failed deliveries: `failed:<how many>`. */
const FAILED_PREFIX = 'failed:';
const APPLY_TIMEOUT_MS = 10_000;
/** Refuses bytes that are not UTF-8 (a replacement character would change what was signed). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

export interface DeliveryResult {
  status: number;
  body: { received: true; outcome: WebhookOutcome | 'duplicate'; webhook_id: string; cita_id?: string | null };
  /** Processed on GHL's first delivery of it (no earlier attempt failed). */
  firstDelivery?: boolean;
  /** A contact the stored cita names without its details: for the caller to learn after answering. */
  learnContact?: { locationId: string; contactId: string };
}

export async function receiveGhlWebhook(
  deps: Deps,
  verifier: WebhookVerifier,
  req: { raw: Uint8Array; headers: Headers; requestId: string },
): Promise<DeliveryResult> {
  const { logger, clock, config } = deps;
  const sig = await verifier.verify(req.raw, req.headers);
  if (!sig.ok) {
    logger.warn('webhook rejected: signature', { reason: sig.reason, bytes: req.raw.length });
    throw new AppError(401, 'invalid_signature', 'The webhook signature is missing or does not match.');
  }
  // Signed (only GHL gets here): all but a stale timestamp goes on to the database (the event, or
  // why it was refused). Its connection opens (Workers) while the idempotency key goes to the
  // store, not after.
  deps.connectDb();

  const now = clock.now();
  let payload: unknown;
  let text: string;
  try {
    text = STRICT_UTF8.decode(req.raw);
    payload = JSON.parse(text);
  } catch (e) {
    throw await invalid(deps, req, null, `body is not JSON: ${(e as Error).message}`);
  }
  // Text Postgres cannot store, anywhere in the body (even a field we ignore): the event could
  // never be recorded, so it is refused now, explicitly, instead of failing in the database.
  const unsafe = plainlyStorable(text) ? [] : unsafeJsonFields(payload);
  if (unsafe.length) throw await invalid(deps, req, payload, unsafe.map((f) => `${f.field}: ${f.message}`).join('; '));
  // The hand check first (payload.ts); the schema decides, and explains, whatever it does not accept.
  let env = quickEnvelope(payload);
  if (!env) {
    const envelope = webhookEnvelope.safeParse(payload);
    if (!envelope.success) throw await invalid(deps, req, payload, envelope.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    env = envelope.data;
  }

  const age = now.getTime() - Date.parse(env.timestamp);
  if (age > config.WEBHOOK_MAX_AGE_MS || -age > config.WEBHOOK_MAX_FUTURE_MS) {
    logger.warn('webhook rejected: timestamp outside the accepted window', { webhook_id: env.webhookId, age_ms: age });
    throw new AppError(401, 'stale_webhook', 'The webhook timestamp is too old or in the future.');
  }

  const appointmentId = (payload as { appointment?: { id?: unknown } }).appointment?.id;
  const event: NewEvent = {
    webhookId: env.webhookId,
    type: env.type,
    locationId: env.locationId ?? null,
    appointmentId: typeof appointmentId === 'string' ? appointmentId : null,
    payload,
    receivedAt: now,
    requestId: req.requestId,
  };
  const parsed = parseEvent(env.type, event.locationId, payload, new Date(Date.parse(env.timestamp)));
  if (parsed.kind === 'invalid') {
    // Signed but not a valid payload of its type: recorded, and final (GHL must not resend it).
    await recordInvalid(deps, event, parsed.reason);
    throw new AppError(400, 'invalid_payload', 'The webhook payload is not a valid appointment event.', { fields: parsed.fields });
  }

  const key = `webhook:${env.webhookId}`;
  const owner = crypto.randomUUID();
  // One store command on the common path. The key holds its owner while a delivery is in flight or
  // done, and `failed:<n>` after n deliveries we answered 429 to (even those the database never saw).
  // The store is the fast path only: when it is down, the claim row in the database still makes
  // the delivery idempotent, so its failures are logged and the delivery goes on (fail open).
  const held = await deps.store.setIfAbsentOrGet(key, owner, IDEMPOTENCY_TTL_MS).catch((err) => storeDown(deps, 'idempotency key', err, FAILED_PREFIX + '0'));
  const failedBefore = held?.startsWith(FAILED_PREFIX) ? Number(held.slice(FAILED_PREFIX.length)) || 0 : 0;
  // A key someone holds is not proof the event is stored: an earlier delivery may still be running
  // or may have died without a word. Only the claim row is proof; when it is not there yet, the
  // delivery goes the durable way (it waits on, or takes over, the claim).
  if (held !== null && !held.startsWith(FAILED_PREFIX) && (await isProcessed(deps, env.webhookId))) {
    return { status: 200, body: { received: true, outcome: 'duplicate', webhook_id: env.webhookId } };
  }

  let result: Processed;
  try {
    const run = (): Promise<Processed> => deps.db.transaction(async (tx) => processEvent(tx, deps, event, parsed, failedBefore));
    // A concurrent writer that took the same slot or appointment first: once more, now seeing it.
    result = await withTimeout(
      run().catch((err: unknown) => (err instanceof InboundRace ? run() : Promise.reject(err))),
      APPLY_TIMEOUT_MS,
      'storing the webhook',
    );
  } catch (err) {
    if (isPermanentDataError(err) || err instanceof InboundRefused) {
      // The database (or what we hold) refuses this event itself: no re-delivery can change that.
      // Final and recorded.
      if (held === null) await deps.store.compareAndDelete(key, owner).catch(() => false);
      const reason = `the event cannot be applied: ${(err as Error).message}`.slice(0, 1000);
      await recordInvalid(deps, event, reason);
      // The record keeps the database's words; the answer only the kind of refusal (a driver's message quotes the SQL).
      const said = err instanceof InboundRefused ? reason : `the event cannot be applied: the database refuses its data (SQLSTATE ${pgErrorInfo(err).code})`;
      throw new AppError(400, 'invalid_payload', 'The webhook payload cannot be stored.', { fields: [{ field: '(body)', message: said }] });
    }
    // Could not persist: let GHL deliver again (it only does so after a 429), and count this
    // attempt in the key — with the database down, the row below cannot be written either.
    await deps.store.set(key, FAILED_PREFIX + String(failedBefore + 1), IDEMPOTENCY_TTL_MS).catch(() => {});
    // Best effort and short: with the database down this would only delay the 429 GHL waits for.
    await withTimeout(recordFailedDelivery(deps.db, event, String((err as Error)?.message ?? err)), 2_000).catch(() => {});
    logger.error('webhook could not be persisted; asking GHL to re-deliver', { webhook_id: env.webhookId, type: env.type, err });
    throw new AppError(429, 'retry_later', 'The webhook could not be stored right now; deliver it again.', {
      headers: { 'Retry-After': '60' },
    });
  }
  // The lists' ETag moves only for news: GHL's echo of every push would otherwise make each
  // polling agenda download its list again a moment after the push.
  if (result.outcome !== 'duplicate' && !result.quiet) touchLocation(deps, event.locationId);
  // Processed on a re-delivery: the key goes back to the fast path for later duplicates.
  if (held?.startsWith(FAILED_PREFIX)) await deps.store.set(key, owner, IDEMPOTENCY_TTL_MS).catch(() => {});

  return {
    status: 200,
    body: { received: true, outcome: result.outcome, webhook_id: env.webhookId, cita_id: result.citaId },
    firstDelivery: result.firstDelivery === true,
    ...(result.learnContact && event.locationId ? { learnContact: { locationId: event.locationId, contactId: result.learnContact } } : {}),
  };
}

type Processed = { outcome: WebhookOutcome | 'duplicate'; citaId: string | null; firstDelivery?: boolean; quiet?: true; learnContact?: string };

/**
 * The delivery's change and its record, in the caller's transaction: the claim row first (a
 * concurrent delivery of the same event waits on it, then sees it processed), the change, the
 * outcome. For appointments the claim rides in the lookup's statement and the outcome in the
 * write's: four round trips in all (begin, lookup, write, commit).
 */
async function processEvent(tx: Tx, deps: Deps, event: NewEvent, parsed: ParsedEvent, failedBefore: number): Promise<Processed> {
  const at = deps.clock.now();
  if (parsed.kind === 'appointment') {
    const found = await lookupInbound(tx, parsed.appointment, (first) => claimRendered(event, first));
    if (!found.prelude) return { outcome: 'duplicate', citaId: null };
    const deliveries = Math.max(Number(found.prelude.deliveries), failedBefore + 1);
    const r = await applyGhlAppointment(tx, deps, parsed.appointment, { actor: 'webhook', requestId: event.requestId }, {
      found,
      alongside: (r) => (first) => renderWrite(finishWrite(event.webhookId, { outcome: r.outcome, citaId: r.citaId, at, deliveries }), first),
    });
    return { outcome: r.outcome, citaId: r.citaId, firstDelivery: deliveries === 1, ...(r.quiet ? { quiet: true as const } : {}), ...(r.learnContact ? { learnContact: r.learnContact } : {}) };
  }
  const claimed = await claimEvent(tx, event);
  if (!claimed) return { outcome: 'duplicate', citaId: null };
  const deliveries = Math.max(claimed.deliveries, failedBefore + 1);
  const r = await applyParsedEvent(tx, deps, parsed, event.requestId);
  await finishEvent(tx, event.webhookId, { outcome: r.outcome, citaId: r.citaId, error: r.error, at, deliveries });
  return { ...r, firstDelivery: deliveries === 1 };
}

/** The change a parsed event makes, inside the caller's transaction. */
async function applyParsedEvent(
  tx: Tx,
  deps: Deps,
  parsed: ParsedEvent,
  requestId: string | null,
): Promise<{ outcome: WebhookOutcome; citaId: string | null; error?: string; quiet?: true; learnContact?: string }> {
  switch (parsed.kind) {
    case 'appointment':
      return applyGhlAppointment(tx, deps, parsed.appointment, { actor: 'webhook', requestId });
    case 'uninstall':
      return { outcome: await applyUninstall(tx, deps, parsed.locationId, parsed.at), citaId: null };
    case 'contact': {
      // Written only when newer than what we hold (an older account never wins); the citas that
      // name the patient get its details in the same statement.
      const saved = await saveContacts(tx, parsed.locationId, [parsed.news]);
      return { outcome: saved.written.length ? 'applied' : 'stale', citaId: null, ...(saved.citas ? {} : { quiet: true as const }) };
    }
    case 'install':
      return { outcome: 'applied', citaId: null };
    case 'ignored':
      return { outcome: 'ignored', citaId: null };
    case 'invalid':
      return { outcome: 'invalid', citaId: null, error: parsed.reason };
  }
}

/**
 * Reprocesses a stored webhook through the same parse and apply as a delivery. Safe to repeat:
 * applying is idempotent (stale and unchanged events change nothing) and the event keeps its
 * delivery count. An event recorded `invalid` is parsed again, so a fixed parser can recover it.
 */
export async function replayWebhook(deps: Deps, webhookId: string, requestId: string) {
  const event = await findEvent(deps.db, webhookId);
  if (!event) throw AppError.notFound('Webhook', webhookId);
  const envelope = webhookEnvelope.safeParse(event.payload);
  const parsed: ParsedEvent = envelope.success
    ? parseEvent(envelope.data.type, envelope.data.locationId ?? null, event.payload, new Date(Date.parse(envelope.data.timestamp)))
    : { kind: 'invalid', reason: event.error ?? 'not a webhook envelope', fields: [] };
  const result = await deps.db.transaction(async (tx) => {
    const r = await applyParsedEvent(tx, deps, parsed, requestId);
    await finishEvent(tx, webhookId, { outcome: r.outcome, citaId: r.citaId, error: r.error, at: deps.clock.now() });
    return r;
  });
  return { webhook_id: webhookId, replayed: true as const, previous_outcome: event.outcome, outcome: result.outcome, cita_id: result.citaId };
}

async function invalid(deps: Deps, req: { raw: Uint8Array; requestId: string }, payload: unknown, reason: string) {
  deps.logger.warn('webhook rejected: malformed payload', { reason, bytes: req.raw.length });
  // Named by its bytes, so GHL's re-deliveries of the same bad event make one record.
  const id = `invalid:${toHex((sha256(req.raw)).slice(0, 16))}`;
  const now = deps.clock.now();
  const text = new TextDecoder().decode(req.raw.slice(0, 4096));
  await recordInvalid(deps, { webhookId: id, type: '(invalid)', locationId: null, appointmentId: null, payload: payload ?? { raw: text }, receivedAt: now, requestId: req.requestId }, reason);
  return new AppError(400, 'invalid_payload', `The webhook is signed but malformed: ${storableText(reason).slice(0, 500)}`);
}

/** Keeps a storable copy of what we refused, so it can be looked at and replayed after a fix. */
async function recordInvalid(deps: Deps, e: NewEvent, reason: string) {
  const record = { ...e, webhookId: storableText(e.webhookId), type: storableText(e.type), locationId: e.locationId && storableText(e.locationId), appointmentId: e.appointmentId && storableText(e.appointmentId), payload: storableJson(e.payload) };
  try {
    await deps.db.transaction(async (tx) => {
      const claimed = await claimEvent(tx, record);
      if (claimed) await finishEvent(tx, record.webhookId, { outcome: 'invalid', error: storableText(reason), at: e.receivedAt });
    });
  } catch (err) {
    deps.logger.error('could not record an invalid webhook', { err });
  }
}

/** Whether a delivery of this event was already processed (any outcome but a failed attempt). */
async function isProcessed(deps: Deps, webhookId: string): Promise<boolean> {
  const outcome = await withTimeout(eventOutcome(deps.db, webhookId), APPLY_TIMEOUT_MS, 'reading the webhook record').catch(() => null);
  return outcome !== null && outcome !== 'failed';
}

/**
 * Whether JSON text (strict UTF-8, so well-formed) can only parse to a value Postgres stores, with
 * no walk over the value: a NUL or an unpaired surrogate can only come from a `\u` escape (JSON
 * refuses raw control characters in strings), and a value nests no deeper than the text has
 * opening brackets. GHL's deliveries have neither escapes nor depth; anything else is walked.
 */
export function plainlyStorable(text: string): boolean {
  if (text.includes('\\u')) return false;
  let openings = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 123 || c === 91) && ++openings > MAX_JSON_DEPTH) return false;
  }
  return true;
}

/** Logs a store failure on the webhook path and carries on with `fallback`. */
function storeDown<T>(deps: Deps, what: string, err: unknown, fallback: T): T {
  deps.logger.warn(`store unavailable (${what}); relying on the database`, { err });
  return fallback;
}
