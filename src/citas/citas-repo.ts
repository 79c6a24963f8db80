import { and, asc, eq, gt, inArray, lt, ne, notInArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { citas, INACTIVE_STATUSES, type CitaRow, type CitaStatus, type NewCitaRow } from '../db/schema';

/** Queries on the citas table; no rules here, only storage. */

export async function insertCita(db: DbOrTx, row: NewCitaRow): Promise<CitaRow> {
  const [saved] = await db.insert(citas).values(row).returning();
  return saved!;
}

export async function findCita(db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<CitaRow | null> {
  const q = db.select().from(citas).where(eq(citas.id, id)).limit(1);
  const rows = opts.forUpdate ? await q.for('update') : await q;
  return rows[0] ?? null;
}

export async function updateCita(db: DbOrTx, id: string, patch: Partial<NewCitaRow>): Promise<CitaRow> {
  const [saved] = await db.update(citas).set(patch).where(eq(citas.id, id)).returning();
  return saved!;
}

/** The active cita that holds (part of) a slot, to name it in a 409. */
export async function findOverlapping(
  db: DbOrTx,
  slot: { locationId: string; calendarId: string; start: Date; end: Date; excludeId?: string },
): Promise<CitaRow | null> {
  const conds: SQL[] = [
    eq(citas.locationId, slot.locationId),
    eq(citas.ghlCalendarId, slot.calendarId),
    notInArray(citas.status, [...INACTIVE_STATUSES]),
    lt(citas.startTime, slot.end),
    gt(citas.endTime, slot.start),
  ];
  if (slot.excludeId) conds.push(ne(citas.id, slot.excludeId));
  const rows = await db.select().from(citas).where(and(...conds)).orderBy(asc(citas.startTime)).limit(1);
  return rows[0] ?? null;
}

export interface ListFilter {
  locationId: string;
  from?: Date;
  to?: Date;
  statuses?: CitaStatus[];
  calendarIds?: string[];
  conflict?: boolean;
  after?: { start: Date; id: string };
  limit: number;
}

/** Citas that intersect [from, to), ordered by start then id (a stable order for cursors). */
export async function listCitas(db: DbOrTx, f: ListFilter): Promise<CitaRow[]> {
  const conds: SQL[] = [eq(citas.locationId, f.locationId)];
  if (f.to) conds.push(lt(citas.startTime, f.to));
  if (f.from) conds.push(gt(citas.endTime, f.from));
  if (f.statuses?.length) conds.push(inArray(citas.status, f.statuses));
  if (f.calendarIds?.length) conds.push(inArray(citas.ghlCalendarId, f.calendarIds));
  if (f.conflict !== undefined) conds.push(eq(citas.conflict, f.conflict));
  if (f.after) {
    conds.push(sql`(${citas.startTime}, ${citas.id}) > (${f.after.start.toISOString()}::timestamptz, ${f.after.id}::uuid)`);
  }
  return db
    .select()
    .from(citas)
    .where(and(...conds))
    .orderBy(asc(citas.startTime), asc(citas.id))
    .limit(f.limit);
}
