import { addDays, dayInZone, wallTimeOn, weekdayOf } from './time';

/**
 * A calendar's working hours, as GHL's `openHours` give them (days 0 = Sunday … 6, hours and
 * minutes of the location's wall clock), and the rule a booking must keep: it lies inside one open
 * stretch. Pure: no I/O, DST through the time module.
 */

/** One line of GHL's openHours: these days, these hours. */
export interface OpenHoursRule {
  days: number[];
  hours: { open: string; close: string }[];
}

interface GhlHour {
  openHour?: unknown;
  openMinute?: unknown;
  closeHour?: unknown;
  closeMinute?: unknown;
}

/**
 * GHL's `openHours` as we keep them (`HH:MM` strings). Null when GHL gave none: no working hours
 * known, so nothing is refused for them. Malformed entries are dropped, not guessed.
 */
export function openHoursFromGhl(raw: unknown): OpenHoursRule[] | null {
  if (!Array.isArray(raw) || raw.length === 0) return null;
  const rules: OpenHoursRule[] = [];
  for (const r of raw as { daysOfTheWeek?: unknown; hours?: unknown }[]) {
    const days = Array.isArray(r?.daysOfTheWeek) ? (r.daysOfTheWeek as unknown[]).filter((d): d is number => Number.isInteger(d) && (d as number) >= 0 && (d as number) <= 6) : [];
    const hours = (Array.isArray(r?.hours) ? (r.hours as GhlHour[]) : []).flatMap((h) => {
      const open = hhmm(h?.openHour, h?.openMinute);
      const close = hhmm(h?.closeHour, h?.closeMinute);
      return open && close ? [{ open, close }] : [];
    });
    if (days.length && hours.length) rules.push({ days: [...new Set(days)].sort(), hours });
  }
  return rules.length ? rules : null;
}

function hhmm(h: unknown, m: unknown): string | null {
  if (!Number.isInteger(h) || !Number.isInteger(m)) return null;
  const hour = h as number;
  // GHL documents minutes up to 60 (sic): 60 is the next hour.
  const minute = m as number;
  if (hour < 0 || hour > 24 || minute < 0 || minute > 60) return null;
  const total = hour * 60 + minute;
  if (total > 24 * 60) return null;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** The hours a day of the week is open (in GHL's order), `[]` when closed all day. */
export function hoursOfWeekday(rules: OpenHoursRule[], weekday: number): { open: string; close: string }[] {
  return rules.filter((r) => r.days.includes(weekday)).flatMap((r) => r.hours);
}

/**
 * The open stretches touching `date` as instants: each day's hours from the day before (a close at
 * or before the opening runs past midnight) to this one, joined where one ends as the next begins.
 */
export function openStretches(rules: OpenHoursRule[], date: string, zone: string): { start: Date; end: Date }[] {
  const spans: { start: number; end: number }[] = [];
  for (const day of [addDays(date, -1), date, addDays(date, 1)]) {
    for (const h of hoursOfWeekday(rules, weekdayOf(day))) {
      const open = minutesOf(h.open);
      let close = minutesOf(h.close);
      if (close <= open) close += 24 * 60;
      const start = wallTimeOn(day, Math.floor(open / 60), open % 60, zone);
      const end = wallTimeOn(day, Math.floor(close / 60), close % 60, zone);
      if (start && end && end > start) spans.push({ start: start.getTime(), end: end.getTime() });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged.map((s) => ({ start: new Date(s.start), end: new Date(s.end) }));
}

/** What a booking outside the hours is told: the day it starts on, and that day's hours. */
export interface OutsideHours {
  fecha: string;
  weekday: number;
  hours: { open: string; close: string }[];
}

/** Null when [start, end) lies inside one open stretch (or no hours are known); else the day's hours. */
export function outsideWorkingHours(rules: OpenHoursRule[] | null, start: Date, end: Date, zone: string): OutsideHours | null {
  if (!rules) return null;
  const fecha = dayInZone(start, zone);
  const inside = openStretches(rules, fecha, zone).some((s) => s.start <= start && end <= s.end);
  if (inside) return null;
  const weekday = weekdayOf(fecha);
  return { fecha, weekday, hours: hoursOfWeekday(rules, weekday) };
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The refusal in words (English, as API messages are): "open 09:00–13:00, 14:00–18:00 on Tuesday". */
export function describeHours(o: OutsideHours): string {
  const day = WEEKDAYS[o.weekday];
  return o.hours.length ? `outside the calendar's working hours (${o.hours.map((h) => `${h.open}–${h.close}`).join(', ')} on ${day})` : `the calendar is closed on ${day}`;
}
