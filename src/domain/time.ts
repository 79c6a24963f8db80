/**
 * Every conversion between wall-clock time and instants lives here.
 * Rule: we store UTC instants plus the IANA zone of the location; local wall times exist
 * only at the edges (input without offset, output for people).
 *
 * Built on the platform's Intl time-zone data (the same tz database luxon reads), so no date
 * library ships in the Workers; test/unit/time-oracle.test.ts checks it against luxon.
 */

export type TimeResult = { ok: true; instant: Date } | { ok: false; reason: string };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// A date and at least hours:minutes; 'T' or a space between them; optional seconds/fraction; optional offset.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Years an appointment can sensibly have. Outside them, dates are typos or attacks, and some
 * (year 1, year 10000) do not survive the round trip through Date and Postgres intact.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;
/** Real UTC offsets run from −12:00 to +14:00; anything beyond ±14:00 is not an offset. */
const MAX_OFFSET_MINUTES = 14 * 60;
const MINUTE = 60_000;

export function isSaneInstant(d: Date): boolean {
  const year = d.getUTCFullYear();
  return !Number.isNaN(d.getTime()) && year >= MIN_YEAR && year <= MAX_YEAR;
}

/** A date-time string from GHL: it must parse, and land in the years above. */
export function isSaneInstantString(s: string): boolean {
  return isSaneInstant(new Date(Date.parse(s)));
}

// ── Zones ──────────────────────────────────────────────────────────────────────────────────────

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** One formatter per zone (making them is the costly part); null for a zone that does not exist. */
function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

export function isValidZone(zone: string): boolean {
  return zone.length > 0 && formatter(zone) !== null;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock in `zone` at `ms` (whole seconds). */
function wallAt(ms: number, zone: string): Wall {
  const parts = formatter(zone)!.formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

const asUtc = (w: Wall, ms = 0) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ms);

/** `zone`'s offset from UTC at instant `ms`, in minutes (Lima: −300; before 1908, −308.2). */
function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return (asUtc(wallAt(whole, zone)) - whole) / MINUTE;
}

