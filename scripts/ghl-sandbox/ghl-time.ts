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
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
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
