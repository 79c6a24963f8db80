import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { auditLog, type CitaRow } from '../db/schema';
import { sameValue } from '../domain/same-value';

export type Actor = 'api' | 'webhook' | 'job';
export interface AuditContext {
  actor: Actor;
  requestId?: string | null;
}

/** The fields whose changes are worth an audit line (sync bookkeeping is not). */
const TRACKED = ['ghlCalendarId', 'ghlAppointmentId', 'title', 'contactId', 'assignedUserId', 'startTime', 'endTime', 'status', 'notes', 'extras', 'conflict'] as const;

/**
 * Writes who changed what on a cita, in the caller's transaction. `before` null = created.
 * Nothing is written when no tracked field changed.
 */
export async function recordAudit(
  db: DbOrTx,
  ctx: AuditContext,
  action: string,
  before: Partial<CitaRow> | null,
  after: Partial<CitaRow> & { id: string },
  at: Date,
): Promise<void> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const f of TRACKED) {
    if (!(f in after)) continue;
    const b = before ? (before[f] ?? null) : null;
    const a = after[f] ?? null;
    if (!sameValue(b, a) || (!before && a !== null)) changes[snake(f)] = { before: b, after: a };
  }
  if (!Object.keys(changes).length) return;
  await db.insert(auditLog).values({ citaId: after.id, actor: ctx.actor, action, changes, requestId: ctx.requestId ?? null, at });
}

/** The audit `changes` of a newly created row (every tracked field that has a value). */
export function creationChanges(row: Partial<CitaRow>): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const f of TRACKED) if (row[f] !== undefined && row[f] !== null) changes[snake(f)] = { before: null, after: row[f] };
  return changes;
}

export async function auditTrail(db: DbOrTx, citaId: string) {
  return db.select().from(auditLog).where(eq(auditLog.citaId, citaId)).orderBy(asc(auditLog.at));
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