const DAY_MS = 86_400_000;
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/** The wall clock in `zone` at `ms`, through the per-day offsets below. */
function wallOf(ms: number, zone: string): Wall {
  const whole = wholeSecond(ms);
  const d = new Date(whole + offsetMsAt(whole, zone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}
/** zone → UTC day → its offset in ms, or null for a day with a change in it. Bounded: cleared when full. */
const dayOffsets = new Map<string, Map<number, number | null>>();
let dayOffsetCount = 0;

/**
 * The offset in ms at `whole` (whole seconds), remembered per zone and UTC day: a list of citas
 * formats a few hundred instants in one zone, and Intl's formatToParts is the slow part. A day
 * whose two ends agree has one offset throughout (changes are months apart, never two in a day);
 * a day with a change in it is computed instant by instant. Checked against luxon in
 * test/unit/time-oracle.test.ts.
 */
function offsetMsAt(whole: number, zone: string): number {
  const day = Math.floor(whole / DAY_MS);
  let days = dayOffsets.get(zone);
  if (days === undefined) dayOffsets.set(zone, (days = new Map()));
  let cached = days.get(day);
  if (cached === undefined) {
    const start = offsetAt(day * DAY_MS, zone);
    const end = offsetAt(day * DAY_MS + DAY_MS - 1000, zone);
    cached = start === end ? Math.round(start * MINUTE) : null;
    if (++dayOffsetCount > 50_000) {
      dayOffsets.clear();
      dayOffsetCount = 1;
      dayOffsets.set(zone, (days = new Map()));
    }
    days.set(day, cached);
  }
  return cached ?? asUtc(wallAt(whole, zone)) - whole;
}

/**
 * The instant a wall time names in `zone`. `exists: false` when a DST change skipped it; the
 * instant is then the same wall time read with the offset from before the change (01:30 where
 * 00:00–01:00 was skipped reads as 00:30 would have: 30 minutes past the gap's end). A wall time
 * that happens twice (clocks set back) is its first occurrence: a day starts at its first midnight.
 */
function resolveWall(w: Wall, ms: number, zone: string): { instant: number; exists: boolean } {
  const local = asUtc(w, ms);
  // The offsets in force a day either side: a wall time near a change is read with each.
  const before = local - offsetMsAt(wholeSecond(local - 86_400_000), zone);
  const after = local - offsetMsAt(wholeSecond(local + 86_400_000), zone);
  const fits = [...new Set([before, after])].filter((t) => sameWall(wallOf(t, zone), w)).sort((a, b) => a - b);
  if (fits.length) return { instant: fits[0]!, exists: true };
  return { instant: before, exists: false };
}

function sameWall(a: Wall, b: Wall): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;
}

function validWall(w: Wall): boolean {
  const daysInMonth = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.month >= 1 && w.month <= 12 && w.day >= 1 && w.day <= daysInMonth && w.hour <= 23 && w.minute <= 59 && w.second <= 59;
}

function offsetMinutes(offset: string): number | null {
  if (/^z$/i.test(offset)) return 0;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(offset)!;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (minutes >= 60 || hours * 60 + minutes > MAX_OFFSET_MINUTES) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// ── Reading ────────────────────────────────────────────────────────────────────────────────────

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
  const [, y, mo, d, h, mi, s, fraction, offset] = m;
  const w: Wall = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s ?? 0) };
  if (w.year < MIN_YEAR || w.year > MAX_YEAR) return { ok: false, reason: `the year must be between ${MIN_YEAR} and ${MAX_YEAR}` };
  if (!validWall(w)) return { ok: false, reason: 'not a valid date-time (a day, hour, minute or second out of range)' };
  const ms = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  let instant: number;
  if (offset) {
    const minutes = offsetMinutes(offset);
    if (minutes === null) return { ok: false, reason: `${offset} is not a UTC offset (they run from -12:00 to +14:00)` };
    instant = asUtc(w, ms) - minutes * MINUTE;
  } else {
    if (!isValidZone(zone)) return { ok: false, reason: `${zone} is not a known time zone` };
    const r = resolveWall(w, ms, zone);
    if (!r.exists) return { ok: false, reason: `${y}-${mo}-${d}T${h}:${mi}${s ? `:${s}` : ''} does not exist in ${zone} (skipped by a daylight-saving change)` };
    instant = r.instant;
  }
  const date = new Date(instant);
  if (!isSaneInstant(date)) return { ok: false, reason: `the year must be between ${MIN_YEAR} and ${MAX_YEAR}` };
  return { ok: true, instant: date };
}

// ── Writing ────────────────────────────────────────────────────────────────────────────────────

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** `2025-11-14T23:30:00-05:00`: the instant as people in `zone` read it, offset included. */
export function formatInZone(instant: Date, zone: string): string {
  const t = instant.getTime();
  // A zone named UTC (or GMT) is written with Z, as luxon did; any other shows its offset.
  if (/^(utc|gmt)$/i.test(zone)) return formatUtc(instant);
  const whole = wholeSecond(t);
  const offsetMs = offsetMsAt(whole, zone);
  const offset = offsetMs / MINUTE;
  const sign = offset < 0 ? '-' : '+';
  // Whole minutes, cut toward zero: the seconds of an old local mean time are not shown.
  const suffix = `${sign}${pad(Math.trunc(offset / 60))}:${pad(Math.trunc(offset % 60))}`;
  return isoOf(whole + offsetMs, t - whole, suffix);
}

export function formatUtc(instant: Date): string {
  const t = instant.getTime();
  const whole = wholeSecond(t);
  return isoOf(whole, t - whole, 'Z');
}

