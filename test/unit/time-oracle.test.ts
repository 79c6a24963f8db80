/**
 * src/domain/time.ts against luxon (the library it replaced in the Workers): the same answers for
 * formatting, for reading wall times (DST gaps refused, overlaps resolved alike) and for day
 * bounds, over zones chosen for their oddities and thousands of seeded random instants.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scripts/ghl-sandbox/prng';
import { dayBounds, formatInZone, parseInstant } from '../../src/domain/time';
import { luxonDayBounds, luxonEarliest, luxonFormatInZone, luxonIsAmbiguous, luxonParseInstant } from '../support/luxon-time';

const ZONES = [
  'America/Lima', 'America/Santiago', 'America/New_York', 'America/Sao_Paulo', 'America/St_Johns', 'America/Havana',
  'Europe/London', 'Europe/Madrid', 'Africa/Casablanca', 'Asia/Kathmandu', 'Asia/Tokyo', 'Australia/Lord_Howe',
  'Pacific/Chatham', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Etc/GMT+12', 'Etc/UTC', 'UTC',
];
const rand = mulberry32(424242);
const DAY = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Random instants, most around today, some across the whole sane range, many right at DST changes. */
function instants(n: number): number[] {
  const now = Date.UTC(2026, 10, 24);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.6) out.push(now + Math.floor((rand() - 0.5) * 40 * 365 * DAY));
    else out.push(Date.UTC(1901, 0, 1) + Math.floor(rand() * 297 * 365 * DAY));
  }
  return out.map((t) => (rand() < 0.3 ? t - (t % 60_000) : t));
}

describe('time rules against luxon', () => {
  it('formats instants in every zone the same way', () => {
    let checked = 0;
    for (const zone of ZONES) {
      for (const t of instants(400)) {
        expect(formatInZone(new Date(t), zone), `${new Date(t).toISOString()} in ${zone}`).toBe(luxonFormatInZone(new Date(t), zone));
        checked++;
      }
    }
    expect(checked).toBe(ZONES.length * 400);
  });

  it('formats the same way minute by minute around every change of offset (where a per-day cache could go wrong)', () => {
    let changes = 0;
    for (const zone of ZONES) {
      for (const year of [1908, 1995, 2026, 2027, 2090]) {
        let previous = luxonFormatInZone(new Date(Date.UTC(year, 0, 1, 12)), zone).slice(-6);
        for (let day = Date.UTC(year, 0, 2); day < Date.UTC(year + 1, 0, 1); day += DAY) {
          const offset = luxonFormatInZone(new Date(day + 12 * 3600_000), zone).slice(-6);
          if (offset !== previous) {
            changes++;
            for (let t = day - DAY; t < day + DAY; t += 7 * 60_000 + 13_000) {
              expect(formatInZone(new Date(t), zone), `${new Date(t).toISOString()} in ${zone}`).toBe(luxonFormatInZone(new Date(t), zone));
            }
          }
          previous = offset;
        }
      }
    }
    expect(changes).toBeGreaterThan(50);
  });

  it('reads wall times the same way, around every DST change of the zone (gaps refused, overlaps: the first)', () => {
    let ambiguous = 0;
    let gaps = 0;
    const check = (t: number, zone: string) => {
      const d = new Date(t);
      const wall = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
      const mine = parseInstant(wall, zone);
      const theirs = luxonParseInstant(wall, zone);
      expect(mine.ok, `${wall} in ${zone}`).toBe(theirs.ok);
      if (!mine.ok || !theirs.ok) return void gaps++;
      // Twice-happening wall times: luxon picks by today's offset; ours is always the first.
      const twice = luxonIsAmbiguous(wall, zone);
      if (twice) ambiguous++;
      expect(mine.instant.getTime(), `${wall} in ${zone}`).toBe(twice ? luxonEarliest(wall, zone) : theirs.instant.getTime());
    };
    for (const zone of ZONES) {
      for (const year of [1995, 2026, 2027, 2090]) {
        // Days whose noon offset differs from the day before's hold a change: scan them every 10 minutes.
        let previous = luxonFormatInZone(new Date(Date.UTC(year, 0, 1, 12)), zone).slice(-6);
        for (let day = Date.UTC(year, 0, 2); day < Date.UTC(year + 1, 0, 1); day += DAY) {
          const offset = luxonFormatInZone(new Date(day + 12 * 3600_000), zone).slice(-6);
          if (offset !== previous) for (let t = day - DAY; t < day + DAY; t += 10 * 60_000) check(t, zone);
          previous = offset;
        }
        for (let i = 0; i < 150; i++) check(Date.UTC(year, 0, 1) + Math.floor(rand() * 365 * 1440) * 60_000, zone);
      }
    }
    // The gaps and overlaps were really exercised.
    expect(gaps).toBeGreaterThan(50);
    expect(ambiguous).toBeGreaterThan(50);
  });

  it('reads explicit offsets and fractions the same way', () => {
    for (const s of ['2026-11-14T23:30:00-05:00', '2026-11-14T23:30:00.123+05:45', '2026-11-14T23:30-0330', '2026-11-14 23:30:00Z', '2026-11-14T23:30:59.999999999+14:00']) {
      const mine = parseInstant(s, 'America/Lima');
      const theirs = luxonParseInstant(s, 'America/Lima');
      expect(mine.ok && mine.instant.getTime(), s).toBe(theirs.ok && theirs.instant.getTime());
    }
  });

  it('gives the same day bounds, 23- and 25-hour days included', () => {
    for (const zone of ZONES) {
      for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += DAY) {
        const d = new Date(t);
        const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
        const mine = dayBounds(date, zone)!;
        const theirs = luxonDayBounds(date, zone);
        // A midnight that happens twice (Havana, Santiago…): the day starts at the first one.
        const next = new Date(t + DAY);
        const nextDate = `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
        const start = luxonIsAmbiguous(`${date}T00:00`, zone) ? luxonEarliest(`${date}T00:00`, zone) : theirs.start.getTime();
        const end = luxonIsAmbiguous(`${nextDate}T00:00`, zone) ? luxonEarliest(`${nextDate}T00:00`, zone) : theirs.end.getTime();
        expect([mine.start.getTime(), mine.end.getTime()], `${date} in ${zone}`).toEqual([start, end]);
      }
    }
  });
});
