import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { driverOf } from '../db/driver';
import { renderWrite, type Rendered, type RowWrite } from '../db/row-writes';
import { auditLog, citas, type CitaRow } from '../db/schema';
import { parseJson, decodeRows } from '../db/json-rows';
import { sameValue } from '../domain/same-value';

export type Actor = 'api' | 'webhook' | 'job';
export interface AuditContext {
  actor: Actor;
  requestId?: string | null;
}

/** The fields whose changes are worth an audit line (sync bookkeeping is not). */
const TRACKED = ['ghlCalendarId', 'ghlAppointmentId', 'title', 'contactId', 'assignedUserId', 'startTime', 'endTime', 'status', 'notes', 'extras', 'conflict', 'bookingOverride'] as const;
/** Each tracked field as the audit line names it (snake_case, as the API does). */
const SNAKE: Record<(typeof TRACKED)[number], string> = Object.fromEntries(TRACKED.map((f) => [f, snake(f)])) as Record<(typeof TRACKED)[number], string>;

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
  const changes = auditChanges(before, after);
  if (!changes) return;
  await db.insert(auditLog).values({ citaId: after.id, actor: ctx.actor, action, changes, requestId: ctx.requestId ?? null, at });
}

/** Several audit lines in one statement (a sweep cancelling many citas). */
export async function recordAudits(
  db: DbOrTx,
  ctx: AuditContext,
  action: string,
  rows: { before: Partial<CitaRow> | null; after: Partial<CitaRow> & { id: string } }[],
  at: Date,
): Promise<void> {
  const values = rows.flatMap(({ before, after }) => {
    const changes = auditChanges(before, after);
    return changes ? [{ citaId: after.id, actor: ctx.actor, action, changes, requestId: ctx.requestId ?? null, at }] : [];
  });
  if (values.length) await db.insert(auditLog).values(values);
}

type Changes = Record<string, { before: unknown; after: unknown }>;

/** The tracked fields that differ between `before` and `after` (all that have a value when created); null when none. */
export function auditChanges(before: Partial<CitaRow> | null, after: Partial<CitaRow>): Changes | null {
  const changes: Changes = {};
  for (const f of TRACKED) {
    if (!(f in after)) continue;
    const b = before ? (before[f] ?? null) : null;
    const a = after[f] ?? null;
    if (!sameValue(b, a) || (!before && a !== null)) changes[SNAKE[f]] = { before: b, after: a };
  }
  return Object.keys(changes).length ? changes : null;
}

export interface AuditEntry {
  ctx: AuditContext;
  action: string;
  before: Partial<CitaRow> | null;
  /** The row as the write leaves it (known before the write: the audit goes in the same statement). */
  after: Partial<CitaRow>;
  at: Date;
}

/** A statement of the caller's rendered with its parameters numbered from `first`. */
export type RenderAt = (first: number) => Rendered;

/**
 * One write to a cita, its audit line and the caller's own bookkeeping (`alongside`, e.g. the
 * webhook record) as a single statement: one round trip to the database instead of three, on the
 * paths that run for every webhook (rendered without the query builder: see row-writes.ts).
 * Returns the id written, or null when the write touched no row (and then no audit line is
 * written; `alongside` runs regardless).
 */
export async function auditedWrite(db: DbOrTx, write: RowWrite<typeof citas>, audit: AuditEntry | null, alongside?: RenderAt): Promise<string | null> {
  const result = await driverOf(db).query(...statement(write, audit, alongside, 'id'));
  return (result.rows[0] as { id: string } | undefined)?.id ?? null;
}

/** The same, answering the row as the write left it (defaults filled in): for the API's answers. */
export async function auditedWriteRow(db: DbOrTx, write: RowWrite<typeof citas>, audit: AuditEntry | null): Promise<CitaRow | null> {
  const result = await driverOf(db).query(...statement(write, audit, undefined, 'row'));
  const row = result.rows[0] as { row: unknown } | undefined;
  return row ? (decodeRows(citas, [parseJson(row.row)])[0] ?? null) : null;
}

function statement(write: RowWrite<typeof citas>, audit: AuditEntry | null, alongside: RenderAt | undefined, answer: 'id' | 'row'): [string, unknown[]] {
  const changes = audit && auditChanges(audit.before, audit.after);
  const w = renderWrite(write, 1, answer === 'id' ? 'id' : '*');
  const parts = [`w as (${w.text})`];
  const params = [...w.params];
  if (audit && changes) {
    const n = params.length;
    parts.push(`a as (insert into "audit_log" ("cita_id", "actor", "action", "changes", "request_id", "at") select w."id", $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5} from w)`);
    params.push(audit.ctx.actor, audit.action, JSON.stringify(changes), audit.ctx.requestId ?? null, audit.at.toISOString());
  }
  if (alongside) {
    const t = alongside(params.length + 1);
    parts.push(`t as (${t.text})`);
    params.push(...t.params);
  }
  return [`with ${parts.join(', ')} select ${answer === 'id' ? 'w."id"' : 'row_to_json(w) as row'} from w`, params];
}

/** The audit `changes` of a newly created row (every tracked field that has a value). */
export function creationChanges(row: Partial<CitaRow>): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const f of TRACKED) if (row[f] !== undefined && row[f] !== null) changes[SNAKE[f]] = { before: null, after: row[f] };
  return changes;
}

export async function auditTrail(db: DbOrTx, citaId: string) {
  return db.select().from(auditLog).where(eq(auditLog.citaId, citaId)).orderBy(asc(auditLog.at));
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
