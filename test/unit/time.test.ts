import { describe, expect, it } from 'vitest';
import { dayBounds, formatInZone, formatUtc, parseInstant, parseRangeBound } from '../../src/domain/time';

const LIMA = 'America/Lima';
const SANTIAGO = 'America/Santiago';

function instant(input: string, zone: string): string {
  const r = parseInstant(input, zone);
  if (!r.ok) throw new Error(r.reason);
  return r.instant.toISOString();
}

describe('parseInstant', () => {
  it('reads a wall time without offset in the location zone', () => {
    expect(instant('2025-11-14T23:30', LIMA)).toBe('2025-11-15T04:30:00.000Z');
    expect(instant('2025-11-14 23:30:00', LIMA)).toBe('2025-11-15T04:30:00.000Z');
  });

  it('lets an explicit offset win over the zone, in every ISO form', () => {
    for (const s of ['2025-11-14T23:30:00-05:00', '2025-11-14T23:30:00-0500', '2025-11-14T23:30-05', '2025-11-15T04:30:00Z', '2025-11-15T04:30:00.000z']) {
      expect(instant(s, SANTIAGO), s).toBe('2025-11-15T04:30:00.000Z');
    }
    expect(instant('2025-11-15T10:00:00+0530', LIMA)).toBe('2025-11-15T04:30:00.000Z');
  });

  it('refuses dates without time, garbage and impossible dates with a reason', () => {
    for (const s of ['2025-11-14', 'mañana', '2025-13-01T10:00', '2025-02-30T10:00', '2025-11-14T25:00', '']) {
      const r = parseInstant(s, LIMA);
      expect(r.ok, s).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });

  it('refuses a wall time skipped by a DST change instead of moving it', () => {
    // Chile springs forward on 2025-09-07: 00:00 becomes 01:00, so 00:30 never happens there.
    const r = parseInstant('2025-09-07T00:30', SANTIAGO);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/does not exist in America\/Santiago/);
    // The same wall time with an explicit offset is a real instant.
    expect(instant('2025-09-07T00:30:00-04:00', SANTIAGO)).toBe('2025-09-07T04:30:00.000Z');
  });

  it('reads wall times on both sides of a DST change with their own offsets', () => {
    expect(instant('2025-09-06T23:30', SANTIAGO)).toBe('2025-09-07T03:30:00.000Z'); // -04:00
    expect(instant('2025-09-07T01:30', SANTIAGO)).toBe('2025-09-07T04:30:00.000Z'); // -03:00
  });
});

describe('formatting', () => {
  it('shows an instant in the zone with its offset, and in UTC', () => {
    const d = new Date('2025-11-15T04:30:00Z');
    expect(formatInZone(d, LIMA)).toBe('2025-11-14T23:30:00-05:00');
    expect(formatUtc(d)).toBe('2025-11-15T04:30:00Z');
    expect(formatInZone(new Date('2025-09-07T04:30:00Z'), SANTIAGO)).toBe('2025-09-07T01:30:00-03:00');
  });
});

describe('day bounds', () => {
  it('a Lima day runs 05:00Z to 05:00Z next day', () => {
    const b = dayBounds('2025-11-14', LIMA)!;
    expect(b.start.toISOString()).toBe('2025-11-14T05:00:00.000Z');
    expect(b.end.toISOString()).toBe('2025-11-15T05:00:00.000Z');
  });

  it('a DST day in Santiago is 23 hours long', () => {
    const b = dayBounds('2025-09-07', SANTIAGO)!;
    expect((b.end.getTime() - b.start.getTime()) / 3_600_000).toBe(23);
    // Chile falls back at Sunday 00:00 → Saturday 23:00, so Saturday 2025-04-05 has 25 hours.
    const back = dayBounds('2025-04-05', SANTIAGO)!;
    expect((back.end.getTime() - back.start.getTime()) / 3_600_000).toBe(25);
  });

  it('range bounds: dates are whole days (hasta inclusive), date-times are instants', () => {
    const from = parseRangeBound('2025-11-14', LIMA, 'from');
    const to = parseRangeBound('2025-11-14', LIMA, 'to');
    expect(from.ok && from.instant.toISOString()).toBe('2025-11-14T05:00:00.000Z');
    expect(to.ok && to.instant.toISOString()).toBe('2025-11-15T05:00:00.000Z');
    const exact = parseRangeBound('2025-11-14T12:00:00Z', LIMA, 'to');
    expect(exact.ok && exact.instant.toISOString()).toBe('2025-11-14T12:00:00.000Z');
    expect(parseRangeBound('2025-02-30', LIMA, 'from').ok).toBe(false);
  });
});
