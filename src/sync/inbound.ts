import { and, eq, isNull, notInArray } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { citas, INACTIVE_STATUSES, type CitaRow, type NewCitaRow } from '../db/schema';
import { isPgError, PG } from '../db/pg-errors';
import { effectiveZone, getLocationSettings } from '../locations/settings-repo';
import type { Deps } from '../runtime/deps';
import type { IncomingAppointment } from '../webhooks/payload';
import { appointmentFromCita, contentHash } from './appointment-mapping';
import { recordAudit, type AuditContext } from '../audit/audit';

/**
 * GHL → RV3: one function for every way an appointment arrives (webhooks now, sync jobs later).
 * Runs inside the caller's transaction so the change and its record commit together.
 *
 * - unknown appointment → new cita (source ghl), unless it is our own create whose id we have not
 *   stored yet (same calendar and times, no GHL id): then it is linked, not duplicated;
 * - older than what we hold (`dateUpdated`) → stale, ignored;
 * - same content as the cita → echo/unchanged: nothing written, nothing pushed;
 * - a local edit not yet pushed and newer than GHL's change → ours wins, the push will follow;
 * - Delete → cancelled (the row stays);
 * - an overlap with an active cita → stored anyway, flagged `conflict`.
 * Whatever is applied is marked synced with the content hash of the new state, so it is never
 * pushed back to GHL.
 */

export type ApplyOutcome = 'created' | 'applied' | 'cancelled' | 'conflict' | 'stale' | 'echo' | 'unchanged' | 'ignored';

export interface ApplyResult {
  outcome: ApplyOutcome;
  citaId: string | null;
}

type ApplyDeps = Pick<Deps, 'config' | 'clock'>;

export async function applyGhlAppointment(
  tx: Tx,
  deps: ApplyDeps,
  inc: IncomingAppointment,
  audit: AuditContext = { actor: 'webhook' },
): Promise<ApplyResult> {
  const [existing] = await tx
    .select()
    .from(citas)
    .where(and(eq(citas.locationId, inc.locationId), eq(citas.ghlAppointmentId, inc.id)))
    .limit(1)
    .for('update');
  if (existing) return applyToExisting(tx, deps, existing, inc, audit);
  if (inc.deleted) return { outcome: 'ignored', citaId: null };

  const own = await findOwnUnlinkedCreate(tx, inc);
  if (own) {
    await tx.update(citas).set({ ghlAppointmentId: inc.id }).where(eq(citas.id, own.id));
    return { outcome: 'echo', citaId: own.id };
  }
  return insertFromGhl(tx, deps, inc, audit);
}

async function findOwnUnlinkedCreate(tx: Tx, inc: IncomingAppointment): Promise<CitaRow | null> {
  const [row] = await tx
    .select()
    .from(citas)
    .where(
      and(
        eq(citas.locationId, inc.locationId),
        eq(citas.ghlCalendarId, inc.calendarId),
        eq(citas.startTime, inc.startTime),
        eq(citas.endTime, inc.endTime),
        eq(citas.source, 'rv3'),
        isNull(citas.ghlAppointmentId),
        notInArray(citas.status, [...INACTIVE_STATUSES]),
      ),
    )
    .limit(1)
    .for('update');
  return row ?? null;
}

async function insertFromGhl(tx: Tx, deps: ApplyDeps, inc: IncomingAppointment, audit: AuditContext): Promise<ApplyResult> {
  const zone = effectiveZone(await getLocationSettings(tx, inc.locationId), deps.config.APP_TIMEZONE);
  const now = deps.clock.now();
  const status = inc.status ?? 'new';
  const row: NewCitaRow = {
    id: crypto.randomUUID(),
    locationId: inc.locationId,
    ghlCalendarId: inc.calendarId,
    ghlAppointmentId: inc.id,
    title: inc.title ?? 'Cita',
    contactId: inc.contactId,
    contact: inc.contactId ? null : {},
    assignedUserId: inc.assignedUserId,
    startTime: inc.startTime,
    endTime: inc.endTime,
    timeZone: zone,
    status,
    notes: inc.notes,
    source: 'ghl',
    syncStatus: 'synced',
    ghlDateUpdated: inc.dateUpdated,
    lastSyncedAt: now,
    createdAt: now,
    updatedAt: now,
    cancelledAt: status === 'cancelled' ? now : null,
  };
  // The hash of what GHL already has, so a later push of this unchanged cita costs nothing.
  const contentHash = await hashOf({ ...row, id: row.id! } as CitaRow);
  const insert = async (conflict: boolean) => {
    const [saved] = await tx.insert(citas).values({ ...row, contentHash, conflict }).returning();
    return saved!;
  };
  const { value, conflicted } = await withOverlapFallback(tx, () => insert(false), () => insert(true));
  await recordAudit(tx, audit, 'create_from_ghl', null, value, now);
  return { outcome: conflicted ? 'conflict' : 'created', citaId: value.id };
}

