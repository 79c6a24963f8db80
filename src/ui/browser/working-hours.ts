/**
 * A calendar's working hours (GHL's openHours, as GET /api/ghl/calendars gives them) as the agenda
 * draws them: which parts of a clinic day are closed. Wall times are read in the clinic's zone, so
 * a day with a DST change is 23 or 25 hours long and its closed stretches are real instants. No DOM
 * here: unit-tested (test/unit/ui-working-hours.test.ts).
 */
import { dayBounds, formatInZone, parseInstant } from '../../domain/time';
import { addDays, type Day } from './clinic-time';

/** One rule of `open_hours`: the weekdays (0 = Sunday … 6 = Saturday) and their hours, "HH:MM". */
export interface OpenHoursRule {
  days: number[];
  hours: { open: string; close: string }[];
}

/** A stretch of time, as instants (ms since the epoch): [start, end). */
export interface Stretch {
  start: number;
  end: number;
}

export const WEEKDAY_NAMES = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'] as const;

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** The weekday of a clinic day (zone-free: a day is a day), 0 = Sunday. */
export function weekdayOf(day: Day): number {
  return new Date(`${day}T12:00:00Z`).getUTCDay();
}

function minutesOf(hhmm: string): number | null {
  const m = HHMM.exec(hhmm);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : null;
}

/** The zone's offset (minutes east of UTC) at an instant. */
function offsetAt(t: number, zone: string): number {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(formatInZone(new Date(t), zone));
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * The instant of a wall time on a day. A wall time a DST change skips (02:30 the night clocks go
 * from 02:00 to 03:00) is read with the offset in force before the change, so it lands where the
 * clock went on (03:30): an opening at a time that did not happen still opens that morning.
 */
export function wallInstant(day: Day, minutes: number, zone: string): number {
  const whole = addDays(day, Math.floor(minutes / 1440));
  const rest = minutes % 1440;
  const hhmm = `${String(Math.floor(rest / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  const read = parseInstant(`${whole}T${hhmm}`, zone);
  if (read.ok) return read.instant.getTime();
  const naive = Date.parse(`${whole}T${hhmm}:00Z`);
  return naive - offsetAt(naive - 86_400_000, zone) * 60_000;
}

/** The hours of one weekday, in order (an empty list: closed that day). */
export function hoursOn(openHours: OpenHoursRule[], weekday: number): { open: string; close: string }[] {
  return openHours
    .filter((rule) => rule.days.includes(weekday))
    .flatMap((rule) => rule.hours)
    .filter((h) => minutesOf(h.open) !== null && minutesOf(h.close) !== null)
    .sort((a, b) => minutesOf(a.open)! - minutesOf(b.open)!);
}

/**
 * The open stretches of a weekday's hours starting on `day`: a close of "24:00", or one at or
 * before the opening, ends the next day at that time.
 */
function openFrom(openHours: OpenHoursRule[], day: Day, zone: string): Stretch[] {
  return hoursOn(openHours, weekdayOf(day)).map((h) => {
    const open = minutesOf(h.open)!;
    let close = minutesOf(h.close)!;
    if (close <= open) close += 1440;
    return { start: wallInstant(day, open, zone), end: wallInstant(day, close, zone) };
  });
}

/** Sorted and joined: touching or overlapping stretches become one. */
function merge(stretches: Stretch[]): Stretch[] {
  const out: Stretch[] = [];
  for (const s of [...stretches].filter((x) => x.end > x.start).sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** When the calendar is open during the clinic day (the day before's late hours included). */
export function openStretches(openHours: OpenHoursRule[], day: Day, zone: string): Stretch[] {
  const bounds = dayBounds(day, zone);
  if (!bounds) return [];
  const [from, to] = [bounds.start.getTime(), bounds.end.getTime()];
  const all = [...openFrom(openHours, addDays(day, -1), zone), ...openFrom(openHours, day, zone)];
  return merge(all.map((s) => ({ start: Math.max(s.start, from), end: Math.min(s.end, to) })));
}

/**
 * The closed stretches of a clinic day, the agenda greys them. No working hours known (null):
 * nothing is closed, since the service refuses nothing then either.
 */
export function closedStretches(openHours: OpenHoursRule[] | null | undefined, day: Day, zone: string): Stretch[] {
  if (!openHours) return [];
  const bounds = dayBounds(day, zone);
  if (!bounds) return [];
  const closed: Stretch[] = [];
  let at = bounds.start.getTime();
  for (const open of openStretches(openHours, day, zone)) {
    if (open.start > at) closed.push({ start: at, end: open.start });
    at = Math.max(at, open.end);
  }
  if (at < bounds.end.getTime()) closed.push({ start: at, end: bounds.end.getTime() });
  return closed;
}

/** `09:00–13:00 y 15:00–19:00 el martes`, or `cerrado el domingo`. */
export function describeDayHours(hours: { open: string; close: string }[], weekday: number): string {
  const name = WEEKDAY_NAMES[weekday] ?? '';
  if (!hours.length) return `cerrado el ${name}`;
  const parts = hours.map((h) => `${h.open}–${h.close}`);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} y ${parts[parts.length - 1]}` : parts[0];
  return `${list} el ${name}`;
}
