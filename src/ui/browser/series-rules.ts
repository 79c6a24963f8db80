/**
 * Series (issue 24) as the front desk meets them: «Repetir» in the new-cita form and the body it
 * sends, «Sesión 3 de 10» on a card, the three scopes of an edit or a cancel, and the Spanish
 * sentences for a series that collides, one booked, and the sessions a scoped change reached.
 * No DOM here, so they are unit-tested (test/unit/ui-series.test.ts).
 */
import { addDays, isDay } from './clinic-time';
import { count } from './dom';

export type RepeatFreq = '' | 'daily' | 'weekly' | 'monthly';

/** «Repetir» as typed: how often, and whether it ends after a number of sessions or on a day. */
export interface RepeatValues {
  freq: RepeatFreq;
  end: 'count' | 'until';
  count: string;
  until: string;
}

export const NO_REPEAT: RepeatValues = { freq: '', end: 'count', count: '10', until: '' };

export const REPEAT_OPTIONS: [RepeatFreq, string][] = [
  ['', 'No se repite'],
  ['daily', 'Cada día'],
  ['weekly', 'Cada semana'],
  ['monthly', 'Cada mes'],
];

/** The service's limits (src/routes/citas/schemas.ts: repeat). */
export const MIN_SESSIONS = 2;
export const MAX_SESSIONS = 24;

export type RepeatErrors = { repeatCount?: string; repeatUntil?: string };

/** Checked before sending; `firstDay` is the first session's day (the form's «Fecha»). */
export function validateRepeat(r: RepeatValues, firstDay: string, zone: string): RepeatErrors {
  if (!r.freq) return {};
  if (r.end === 'count') {
    const n = Number(r.count);
    if (!/^\d+$/.test(r.count.trim()) || n < MIN_SESSIONS || n > MAX_SESSIONS) return { repeatCount: `Escriba un número de sesiones entre ${MIN_SESSIONS} y ${MAX_SESSIONS}.` };
    return {};
  }
  if (!isDay(r.until, zone)) return { repeatUntil: 'Elija la fecha de la última sesión.' };
  // The day after the first: with the first alone it is no series.
  if (isDay(firstDay, zone) && r.until <= firstDay) return { repeatUntil: 'La fecha final debe ser posterior a la primera sesión.' };
  if (isDay(firstDay, zone) && r.until > lastPossibleDay(r.freq, firstDay)) return { repeatUntil: `Una serie tiene como máximo ${MAX_SESSIONS} sesiones: elija una fecha final más cercana.` };
  return {};
}

