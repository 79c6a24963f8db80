/**
 * Blocked time (issue 23) as the front desk handles it: the «Bloquear horario» form's checks and
 * the bodies it sends, and the sentences about blocks, working hours and a booking made despite
 * them. No DOM here, so they are unit-tested (test/unit/ui-blocks.test.ts).
 */
import { minutesBetween, parseInstant } from '../../domain/time';
import { addDays, formatShortDay, isDay, wallIn, type Day } from './clinic-time';
import { describeDayHours } from './working-hours';

/** A block's times as the service gives them: with the location's offset (`2026-12-08T13:00:00-05:00`). */
export interface BlockTimes {
  title: string;
  start_time: string;
  end_time: string;
}

/** What the «Bloquear horario» form holds: wall times in the clinic's zone. */
export interface BlockFormValues {
  calendarId: string;
  day: Day;
  from: string;
  /** The day the block ends (a vacation spans days); usually `day`. */
  endDay: Day;
  to: string;
  title: string;
}

export type BlockFieldErrors = Partial<Record<keyof BlockFormValues, string>>;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function validateBlockForm(v: BlockFormValues, zone: string): BlockFieldErrors {
  const errors: BlockFieldErrors = {};
  if (!v.calendarId) errors.calendarId = 'Elija un calendario.';
  if (!v.title.trim()) errors.title = 'Escriba el motivo del bloqueo (por ejemplo, «Almuerzo»).';
  else if (v.title.trim().length > 200) errors.title = 'El motivo admite hasta 200 caracteres.';
  if (!isDay(v.day, zone)) errors.day = 'Elija una fecha válida.';
  if (!isDay(v.endDay, zone)) errors.endDay = 'Elija una fecha válida.';
  if (!TIME.test(v.from)) errors.from = 'Escriba la hora de inicio (hh:mm).';
  if (!TIME.test(v.to)) errors.to = 'Escriba la hora de fin (hh:mm).';
  if (Object.keys(errors).some((k) => k !== 'title' && k !== 'calendarId')) return errors;
  const start = parseInstant(`${v.day}T${v.from}`, zone);
  const end = parseInstant(`${v.endDay}T${v.to}`, zone);
  if (!start.ok) return { ...errors, from: `Esa hora no existe en ${zone} (cambio de horario).` };
  if (!end.ok) return { ...errors, to: `Esa hora no existe en ${zone} (cambio de horario).` };
  if (minutesBetween(start.instant, end.instant) <= 0) errors.to = 'El fin del bloqueo debe ser posterior a su inicio.';
  return errors;
}

/** POST /api/blocks: wall times, read by the service in the location's zone. */
export function blockBody(v: BlockFormValues, locationId: string) {
  return { location_id: locationId, calendar_id: v.calendarId, title: v.title.trim(), start_time: `${v.day}T${v.from}`, end_time: `${v.endDay}T${v.to}` };
}

/** PATCH /api/blocks/{id}: only what changed since the form opened (the calendar is not editable). */
export function blockPatch(v: BlockFormValues, before: BlockFormValues): { title?: string; start_time?: string; end_time?: string } {
  const patch: { title?: string; start_time?: string; end_time?: string } = {};
  if (v.title.trim() !== before.title.trim()) patch.title = v.title.trim();
  if (`${v.day}T${v.from}` !== `${before.day}T${before.from}`) patch.start_time = `${v.day}T${v.from}`;
  if (`${v.endDay}T${v.to}` !== `${before.endDay}T${before.to}`) patch.end_time = `${v.endDay}T${v.to}`;
  return patch;
}

/** The form's values for a block, read in the clinic's zone. */
export function blockValuesOf(block: { calendar_id: string; title: string; start_time: string; end_time: string }, zone: string): BlockFormValues {
  const start = wallIn(block.start_time, zone);
  const end = wallIn(block.end_time, zone);
  return { calendarId: block.calendar_id, day: start.day, from: start.time, endDay: end.day, to: end.time, title: block.title };
}

/** Where the service's field names show in the block form. */
export function blockFieldOf(apiField: string): keyof BlockFormValues | null {
  const map: Record<string, keyof BlockFormValues> = { title: 'title', calendar_id: 'calendarId', start_time: 'from', end_time: 'to' };
  return map[apiField] ?? null;
}

// ── Sentences ─────────────────────────────────────────────────────────────────────────────────

/**
 * The clinic's wall clock of a time the service wrote in the location's zone, with its offset
 * (`2026-12-08T13:00:00-05:00` → day and `13:00`): read from the text, so no zone is needed.
 */
function wallOf(time: string): { day: Day; time: string } {
  return { day: time.slice(0, 10), time: time.slice(11, 16) };
}

/** `13:00–14:00`; a block over several days names them: `lun, 14 dic. 13:00 – mié, 16 dic. 14:00`. */
export function blockSpan(b: { start_time: string; end_time: string }): string {
  const start = wallOf(b.start_time);
  const end = wallOf(b.end_time);
  // Ending at midnight ends that day (24:00), not the next.
  const endsAtMidnight = end.time === '00:00' && end.day > start.day;
  const lastDay = endsAtMidnight ? addDays(end.day, -1) : end.day;
  if (lastDay === start.day) return `${start.time}–${endsAtMidnight ? '24:00' : end.time}`;
  return `${formatShortDay(start.day)} ${start.time} – ${formatShortDay(lastDay)} ${endsAtMidnight ? '24:00' : end.time}`;
}

/** «El horario está bloqueado por "Almuerzo" (13:00–14:00).» */
export function blockedSentence(block: BlockTimes | null | undefined): string {
  if (!block?.start_time || !block.end_time) return 'El horario está bloqueado en ese calendario.';
  return `El horario está bloqueado por "${block.title}" (${blockSpan(block)}).`;
}

export interface WorkingHoursOfDay {
  fecha?: string;
  weekday: number;
  hours: { open: string; close: string }[];
}

/** «Fuera del horario de atención (09:00–18:00 el martes).» */
export function outsideHoursSentence(hours: WorkingHoursOfDay | null | undefined): string {
  if (!hours || typeof hours.weekday !== 'number' || !Array.isArray(hours.hours)) return 'Fuera del horario de atención del calendario.';
  return `Fuera del horario de atención (${describeDayHours(hours.hours, hours.weekday)}).`;
}

/** After a block is saved over citas: «Hay 2 citas en ese horario: revíselas.» */
export function overlapSentence(citas: unknown[] | null | undefined): string {
  const n = Array.isArray(citas) ? citas.length : 0;
  if (!n) return '';
  return n === 1 ? 'Hay 1 cita en ese horario: revísela.' : `Hay ${n} citas en ese horario: revíselas.`;
}

/** What a cita flagged as a conflict sits in: another cita, or a block. */
export function conflictText(c: { conflict: boolean; conflict_reason?: string | null; blocked_by?: { title: string } | null }): string | null {
  if (!c.conflict) return null;
  if (c.conflict_reason === 'blocked') return `Dentro de un bloqueo: "${c.blocked_by?.title ?? 'sin motivo'}"`;
  // Issue 24: when the clinic connected, GHL held more than one appointment that could be this cita.
  if (c.conflict_reason === 'ambiguous_match') return 'Sin vincular: varias citas de GHL podrían ser esta';
  return 'Conflicto: se superpone con otra cita';
}

export const OVERRIDE_TEXT = 'Agendada fuera de horario/bloqueo por decisión del personal';
