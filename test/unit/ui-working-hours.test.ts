/**
 * The agenda greys the hours a calendar is closed (issue 23): the closed stretches of a clinic day
 * from GHL's openHours, in the clinic's zone, across midnight and DST changes.
 */
import { describe, expect, it } from 'vitest';
import { closedStretches, describeDayHours, hoursOn, openStretches, wallInstant, weekdayOf, type OpenHoursRule } from '../../src/ui/browser/working-hours';

const iso = (stretches: { start: number; end: number }[]) => stretches.map((s) => [new Date(s.start).toISOString(), new Date(s.end).toISOString()]);
const WEEKDAYS_9_18: OpenHoursRule[] = [{ days: [1, 2, 3, 4, 5], hours: [{ open: '09:00', close: '18:00' }] }];

describe('closed stretches of a clinic day', () => {
  it('a weekday open 09:00–18:00 in Lima: closed before nine and after six', () => {
    expect(weekdayOf('2026-12-08')).toBe(2);
    expect(iso(closedStretches(WEEKDAYS_9_18, '2026-12-08', 'America/Lima'))).toEqual([
      ['2026-12-08T05:00:00.000Z', '2026-12-08T14:00:00.000Z'],
      ['2026-12-08T23:00:00.000Z', '2026-12-09T05:00:00.000Z'],
    ]);
  });

  it('no working hours known (null): nothing is greyed; a day not listed: closed all day', () => {
    expect(closedStretches(null, '2026-12-08', 'America/Lima')).toEqual([]);
    expect(iso(closedStretches(WEEKDAYS_9_18, '2026-12-13', 'America/Lima'))).toEqual([['2026-12-13T05:00:00.000Z', '2026-12-14T05:00:00.000Z']]);
    expect(iso(closedStretches([], '2026-12-08', 'America/Lima'))).toEqual([['2026-12-08T05:00:00.000Z', '2026-12-09T05:00:00.000Z']]);
  });

  it('a lunch break and rules that overlap: open stretches are joined, the gap stays closed', () => {
    const split: OpenHoursRule[] = [
      { days: [2], hours: [{ open: '15:00', close: '19:00' }, { open: '09:00', close: '13:00' }] },
      { days: [2], hours: [{ open: '12:00', close: '13:00' }] },
    ];
    expect(hoursOn(split, 2).map((h) => h.open)).toEqual(['09:00', '12:00', '15:00']);
    expect(iso(openStretches(split, '2026-12-08', 'America/Lima'))).toEqual([
      ['2026-12-08T14:00:00.000Z', '2026-12-08T18:00:00.000Z'],
      ['2026-12-08T20:00:00.000Z', '2026-12-09T00:00:00.000Z'],
    ]);
    expect(closedStretches(split, '2026-12-08', 'America/Lima')).toHaveLength(3);
  });

  it('past midnight: a close at or before the opening, or "24:00", ends the next day', () => {
    const nights: OpenHoursRule[] = [{ days: [5], hours: [{ open: '20:00', close: '02:00' }] }];
    // Friday: closed until eight in the evening, open to its end.
    expect(iso(closedStretches(nights, '2026-12-11', 'America/Lima'))).toEqual([['2026-12-11T05:00:00.000Z', '2026-12-12T01:00:00.000Z']]);
    // Saturday: Friday's night runs to two; closed from then on.
    expect(iso(closedStretches(nights, '2026-12-12', 'America/Lima'))).toEqual([['2026-12-12T07:00:00.000Z', '2026-12-13T05:00:00.000Z']]);
    const toMidnight: OpenHoursRule[] = [{ days: [2], hours: [{ open: '09:00', close: '24:00' }] }];
    expect(iso(closedStretches(toMidnight, '2026-12-08', 'America/Lima'))).toEqual([['2026-12-08T05:00:00.000Z', '2026-12-08T14:00:00.000Z']]);
    expect(iso(closedStretches(toMidnight, '2026-12-09', 'America/Lima'))).toEqual([['2026-12-09T05:00:00.000Z', '2026-12-10T05:00:00.000Z']]);
    // Open around the clock: nothing closed.
    expect(closedStretches([{ days: [0, 1, 2, 3, 4, 5, 6], hours: [{ open: '00:00', close: '24:00' }] }], '2026-12-08', 'America/Lima')).toEqual([]);
  });

  it('DST: the 23-hour and 25-hour days of New York are greyed in real instants', () => {
    const sunday9to18: OpenHoursRule[] = [{ days: [0], hours: [{ open: '09:00', close: '18:00' }] }];
    // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. Midnight to nine is 8 real hours.
    const spring = closedStretches(sunday9to18, '2026-03-08', 'America/New_York');
    expect(iso(spring)).toEqual([
      ['2026-03-08T05:00:00.000Z', '2026-03-08T13:00:00.000Z'],
      ['2026-03-08T22:00:00.000Z', '2026-03-09T04:00:00.000Z'],
    ]);
    expect((spring[0]!.end - spring[0]!.start) / 3_600_000).toBe(8);
    // 2026-11-01: clocks go back from 02:00 EDT to 01:00 EST. Midnight to nine is 10 real hours.
    const fall = closedStretches(sunday9to18, '2026-11-01', 'America/New_York');
    expect(iso(fall)).toEqual([
      ['2026-11-01T04:00:00.000Z', '2026-11-01T14:00:00.000Z'],
      ['2026-11-01T23:00:00.000Z', '2026-11-02T05:00:00.000Z'],
    ]);
    expect((fall[0]!.end - fall[0]!.start) / 3_600_000).toBe(10);
  });

  it('an opening at a wall time the DST change skips opens where the clock went on', () => {
    expect(new Date(wallInstant('2026-03-08', 2 * 60 + 30, 'America/New_York')).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    const skipped: OpenHoursRule[] = [{ days: [0], hours: [{ open: '02:30', close: '05:00' }] }];
    expect(iso(openStretches(skipped, '2026-03-08', 'America/New_York'))).toEqual([['2026-03-08T07:30:00.000Z', '2026-03-08T09:00:00.000Z']]);
  });
});

describe('the hours of a day, in words', () => {
  it('says the hours and the weekday, or that it is closed', () => {
    expect(describeDayHours([{ open: '09:00', close: '18:00' }], 2)).toBe('09:00–18:00 el martes');
    expect(describeDayHours([{ open: '09:00', close: '13:00' }, { open: '15:00', close: '19:00' }], 6)).toBe('09:00–13:00 y 15:00–19:00 el sábado');
    expect(describeDayHours([], 0)).toBe('cerrado el domingo');
  });
});