async function applyToExisting(tx: Tx, deps: ApplyDeps, cur: CitaRow, inc: IncomingAppointment, audit: AuditContext): Promise<ApplyResult> {
  const next = {
    ghlCalendarId: inc.calendarId,
    startTime: inc.startTime,
    endTime: inc.endTime,
    title: inc.title ?? cur.title,
    status: inc.deleted ? ('cancelled' as const) : (inc.status ?? cur.status),
    assignedUserId: inc.assignedUserId ?? cur.assignedUserId,
    contactId: inc.contactId ?? cur.contactId,
    // GHL's `notes` is empty on appointments we created (we write the description); an empty
    // value must not wipe the front desk's notes.
    notes: inc.notes ?? cur.notes,
  };
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => !same(cur[k], next[k]));
  if (changed.length === 0) {
    const watermark = laterOf(cur.ghlDateUpdated, inc.dateUpdated);
    if (watermark !== cur.ghlDateUpdated) await tx.update(citas).set({ ghlDateUpdated: watermark }).where(eq(citas.id, cur.id));
    // Nothing new: for a cita we wrote to GHL, this is the echo of our own write.
    return { outcome: cur.source === 'rv3' ? 'echo' : 'unchanged', citaId: cur.id };
  }
  // Content differs. Older than what we hold, or older than a local edit still on its way to
  // GHL: the newer side wins, and for the local edit that is the push about to happen.
  if (inc.dateUpdated && cur.ghlDateUpdated && inc.dateUpdated < cur.ghlDateUpdated) {
    return { outcome: 'stale', citaId: cur.id };
  }
  if (cur.syncStatus === 'pending_sync' && inc.dateUpdated && cur.updatedAt > inc.dateUpdated) {
    return { outcome: 'stale', citaId: cur.id };
  }

  const now = deps.clock.now();
  const update = async (conflict: boolean) => {
    const patch = {
      ...next,
      conflict,
      cancelledAt: next.status === 'cancelled' ? (cur.cancelledAt ?? now) : null,
      version: cur.version + 1,
      updatedAt: now,
      ghlDateUpdated: laterOf(cur.ghlDateUpdated, inc.dateUpdated),
      syncStatus: 'synced' as const,
      syncError: null,
      syncRetries: 0,
      lastSyncedAt: now,
    };
    const contentHash = await hashOf({ ...cur, ...patch });
    const [saved] = await tx.update(citas).set({ ...patch, contentHash }).where(eq(citas.id, cur.id)).returning();
    return saved!;
  };
  const { value, conflicted } = await withOverlapFallback(tx, () => update(cur.conflict), () => update(true));
  // A conflicted cita that now fits its slot is cleared of the flag.
  if (value.conflict && !INACTIVE_STATUSES.includes(value.status)) {
    await withOverlapFallback(tx, () => tx.update(citas).set({ conflict: false }).where(eq(citas.id, cur.id)), async () => undefined);
  }
  await recordAudit(tx, audit, inc.deleted ? 'deleted_in_ghl' : 'update_from_ghl', cur, value, now);
  const outcome: ApplyOutcome = conflicted ? 'conflict' : next.status === 'cancelled' && cur.status !== 'cancelled' ? 'cancelled' : 'applied';
  return { outcome, citaId: cur.id };
}

/** Tries `first` in a savepoint; on the overlap constraint, `fallback` (flagged as conflict). */
async function withOverlapFallback<T>(tx: Tx, first: () => Promise<T>, fallback: () => Promise<T>): Promise<{ value: T; conflicted: boolean }> {
  try {
    return { value: await tx.transaction(async () => first()), conflicted: false };
  } catch (err) {
    if (!isPgError(err, PG.EXCLUSION_VIOLATION)) throw err;
    return { value: await fallback(), conflicted: true };
  }
}

async function hashOf(row: Pick<CitaRow, 'id' | 'contactId'> & Parameters<typeof appointmentFromCita>[0]): Promise<string | null> {
  return row.contactId ? contentHash(appointmentFromCita(row, row.contactId)) : null;
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

function laterOf(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
