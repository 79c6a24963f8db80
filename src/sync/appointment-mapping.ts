import { CITA_STATUSES, type CitaRow, type CitaStatus, type ContactDetails } from '../db/schema';
import { formatInZone } from '../domain/time';
import { parseInstanceId } from '../domain/rrule';
import { toHex } from '../lib/hex';
import { sha256Digest } from '../lib/sha256';
import type { AppointmentWrite, GhlAppointment } from '../ghl/schemas';

/**
 * Cita ↔ GHL appointment, both directions, as pure functions.
 *
 * Outbound (cita → appointment): times go out in the location's zone with its offset (GHL echoes
 * what it is given). Postgres is the source of truth for slots, so GHL's own free-slot and
 * date-range checks are skipped: the exclusion constraint has already decided. Our cita id travels
 * in the appointment's description as a marker, so an appointment whose create timed out can be
 * found again instead of being created twice.
 *
 * Inbound (appointment → IncomingAppointment): webhooks and sync-job listings alike become the one
 * shape the inbound side applies.
 */

const MARKER = /\s*\[rv3:([0-9a-f-]{36})\]\s*$/i;

export function citaMarker(citaId: string): string {
  return `[rv3:${citaId}]`;
}

export function withMarker(notes: string | null, citaId: string): string {
  const text = (notes ?? '').replace(MARKER, '');
  return text ? `${text}\n\n${citaMarker(citaId)}` : citaMarker(citaId);
}

/** The cita id a description carries, if we wrote it. */
export function citaIdFromDescription(description: string | null | undefined): string | null {
  return description ? (MARKER.exec(description)?.[1]?.toLowerCase() ?? null) : null;
}

/** Notes as people wrote them: the description without our marker. */
export function notesFromDescription(description: string | null | undefined): string | null {
  if (!description) return null;
  const text = description.replace(MARKER, '').trim();
  return text || null;
}

/**
 * How a push asks GHL to treat it, beside the content. `notify` is sent as `toNotify`: GHL runs the
 * location's automations (confirmation and reminder messages) for a write unless it says false
 * (calendars.json, create and update alike), so every push carries the location's choice.
 */
export interface PushOptions {
  notify: boolean;
}

/** The appointment for a cita; with `push`, the request a push sends (content plus `toNotify`). */
export function appointmentFromCita(cita: CitaRow, contactId: string, push?: PushOptions): AppointmentWrite {
  return {
    calendarId: cita.ghlCalendarId,
    locationId: cita.locationId,
    contactId,
    startTime: formatInZone(cita.startTime, cita.timeZone),
    endTime: formatInZone(cita.endTime, cita.timeZone),
    title: cita.title,
    appointmentStatus: cita.status,
    ...(cita.assignedUserId ? { assignedUserId: cita.assignedUserId } : {}),
    description: withMarker(cita.notes, cita.id),
    ignoreFreeSlotValidation: true,
    ignoreDateRange: true,
    ...(push ? { toNotify: push.notify } : {}),
  };
}

/** GHL's update takes neither locationId nor contactId. */
export function appointmentUpdateFromWrite(write: AppointmentWrite): Partial<AppointmentWrite> {
  const { locationId: _l, contactId: _c, ...update } = write;
  return update;
}

export function contactUpsertFromDetails(c: ContactDetails) {
  return {
    ...(c.first_name ? { firstName: c.first_name } : {}),
    ...(c.last_name ? { lastName: c.last_name } : {}),
    ...(c.name ? { name: c.name } : {}),
    ...(c.email ? { email: c.email } : {}),
    ...(c.phone ? { phone: c.phone } : {}),
  };
}

/**
 * A stable fingerprint of what we would send: equal hashes mean GHL already has this content,
 * so pushing again would be a wasted call. `toNotify` is how a push is made, not content GHL
 * holds: a location changing its choice is no reason to push its citas again.
 *
 * Stored and compared with hashes written before: the text and the digest must never change
 * (test/unit/content-hash.test.ts pins one). On Workers the digest is WebCrypto's (sha256.ts).
 */
