import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
});
afterAll(async () => t?.close());

describe('double-booking protection (database exclusion constraint)', () => {
  it('20 parallel creates of one slot: exactly one 201, nineteen 409 naming the winner', async () => {
    const body = citaBody({ location_id: 'loc-race', start_time: '2025-12-01T09:00', end_time: '2025-12-01T09:30' });
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.api('POST', '/api/citas', body)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);

    const bodies = (await Promise.all(responses.map((r) => r.json()))) as any[];
    const winner = bodies.find((_, i) => responses[i]!.status === 201);
    for (const p of bodies.filter((_, i) => responses[i]!.status === 409)) {
      expect(p).toMatchObject({ code: 'slot_taken', conflicting_cita: { id: winner.id, start_time: '2025-12-01T09:00:00-05:00' } });
    }
    const list = (await (await t.api('GET', '/api/citas?location_id=loc-race')).json()) as any;
    expect(list.data).toHaveLength(1);
  });

  it('partial overlaps conflict; touching ends, other calendars and other locations do not', async () => {
    const loc = 'loc-edges';
    const first = await t.api('POST', '/api/citas', citaBody({ location_id: loc, start_time: '2025-12-02T10:00', end_time: '2025-12-02T11:00' }));
    expect(first.status).toBe(201);
    const at = (s: string, e: string, extra: Record<string, unknown> = {}) =>
      t.api('POST', '/api/citas', citaBody({ location_id: loc, start_time: s, end_time: e, ...extra })).then((r) => r.status);
    expect(await at('2025-12-02T10:30', '2025-12-02T11:30')).toBe(409);
    expect(await at('2025-12-02T09:30', '2025-12-02T10:05')).toBe(409);
    expect(await at('2025-12-02T10:15', '2025-12-02T10:45')).toBe(409);
    expect(await at('2025-12-02T11:00', '2025-12-02T11:30')).toBe(201);
    expect(await at('2025-12-02T09:30', '2025-12-02T10:00')).toBe(201);
    expect(await at('2025-12-02T10:00', '2025-12-02T11:00', { calendar_id: 'cal-other' })).toBe(201);
    expect(await at('2025-12-02T10:00', '2025-12-02T11:00', { location_id: 'loc-elsewhere' })).toBe(201);
  });

  it('a cancelled cita frees its slot; reactivating it into a taken slot is a 409', async () => {
    const loc = 'loc-free';
    const slot = { location_id: loc, start_time: '2025-12-03T10:00', end_time: '2025-12-03T10:30' };
    const a = (await (await t.api('POST', '/api/citas', citaBody(slot))).json()) as any;
    await t.api('POST', `/api/citas/${a.id}/cancel`);
    const b = await t.api('POST', '/api/citas', citaBody(slot));
    expect(b.status).toBe(201);
    const reopen = await t.api('PATCH', `/api/citas/${a.id}`, { status: 'confirmed' });
    expect(reopen.status).toBe(409);
    const after = (await (await t.api('GET', `/api/citas/${a.id}`)).json()) as any;
    expect(after).toMatchObject({ status: 'cancelled', version: 2 });
  });

  it('moving a cita onto another one is a 409 and changes nothing', async () => {
    const loc = 'loc-move';
    const a = (await (await t.api('POST', '/api/citas', citaBody({ location_id: loc, start_time: '2025-12-04T10:00', end_time: '2025-12-04T10:30' }))).json()) as any;
    const b = (await (await t.api('POST', '/api/citas', citaBody({ location_id: loc, start_time: '2025-12-04T11:00', end_time: '2025-12-04T11:30' }))).json()) as any;
    const res = await t.api('PATCH', `/api/citas/${b.id}`, { start_time: '2025-12-04T10:15' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as any).conflicting_cita.id).toBe(a.id);
    const still = (await (await t.api('GET', `/api/citas/${b.id}`)).json()) as any;
    expect(still).toMatchObject({ start_time: '2025-12-04T11:00:00-05:00', version: 1 });
  });
});
