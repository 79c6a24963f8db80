import { and, eq, inArray, isNull, notInArray } from 'drizzle-orm';
import type { Deps } from '../deps';
import { citas, INACTIVE_STATUSES, type CitaRow, type MatchCandidate } from '../db/schema';
import { formatInZone } from '../domain/time';
import type { GhlAppointment } from '../ghl/schemas';
import { recordAudit, type AuditContext } from '../audit/audit';
import { touchLocation } from '../locations/location-rev';
import { withSyncRun, type SyncRunResult } from './sync-run';

/**
 * A clinic that kept both calendars by hand before connecting: our citas made before the
 * connection (not yet in GHL) and GHL's appointments are the same visits. Pushing ours would make
 * each twice in GHL, and the next scan would import GHL's originals as conflicts. So on connecting,
 * before any push, each unlinked cita is looked for in GHL: same calendar, start and end, then the
 * same patient, then the same title. One match: linked (the cita is that appointment: synced, not
 * pushed). Several: left for a person (match_candidates; listed as a conflict, «Vincular» on the
 * page, POST /api/citas/{id}/link). None: pushed as usual afterwards.
 */

export interface MatchCounts {
  unlinked: number;
  linked: number;
  ambiguous: number;
  to_push: number;
  ghl_calls: number;
}

const DAY = 86_400_000;

export async function matchUnlinkedCitas(deps: Deps, locationId: string, opts: { messageId?: string | null } = {}): Promise<SyncRunResult<MatchCounts>> {
  const counts: MatchCounts = { unlinked: 0, linked: 0, ambiguous: 0, to_push: 0, ghl_calls: 0 };
  return withSyncRun(deps, { kind: 'connect', locationId, messageId: opts.messageId }, counts, async () => {
    const unlinked = await deps.db
      .select()
      .from(citas)
      .where(and(eq(citas.locationId, locationId), isNull(citas.ghlAppointmentId), isNull(citas.matchCandidates), eq(citas.syncStatus, 'pending_sync'), notInArray(citas.status, [...INACTIVE_STATUSES])));
    counts.unlinked = unlinked.length;
    if (!unlinked.length) return { outcome: 'ok' };
    // GHL's appointments over each calendar's span of unlinked citas, in the jobs' window size.
    const byCalendar = new Map<string, CitaRow[]>();
    for (const c of unlinked) byCalendar.set(c.ghlCalendarId, [...(byCalendar.get(c.ghlCalendarId) ?? []), c]);
    const listed: GhlAppointment[] = [];
    for (const [calendarId, rows] of byCalendar) {
      const from = Math.min(...rows.map((r) => r.startTime.getTime()));
      const to = Math.max(...rows.map((r) => r.endTime.getTime())) + 1;
      for (let w = from; w < to; w += deps.config.SYNC_GHL_WINDOW_DAYS * DAY) {
        counts.ghl_calls++;
        const got = await deps.ghl.client.listEvents(locationId, calendarId, new Date(w), new Date(Math.min(to, w + deps.config.SYNC_GHL_WINDOW_DAYS * DAY)));
        listed.push(...got.events.map((e) => ({ ...e, calendarId: e.calendarId ?? calendarId })));
      }
    }
    // Appointments some cita already is are nobody else's match.
    const ids = [...new Set(listed.map((e) => e.id))];
    const held = ids.length
      ? new Set((await deps.db.select({ id: citas.ghlAppointmentId }).from(citas).where(and(eq(citas.locationId, locationId), inArray(citas.ghlAppointmentId, ids)))).map((r) => r.id))
      : new Set<string | null>();
    const free = listed.filter((e, i) => !held.has(e.id) && listed.findIndex((x) => x.id === e.id) === i && e.appointmentStatus !== 'cancelled');
    const candidates = new Map(unlinked.map((c) => [c.id, candidatesFor(c, free)]));
    // An appointment two citas both single out is theirs to sort out: ambiguous for both.
    const claims = new Map<string, number>();
    for (const list of candidates.values()) if (list.length === 1) claims.set(list[0]!.id, (claims.get(list[0]!.id) ?? 0) + 1);
    const now = deps.clock.now();
    const audit: AuditContext = { actor: 'job', requestId: null };
    for (const cita of unlinked) {
      const list = candidates.get(cita.id)!;
      if (list.length === 1 && claims.get(list[0]!.id) === 1) {
        const a = list[0]!;
        const [row] = await deps.db
          .update(citas)
          .set({ ghlAppointmentId: a.id, syncStatus: 'synced', syncError: null, syncRetries: 0, lastSyncedAt: now, ghlDateUpdated: a.dateUpdated ? new Date(a.dateUpdated) : null, updatedAt: now })
          .where(and(eq(citas.id, cita.id), isNull(citas.ghlAppointmentId)))
          .returning();
        if (row) {
          await recordAudit(deps.db, audit, 'linked_on_connect', cita, row, now);
          counts.linked++;
        }
      } else if (list.length >= 1) {
        const matchCandidates: MatchCandidate[] = list.map((a) => ({
          ghl_appointment_id: a.id,
          title: a.title ?? null,
          start_time: formatInZone(new Date(a.startTime), cita.timeZone),
          end_time: formatInZone(new Date(a.endTime), cita.timeZone),
          contact_id: a.contactId ?? null,
        }));
        await deps.db.update(citas).set({ matchCandidates, syncError: 'waiting: GHL holds more than one appointment that could be this cita; link one', updatedAt: now }).where(eq(citas.id, cita.id));
        counts.ambiguous++;
      } else {
        counts.to_push++;
      }
    }
    if (counts.linked || counts.ambiguous) touchLocation(deps, locationId);
    return { outcome: 'ok' };
  });
}

/**
 * GHL's appointments that could be this cita: same calendar, start and end, and the same patient
 * when both name one (another patient's visit at that time is not this one); the title only
 * narrows several down, while that leaves any.
 */
function candidatesFor(c: CitaRow, listed: GhlAppointment[]): GhlAppointment[] {
  let list = listed.filter(
    (a) => a.calendarId === c.ghlCalendarId && Date.parse(a.startTime) === c.startTime.getTime() && Date.parse(a.endTime) === c.endTime.getTime() && (!c.contactId || !a.contactId || a.contactId === c.contactId),
  );
  const sameTitle = list.filter((a) => (a.title ?? '').trim().toLowerCase() === c.title.trim().toLowerCase());
  if (sameTitle.length) list = sameTitle;
  return list;
}
