/**
 * The clinic's calendar, as the front desk lives it: days are `YYYY-MM-DD` in the location's zone
 * and every time shown is read in that zone, never the browser's (a receptionist's laptop set to
 * another zone still sees clinic time). Conversions reuse the service's own (src/domain/time.ts),
 * so the page and the API agree on what a wall time means, DST included.
 */
import { dayBounds, formatInZone } from '../../domain/time';

/** A calendar day of the clinic: `2026-12-14`. */
export type Day = string;
export type AgendaView = 'dia' | 'semana';

const LOCALE = 'es-PE';

/** Day and wall time (`HH:mm`) of an instant in `zone`. */
export function wallIn(instant: string | Date, zone: string): { day: Day; time: string } {
  const text = formatInZone(new Date(instant), zone);
  return { day: text.slice(0, 10), time: text.slice(11, 16) };
}

export function todayIn(zone: string, now: Date = new Date()): Day {
  return wallIn(now, zone).day;
}

/** Calendar arithmetic on days: zone-free (a day is a day), so done in UTC. */
export function addDays(day: Day, n: number): Day {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Weeks start on Monday, as in Peru. */
export function mondayOf(day: Day): Day {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

export function daysShown(view: AgendaView, anchor: Day): Day[] {
  if (view === 'dia') return [anchor];
  const monday = mondayOf(anchor);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** Where previous / next go from `anchor`. */
export function step(view: AgendaView, anchor: Day, direction: 1 | -1): Day {
  return addDays(anchor, direction * (view === 'dia' ? 1 : 7));
}

/**
 * The clinic days a cita is drawn on: every day its [start, end) touches, so one that crosses
 * midnight shows on both. Ending exactly at midnight does not reach the next day.
 */
export function daysTouched(startUtc: string, endUtc: string, zone: string): Day[] {
  const first = wallIn(startUtc, zone).day;
  const last = wallIn(new Date(Date.parse(endUtc) - 1), zone).day;
  const days = [first];
  while (days[days.length - 1]! < last && days.length < 31) days.push(addDays(days[days.length - 1]!, 1));
  return days;
}

/** `true` when the day is a real calendar day in `zone` (the date input can hold anything). */
export function isDay(text: string, zone: string): text is Day {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && dayBounds(text, zone) !== null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function fmt(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: zone })));
  return f;
}

/** `9:30 a. m.`: a time of day in the clinic's zone. */
export function formatTime(instant: string | Date, zone: string): string {
  return fmt(zone, { hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

/** `14 dic. 2026, 9:30 a. m.` in the clinic's zone. */
export function formatDateTime(instant: string | Date, zone: string): string {
  return fmt(zone, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(instant));
}

// A day is zone-free: read it at noon UTC and format it in UTC, so no zone can shift it.
const noon = (day: Day) => new Date(`${day}T12:00:00Z`);

/** `lunes, 14 de diciembre` */
export function formatDay(day: Day): string {
  return fmt('UTC', { weekday: 'long', day: 'numeric', month: 'long' }).format(noon(day));
}

/** `lun, 14 dic.` */
export function formatShortDay(day: Day): string {
  return fmt('UTC', { weekday: 'short', day: 'numeric', month: 'short' }).format(noon(day));
}

/** `14–20 de diciembre de 2026`, or one day in full. */
export function formatPeriod(days: Day[]): string {
  const f = fmt('UTC', { weekday: days.length === 1 ? 'long' : undefined, day: 'numeric', month: 'long', year: 'numeric' });
  return days.length === 1 ? f.format(noon(days[0]!)) : f.formatRange(noon(days[0]!), noon(days[days.length - 1]!));
}

/** `America/New_York (GMT-5)`: the zone and its offset now, so nobody mistakes whose clock it is. */
export function zoneLabel(zone: string, now: Date = new Date()): string {
  const offset = fmt(zone, { timeZoneName: 'shortOffset' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value;
  return offset ? `${zone} (${offset})` : zone;
}
