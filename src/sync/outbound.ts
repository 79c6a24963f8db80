import { and, asc, eq, sql } from 'drizzle-orm';
import { citas, INACTIVE_STATUSES, type CitaRow } from '../db/schema';
import { findCita } from '../citas/citas-repo';
import { GhlError } from '../ghl/errors';
import type { Deps } from '../deps';
import { cancelGoneFromGhl, goneReason } from './gone-from-ghl';
import { touchLocation } from '../locations/location-rev';
import { saveContacts } from '../contacts/contacts-repo';
import { mergedFields, newsFromGhl, patientFromGhl } from '../contacts/patient';
import { pushOptions } from '../locations/settings-repo';
import {
  appointmentFromCita,
  appointmentUpdateFromWrite,
  citaIdFromDescription,
  contactUpsertFromDetails,
  contentHash,
} from './appointment-mapping';

/**
 * RV3 → GHL. A push takes a cita in `pending_sync` to GHL and records the result on the row.
 * It runs after the API has answered (waitUntil / background), and again from the sweep for
 * anything left pending, so a process dying mid-push loses nothing.
 */

/**
 * - synced / unchanged: GHL holds this version; skipped: nothing to push; busy: another push holds it;
 * - retry: failed for a reason time fixes (429s, 5xx, timeout, circuit open, store down): try again
 *   in minutes (push-retry.ts);
 * - deferred: waits for the location to be (re)connected; failed: GHL refused it, or attempts ran out.
 */
export type PushOutcome = 'synced' | 'unchanged' | 'skipped' | 'busy' | 'retry' | 'deferred' | 'failed';

const PUSH_LOCK_TTL_MS = 120_000;
/** Errors where no GHL call was made, or none could help yet: not counted as attempts. */
export const NOT_AN_ATTEMPT = new Set(['circuit_open', 'not_connected', 'reauth_required', 'store_unavailable']);
/** Errors that pass with time, worth a retry in minutes rather than at the next sweep. */
export const PASSES_WITH_TIME = new Set(['rate_limited', 'server', 'network', 'circuit_open', 'store_unavailable']);

export async function pushCita(deps: Deps, citaId: string): Promise<PushOutcome> {
  // One push per cita at a time: a create racing its own edit must not create twice.
  const lockKey = `push-lock:${citaId}`;
  const owner = crypto.randomUUID();
  // Without the lock a create could race its own retry into two appointments: the cita waits for
  // the sweep instead (it stays pending_sync).
  const locked = await deps.store.setIfAbsent(lockKey, owner, PUSH_LOCK_TTL_MS).catch((err: unknown) => {
    deps.logger.warn('push postponed: the store is unavailable', { cita_id: citaId, err });
    return null;
  });
  if (locked === null) {
    // Said on the row, so a pending cita always tells why it waits (the page and the alert read it).
    await deps.db
      .update(citas)
      .set({ syncError: 'store_unavailable: the push waits for the store; retried in minutes or by the next sweep' })
      .where(and(eq(citas.id, citaId), eq(citas.syncStatus, 'pending_sync')))
      .catch((err: unknown) => deps.logger.warn('push postponed and not noted on the cita', { cita_id: citaId, err }));
    return 'retry';
  }
  if (!locked) return 'busy';
  try {
    let outcome: PushOutcome = 'skipped';
    // An edit saved while we pushed leaves the row pending at a newer version: push that too.
    for (let round = 0; round < 3; round++) {
      const cita = await findCita(deps.db, citaId);
      if (!cita || cita.syncStatus !== 'pending_sync') return round === 0 ? 'skipped' : outcome;
      // Found more than once in GHL when its location connected: a person links it; never pushed as a duplicate.
      if (!cita.ghlAppointmentId && cita.matchCandidates) return 'deferred';
      outcome = await pushVersion(deps, cita);
      // Its sync state (and GHL's id) changed, whatever the outcome: the list shows them.
      touchLocation(deps, cita.locationId);
      if (outcome !== 'synced' && outcome !== 'unchanged') return outcome;
    }
    return outcome;
  } finally {
    await deps.store.compareAndDelete(lockKey, owner).catch(() => false);
  }
}

