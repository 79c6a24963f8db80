import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatGhl } from '../../scripts/ghl-sandbox/ghl-time';

describe("the sandbox's dates", () => {
  it('read the same as luxon in the zone itself, across DST changes and odd offsets', () => {
    const differ: string[] = [];
    let checked = 0;
    // Zones with changes at midnight, at half hours, 30-minute shifts, 45-minute offsets, none at all.
    for (const zone of ['America/Lima', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Europe/London', 'UTC']) {
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2027, 0, 1); t += 97 * 60_000 + 13_000) {
        checked++;
        const want = DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
        if (formatGhl(t, zone) !== want) differ.push(`${new Date(t).toISOString()} ${zone}: ${formatGhl(t, zone)} ≠ ${want}`);
      }
    }
    expect(checked).toBeGreaterThan(100_000);
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
