/**
 * Transactions on Neon's driver (src/db/neon.ts: drizzle's session with BEGIN/COMMIT/ROLLBACK sent
 * as plain text), against the real PostgreSQL through the ws-proxy: what commits, what rolls back,
 * and that no connection leaks or comes back broken.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Pool } from '@neondatabase/serverless';
import ws from 'ws';
import { createNeonDb } from '../../src/db/neon';
import type { Db } from '../../src/db/client';

const services = inject('services')!;
let db: Db;
let pool: Pool;
let close: () => Promise<void>;
const table = `tx_probe_${crypto.randomUUID().slice(0, 8)}`;
const statements: string[] = [];

beforeAll(async () => {
  ({ db, close } = createNeonDb(services.pgAdminUrl, { wsProxy: services.wsProxy, webSocketConstructor: ws, logQuery: (q) => statements.push(q) }));
  pool = (db as unknown as { $client: Pool }).$client;
  await db.execute(sql.raw(`create table ${table} (k text primary key)`));
});
afterAll(async () => {
  await db.execute(sql.raw(`drop table if exists ${table}`));
  await close();
});

const keys = async () => ((await db.execute(sql.raw(`select k from ${table} order by k`))) as unknown as { rows: { k: string }[] }).rows.map((r) => r.k);

describe('transactions on the Neon driver', () => {
  it('commits what the function wrote, and logs BEGIN and COMMIT like any statement', async () => {
    statements.length = 0;
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`insert into ${table} values ('a')`));
    });
    expect(await keys()).toContain('a');
    expect(statements.slice(0, 3).map((s) => s.split(' ')[0])).toEqual(['begin', 'insert', 'commit']);
  });

  it('rolls back when the function throws, rethrows its error, and returns the connection', async () => {
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql.raw(`insert into ${table} values ('b')`));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await keys()).not.toContain('b');
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });

  it('a failing statement rolls the whole transaction back; savepoints roll back only their part', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql.raw(`insert into ${table} values ('c')`));
        await tx.execute(sql.raw(`insert into ${table} values ('c')`));
      }),
    ).rejects.toThrow();
    expect(await keys()).not.toContain('c');
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`insert into ${table} values ('d')`));
      await tx.transaction(async (sp) => sp.execute(sql.raw(`insert into ${table} values ('d')`))).catch(() => {});
      await tx.execute(sql.raw(`insert into ${table} values ('e')`));
    });
    expect(await keys()).toEqual(expect.arrayContaining(['d', 'e']));
  });

  it('a connection killed mid-transaction fails that transaction only: it is not handed out again', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql.raw(`insert into ${table} values ('f')`));
        await tx.execute(sql`select pg_terminate_backend(pg_backend_pid())`);
      }),
    ).rejects.toThrow();
    // Every later transaction gets a working connection.
    for (let i = 0; i < 3; i++) {
      await db.transaction(async (tx) => {
        await tx.execute(sql.raw(`insert into ${table} values ('g${i}')`));
      });
    }
    const now = await keys();
    expect(now).not.toContain('f');
    expect(now).toEqual(expect.arrayContaining(['g0', 'g1', 'g2']));
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });
});
