/**
 * The slots held on each calendar, for checking many new appointments against them at once (a
 * sync job's batch). Held slots on one calendar never overlap — the database's exclusion
 * constraint sees to that for stored citas, and `hold` is only called for a slot `overlaps`
 * found free — so each calendar's slots, sorted by start, also have sorted ends: the one slot
 * starting last before an interval's end is the only one that can reach into it. A lookup is
 * a binary search instead of a scan of every slot in the batch's span.
 */
export class SlotBook {
  private readonly byCalendar = new Map<string, { starts: number[]; ends: number[] }>();

  /** Whether [start, end) overlaps a slot held on the calendar. */
  overlaps(calendar: string, start: number, end: number): boolean {
    const slots = this.byCalendar.get(calendar);
    if (!slots) return false;
    const i = lastBefore(slots.starts, end);
    return i >= 0 && slots.ends[i]! > start;
  }

  /** Holds [start, end) on the calendar; it must not overlap a slot already held there. */
  hold(calendar: string, start: number, end: number): void {
    let slots = this.byCalendar.get(calendar);
    if (!slots) this.byCalendar.set(calendar, (slots = { starts: [], ends: [] }));
    const at = lastBefore(slots.starts, start + 1) + 1;
    slots.starts.splice(at, 0, start);
    slots.ends.splice(at, 0, end);
  }
}

/** Index of the last element < x in an ascending array, -1 when none. */
function lastBefore(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