async function pushVersion(deps: Deps, cita: CitaRow): Promise<PushOutcome> {
  const { client } = deps.ghl;
  const started = Date.now();
  try {
    const contactId = cita.contactId ?? (await upsertContact(deps, cita));
    const write = appointmentFromCita(cita, contactId, await pushOptions(deps.db, cita.locationId));
    const hash = await contentHash(write);

    if (cita.ghlAppointmentId && hash === cita.contentHash) {
      await markSynced(deps, cita, { ghlId: cita.ghlAppointmentId, hash, dateUpdated: cita.ghlDateUpdated });
      deps.metrics.count('sync_pushes_total', { outcome: 'unchanged' });
      return 'unchanged';
    }
    if (!cita.ghlAppointmentId && INACTIVE_STATUSES.includes(cita.status)) {
      // Cancelled before it ever reached GHL: there is nothing there to cancel.
      await markSynced(deps, cita, { ghlId: null, hash, dateUpdated: null });
      return 'synced';
    }

    let ghlId = cita.ghlAppointmentId;
    if (!ghlId) {
      ghlId = await createOnce(deps, cita, write);
      // Stored at once, whatever happens next: the appointment exists in GHL now.
      await deps.db.update(citas).set({ ghlAppointmentId: ghlId }).where(eq(citas.id, cita.id));
      deps.metrics.observe('create_to_ghl_seconds', Math.max(0, Date.now() - cita.createdAt.getTime()) / 1000, {});
    } else {
      try {
        await client.updateAppointment(cita.locationId, ghlId, appointmentUpdateFromWrite(write));
      } catch (err) {
        if (!(err instanceof GhlError && err.kind === 'not_found')) throw err;
        // Deleted in GHL meanwhile: a GHL delete means cancelled, and that wins over our edit.
        await markDeletedInGhl(deps, cita);
        return 'synced';
      }
    }
    // GHL's write answers carry no dateUpdated; the re-read gives the watermark that lets the
    // inbound side tell our own echo and stale events apart.
    const after = await client.getAppointment(cita.locationId, ghlId);
    await markSynced(deps, cita, { ghlId, hash, dateUpdated: after.dateUpdated ? new Date(after.dateUpdated) : null });
    deps.logger.info('cita pushed to ghl', { cita_id: cita.id, ghl_appointment_id: ghlId, version: cita.version, ms: Date.now() - started });
    deps.metrics.count('sync_pushes_total', { outcome: 'synced' });
    return 'synced';
  } catch (err) {
    return recordFailure(deps, cita, err);
  }
}

/**
 * Creates the appointment exactly once. When a create may have reached GHL (timeout, 5xx after
 * sending), we look for our marker in the calendar before trying again.
 */
async function createOnce(deps: Deps, cita: CitaRow, write: ReturnType<typeof appointmentFromCita>): Promise<string> {
  const { client } = deps.ghl;
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return (await client.createAppointment(cita.locationId, write)).id;
    } catch (err) {
      if (!(err instanceof GhlError) || !err.details.maybeWritten) throw err;
      last = err;
      const found = await findOurAppointment(deps, cita);
      if (found) {
        deps.logger.warn('ghl create answered badly but had happened; adopting it', { cita_id: cita.id, ghl_appointment_id: found });
        return found;
      }
    }
  }
  throw last;
}

async function findOurAppointment(deps: Deps, cita: CitaRow): Promise<string | null> {
  const day = 24 * 3600_000;
  const events = await deps.ghl.client.listEvents(
    cita.locationId,
    cita.ghlCalendarId,
    new Date(cita.startTime.getTime() - day),
    new Date(cita.endTime.getTime() + day),
  );
  return events.events.find((e) => citaIdFromDescription(e.description) === cita.id)?.id ?? null;
}

async function upsertContact(deps: Deps, cita: CitaRow): Promise<string> {
  if (!cita.contact) throw new GhlError('validation', 'the cita has neither a contact id nor contact details');
  const sent = contactUpsertFromDetails(cita.contact);
  const { contact } = await deps.ghl.client.upsertContact(cita.locationId, sent);
  await deps.db.update(citas).set({ contactId: contact.id }).where(eq(citas.id, cita.id));
  // The patient joins the location's contacts (the search box finds it), and this cita shows it as GHL holds it.
  const news = newsFromGhl(contact, deps.clock.now());
  await saveContacts(deps.db, cita.locationId, [{ ...news, fields: mergedFields(news.fields!, patientFromGhl(sent)) }]);
  return contact.id;
}

