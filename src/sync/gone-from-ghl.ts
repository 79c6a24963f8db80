import { and, inArray, isNull, ne, notInArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { citas, INACTIVE_STATUSES, type CitaRow } from '../db/schema';
import { recordAudits, type AuditContext } from '../audit/audit';
import type { Deps } from '../deps';

/**
 * The one way a cita is cancelled because GHL no longer has its appointment — a Delete webhook
 * for a cita we hold, a scan that no longer lists it, a push or a check that met a 404. Every path
 * gets the same result: cancelled (the row stays), a new version (a stale If-Match cannot undo
 * it), an audit row, `ghl_deleted_at` (no older event reopens it), synced (nothing to push).
 * Citas already inactive only learn `ghl_deleted_at`. Runs in the caller's transaction; returns
 * the citas it cancelled.
 */
export async function cancelGoneFromGhl(
  tx: Tx,
  deps: Pick<Deps, 'clock'>,
  ids: string[],
  opts: AuditContext & { goneSince: Date; reason: string; /** These citas, as the caller read them FOR UPDATE. */ locked?: CitaRow[] },
): Promise<CitaRow[]> {
  if (!ids.length) return [];
  const now = deps.clock.now();
  const before = opts.locked
    ? opts.locked.filter((c) => ids.includes(c.id) && !INACTIVE_STATUSES.includes(c.status))
    : await tx
        .select()
        .from(citas)
        .where(and(inArray(citas.id, ids), notInArray(citas.status, [...INACTIVE_STATUSES])))
        .for('update');
  const cancelled = before.length
    ? await tx
        .update(citas)
        .set({
          status: 'cancelled',
          cancelledAt: sql`coalesce(${citas.cancelledAt}, ${now.toISOString()}::timestamptz)`,
          ghlDeletedAt: opts.goneSince,
          version: sql`${citas.version} + 1`,
          updatedAt: now,
          syncStatus: 'synced',
          syncError: opts.reason,
          syncRetries: 0,
          lastSyncedAt: now,
          conflict: false,
        })
        .where(inArray(citas.id, before.map((b) => b.id)))
        .returning()
    : [];
  await recordAudits(
    tx,
    opts,
    'deleted_in_ghl',
    cancelled.map((row) => ({ before: before.find((b) => b.id === row.id)!, after: row })),
    now,
  );
  // Citas inactive already learn when GHL lost them, and are settled: a cancellation (or an edit of
  // a cancelled cita) still waiting to be pushed has nothing left to reach. Left pending, every
  // sweep would push it again and meet the same 404, forever. Only when some of them need it (the
  // caller's locked rows tell, when it gave them).
  if (!opts.locked || opts.locked.some((c) => ids.includes(c.id) && INACTIVE_STATUSES.includes(c.status) && needsGoneMark(c))) {
    await tx
      .update(citas)
      .set({
        ghlDeletedAt: sql`coalesce(${citas.ghlDeletedAt}, ${opts.goneSince.toISOString()}::timestamptz)`,
        syncError: sql`case when ${citas.syncStatus} = 'synced' then ${citas.syncError} else ${opts.reason} end`,
        lastSyncedAt: sql`case when ${citas.syncStatus} = 'synced' then ${citas.lastSyncedAt} else ${now.toISOString()}::timestamptz end`,
        syncStatus: 'synced',
        syncRetries: 0,
      })
      .where(and(inArray(citas.id, ids), inArray(citas.status, [...INACTIVE_STATUSES]), or(isNull(citas.ghlDeletedAt), ne(citas.syncStatus, 'synced'))));
  }
  return cancelled;
}

/** An inactive cita still to be told GHL lost its appointment: unmarked, or waiting to push. */
function needsGoneMark(c: CitaRow): boolean {
  return !c.ghlDeletedAt || c.syncStatus !== 'synced';
}

/**
 * What an inactive cita learns when GHL deleted its appointment, as the values to write (null:
 * nothing): when, and — when a push was still to come — that nothing is left to push. The same as
 * cancelGoneFromGhl writes for such a row.
 */
export function goneWhileInactivePatch(cur: CitaRow, goneSince: Date, reason: string, now: Date): Partial<CitaRow> | null {
  if (!needsGoneMark(cur)) return null;
  const settle = cur.syncStatus !== 'synced' ? { syncStatus: 'synced' as const, syncError: reason, syncRetries: 0, lastSyncedAt: now } : {};
  return { ghlDeletedAt: cur.ghlDeletedAt ?? goneSince, ...settle };
}

/**
 * The same cancellation for one cita the caller holds locked, as the values to write: for paths
 * that write it in one statement with their own bookkeeping (a Delete webhook). Equal to what
 * cancelGoneFromGhl writes for that row.
 */
export function goneFromGhlPatch(cur: CitaRow, goneSince: Date, reason: string, now: Date): Partial<CitaRow> {
  return {
    status: 'cancelled',
    cancelledAt: cur.cancelledAt ?? now,
    ghlDeletedAt: goneSince,
    version: cur.version + 1,
    updatedAt: now,
    syncStatus: 'synced',
    syncError: reason,
    syncRetries: 0,
    lastSyncedAt: now,
    conflict: false,
  };
}

/** What `sync_error` says about each way of finding out. */
export const goneReason = {
  webhook: 'the appointment was deleted in GHL; cancelled here',
  scan: 'GHL no longer lists this appointment; cancelled here',
  push: 'the appointment was deleted in GHL; cancelled here (our edit was not sent)',
  pushInactive: 'the appointment was deleted in GHL; nothing left to push',
  check: 'the GHL appointment no longer exists',
} as const;

