import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Deps } from '../deps';
import { citas, type CitaRow } from '../db/schema';
import { AppError } from '../errors';
import { mayUse, type Access } from '../access/access';
import { recordAudit, type AuditContext } from '../audit/audit';

/**
 * Citas GHL held more than once when their location connected (sync/connect-match.ts leaves them
 * with match_candidates): a person says which appointment each one is.
 */

/** A person picks which of GHL's appointments an ambiguous cita is: linked, synced, never pushed as a duplicate. */
export async function linkCita(deps: Pick<Deps, 'db' | 'clock'>, id: string, ghlAppointmentId: string, access: Access, ctx: AuditContext): Promise<CitaRow> {
  return deps.db.transaction(async (tx) => {
    const [cita] = await tx.select().from(citas).where(eq(citas.id, id)).for('update');
    if (!cita || !mayUse(access, cita.locationId)) throw AppError.notFound('Cita', id);
    if (cita.ghlAppointmentId === ghlAppointmentId) return cita;
    if (!cita.matchCandidates?.some((m) => m.ghl_appointment_id === ghlAppointmentId)) {
      throw AppError.validation([{ field: 'ghl_appointment_id', message: 'not one of this cita’s match candidates' }]);
    }
    const [other] = await tx.select({ id: citas.id }).from(citas).where(and(eq(citas.locationId, cita.locationId), eq(citas.ghlAppointmentId, ghlAppointmentId)));
    if (other) throw new AppError(409, 'already_linked', 'Another cita is already that GHL appointment.', { extra: { cita_id: other.id } });
    const now = deps.clock.now();
    const [row] = await tx
      .update(citas)
      .set({ ghlAppointmentId, matchCandidates: null, syncStatus: 'synced', syncError: null, syncRetries: 0, lastSyncedAt: now, version: cita.version + 1, updatedAt: now })
      .where(eq(citas.id, id))
      .returning();
    await recordAudit(tx, ctx, 'link', cita, row!, now);
    return row!;
  });
}

/** Citas waiting for a person to link them, for the admin route. */
export async function citasAwaitingLink(deps: Pick<Deps, 'db'>, locationId: string): Promise<CitaRow[]> {
  return deps.db.select().from(citas).where(and(eq(citas.locationId, locationId), isNotNull(citas.matchCandidates), isNull(citas.ghlAppointmentId)));
}
