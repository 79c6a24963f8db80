import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
});
afterAll(async () => t?.close());

const list = async (qs: string) => {
  const res = await t.api('GET', `/api/citas?${qs}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as any).data as any[];
};

describe('time zones end to end', () => {
  it('Lima 23:30→00:30 crosses midnight: right UTC instants, listed under the Lima day it starts and the one it ends', async () => {
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-lima', start_time: '2025-11-14T23:30', end_time: '2025-11-15T00:30' }));
    expect(res.status).toBe(201);
    const cita = (await res.json()) as any;
    expect(cita.start_time_utc).toBe('2025-11-15T04:30:00Z');
    expect(cita.end_time_utc).toBe('2025-11-15T05:30:00Z');
    expect(cita.start_time).toBe('2025-11-14T23:30:00-05:00');
    expect(cita.end_time).toBe('2025-11-15T00:30:00-05:00');
    // In UTC the whole cita is on the 15th; in Lima it starts on the 14th.
    expect((await list('location_id=loc-lima&desde=2025-11-14&hasta=2025-11-14')).map((c) => c.id)).toEqual([cita.id]);
    expect((await list('location_id=loc-lima&desde=2025-11-15&hasta=2025-11-15')).map((c) => c.id)).toEqual([cita.id]);
    expect(await list('location_id=loc-lima&desde=2025-11-13&hasta=2025-11-13')).toEqual([]);
    expect(await list('location_id=loc-lima&desde=2025-11-16')).toEqual([]);
  });

  it('accepts the same instant with Z, ±HH:MM and ±HHMM', async () => {
    for (const [i, start] of ['2025-11-20T15:00:00Z', '2025-11-20T10:00:00-05:00', '2025-11-20T10:00:00-0500'].entries()) {
      const res = await t.api('POST', '/api/citas', citaBody({ location_id: `loc-forms-${i}`, start_time: start, end_time: '2025-11-20T15:45:00Z' }));
      expect(res.status, start).toBe(201);
      expect(((await res.json()) as any).start_time).toBe('2025-11-20T10:00:00-05:00');
    }
  });

  it('Santiago across the September 2025 DST change', async () => {
    await t.api('PUT', '/api/locations/loc-scl/settings', { time_zone: 'America/Santiago', default_calendar_id: 'cal-scl' });
    // Saturday 23:30 (-04:00) to Sunday 01:30 (-03:00): 00:00–01:00 does not exist, so it lasts 1 hour.
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-scl', calendar_id: undefined, start_time: '2025-09-06T23:30', end_time: '2025-09-07T01:30' }));
    expect(res.status).toBe(201);
    const cita = (await res.json()) as any;
    expect(cita).toMatchObject({
      start_time: '2025-09-06T23:30:00-04:00',
      end_time: '2025-09-07T01:30:00-03:00',
      start_time_utc: '2025-09-07T03:30:00Z',
      end_time_utc: '2025-09-07T04:30:00Z',
    });
    const sunday = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-scl', calendar_id: undefined, start_time: '2025-09-07T10:00', end_time: '2025-09-07T10:30' }));
    expect(((await sunday.json()) as any).start_time).toBe('2025-09-07T10:00:00-03:00');

    expect((await list('location_id=loc-scl&desde=2025-09-06&hasta=2025-09-06')).map((c) => c.id)).toEqual([cita.id]);
    expect((await list('location_id=loc-scl&desde=2025-09-07&hasta=2025-09-07')).length).toBe(2);

    const gap = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-scl', start_time: '2025-09-07T00:15', end_time: '2025-09-07T02:00' }));
    expect(gap.status).toBe(422);
    expect(((await gap.json()) as any).fields[0]).toMatchObject({ field: 'start_time', message: expect.stringMatching(/does not exist/) });
  });

  it('a location zone that is not IANA is refused with the field named', async () => {
    const res = await t.api('PUT', '/api/locations/loc-x/settings', { time_zone: 'GMT-5 Lima' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).fields[0].field).toBe('time_zone');
  });
});
