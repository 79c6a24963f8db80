import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';
import { driverOf } from '../../src/db/driver';
import type { Rendered } from '../../src/db/row-writes';
import { INBOUND_LOOKUP } from '../../src/sync/inbound-lookup';
import { ACTIVE_IN_SPAN } from '../../src/sync/inbound';

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

describe('slot reads scale with the slot, not with the calendar\'s history', () => {
  /** The plan Postgres runs a prepared statement with once it stops planning per call (generic). */
  async function genericPlan(stmt: Rendered): Promise<string> {
    const literal = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? `array[${v.map(literal).join(', ')}]` : `'${String(v).replace(/'/g, "''")}'`);
    return t.deps.db.transaction(async (tx) => {
      const db = driverOf(tx);
      await db.query('set local plan_cache_mode = force_generic_plan', []);
      await db.query(`prepare slot_probe as ${stmt.text}`, []);
      try {
        const { rows } = await db.query(`explain (format json) execute slot_probe(${stmt.params.map(literal).join(', ')})`, []);
        return JSON.stringify(rows[0]);
      } finally {
        await db.query('deallocate slot_probe', []);
      }
    });
  }

  it("a webhook's overlap check and a sync batch's span read go through the overlap guard's index, after 5,000 past citas", async () => {
    // Five thousand half-hour citas on one calendar: a clinic's few years of history.
    await driverOf(t.deps.db).query(
      `insert into citas (location_id, ghl_calendar_id, title, contact_id, start_time, end_time, time_zone, status, source, sync_status)
       select 'loc-history', 'cal-h', 'Past', 'c-1', timestamptz '2023-01-02 13:00Z' + g * interval '4 hours', timestamptz '2023-01-02 13:30Z' + g * interval '4 hours',
              'America/Lima', case when g % 10 = 0 then 'cancelled' else 'confirmed' end, 'ghl', 'synced'
       from generate_series(0, 4999) g`,
      [],
    );
    await driverOf(t.deps.db).query('analyze citas', []);
    const slot = { start: '2026-01-05T15:00:00.000Z', end: '2026-01-05T15:30:00.000Z' };

    const lookup = await genericPlan(INBOUND_LOOKUP({ location: 'loc-history', calendar: 'cal-h', id: 'apt-new', contact: 'contact-h', ...slot }));
    const span = await genericPlan(ACTIVE_IN_SPAN({ location: 'loc-history', calendars: ['cal-h'], from: slot.start, to: slot.end }));
    for (const plan of [lookup, span]) {
      expect(plan).toContain('"Index Name":"citas_no_overlap"');
      expect(plan).not.toContain('"Node Type":"Seq Scan"');
    }
  });
});
