import { describe, expect, it } from 'vitest';
import { SlotBook } from '../../src/domain/slot-book';

/** The plain scan SlotBook replaces: any held slot on the calendar with start < end and end > start. */
function scanOverlaps(held: { cal: string; s: number; e: number }[], cal: string, s: number, e: number) {
  return held.some((h) => h.cal === cal && h.s < e && h.e > s);
}

describe('SlotBook', () => {
  it('touching slots do not overlap; any shared minute does, on the same calendar only', () => {
    const book = new SlotBook();
    book.hold('a', 10, 20);
    book.hold('a', 30, 40);
    expect(book.overlaps('a', 20, 30)).toBe(false);
    expect(book.overlaps('a', 0, 10)).toBe(false);
    expect(book.overlaps('a', 40, 50)).toBe(false);
    expect(book.overlaps('a', 19, 21)).toBe(true);
    expect(book.overlaps('a', 25, 31)).toBe(true);
    expect(book.overlaps('a', 0, 100)).toBe(true);
    expect(book.overlaps('a', 12, 13)).toBe(true);
    expect(book.overlaps('b', 12, 13)).toBe(false);
  });

  it('agrees with a plain scan over thousands of random holds and checks, in any order', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const book = new SlotBook();
    const held: { cal: string; s: number; e: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      const cal = ['a', 'b', 'c'][rand(3)]!;
      const s = rand(100_000);
      const e = s + 1 + rand(60);
      const expected = scanOverlaps(held, cal, s, e);
      expect(book.overlaps(cal, s, e)).toBe(expected);
      if (!expected) {
        book.hold(cal, s, e);
        held.push({ cal, s, e });
      }
    }
    expect(held.length).toBeGreaterThan(1000);
  });
});
