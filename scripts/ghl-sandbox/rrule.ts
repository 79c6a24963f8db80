import { DateTime } from 'luxon';

/**
 * The part of RFC 5545 recurrence GHL's calendars document describes for appointments: FREQ
 * DAILY/WEEKLY/MONTHLY (a calendar's `recurring` settings), INTERVAL, COUNT or UNTIL, BYDAY for
 * weekly rules, WKST, and EXDATE lines. DTSTART is the appointment's startTime (the document: "DTSTART
 * is not required"). Occurrences keep the first one's wall time in the location's zone, so a weekly
 * 10:00 stays 10:00 across a DST change; each lasts as long as the first.
 */

/** calendars.json `Recurring.count`: a series has at most this many occurrences. */
export const MAX_OCCURRENCES = 24;

export type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY';

export interface Rule {
  /** The RRULE line as given, with its `RRULE:` prefix. */
  rruleLine: string;
  freq: Freq;
  interval: number;
  count?: number;
  /** Last allowed start (inclusive), epoch ms. */
  untilMs?: number;
  /** UNTIL as a DATE: the last allowed local date (yyyy-MM-dd), inclusive. */
  untilDate?: string;
  /** luxon weekdays, 1 = Monday … 7 = Sunday. */
  byDay?: number[];
  wkst: number;
  /** Excluded starts, epoch ms. */
  exdates: number[];
  /** Excluded local dates (EXDATE;VALUE=DATE), yyyy-MM-dd. */
  exdateDates: string[];
}

/** A rule GHL would refuse; the message names what is wrong. */
export class RruleError extends Error {
  constructor(message: string) {
    super(`rrule: ${message}`);
    this.name = 'RruleError';
  }
}

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const KNOWN_PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'WKST']);