async function markDeletedInGhl(deps: Deps, cita: CitaRow): Promise<void> {
  const goneSince = deps.clock.now();
  const cancelled = await deps.db.transaction((tx) =>
    cancelGoneFromGhl(tx, deps, [cita.id], { actor: 'job', goneSince, reason: INACTIVE_STATUSES.includes(cita.status) ? goneReason.pushInactive : goneReason.push }),
  );
  // A cita cancelled here meets the same 404 when its cancellation is pushed: settled, not cancelled again.
  deps.logger.warn(cancelled.length ? 'cita cancelled: its GHL appointment was deleted' : 'its GHL appointment was deleted; nothing left to push', {
    cita_id: cita.id,
    ghl_appointment_id: cita.ghlAppointmentId,
  });
}

async function markSynced(
  deps: Deps,
  cita: CitaRow,
  r: { ghlId: string | null; hash: string; dateUpdated: Date | null },
): Promise<void> {
  const now = deps.clock.now();
  // Conditional on the version we pushed: a newer edit stays pending and is pushed next round.
  await deps.db
    .update(citas)
    .set({
      ghlAppointmentId: r.ghlId,
      contentHash: r.hash,
      ghlDateUpdated: r.dateUpdated,
      syncStatus: 'synced',
      syncError: null,
      syncRetries: 0,
      lastSyncedAt: now,
    })
    .where(and(eq(citas.id, cita.id), eq(citas.version, cita.version)));
}

async function recordFailure(deps: Deps, cita: CitaRow, err: unknown): Promise<PushOutcome> {
  const kind = err instanceof GhlError ? err.kind : 'internal';
  const message = `${kind}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000);
  const counts = !NOT_AN_ATTEMPT.has(kind);
  const retries = cita.syncRetries + (counts ? 1 : 0);
  const failed = retries >= deps.config.SYNC_MAX_ATTEMPTS;
  await deps.db
    .update(citas)
    .set({ syncError: message, syncRetries: retries, syncStatus: failed ? 'sync_failed' : 'pending_sync' })
    .where(and(eq(citas.id, cita.id), eq(citas.version, cita.version)));
  if (!counts) {
    deps.logger.info('cita push waiting', { cita_id: cita.id, kind, reason: message });
  } else {
    deps.logger[kind === 'internal' ? 'error' : 'warn']('cita push failed', { cita_id: cita.id, kind, attempt: retries, final: failed, err });
  }
  // Waiting (not connected, circuit open…) is no attempt: counted apart from real failures.
  deps.metrics.count('sync_pushes_total', { outcome: failed ? 'failed' : counts ? 'retry' : 'deferred' });
  if (kind === 'internal') throw err;
  if (failed) return 'failed';
  return PASSES_WITH_TIME.has(kind) ? 'retry' : counts ? 'failed' : 'deferred';
}

/**
 * Pushes citas left pending (the process died mid-push, GHL was down, the location was not yet
 * connected). Oldest first, a few at a time; the scheduled jobs call this.
 */
export async function sweepPending(deps: Deps, opts: { limit?: number; locationId?: string; concurrency?: number } = {}) {
  const limit = opts.limit ?? 100;
  const conds = [eq(citas.syncStatus, 'pending_sync')];
  if (opts.locationId) conds.push(eq(citas.locationId, opts.locationId));
  const rows = await deps.db
    .select({ id: citas.id })
    .from(citas)
    .where(and(...conds))
    .orderBy(asc(citas.updatedAt))
    .limit(limit);
  const counts: Record<PushOutcome, number> = { synced: 0, unchanged: 0, skipped: 0, busy: 0, retry: 0, deferred: 0, failed: 0 };
  const queue = rows.map((r) => r.id);
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) counts[await pushCita(deps, id)]++;
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  const remaining = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(citas)
    .where(and(...conds));
  return { examined: rows.length, ...counts, still_pending: Number(remaining[0]?.n ?? 0) };
}