/**
 * The wall clock of `whole` read as UTC, then `.mmm` when there are milliseconds, then `suffix`.
 * A list writes eight of these per cita, so no Date is made: the date part is kept per day (a
 * page of citas spans a few days) and the time of day is arithmetic. (The engine's toISOString
 * measured twice as slow as reading a Date's fields; this is several times faster than both.)
 */
function isoOf(whole: number, ms: number, suffix: string): string {
  const day = Math.floor(whole / DAY_MS);
  let date = datePrefixes.get(day);
  if (date === undefined) {
    const d = new Date(day * DAY_MS);
    date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T`;
    if (datePrefixes.size >= 10_000) datePrefixes.clear();
    datePrefixes.set(day, date);
  }
  const sec = (whole - day * DAY_MS) / 1000;
  const time = `${TWO_DIGITS[Math.floor(sec / 3600)]}:${TWO_DIGITS[Math.floor(sec / 60) % 60]}:${TWO_DIGITS[sec % 60]}`;
  return ms ? `${date}${time}.${pad(ms, 3)}${suffix}` : date + time + suffix;
}

/** UTC day → `YYYY-MM-DDT`. Bounded: cleared when full. */
const datePrefixes = new Map<number, string>();
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

// ── Days ───────────────────────────────────────────────────────────────────────────────────────

export function isDateOnly(input: string): boolean {
  return DATE_ONLY.test(input);
}

/** The instants where a calendar day of `zone` starts and where the next one starts (DST-aware: 23 or 25 h days). */
export function dayBounds(date: string, zone: string): { start: Date; end: Date } | null {
  const m = DATE_ONLY.exec(date);
  if (!m || !isValidZone(zone)) return null;
  const day: Wall = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0 };
  if (!validWall(day)) return null;
  const next = new Date(Date.UTC(day.year, day.month - 1, day.day + 1));
  const nextDay: Wall = { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0, second: 0 };
  // The next day's start is computed, not start + 24 h: a day where midnight is skipped starts at 01:00.
  const start = new Date(resolveWall(day, 0, zone).instant);
  const end = new Date(resolveWall(nextDay, 0, zone).instant);
  if (!isSaneInstant(start)) return null;
  return { start, end };
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

/**
 * The instant of a wall-clock time on a calendar day of `zone` (a day's opening hour, say). A time a
 * DST change skipped reads as resolveWall says (past the gap's end); one that happens twice is its
 * first occurrence. Null for a date that is not one.
 */
export function wallTimeOn(date: string, hour: number, minute: number, zone: string): Date | null {
  const m = DATE_ONLY.exec(date);
  if (!m || !isValidZone(zone)) return null;
  const w: Wall = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0 };
  if (!validWall(w)) return null;
  // Past 23:59 rolls into the next day (a close at 24:00).
  const t = new Date(Date.UTC(w.year, w.month - 1, w.day, hour, minute));
  return new Date(resolveWall({ year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(), hour: t.getUTCHours(), minute: t.getUTCMinutes(), second: 0 }, 0, zone).instant);
}

/** The calendar day (`YYYY-MM-DD`) `instant` falls on in `zone`. */
export function dayInZone(instant: Date, zone: string): string {
  return formatInZone(instant, zone).slice(0, 10);
}

/** `date` plus `n` calendar days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, as GHL numbers days. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/**
 * A write's `start_time` / `end_time` read in `zone` (either may be absent), with a field error for
 * each that does not parse: what a cita's and a block's writes both take.
 */
export function parseTimeFields(fields: { start_time?: string; end_time?: string }, zone: string): { start?: Date; end?: Date; errors: { field: string; message: string }[] } {
  const errors: { field: string; message: string }[] = [];
  const read = (name: 'start_time' | 'end_time') => {
    const raw = fields[name];
    if (raw === undefined) return undefined;
    const r = parseInstant(raw, zone);
    if (!r.ok) errors.push({ field: name, message: r.reason });
    return r.ok ? r.instant : undefined;
  };
  return { start: read('start_time'), end: read('end_time'), errors };
}