export async function contentHash(write: AppointmentWrite, opts?: { native?: boolean }): Promise<string> {
  const keys = Object.keys(write).filter((k) => k !== 'toNotify');
  const canonical = JSON.stringify(keys.sort().map((k) => [k, write[k as keyof AppointmentWrite]]));
  return toHex(await sha256Digest(canonical, opts));
}

// ── Inbound (appointment → what the inbound side applies) ──────────────────────────────────────

/** An appointment as the inbound side needs it, whatever carried it (webhook or a sync job's fetch). */
export interface IncomingAppointment {
  id: string;
  locationId: string;
  calendarId: string;
  contactId: string | null;
  title: string | null;
  status: CitaStatus | null;
  assignedUserId: string | null;
  notes: string | null;
  startTime: Date;
  endTime: Date;
  dateUpdated: Date | null;
  /** A Delete event: GHL no longer has the appointment. */
  deleted: boolean;
  /**
   * When GHL was seen holding this state: a webhook's `timestamp` (GHL re-sends the same bytes,
   * so it stays the emission time), or the moment a sync job listed it. Orders the event against
   * a deletion we already know of.
   */
  observedAt: Date | null;
  /**
   * The recurring series it belongs to (an occurrence: an instance id or `masterEventId`), or that it
   * is (`master`: GHL's series itself, with its rule). Index and count when known from the rule.
   */
  series?: IncomingSeries | null;
}

export interface IncomingSeries {
  masterId: string;
  rule: string | null;
  master: boolean;
  index?: number | null;
  count?: number | null;
}

/**
 * Which series an appointment belongs to, from what GHL says of it: `masterEventId` (listings),
 * the shape of an instance id (`<masterId>_<startMillis>_<durationSeconds>`: webhooks carry no
 * masterEventId), or a rule on the event itself (the series' own master).
 */
export function seriesOf(a: { id: string; masterEventId?: unknown; rrule?: unknown; isRecurring?: unknown }): IncomingSeries | null {
  const rule = typeof a.rrule === 'string' && a.rrule.trim() ? a.rrule.trim() : null;
  if (typeof a.masterEventId === 'string' && a.masterEventId && a.masterEventId !== a.id) return { masterId: a.masterEventId, rule, master: false };
  const instance = parseInstanceId(a.id);
  if (instance) return { masterId: instance.masterId, rule, master: false };
  if (rule && a.isRecurring !== false) return { masterId: a.id, rule, master: true };
  return null;
}

/** GHL responses may say `active`/`completed`; everything else is already our vocabulary. */
export function statusFromGhl(raw: string | null | undefined): CitaStatus | null {
  if (!raw) return null;
  const s = raw.toLowerCase();
  if ((CITA_STATUSES as readonly string[]).includes(s)) return s as CitaStatus;
  if (s === 'active') return 'confirmed';
  if (s === 'completed') return 'showed';
  return null;
}

/** A GHL appointment (webhook payload or API listing) as the inbound side needs it. */
export function incomingFromGhl(
  locationId: string,
  a: GhlAppointment & { appoinmentStatus?: string | null },
  opts: { deleted?: boolean; observedAt?: Date | null } = {},
): IncomingAppointment {
  return {
    id: a.id,
    locationId,
    calendarId: a.calendarId ?? '',
    contactId: a.contactId || null,
    title: a.title || null,
    status: statusFromGhl(a.appointmentStatus ?? a.appoinmentStatus),
    assignedUserId: a.assignedUserId || null,
    // Listings carry the description (our marker stripped, it is the notes); webhooks only notes.
    notes: a.notes || notesFromDescription(a.description),
    startTime: new Date(a.startTime),
    endTime: new Date(a.endTime),
    dateUpdated: a.dateUpdated ? new Date(a.dateUpdated) : null,
    deleted: opts.deleted ?? false,
    observedAt: opts.observedAt ?? null,
    series: seriesOf(a as { id: string; masterEventId?: unknown; rrule?: unknown; isRecurring?: unknown }),
  };
}

