import type { CitaRow } from '../db/schema';
import { formatInZone, formatUtc } from '../domain/time';
import { blockRefView } from '../blocks/block-view';

/**
 * What clients see of a cita. Times come twice: in the location's zone with its offset (what the
 * front desk reads) and in UTC (what machines compare).
 */
export function citaView(row: CitaRow) {
  const tz = row.timeZone;
  return {
    id: row.id,
    location_id: row.locationId,
    calendar_id: row.ghlCalendarId,
    ghl_appointment_id: row.ghlAppointmentId,
    title: row.title,
    contact_id: row.contactId,
    contact: patientOf(row),
    assigned_user_id: row.assignedUserId,
    start_time: formatInZone(row.startTime, tz),
    end_time: formatInZone(row.endTime, tz),
    start_time_utc: formatUtc(row.startTime),
    end_time_utc: formatUtc(row.endTime),
    time_zone: tz,
    status: row.status,
    // Two reasons for a person to look: it overlaps another cita (kept outside the overlap guard), or
    // it sits in blocked time (it came from GHL, or was there before the block).
    conflict: row.conflict || row.blockConflict !== null || row.matchCandidates !== null,
    conflict_reason: row.conflict ? ('overlap' as const) : row.blockConflict ? ('blocked' as const) : row.matchCandidates ? ('ambiguous_match' as const) : null,
    blocked_by: row.blockConflict ? blockRefView(row.blockConflict, tz) : null,
    booking_override: row.bookingOverride,
    series: row.seriesId
      ? { id: row.seriesId, rule: row.seriesRule ?? '', index: row.seriesIndex, count: row.seriesCount, source: row.seriesId.startsWith('rv3:') ? ('rv3' as const) : ('ghl' as const) }
      : null,
    match_candidates: row.matchCandidates,
    notes: row.notes,
    source: row.source,
    extras: row.extras,
    sync: {
      status: row.syncStatus,
      // A push that failed on our side keeps the driver's words (which quote SQL) in the log only.
      error: row.syncError?.startsWith('internal:') ? 'internal: the push failed on our side; it is retried' : row.syncError,
      retries: row.syncRetries,
      last_synced_at: at(row.lastSyncedAt),
    },
    version: row.version,
    created_at: at(row.createdAt),
    updated_at: at(row.updatedAt),
    cancelled_at: at(row.cancelledAt),
  };
}

export type CitaView = ReturnType<typeof citaView>;

/**
 * Who is coming: the GHL contact's last known details (citas.contact, kept current from GHL), or
 * the details RV3 gave before GHL knew the patient. Null fields: not known (yet).
 */
function patientOf(row: Pick<CitaRow, 'contactId' | 'contact'>) {
  const c = row.contact;
  if (!row.contactId && !c) return null;
  const name = c?.name ?? ([c?.first_name, c?.last_name].filter(Boolean).join(' ') || null);
  return {
    id: row.contactId,
    name,
    first_name: c?.first_name ?? null,
    last_name: c?.last_name ?? null,
    phone: c?.phone ?? null,
    email: c?.email ?? null,
    deleted: c?.deleted === true,
  };
}

function at(d: Date | null): string | null {
  return d ? formatUtc(d) : null;
}

/** Strong ETag from the optimistic-concurrency version. */
export function etagOf(row: Pick<CitaRow, 'version'>): string {
  return `"${row.version}"`;
}
