import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../../src/citas/cita-rules';
import { parseIfMatch } from '../../src/routes/citas/schemas';

const at = (min: number) => new Date(Date.UTC(2025, 10, 14, 15, 0) + min * 60_000);

describe('checkSchedule', () => {
  it('accepts 5 minutes to 12 hours', () => {
    expect(checkSchedule(at(0), at(5))).toEqual([]);
    expect(checkSchedule(at(0), at(720))).toEqual([]);
  });
  it('rejects end before or at start, too short and too long, on end_time', () => {
    expect(checkSchedule(at(0), at(0))[0]).toMatchObject({ field: 'end_time', message: 'must be after start_time' });
    expect(checkSchedule(at(10), at(0))[0]?.field).toBe('end_time');
    expect(checkSchedule(at(0), at(4))[0]?.message).toMatch(/at least 5 minutes/);
    expect(checkSchedule(at(0), at(721))[0]?.message).toMatch(/at most 12 hours/);
  });
});

describe('If-Match', () => {
  it('reads quoted, weak and bare versions; rejects anything else', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('W/"12"')).toBe(12);
    expect(parseIfMatch('7')).toBe(7);
    expect(parseIfMatch('*')).toBeNull();
    expect(parseIfMatch('"abc"')).toBeNull();
  });
});
