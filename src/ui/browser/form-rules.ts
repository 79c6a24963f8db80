/**
 * The cita form's rules, checked before anything is sent: the same limits the service applies
 * (src/citas/cita-rules.ts), in Spanish, field by field. No DOM here, so they are unit-tested.
 */
import { MAX_DURATION_MINUTES, MIN_DURATION_MINUTES } from '../../citas/cita-rules';
import { minutesBetween, parseInstant } from '../../domain/time';
import { addDays, isDay, wallIn } from './clinic-time';
import type { Patient } from './patients';
import { repeatBody, validateRepeat, type RepeatValues } from './series-rules';

/** What the form holds, as typed: wall times in the clinic's zone. */
export interface CitaFormValues {
  title: string;
  /** The patient picked in «Paciente» (a search result, a new one, or the cita's own); null: none yet. */
  patient: Patient | null;
  calendarId: string;
  day: string;
  start: string;
  end: string;
  endsNextDay: boolean;
  status: string;
  notes: string;
  /** New cita only: «Repetir» (issue 24); absent or `freq: ''` for a single cita. */
  repeat?: RepeatValues;
}

/** Form field name → message (the «Repetir» inputs have their own). */
export type FieldName = keyof CitaFormValues | 'repeatCount' | 'repeatUntil';
export type FieldErrors = Partial<Record<FieldName, string>>;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const PICK_A_PATIENT = 'Elija un paciente: escriba parte de su nombre, teléfono o correo y elíjalo de la lista, o elija «Nuevo paciente».';

export function startWall(v: CitaFormValues): string {
  return `${v.day}T${v.start}`;
}

export function endWall(v: CitaFormValues): string {
  return `${v.endsNextDay ? addDays(v.day, 1) : v.day}T${v.end}`;
}

export function validateCitaForm(v: CitaFormValues, zone: string, mode: 'crear' | 'editar'): FieldErrors {
  const errors: FieldErrors = {};
  if (!v.title.trim()) errors.title = 'Escriba el motivo de la cita.';
  else if (v.title.trim().length > 200) errors.title = 'El motivo admite hasta 200 caracteres.';

  // A new cita names a patient GHL knows (picked or just created); an edit may keep its own.
  if (!v.patient || (mode === 'crear' && !v.patient.id)) errors.patient = PICK_A_PATIENT;
  if (!v.calendarId) errors.calendarId = 'Elija un calendario.';
  if (v.notes.length > 10_000) errors.notes = 'Las notas admiten hasta 10 000 caracteres.';

  if (!isDay(v.day, zone)) errors.day = 'Elija una fecha válida.';
  if (!TIME.test(v.start)) errors.start = 'Escriba la hora de inicio (hh:mm).';
  if (!TIME.test(v.end)) errors.end = 'Escriba la hora de fin (hh:mm).';
  if (mode === 'crear' && v.repeat) Object.assign(errors, validateRepeat(v.repeat, v.day, zone));
  if (errors.day || errors.start || errors.end) return errors;

  const start = parseInstant(startWall(v), zone);
  const end = parseInstant(endWall(v), zone);
  if (!start.ok) return { ...errors, start: `Esa hora no existe en ${zone} (cambio de horario).` };
  if (!end.ok) return { ...errors, end: `Esa hora no existe en ${zone} (cambio de horario).` };
  const minutes = minutesBetween(start.instant, end.instant);
  if (minutes <= 0) {
    errors.end = v.endsNextDay ? 'El fin debe ser posterior al inicio.' : 'El fin debe ser posterior al inicio (si termina después de medianoche, marque «Termina al día siguiente»).';
  } else if (minutes < MIN_DURATION_MINUTES) errors.end = `La cita debe durar al menos ${MIN_DURATION_MINUTES} minutos.`;
  else if (minutes > MAX_DURATION_MINUTES) errors.end = `La cita puede durar como máximo ${MAX_DURATION_MINUTES / 60} horas.`;
  return errors;
}

/** The end a duration shortcut gives: `HH:mm`, and whether it falls on the next day. */
export function endAfter(start: string, minutes: number): { end: string; endsNextDay: boolean } | null {
  if (!TIME.test(start)) return null;
  const [h, m] = start.split(':').map(Number) as [number, number];
  const total = h * 60 + m + minutes;
  const inDay = total % 1440;
  return { end: `${String(Math.floor(inDay / 60)).padStart(2, '0')}:${String(inDay % 60).padStart(2, '0')}`, endsNextDay: total >= 1440 };
}

/** POST /api/citas body. Times go as wall times: the service reads them in the location's zone. */
export function createBody(v: CitaFormValues, locationId: string) {
  const repeat = repeatBody(v.repeat);
  return {
    location_id: locationId,
    calendar_id: v.calendarId,
    title: v.title.trim(),
    contact_id: v.patient?.id ?? '',
    start_time: startWall(v),
    end_time: endWall(v),
    status: v.status === 'confirmed' ? ('confirmed' as const) : ('new' as const),
    ...(v.notes.trim() ? { notes: v.notes } : {}),
    ...(repeat ? { repeat } : {}),
  };
}

type Status = 'new' | 'confirmed' | 'cancelled' | 'showed' | 'noshow' | 'invalid';

/**
 * PATCH /api/citas/{id} body: only what changed against the values the form was opened with, so
 * an edit never rewrites fields someone else changed meanwhile (If-Match guards the rest).
 */
export function patchBody(v: CitaFormValues, before: CitaFormValues) {
  const patch: { title?: string; calendar_id?: string; contact_id?: string; start_time?: string; end_time?: string; notes?: string | null; status?: Status } = {};
  if (v.title.trim() !== before.title.trim()) patch.title = v.title.trim();
  if (v.calendarId !== before.calendarId) patch.calendar_id = v.calendarId;
  // Another patient picked: the service changes a cita's patient by GHL contact id only.
  if (v.patient?.id && v.patient.id !== before.patient?.id) patch.contact_id = v.patient.id;
  if (startWall(v) !== startWall(before)) patch.start_time = startWall(v);
  if (endWall(v) !== endWall(before)) patch.end_time = endWall(v);
  if (v.notes !== before.notes) patch.notes = v.notes.trim() ? v.notes : null;
  if (v.status !== before.status) patch.status = v.status as Status;
  return patch;
}

/** Where the service's field names (`end_time`, `contact_id`…) show in the form. */
export function formFieldOf(apiField: string): FieldName | null {
  const map: Record<string, FieldName> = {
    title: 'title',
    contact_id: 'patient',
    contact: 'patient',
    calendar_id: 'calendarId',
    start_time: 'start',
    end_time: 'end',
    notes: 'notes',
    status: 'status',
    repeat: 'repeat',
    'repeat.freq': 'repeat',
    'repeat.count': 'repeatCount',
    'repeat.until': 'repeatUntil',
  };
  return map[apiField] ?? null;
}

/** The form's values for an existing cita, read in the clinic's zone. */
export function valuesOf(
  cita: { title: string; contact: Patient | null; calendar_id: string; start_time_utc: string; end_time_utc: string; status: string; notes: string | null },
  zone: string,
): CitaFormValues {
  const start = wallIn(cita.start_time_utc, zone);
  const end = wallIn(cita.end_time_utc, zone);
  const c = cita.contact;
  return {
    title: cita.title,
    patient: c ? { id: c.id, name: c.name, phone: c.phone, email: c.email, deleted: c.deleted } : null,
    calendarId: cita.calendar_id,
    day: start.day,
    start: start.time,
    end: end.time,
    endsNextDay: end.day !== start.day,
    status: cita.status,
    notes: cita.notes ?? '',
  };
}
