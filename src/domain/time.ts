import { DateTime, IANAZone } from 'luxon';

/**
 * Every conversion between wall-clock time and instants lives here.
 * Rule: we store UTC instants plus the IANA zone of the location; local wall times exist
 * only at the edges (input without offset, output for people).
 */

export type TimeResult = { ok: true; instant: Date } | { ok: false; reason: string };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// A date and at least hours:minutes; 'T' or a space between them; optional seconds/fraction; optional offset.
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Years an appointment can sensibly have. Outside them, dates are typos or attacks, and some
 * (year 1, year 10000) do not survive the round trip through Date, luxon and Postgres intact.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;
/** Real UTC offsets run from −12:00 to +14:00; anything beyond ±14:00 is not an offset. */
const MAX_OFFSET_MINUTES = 14 * 60;

export function isSaneInstant(d: Date): boolean {
  const year = d.getUTCFullYear();
  return !Number.isNaN(d.getTime()) && year >= MIN_YEAR && year <= MAX_YEAR;
}

/** A date-time string from GHL: it must parse, and land in the years above. */
export function isSaneInstantString(s: string): boolean {
  return isSaneInstant(new Date(Date.parse(s)));
}

function offsetProblem(offset: string): string | null {
  if (/^z$/i.test(offset)) return null;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(offset)!;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (minutes >= 60 || hours * 60 + minutes > MAX_OFFSET_MINUTES) return `${offset} is not a UTC offset (they run from -12:00 to +14:00)`;
  return null;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Reads an instant from ISO-8601. With an offset (`Z`, `±HH:MM`, `±HHMM`, `±HH`) the offset wins;
 * without one it is a wall time in `zone`. A wall time that does not exist in `zone` (skipped by a
 * DST change) is refused rather than silently moved: a receptionist typed a time that isn't real.
 */
export function parseInstant(input: string, zone: string): TimeResult {
  const m = DATE_TIME.exec(input.trim());
  if (!m) {
    return { ok: false, reason: 'expected an ISO-8601 date-time such as 2025-11-14T23:30:00-05:00 or 2025-11-14T23:30' };
  }
  const [, date, time, offset] = m;
  const year = Number(date!.slice(0, 4));
  if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, reason: `the year must be between ${MIN_YEAR} and ${MAX_YEAR}` };
  const badOffset = offset ? offsetProblem(offset) : null;
  if (badOffset) return { ok: false, reason: badOffset };
  const iso = `${date}T${time}${offset ?? ''}`;
  const dt = DateTime.fromISO(iso, { zone, setZone: false });
  if (!dt.isValid) return { ok: false, reason: `not a valid date-time (${dt.invalidReason ?? 'invalid'})` };
  if (!isSaneInstant(dt.toJSDate())) return { ok: false, reason: `the year must be between ${MIN_YEAR} and ${MAX_YEAR}` };
  if (!offset) {
    const wall = DateTime.fromISO(iso, { zone: 'UTC' });
    if (wall.hour !== dt.hour || wall.minute !== dt.minute || wall.day !== dt.day) {
      return { ok: false, reason: `${iso} does not exist in ${zone} (skipped by a daylight-saving change)` };
    }
  }
  return { ok: true, instant: dt.toJSDate() };
}

/** `2025-11-14T23:30:00-05:00`: the instant as people in `zone` read it, offset included. */
export function formatInZone(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true }) ?? instant.toISOString();
}

export function formatUtc(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: 'UTC' }).toISO({ suppressMilliseconds: true }) ?? instant.toISOString();
}

export function isDateOnly(input: string): boolean {
  return DATE_ONLY.test(input);
}

/** The instants where a calendar day of `zone` starts and where the next one starts (DST-aware: 23 or 25 h days). */
export function dayBounds(date: string, zone: string): { start: Date; end: Date } | null {
  if (!DATE_ONLY.test(date)) return null;
  const start = DateTime.fromISO(date, { zone }).startOf('day');
  if (!start.isValid || !isSaneInstant(start.toJSDate())) return null;
  // The next day's start is computed, not start + 24 h: a day where midnight is skipped starts at 01:00.
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).startOf('day').toJSDate() };
}

/**
 * A list bound: a date means whole days in `zone` (`desde` from the start of that day, `hasta` to
 * the end of it, both inclusive); a date-time means that instant.
 */
export function parseRangeBound(input: string, zone: string, side: 'from' | 'to'): TimeResult {
  if (isDateOnly(input)) {
    const b = dayBounds(input, zone);
    if (!b) return { ok: false, reason: `not a valid calendar date (YYYY-MM-DD, years ${MIN_YEAR}–${MAX_YEAR})` };
    return { ok: true, instant: side === 'from' ? b.start : b.end };
  }
  return parseInstant(input, zone);
}

export function minutesBetween(a: Date, b: Date): number {
  return (b.getTime() - a.getTime()) / 60_000;
}
