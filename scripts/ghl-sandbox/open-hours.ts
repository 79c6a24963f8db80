import { DateTime } from 'luxon';
import { formatGhl } from './ghl-time';
import type { Calendar, FreeSlots } from './types';

/**
 * A calendar's working hours and the free slots GHL derives from them. Hours are wall-clock times
 * in the location's zone (calendars carry no zone of their own, ghl-api.md §2), so each day's spans
 * are placed with luxon in that zone: a DST day has the offset it really has, and a span that
 * crosses the change is as long as the clock says, not as the wall says.
 */

const MINUTE_MS = 60_000;

/** What is wrong with openHours in calendars.json's shape (OpenHour/Hour), or null. */
export function openHoursProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'openHours must be an array';
  for (const [i, rule] of value.entries()) {
    const where = `openHours[${i}]`;
    if (typeof rule !== 'object' || rule === null) return `${where} must be an object`;
    const { daysOfTheWeek, hours } = rule as Record<string, unknown>;
    if (!Array.isArray(daysOfTheWeek) || !daysOfTheWeek.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) {
      return `${where}.daysOfTheWeek must be whole numbers 0 (Sunday) to 6`;
    }
    if (!Array.isArray(hours)) return `${where}.hours must be an array`;
    for (const [j, span] of hours.entries()) {
      const s = (span ?? {}) as Record<string, unknown>;
      for (const [field, max] of [['openHour', 23], ['openMinute', 60], ['closeHour', 23], ['closeMinute', 60]] as const) {
        const v = s[field];
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max) return `${where}.hours[${j}].${field} must be a whole number 0 to ${max}`;
      }
    }
  }
  return null;
}

export interface Busy {
  startMs: number;
  endMs: number;
}

export interface FreeSlotQuery {
  calendar: Calendar;
  /** The location's zone: where the hours are read. */
  zone: string;
  /** The zone the answer is written in (dates and offsets). */
  outZone: string;
  fromMs: number;
  toMs: number;
  nowMs: number;
  /** Live blocks of the calendar: a slot touching one is gone. */
  blocks: Busy[];
  /** Live, non-cancelled appointments of the calendar. */
  appointments: Busy[];
}

/**
 * Slot starts from `fromMs` to `toMs` (both included), not before now: each start of a span, then
 * every slotInterval, while a slotDuration still fits before the close. A slot is gone when it
 * overlaps a block, or when appoinmentPerSlot appointments already overlap it, each appointment
 * taking its preBuffer before and slotBuffer after. Days with no slot are left out.
 */
export function freeSlots(q: FreeSlotQuery): FreeSlots {
  const { calendar } = q;
  const durationMs = calendar.slotDuration * MINUTE_MS;
  const stepMs = Math.max(1, calendar.slotInterval) * MINUTE_MS;
  const preMs = calendar.preBuffer * MINUTE_MS;
  const postMs = calendar.slotBuffer * MINUTE_MS;
  const perSlot = Math.max(1, calendar.appoinmentPerSlot);

  const starts = new Set<number>();
  // From the day before: a span opened then may close after midnight, inside the range.
  let day = DateTime.fromMillis(q.fromMs, { zone: q.zone }).startOf('day').minus({ days: 1 });
  const lastDay = DateTime.fromMillis(q.toMs, { zone: q.zone }).startOf('day');
  while (day <= lastDay) {
    const weekday = day.weekday % 7; // luxon: 1 = Monday … 7 = Sunday; GHL: 0 = Sunday
    for (const rule of calendar.openHours) {
      if (!rule.daysOfTheWeek.includes(weekday)) continue;
      for (const span of rule.hours) {
        const openMin = span.openHour * 60 + span.openMinute;
        const closeMin = span.closeHour * 60 + span.closeMinute;
        const openMs = wallTime(day, openMin);
        const closeMs = wallTime(day, closeMin <= openMin ? closeMin + 24 * 60 : closeMin);
        for (let s = openMs; s + durationMs <= closeMs; s += stepMs) starts.add(s);
      }
    }
    day = day.plus({ days: 1 });
  }

  const out: FreeSlots = {};
  for (const s of [...starts].sort((a, b) => a - b)) {
    if (s < q.fromMs || s > q.toMs || s < q.nowMs) continue;
    const e = s + durationMs;
    if (q.blocks.some((b) => b.startMs < e && b.endMs > s)) continue;
    const taken = q.appointments.filter((a) => a.startMs - preMs < e && a.endMs + postMs > s).length;
    if (taken >= perSlot) continue;
    const date = DateTime.fromMillis(s, { zone: q.outZone }).toISODate()!;
    (out[date] ??= { slots: [] }).slots.push(formatGhl(s, q.outZone));
  }
  return out;
}

/** The instant a wall-clock time (minutes after midnight, possibly past 24 h) reads on `day` in its zone. */
function wallTime(day: DateTime, minutes: number): number {
  const date = day.plus({ days: Math.floor(minutes / (24 * 60)) });
  const rest = minutes % (24 * 60);
  // A wall time the clock skips (a spring-forward gap) moves forward by the gap, as luxon does: 02:30 → 03:30.
  return date.set({ hour: Math.floor(rest / 60), minute: rest % 60 }).toMillis();
}
