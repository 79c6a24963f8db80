import { describe, expect, it } from 'vitest';
import { expand, instanceId, parseInstanceId, parseRule, ruleText } from '../../src/domain/rrule';

const local = (d: Date, zone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'short' }).format(d);

describe('recurring series (RRULE)', () => {
  it('weekly on Tuesdays, 10 sessions, keeps 10:00 in New York across the DST change', () => {
    const rule = parseRule('RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10')!;
    // Tuesday 2026-10-20 10:00 EDT (14:00Z); clocks go back on 2026-11-01.
    const { occurrences, count } = expand(rule, new Date('2026-10-20T14:00:00Z'), new Date('2026-10-20T15:00:00Z'), 'America/New_York');
    expect(count).toBe(10);
    expect(occurrences.map((o) => local(o.start, 'America/New_York'))).toEqual([
      '2026-10-20 10:00', '2026-10-27 10:00', '2026-11-03 10:00', '2026-11-10 10:00', '2026-11-17 10:00',
      '2026-11-24 10:00', '2026-12-01 10:00', '2026-12-08 10:00', '2026-12-15 10:00', '2026-12-22 10:00',
    ]);
    // After the change the instant moves by an hour (EST), the wall time does not.
    expect(occurrences[2]!.start.toISOString()).toBe('2026-11-03T15:00:00.000Z');
    expect(occurrences.every((o) => o.end.getTime() - o.start.getTime() === 3600_000)).toBe(true);
  });

  it('EXDATE removes one occurrence and the rest keep their numbers', () => {
    const rule = parseRule('RRULE:FREQ=DAILY;COUNT=5\nEXDATE;TZID=America/Lima:20261210T090000')!;
    const { occurrences, count } = expand(rule, new Date('2026-12-08T14:00:00Z'), new Date('2026-12-08T14:30:00Z'), 'America/Lima');
    expect(count).toBe(5);
    expect(occurrences.map((o) => o.index)).toEqual([1, 2, 4, 5]);
    const utc = parseRule('FREQ=DAILY;COUNT=3\nEXDATE:20261209T140000Z')!;
    expect(expand(utc, new Date('2026-12-08T14:00:00Z'), new Date('2026-12-08T14:30:00Z'), 'America/Lima').occurrences.map((o) => o.index)).toEqual([1, 3]);
  });

  it('UNTIL, INTERVAL, several weekdays, and monthly skipping months without the day', () => {
    const until = parseRule('RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261214T235959Z')!;
    const u = expand(until, new Date('2026-12-08T14:00:00Z'), new Date('2026-12-08T14:30:00Z'), 'America/Lima');
    expect(u.occurrences.map((o) => local(o.start, 'America/Lima').slice(0, 10))).toEqual(['2026-12-08', '2026-12-10', '2026-12-12', '2026-12-14']);
    expect(u.count).toBe(4);
    const twice = parseRule('FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4')!;
    // Thursday 2026-12-10: its week's Monday is before it, so the series runs Th, Mo, Th, Mo.
    expect(expand(twice, new Date('2026-12-10T14:00:00Z'), new Date('2026-12-10T15:00:00Z'), 'America/Lima').occurrences.map((o) => local(o.start, 'America/Lima').slice(0, 10))).toEqual(['2026-12-10', '2026-12-14', '2026-12-17', '2026-12-21']);
    const monthly = parseRule('FREQ=MONTHLY;COUNT=3')!;
    expect(expand(monthly, new Date('2027-01-31T14:00:00Z'), new Date('2027-01-31T15:00:00Z'), 'America/Lima').occurrences.map((o) => local(o.start, 'America/Lima').slice(0, 10))).toEqual(['2027-01-31', '2027-03-31', '2027-05-31']);
  });

  it('refuses what it cannot expand, and caps an endless rule', () => {
    expect(parseRule('FREQ=YEARLY;COUNT=2')).toBeNull();
    expect(parseRule('FREQ=WEEKLY;BYDAY=XX')).toBeNull();
    expect(parseRule('not a rule')).toBeNull();
    const endless = expand(parseRule('FREQ=DAILY')!, new Date('2026-12-08T14:00:00Z'), new Date('2026-12-08T14:30:00Z'), 'America/Lima', 30);
    expect(endless.occurrences).toHaveLength(30);
    expect(endless.count).toBeNull();
  });

  it("instance ids are GHL's shape, and read back", () => {
    const id = instanceId('abc123', new Date('2024-10-25T02:00:00Z'), new Date('2024-10-25T02:30:00Z'));
    expect(id).toBe('abc123_1729821600000_1800');
    expect(parseInstanceId(id)).toEqual({ masterId: 'abc123', start: 1729821600000, durationSeconds: 1800 });
    expect(parseInstanceId('plain-id')).toBeNull();
  });

  it("the API's repeat as a rule: until is the end of that day in the clinic's zone", () => {
    expect(ruleText({ freq: 'weekly', count: 10 }, 'America/Lima')).toBe('RRULE:FREQ=WEEKLY;COUNT=10');
    expect(ruleText({ freq: 'daily', interval: 2, until: '2026-12-14' }, 'America/Lima')).toBe('RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261215T045959Z');
  });
});
