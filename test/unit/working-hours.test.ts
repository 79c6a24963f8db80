import { describe, expect, it } from 'vitest';
import { openHoursFromGhl, outsideWorkingHours, describeHours } from '../../src/domain/working-hours';

const hours = (days: number[], ...spans: [number, number, number, number][]) =>
  openHoursFromGhl([{ daysOfTheWeek: days, hours: spans.map(([openHour, openMinute, closeHour, closeMinute]) => ({ openHour, openMinute, closeHour, closeMinute })) }])!;
const check = (rules: ReturnType<typeof hours> | null, start: string, end: string, zone = 'America/Lima') => outsideWorkingHours(rules, new Date(start), new Date(end), zone);

describe('working hours (GHL openHours)', () => {
  const weekdays = hours([1, 2, 3, 4, 5], [9, 0, 18, 0]);

  it('a cita inside the day\'s hours fits; one past the close or before the opening does not, and is told the day\'s hours', () => {
    // 2026-12-08 is a Tuesday.
    expect(check(weekdays, '2026-12-08T09:00:00-05:00', '2026-12-08T09:30:00-05:00')).toBeNull();
    expect(check(weekdays, '2026-12-08T17:30:00-05:00', '2026-12-08T18:00:00-05:00')).toBeNull();
    const late = check(weekdays, '2026-12-08T20:00:00-05:00', '2026-12-08T20:30:00-05:00');
    expect(late).toEqual({ fecha: '2026-12-08', weekday: 2, hours: [{ open: '09:00', close: '18:00' }] });
    expect(describeHours(late!)).toBe("outside the calendar's working hours (09:00–18:00 on Tuesday)");
    expect(check(weekdays, '2026-12-08T17:30:00-05:00', '2026-12-08T18:30:00-05:00')).not.toBeNull();
    expect(check(weekdays, '2026-12-08T08:45:00-05:00', '2026-12-08T09:15:00-05:00')).not.toBeNull();
    // Sunday: closed.
    expect(check(weekdays, '2026-12-13T10:00:00-05:00', '2026-12-13T10:30:00-05:00')).toMatchObject({ weekday: 0, hours: [] });
  });

  it('no hours known (GHL gave none, or only malformed ones): nothing is refused', () => {
    expect(openHoursFromGhl([])).toBeNull();
    expect(openHoursFromGhl(undefined)).toBeNull();
    expect(openHoursFromGhl([{ daysOfTheWeek: [9], hours: [{ openHour: 'x' }] }])).toBeNull();
    expect(check(null, '2026-12-08T03:00:00-05:00', '2026-12-08T03:30:00-05:00')).toBeNull();
  });

  it('split hours: a cita across the lunch gap does not fit; adjoining spans join', () => {
    const split = hours([2], [9, 0, 13, 0], [14, 0, 18, 0]);
    expect(check(split, '2026-12-08T12:30:00-05:00', '2026-12-08T13:30:00-05:00')).toMatchObject({ hours: [{ open: '09:00', close: '13:00' }, { open: '14:00', close: '18:00' }] });
    const joined = hours([2], [9, 0, 13, 0], [13, 0, 18, 0]);
    expect(check(joined, '2026-12-08T12:30:00-05:00', '2026-12-08T13:30:00-05:00')).toBeNull();
  });

  it('a close at or before the opening runs past midnight (a night shift), on the day it opens', () => {
    // Friday 22:00 to Saturday 02:00 (Lima).
    const night = hours([5], [22, 0, 2, 0]);
    expect(check(night, '2026-12-11T23:30:00-05:00', '2026-12-12T00:30:00-05:00')).toBeNull();
    expect(check(night, '2026-12-12T01:00:00-05:00', '2026-12-12T01:45:00-05:00')).toBeNull();
    expect(check(night, '2026-12-12T01:30:00-05:00', '2026-12-12T02:30:00-05:00')).not.toBeNull();
    // Saturday night is not Friday's: closed.
    expect(check(night, '2026-12-12T23:00:00-05:00', '2026-12-12T23:30:00-05:00')).not.toBeNull();
  });

  it('DST: the hours are the wall clock of the location, on both sides of a change (New York)', () => {
    const ny = hours([0, 1, 2, 3, 4, 5, 6], [9, 0, 17, 0]);
    const zone = 'America/New_York';
    // Sunday 2027-03-14: clocks go forward at 02:00 (EST -05:00 → EDT -04:00). 09:00 EDT is 13:00Z.
    expect(check(ny, '2027-03-14T13:00:00Z', '2027-03-14T13:30:00Z', zone)).toBeNull();
    // 08:30 EDT (12:30Z) is before the opening, though 12:30Z would be 07:30 in winter.
    expect(check(ny, '2027-03-14T12:30:00Z', '2027-03-14T13:00:00Z', zone)).not.toBeNull();
    // Sunday 2026-11-01: clocks go back at 02:00. 16:30–17:00 EST is 21:30–22:00Z: inside.
    expect(check(ny, '2026-11-01T21:30:00Z', '2026-11-01T22:00:00Z', zone)).toBeNull();
    // 17:00–17:30 EST is past the close.
    expect(check(ny, '2026-11-01T22:00:00Z', '2026-11-01T22:30:00Z', zone)).not.toBeNull();
  });

  it('a night shift across the night the clocks change keeps its wall-clock close', () => {
    const night = hours([6], [22, 0, 6, 0]);
    const zone = 'America/New_York';
    // Saturday 2027-03-13 22:00 EST to Sunday 06:00 EDT: 7 real hours. 05:30 EDT is 09:30Z.
    expect(check(night, '2027-03-14T09:00:00Z', '2027-03-14T09:30:00Z', zone)).toBeNull();
    expect(check(night, '2027-03-14T10:00:00Z', '2027-03-14T10:30:00Z', zone)).not.toBeNull();
  });
});
