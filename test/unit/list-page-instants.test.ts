/**
 * listPage reads a cita's instants as milliseconds (src/citas/citas-repo.ts): every column must
 * come back as drizzle's own read of the row gives it, microseconds, years before 1970 and
 * nulls included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { findCita, insertCita, listPage } from '../../src/citas/citas-repo';
import { createTestEnv, type TestEnv } from '../support/harness';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

describe('listPage', () => {
  it('gives every column as drizzle reads it, instants to the millisecond Postgres holds (floored), nulls kept', async () => {
    const t = await createTestEnv();
    envs.push(t);
    const db = t.deps.db;
    const base = { locationId: 'loc-ms', ghlCalendarId: 'cal', title: 'Cita', timeZone: 'America/Lima', contactId: 'k-1' };
    const a = await insertCita(db, { ...base, startTime: new Date('2027-03-01T14:00:00Z'), endTime: new Date('2027-03-01T14:30:00Z'), contact: { name: 'Ana' }, extras: { k: [1] } });
    const b = await insertCita(db, { ...base, startTime: new Date('2027-03-01T15:00:00Z'), endTime: new Date('2027-03-01T15:45:00Z') });
    const c = await insertCita(db, { ...base, startTime: new Date('1969-12-31T23:00:00Z'), endTime: new Date('1970-01-01T00:30:00Z') });
    // Microseconds a Date cannot hold: the list must floor them as drizzle's read does.
    await db.execute(sql`update citas set start_time = '2027-03-01 14:00:00.123999+00', last_synced_at = '2027-02-28 10:00:00.000501+00', ghl_date_updated = now() where id = ${a.id}`);
    await db.execute(sql`update citas set start_time = '1969-12-31 22:59:59.999500+00', cancelled_at = '1969-12-31 23:59:59.9995+00' where id = ${c.id}`);

    const all = await listPage(db, { locationId: 'loc-ms', limit: 50 });
    const expected = await Promise.all([c, a, b].map((x) => findCita(db, x.id)));
    expect(all.rows).toEqual(expected);
    expect(all.rows[0]!.startTime.toISOString()).toBe('1969-12-31T22:59:59.999Z');
    expect(all.rows[1]!.startTime.toISOString()).toBe('2027-03-01T14:00:00.123Z');
    expect(all.rows[2]!.lastSyncedAt).toBeNull();

    const bounded = await listPage(db, { locationId: 'loc-ms', from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-03-02T00:00:00Z'), limit: 50 });
    expect(bounded.rows).toEqual(expected.slice(1));
  });
});
