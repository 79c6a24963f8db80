import { addDays, formatInZone, wallTimeOn, weekdayOf } from './time';

/**
 * Recurring series (RFC 5545 RRULE, the subset GHL documents: DAILY, WEEKLY, MONTHLY; INTERVAL,
 * COUNT, UNTIL, BYDAY for weekly; EXDATE lines), expanded in the location's wall clock: a weekly
 * 10:00 stays 10:00 across a DST change. Pure; GHL's instance ids are derived from the expansion
 * (`<masterId>_<startMillis>_<durationSeconds>`), so the same occurrence has the same id whether a
 * listing or a webhook names it first.
 */

export type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY';
export const MAX_OCCURRENCES = 24;

export interface Rule {
  freq: Freq;
  interval: number;
  count: number | null;
  /** Inclusive bound, an instant. */
  until: Date | null;
  /** Weekly: 0 = Sunday … 6; empty: the first occurrence's weekday. */
  byDay: number[];
  /** Dates (`YYYY-MM-DD`, local) or instants removed from the set. */
  exDates: string[];
  exInstants: number[];
}

const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** Reads an RRULE text (with or without `RRULE:`, EXDATE lines beside it); null when it is not one we can expand. */
export function parseRule(text: string): Rule | null {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const ruleLine = lines.find((l) => /^(RRULE:)?FREQ=/i.test(l));
  if (!ruleLine) return null;
  const parts = new Map(
    ruleLine
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((p) => p.split('=') as [string, string])
      .map(([k, v]) => [k?.toUpperCase() ?? '', (v ?? '').toUpperCase()]),
  );
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') return null;
  const interval = parts.has('INTERVAL') ? Number(parts.get('INTERVAL')) : 1;
  const count = parts.has('COUNT') ? Number(parts.get('COUNT')) : null;
  if (!Number.isInteger(interval) || interval < 1 || interval > 366) return null;
  if (count !== null && (!Number.isInteger(count) || count < 1)) return null;
  const until = parts.has('UNTIL') ? icsInstant(parts.get('UNTIL')!) : null;
  if (parts.has('UNTIL') && !until) return null;
  const byDay = (parts.get('BYDAY') ?? '')
    .split(',')
    .filter(Boolean)
    .map((d) => DAYS.indexOf(d.slice(-2)));
  if (byDay.some((d) => d < 0)) return null;
  const exDates: string[] = [];
  const exInstants: number[] = [];
  for (const l of lines.filter((x) => /^EXDATE/i.test(x))) {
    for (const v of l.slice(l.indexOf(':') + 1).split(',')) {
      const s = v.trim();
      if (/^\d{8}$/.test(s)) exDates.push(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`);
      else {
        const at = icsInstant(s);
        // A local time (TZID=…, no Z) removes that day's occurrence.
        if (at && s.endsWith('Z')) exInstants.push(at.getTime());
        else if (/^\d{8}T/.test(s)) exDates.push(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`);
      }
    }
  }
  return { freq, interval, count, until, byDay, exDates, exInstants };
}

/** `20261208T150000Z` or `20261208` as an instant (a date: its end, UTC, as an inclusive bound). */
function icsInstant(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(s);
  if (!m) return null;
  const d = m[4] === undefined ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, 23, 59, 59)) : new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? null : d;
}

export interface Occurrence {
  /** 1-based position in the series (EXDATEs keep their numbers: «Sesión 3 de 10» stays the third). */
  index: number;
  start: Date;
  end: Date;
}

/**
 * The series' occurrences, in order: the first at `start` (its wall time repeated in `zone`), each
 * lasting `end − start`. At most `cap` occurrences are generated (a rule without COUNT or UNTIL is
 * cut there); `count` is the series' size when known (COUNT, or an UNTIL reached before the cap).
 */
export function expand(rule: Rule, start: Date, end: Date, zone: string, cap = 500): { occurrences: Occurrence[]; count: number | null } {
  const duration = end.getTime() - start.getTime();
  const first = formatInZone(start, zone);
  const day0 = first.slice(0, 10);
  const hour = Number(first.slice(11, 13));
  const minute = Number(first.slice(14, 16));
  const dates: string[] = [];
  const limit = Math.min(rule.count ?? cap, cap);
  const push = (d: string): boolean => {
    if (d < day0) return true;
    const at = wallTimeOn(d, hour, minute, zone);
    if (!at || (rule.until && at > rule.until)) return false;
    dates.push(d);
    return dates.length < limit;
  };
  if (rule.freq === 'DAILY') {
    for (let k = 0; push(addDays(day0, k * rule.interval)); k++);
  } else if (rule.freq === 'WEEKLY') {
    const days = rule.byDay.length ? [...rule.byDay].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)) : [weekdayOf(day0)];
    // Weeks start on Monday (RFC 5545's default WKST).
    const monday = addDays(day0, -((weekdayOf(day0) + 6) % 7));
    outer: for (let w = 0; w < 10_000; w++) {
      for (const d of days) {
        if (!push(addDays(monday, w * 7 * rule.interval + ((d + 6) % 7)))) break outer;
      }
    }
  } else {
    const [y, m, dom] = day0.split('-').map(Number) as [number, number, number];
    for (let k = 0; k < 10_000; k++) {
      const month = m - 1 + k * rule.interval;
      const d = new Date(Date.UTC(y, month, dom));
      // A month without that day (the 31st) is skipped, as RFC 5545 says.
      if (d.getUTCDate() !== dom) continue;
      if (!push(d.toISOString().slice(0, 10))) break;
    }
  }
  const occurrences: Occurrence[] = [];
  dates.forEach((d, i) => {
    const s = wallTimeOn(d, hour, minute, zone)!;
    if (rule.exDates.includes(d) || rule.exInstants.includes(s.getTime())) return;
    occurrences.push({ index: i + 1, start: s, end: new Date(s.getTime() + duration) });
  });
  const complete = rule.count !== null || (rule.until !== null && dates.length < cap);
  return { occurrences, count: complete ? dates.length : null };
}

/** GHL's id of one occurrence of a series (calendars.json, CalendarEventDTO.id). */
export function instanceId(masterId: string, start: Date, end: Date): string {
  return `${masterId}_${start.getTime()}_${Math.round((end.getTime() - start.getTime()) / 1000)}`;
}

/** The master id and start of an instance id, or null for a plain id. */
export function parseInstanceId(id: string): { masterId: string; start: number; durationSeconds: number } | null {
  const m = /^(.+)_(\d{10,15})_(\d{1,7})$/.exec(id);
  return m ? { masterId: m[1]!, start: Number(m[2]), durationSeconds: Number(m[3]) } : null;
}

/** What the API's `repeat` asks for, as an RRULE text. */
export function ruleText(r: { freq: 'daily' | 'weekly' | 'monthly'; interval?: number; count?: number; until?: string }, zone: string): string {
  const parts = [`FREQ=${r.freq.toUpperCase()}`];
  if (r.interval && r.interval > 1) parts.push(`INTERVAL=${r.interval}`);
  if (r.count) parts.push(`COUNT=${r.count}`);
  if (r.until) {
    // The end of that day in the location's zone, as UTC (RFC 5545: UNTIL in UTC when DTSTART has a zone).
    const end = wallTimeOn(addDays(r.until, 1), 0, 0, zone);
    if (end) parts.push(`UNTIL=${new Date(end.getTime() - 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`);
  }
  return `RRULE:${parts.join(';')}`;
}

