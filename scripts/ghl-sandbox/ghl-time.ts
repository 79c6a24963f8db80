import { DateTime, IANAZone } from 'luxon';

// GHL wants ISO-8601 with an offset; a bare wall time would be ambiguous, so it is refused.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Epoch ms of an ISO-8601 date-time with `Z` or `±HH:MM`, or null. */
export function parseIsoWithOffset(input: unknown): number | null {
  if (typeof input !== 'string' || !ISO_WITH_OFFSET.test(input)) return null;
  const dt = DateTime.fromISO(input, { setZone: true });
  return dt.isValid ? dt.toMillis() : null;
}

/**
 * `2026-03-12T10:30:00-03:00`: second precision and the location's offset, as GHL's dates read.
 * Milliseconds are dropped, not rounded, like a second-precision store would.
 */
export function formatGhl(ms: number, zone: string): string {
  const offset = dayOffsetOf(ms, zone);
  if (offset === null) return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${wall}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const DAY_MS = 86_400_000;
const dayOffsets = new Map<string, number | null>();

/**
 * The zone's offset in minutes on the UTC day of `ms` (luxon's, from Intl), when the day has one
 * offset throughout (its first and last second agree), else null. A listing writes four dates
 * per appointment, and luxon asks Intl for each one's offset and formats token by token; a
 * day's offset asked once and the digits from the engine read the same, several times faster.
 */
function dayOffsetOf(ms: number, zone: string): number | null {
  const day = Math.floor(ms / DAY_MS);
  const key = `${zone}|${day}`;
  let offset = dayOffsets.get(key);
  if (offset === undefined) {
    const iana = IANAZone.create(zone);
    const first = iana.offset(day * DAY_MS);
    const last = iana.offset(day * DAY_MS + DAY_MS - 1000);
    // Whole minutes only: an old local mean time's seconds take luxon's own path.
    offset = iana.isValid && first === last && Number.isInteger(first) ? first : null;
    if (dayOffsets.size >= 20_000) dayOffsets.clear();
    dayOffsets.set(key, offset);
  }
  return offset;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** GHL dates have second precision, so "later" has to mean at least a second later to be visible. */
export function nextSecond(nowMs: number, previousMs?: number): number {
  const now = Math.floor(nowMs / 1000) * 1000;
  return previousMs !== undefined && now <= previousMs ? previousMs + 1000 : now;
}

/** Calendar day in UTC, for the daily request budget (GHL's reset time is not documented). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
