/**
 * A day's list at a location with years of history: the right citas (long ones that began days
 * before, ones that began the evening before, none that only touch the day) and a read of that
 * day, not of the history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverOf } from '../../src/db/driver';
import { listStatement } from '../../src/citas/citas-repo';
import { createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-years';
// 2026-03-10 in Lima (UTC-5, the default zone): [05:00Z, next day 05:00Z).
const DAY = { from: new Date('2026-03-10T05:00:00Z'), to: new Date('2026-03-11T05:00:00Z') };

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
  const db = driverOf(t.deps.db);
  const insert = `insert into citas (location_id, ghl_calendar_id, title, contact_id, start_time, end_time, time_zone, status, source, sync_status)`;
  // Five thousand past citas, 2020–2022.
  await db.query(
    `${insert} select $1, 'cal-h', 'Past', 'c-1', timestamptz '2020-01-01 13:00Z' + g * interval '4 hours', timestamptz '2020-01-01 13:30Z' + g * interval '4 hours',
       'America/Lima', 'confirmed', 'ghl', 'synced' from generate_series(0, 4999) g`,
    [LOC],
  );
  const one = (title: string, calendar: string, start: string, end: string) =>
    db.query(`${insert} values ($1, $2, $3, 'c-1', $4, $5, 'America/Lima', 'confirmed', 'rv3', 'local_only')`, [LOC, calendar, title, start, end]);
  await one('three days, through the day', 'cal-long', '2026-03-08T12:00:00Z', '2026-03-11T12:00:00Z');
  await one('three days, ending as the day starts', 'cal-long-2', '2026-03-07T05:00:00Z', '2026-03-10T05:00:00Z');
  await one('exactly one day, into the day', 'cal-day', '2026-03-09T05:30:00Z', '2026-03-10T05:30:00Z');
  await one('from the evening before', 'cal-h', '2026-03-09T23:00:00Z', '2026-03-10T06:00:00Z');
  await one('the morning before', 'cal-h', '2026-03-09T04:00:00Z', '2026-03-09T05:00:00Z');
  await one('in the day', 'cal-h', '2026-03-10T15:00:00Z', '2026-03-10T15:30:00Z');
  await one('the next day', 'cal-h', '2026-03-11T05:00:00Z', '2026-03-11T05:30:00Z');
  await db.query('analyze citas', []);
});
afterAll(async () => t?.close());

describe("a day's list at a location with years of history", () => {
  it('lists every cita that holds part of the day, long ones too, in start order', async () => {
    const res = await t.api('GET', `/api/citas?location_id=${LOC}&desde=2026-03-10&hasta=2026-03-10`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { title: string }[] };
    expect(body.data.map((c) => c.title)).toEqual(['three days, through the day', 'exactly one day, into the day', 'from the evening before', 'in the day']);
  });

  it("reads the day and the long citas, not the location's history", async () => {
    const stmt = listStatement({ locationId: LOC, from: DAY.from, to: DAY.to, limit: 51 });
    const literal = (v: unknown): string => (v === null || v === undefined ? 'null' : `'${String(v).replace(/'/g, "''")}'`);
    const plan = await t.deps.db.transaction(async (tx) => {
      const db = driverOf(tx);
      await db.query('set local plan_cache_mode = force_generic_plan', []);
      await db.query(`prepare list_probe as ${stmt.text}`, []);
      try {
        const { rows } = await db.query(`explain (analyze, format json) execute list_probe(${stmt.params.map(literal).join(', ')})`, []);
        const cell = Object.values(rows[0] as Record<string, unknown>)[0];
        return (typeof cell === 'string' ? JSON.parse(cell) : cell) as { Plan: PlanNode }[];
      } finally {
        await db.query('deallocate list_probe', []);
      }
    });
    const nodes = flatten(plan[0]!.Plan);
    const citaScans = nodes.filter((n) => n['Relation Name'] === 'citas');
    // The page's two parts through their indexes; `known`'s existence check stops at its first row.
    expect(citaScans.filter((n) => n['Index Name']).map((n) => n['Index Name'])).toEqual(['citas_location_start_idx', 'citas_location_long_start_idx']);
    // Every scan of citas touches the day's handful of rows, none of the 5,000 before them.
    for (const n of citaScans) expect((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)).toBeLessThan(50);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function flatten(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(flatten)];
}
