/**
 * The time rules as they were written with luxon, kept as an oracle: src/domain/time.ts does the
 * same on the platform's Intl data, and test/unit/time-oracle.test.ts holds them to the same answers.
 */
import { DateTime } from 'luxon';

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function luxonParseInstant(input: string, zone: string): { ok: true; instant: Date } | { ok: false } {
  const m = DATE_TIME.exec(input.trim());
  if (!m) return { ok: false };
  const [, date, time, offset] = m;
  const iso = `${date}T${time}${offset ?? ''}`;
  const dt = DateTime.fromISO(iso, { zone, setZone: false });
  if (!dt.isValid) return { ok: false };
  if (!offset) {
    const wall = DateTime.fromISO(iso, { zone: 'UTC' });
    if (wall.hour !== dt.hour || wall.minute !== dt.minute || wall.day !== dt.day) return { ok: false };
  }
  return { ok: true, instant: dt.toJSDate() };
}

export function luxonFormatInZone(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true })!;
}

export function luxonDayBounds(date: string, zone: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(date, { zone }).startOf('day');
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).startOf('day').toJSDate() };
}

/** Whether a wall time happens twice in `zone` (clocks set back): luxon's choice then depends on today's offset. */
export function luxonIsAmbiguous(wall: string, zone: string): boolean {
  return DateTime.fromISO(wall, { zone }).getPossibleOffsets().length > 1;
}

/** The earliest instant a wall time names in `zone`. */
export function luxonEarliest(wall: string, zone: string): number {
  return Math.min(...DateTime.fromISO(wall, { zone }).getPossibleOffsets().map((d) => d.toMillis()));
}