/** The day the 24th session would fall on: an «hasta el» later than it books more than the service allows. */
function lastPossibleDay(freq: Exclude<RepeatFreq, ''>, first: string): string {
  if (freq === 'daily') return addDays(first, MAX_SESSIONS - 1);
  if (freq === 'weekly') return addDays(first, 7 * (MAX_SESSIONS - 1));
  // Monthly: a generous bound (the service has the last word on short months).
  const [y, m, d] = first.split('-').map(Number) as [number, number, number];
  const months = m - 1 + MAX_SESSIONS - 1;
  return `${y + Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** POST /api/citas `repeat`, or nothing for a single cita. */
export function repeatBody(r: RepeatValues | undefined): { freq: 'daily' | 'weekly' | 'monthly'; count: number } | { freq: 'daily' | 'weekly' | 'monthly'; until: string } | undefined {
  if (!r?.freq) return undefined;
  return r.end === 'count' ? { freq: r.freq, count: Number(r.count) } : { freq: r.freq, until: r.until };
}

// ── Sessions and scopes ───────────────────────────────────────────────────────────────────────

export type Scope = 'this' | 'following' | 'all';

export const SCOPE_OPTIONS: [Scope, string][] = [
  ['this', 'Solo esta sesión'],
  ['following', 'Esta y las siguientes'],
  ['all', 'Toda la serie'],
];

export function isScope(v: unknown): v is Scope {
  return v === 'this' || v === 'following' || v === 'all';
}

/** «Sesión 3 de 10»; «Sesión 3» for an open-ended series; null for a cita on its own. */
export function sessionLabel(series: { index: number | null; count: number | null } | null | undefined): string | null {
  if (!series) return null;
  if (series.index === null) return series.count ? `Sesión de una serie de ${series.count}` : 'Sesión de una serie';
  return series.count ? `Sesión ${series.index} de ${series.count}` : `Sesión ${series.index}`;
}

/** After a scoped edit or cancel: how many other sessions it reached; '' when none was asked for. */
export function seriesUpdatedSentence(n: number | undefined, what: 'edit' | 'cancel'): string {
  if (n === undefined) return '';
  if (n === 0) return 'No había otras sesiones de la serie que cambiar.';
  const verb = what === 'cancel' ? (n === 1 ? 'se canceló' : 'se cancelaron') : n === 1 ? 'se cambió' : 'se cambiaron';
  return `También ${verb} ${count(n, 'sesión más', 'sesiones más')} de la serie.`;
}

// ── A series that collides, or is booked skipping some ─────────────────────────────────────────

export type CollisionReason = 'slot_taken' | 'slot_blocked' | 'outside_working_hours';

/** One colliding session of a `409 series_conflict` (or a skipped one of a booking with `on_conflict: skip`). */
export interface Collision {
  index: number;
  start_time: string;
  end_time: string;
  reason: CollisionReason | string;
  cita?: { title?: string | null } | null;
  block?: { title?: string | null } | null;
}

/** Why a session cannot be booked: «ocupado por "Control"», «bloqueado: "Almuerzo"», «fuera del horario». */
export function collisionReason(c: Pick<Collision, 'reason' | 'cita' | 'block'>): string {
  if (c.reason === 'slot_taken') return c.cita?.title ? `ocupado por "${c.cita.title}"` : 'ocupado por otra cita';
  if (c.reason === 'slot_blocked') return c.block?.title ? `bloqueado: "${c.block.title}"` : 'bloqueado';
  if (c.reason === 'outside_working_hours') return 'fuera del horario';
  return 'no disponible';
}

/** «Sesión 4 · martes, 15 de diciembre, 10:00 a. m. – 10:45 a. m.: ocupado por "Control"». */
export function collisionLine(c: Collision, describeSlot: (s: { start_time: string; end_time: string }) => string): string {
  return `Sesión ${c.index} · ${describeSlot(c)}: ${collisionReason(c)}`;
}

/** The collisions of a `409 series_conflict` problem (its `collisions`), whatever shape arrived. */
export function collisionsOf(extra: Record<string, unknown>): Collision[] {
  const list = extra.collisions;
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is Collision => !!c && typeof c === 'object' && typeof (c as Collision).index === 'number' && typeof (c as Collision).start_time === 'string' && typeof (c as Collision).end_time === 'string');
}

/**
 * After a series is booked: «Serie creada: 10 sesiones de «Terapia» (la primera: martes, 9 de marzo, 10:00 a. m.).»;
 * with sessions skipped, which and why.
 */
export function seriesCreatedSentence(title: string, booked: number, first: string, skipped: Collision[] = []): string {
  const made = `Serie creada: ${count(booked, 'sesión', 'sesiones')} de «${title}» (la primera: ${first})`;
  const which = skipped.map((s) => `sesión ${s.index} (${collisionReason(s)})`).join(', ');
  const left = skipped.length ? `; se ${skipped.length === 1 ? 'omitió 1' : `omitieron ${skipped.length}`}: ${which}` : '';
  return `${made}${left}. Se envían a GHL en segundo plano.`;
}

// ── Connect-time matches ──────────────────────────────────────────────────────────────────────

export interface MatchCandidate {
  ghl_appointment_id: string;
  title: string | null;
  start_time: string;
  end_time: string;
  contact_id: string | null;
}

/** «Vincular» names the candidate it links: «Vincular con "Control" (martes, 9 de marzo, 10:00 a. m.)». */
export function candidateLabel(c: MatchCandidate, describeSlot: (s: { start_time: string; end_time: string }) => string): string {
  return `«${c.title || 'sin motivo'}», ${describeSlot(c)}`;
}