/** Reads a rule text (`RRULE:…` or a bare `FREQ=…` line, then EXDATE lines); `zone` places floating times. */
export function parseRule(text: string, zone: string): Rule {
  if (typeof text !== 'string' || text.trim() === '') throw new RruleError('must be a non-empty RRULE string');
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  let rrule: string | undefined;
  const exdates: number[] = [];
  const exdateDates: string[] = [];
  for (const line of lines) {
    const upper = line.toUpperCase();
    if (upper.startsWith('RRULE:') || upper.startsWith('FREQ=')) {
      if (rrule !== undefined) throw new RruleError('more than one RRULE line');
      rrule = upper.startsWith('RRULE:') ? line.slice(6) : line;
    } else if (upper.startsWith('EXDATE')) {
      readExdate(line, zone, exdates, exdateDates);
    } else if (upper.startsWith('DTSTART')) {
      throw new RruleError('DTSTART is not accepted: the series starts at startTime');
    } else {
      throw new RruleError(`cannot read line "${line}" (RRULE and EXDATE lines only)`);
    }
  }
  if (rrule === undefined) throw new RruleError('no RRULE line');

  const parts = new Map<string, string>();
  for (const part of rrule.split(';').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new RruleError(`cannot read "${part}"`);
    const name = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1).toUpperCase();
    if (!KNOWN_PARTS.has(name)) throw new RruleError(`${name} is not supported (FREQ, INTERVAL, COUNT, UNTIL, BYDAY, WKST)`);
    if (parts.has(name)) throw new RruleError(`${name} given twice`);
    parts.set(name, value);
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') throw new RruleError('FREQ must be DAILY, WEEKLY or MONTHLY');
  const interval = positiveInt(parts.get('INTERVAL') ?? '1', 'INTERVAL');
  const count = parts.has('COUNT') ? positiveInt(parts.get('COUNT')!, 'COUNT') : undefined;
  if (count !== undefined && parts.has('UNTIL')) throw new RruleError('COUNT and UNTIL exclude each other');
  let untilMs: number | undefined;
  let untilDate: string | undefined;
  if (parts.has('UNTIL')) {
    const until = parts.get('UNTIL')!;
    if (/^\d{8}$/.test(until)) untilDate = `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
    else untilMs = readDateTime(until, zone, 'UNTIL');
  }
  let byDay: number[] | undefined;
  if (parts.has('BYDAY')) {
    if (freq !== 'WEEKLY') throw new RruleError('BYDAY is supported with FREQ=WEEKLY only');
    byDay = parts
      .get('BYDAY')!
      .split(',')
      .map((d) => {
        const i = DAYS.indexOf(d);
        if (i < 0) throw new RruleError(`BYDAY ${d} is not one of ${DAYS.join(',')}`);
        return i + 1;
      });
    byDay = [...new Set(byDay)];
  }
  const wkstText = parts.get('WKST') ?? 'MO';
  const wkst = DAYS.indexOf(wkstText) + 1;
  if (wkst === 0) throw new RruleError(`WKST ${wkstText} is not one of ${DAYS.join(',')}`);
  return { rruleLine: `RRULE:${rrule}`, freq, interval, count, untilMs, untilDate, byDay, wkst, exdates, exdateDates };
}

/** The rule as GHL shows it: the RRULE line, then the excluded starts on one EXDATE line (UTC). */
export function formatRule(rule: Rule): string {
  const lines = [rule.rruleLine];
  if (rule.exdates.length > 0) lines.push(`EXDATE:${[...new Set(rule.exdates)].sort((a, b) => a - b).map(utcStamp).join(',')}`);
  if (rule.exdateDates.length > 0) lines.push(`EXDATE;VALUE=DATE:${[...new Set(rule.exdateDates)].sort().map((d) => d.replace(/-/g, '')).join(',')}`);
  return lines.join('\n');
}

/**
 * Every start the RRULE makes from `dtstartMs`, EXDATE not applied (COUNT counts them, RFC 5545
 * §3.8.5.3). The first is always DTSTART: a weekly rule whose BYDAY leaves out DTSTART's weekday is
 * refused rather than guessed. More than MAX_OCCURRENCES, or no COUNT/UNTIL, is refused.
 */
export function ruleStarts(rule: Rule, dtstartMs: number, zone: string): number[] {
  if (rule.count === undefined && rule.untilMs === undefined && rule.untilDate === undefined) {
    throw new RruleError(`needs COUNT or UNTIL: a series has at most ${MAX_OCCURRENCES} occurrences`);
  }
  if (rule.count !== undefined && rule.count > MAX_OCCURRENCES) throw new RruleError(`COUNT ${rule.count} is over ${MAX_OCCURRENCES} occurrences`);
  const start = DateTime.fromMillis(dtstartMs, { zone });
  if (!start.isValid) throw new RruleError(`cannot place startTime in ${zone}`);
  if (rule.byDay && !rule.byDay.includes(start.weekday)) throw new RruleError('startTime is not on one of BYDAY\'s days');
  const wall = { hour: start.hour, minute: start.minute, second: start.second, millisecond: start.millisecond };
  const at = (d: DateTime): number => DateTime.fromObject({ year: d.year, month: d.month, day: d.day, ...wall }, { zone }).toMillis();
  const startDay = start.startOf('day');

  const starts: number[] = [];
  // Returns false once the series is over.
  const offer = (day: DateTime): boolean => {
    const ms = at(day);
    if (ms < dtstartMs) return true;
    if (rule.untilMs !== undefined && ms > rule.untilMs) return false;
    if (rule.untilDate !== undefined && day.toISODate()! > rule.untilDate) return false;
    starts.push(ms);
    if (starts.length > MAX_OCCURRENCES) throw new RruleError(`makes more than ${MAX_OCCURRENCES} occurrences`);
    return rule.count === undefined || starts.length < rule.count;
  };

  // Periods are bounded: a monthly rule on the 31st with a step that only meets short months makes nothing.
  for (let k = 0; k < 1000; k++) {
    if (rule.freq === 'DAILY') {
      if (!offer(startDay.plus({ days: k * rule.interval }))) break;
    } else if (rule.freq === 'WEEKLY') {
      const weekStart = startDay.minus({ days: (startDay.weekday - rule.wkst + 7) % 7 }).plus({ weeks: k * rule.interval });
      const days = (rule.byDay ?? [start.weekday]).map((wd) => (wd - rule.wkst + 7) % 7).sort((a, b) => a - b);
      let going = true;
      for (const offset of days) {
        if (!(going = offer(weekStart.plus({ days: offset })))) break;
      }
      if (!going) break;
    } else {
      const month = startDay.set({ day: 1 }).plus({ months: k * rule.interval });
      // A month without the day is skipped (RFC 5545: invalid dates are ignored), not moved.
      if (start.day > month.daysInMonth!) continue;
      if (!offer(month.set({ day: start.day }))) break;
    }
  }
  if (starts.length === 0) throw new RruleError('UNTIL is before startTime: the series has no occurrence');
  return starts;
}

/** The occurrences that are left: the rule's starts minus EXDATE. */
export function liveStarts(rule: Rule, starts: number[], zone: string): number[] {
  const ex = new Set(rule.exdates);
  const exDays = new Set(rule.exdateDates);
  return starts.filter((ms) => !ex.has(ms) && !(exDays.size > 0 && exDays.has(DateTime.fromMillis(ms, { zone }).toISODate()!)));
}

function positiveInt(value: string, name: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1) throw new RruleError(`${name} must be a positive whole number`);
  return Number(value);
}

function readExdate(line: string, zone: string, out: number[], outDates: string[]): void {
  const colon = line.indexOf(':');
  if (colon < 0) throw new RruleError(`cannot read "${line}"`);
  const params = line.slice(0, colon).split(';').slice(1).map((p) => p.split('='));
  let valueZone = zone;
  let isDate = false;
  for (const [k, v] of params) {
    const key = k?.toUpperCase();
    if (key === 'TZID' && v) valueZone = v;
    else if (key === 'VALUE' && v?.toUpperCase() === 'DATE') isDate = true;
    else if (!(key === 'VALUE' && v?.toUpperCase() === 'DATE-TIME')) throw new RruleError(`EXDATE parameter ${k} is not supported`);
  }
  if (!DateTime.local().setZone(valueZone).isValid) throw new RruleError(`EXDATE TZID ${valueZone} is not an IANA zone`);
  for (const value of line.slice(colon + 1).split(',').map((v) => v.trim()).filter((v) => v !== '')) {
    if (isDate) {
      if (!/^\d{8}$/.test(value)) throw new RruleError(`EXDATE date ${value} is not YYYYMMDD`);
      outDates.push(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`);
    } else {
      out.push(readDateTime(value, valueZone, 'EXDATE'));
    }
  }
}

/** `20261110T150000Z` (UTC) or `20261110T100000` (wall time in `zone`). */
function readDateTime(value: string, zone: string, name: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/i.exec(value);
  if (!m) throw new RruleError(`${name} ${value} is not YYYYMMDDTHHMMSS[Z]`);
  const [, y, mo, d, h, mi, s, z] = m;
  const dt = DateTime.fromObject(
    { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) },
    { zone: z ? 'utc' : zone },
  );
  if (!dt.isValid) throw new RruleError(`${name} ${value} is not a date-time`);
  return dt.toMillis();
}

function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
