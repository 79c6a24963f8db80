/**
 * Every drizzle/ migration has a reversal (drizzle/down/), and it undoes exactly that migration:
 * applied with drizzle's own migrator, rolled back with scripts/lib/migrations.ts, compared
 * through the catalogs. On PGlite in `npm test`, on the real PostgreSQL (a throwaway database,
 * through Neon's driver) in `npm run test:services`.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Pool } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migrateNeon } from 'drizzle-orm/neon-serverless/migrator';
import ws from 'ws';
import { useWsProxy } from '../../src/db/neon';
import { pgErrorInfo } from '../../src/db/pg-errors';
import { MIGRATIONS_DIR, openDatabase, type OpenedDb } from '../../scripts/lib/node-db';
import { listMigrations, migrationStatus, rollback, splitStatements } from '../../scripts/lib/migrations';

const migrations = listMigrations();
const N = migrations.length;
const tag = (k: number) => migrations[k - 1]!.tag;

let database: OpenedDb;
let dropDatabase = async () => {};
/** A copy of drizzle/ whose journal is cut to the first k entries, for drizzle's migrator. */
let partialDir: string;

beforeAll(async () => {
  partialDir = mkdtempSync(join(tmpdir(), 'citas-migrations-'));
  cpSync(MIGRATIONS_DIR, partialDir, { recursive: true });
  const services = inject('services');
  if (!services) {
    database = await openDatabase({ DATABASE_URL: 'memory://', PGLITE_DIR: '', NEON_WS_PROXY: undefined });
    return;
  }
  const name = `citas_migr_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = async (statement: string) => {
    useWsProxy(services.wsProxy, ws);
    const pool = new Pool({ connectionString: services.pgAdminUrl, max: 1 });
    try {
      await pool.query(statement);
    } finally {
      await pool.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  dropDatabase = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const url = new URL(services.pgAdminUrl);
  url.pathname = `/${name}`;
  database = await openDatabase({ DATABASE_URL: url.toString(), PGLITE_DIR: '', NEON_WS_PROXY: services.wsProxy });
});

afterAll(async () => {
  await database?.close();
  await dropDatabase();
  if (partialDir) rmSync(partialDir, { recursive: true, force: true });
});

async function query<T = Record<string, unknown>>(text: string): Promise<T[]> {
  return ((await database.db.execute(sql.raw(text))) as unknown as { rows: T[] }).rows;
}

/** drizzle's migrator (the one `db:migrate` runs), applying the journal's first k migrations. */
async function migrateUpTo(k: number) {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, k);
  writeFileSync(join(partialDir, 'meta', '_journal.json'), JSON.stringify(journal));
  const migrate = database.kind === 'pglite' ? migratePglite : migrateNeon;
  await migrate(database.db as never, { migrationsFolder: partialDir });
}

async function appliedTags(): Promise<string[]> {
  return (await migrationStatus(database.db)).filter((m) => m.applied).map((m) => m.tag);
}

const notFromExtension = (oid: string) =>
  `not exists (select 1 from pg_depend d where d.objid = ${oid} and d.deptype = 'e')`;

/**
 * The schema as the catalogs describe it (schema public, objects of extensions aside). Column
 * positions are left out: a column dropped and added again comes back last, which changes nothing
 * for the app. btree_gist is left out too: its reversal keeps it installed on purpose.
 */
async function snapshot() {
  const [relations, columns, constraints, indexes, triggers, types, functions, extensions] = await Promise.all([
    query(`select c.relname as name, c.relkind::text as kind from pg_class c
           where c.relnamespace = 'public'::regnamespace and c.relkind not in ('i', 'I') and ${notFromExtension('c.oid')}
           order by 1`),
    query(`select table_name, column_name, data_type, udt_name, column_default, is_nullable, character_maximum_length,
                  numeric_precision, datetime_precision, is_identity, is_generated
           from information_schema.columns where table_schema = 'public' order by table_name, column_name`),
    query(`select conrelid::regclass::text as table, conname as name, contype::text as type, pg_get_constraintdef(oid) as def
           from pg_constraint where connamespace = 'public'::regnamespace order by 2, 1`),
    query(`select tablename as table, indexname as name, indexdef as def from pg_indexes where schemaname = 'public' order by 2, 1`),
    query(`select tgrelid::regclass::text as table, tgname as name, pg_get_triggerdef(oid) as def from pg_trigger
           where not tgisinternal order by 2, 1`),
    query(`select t.typname as name, t.typtype::text as kind from pg_type t
           where t.typnamespace = 'public'::regnamespace and t.typrelid = 0 and t.typcategory <> 'A' and ${notFromExtension('t.oid')}
           order by 1`),
    query(`select p.proname as name, pg_get_function_identity_arguments(p.oid) as args from pg_proc p
           where p.pronamespace = 'public'::regnamespace and ${notFromExtension('p.oid')} order by 1, 2`),
    query(`select extname as name from pg_extension where extname not in ('btree_gist', 'pg_trgm') order by 1`),
  ]);
  return { relations, columns, constraints, indexes, triggers, types, functions, extensions };
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** A cita in loc-1/cal-1, by raw SQL (the schema as the migrations leave it, whatever src/db/schema.ts says). */
async function insertCita(title: string, start: string, end: string, extra: { conflict?: boolean; contact?: object } = {}) {
  await database.db.execute(sql`
    insert into citas (location_id, ghl_calendar_id, title, contact_id, contact, start_time, end_time, time_zone, conflict)
    values ('loc-1', 'cal-1', ${title}, ${extra.contact ? null : 'contact-1'}, ${extra.contact ? JSON.stringify(extra.contact) : null}::jsonb,
            ${start}, ${end}, 'America/Lima', ${extra.conflict ?? false})`);
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('migration reversals (drizzle/down/)', () => {
  it('every migration in the journal has a down file, and every down file a migration', () => {
    const missing = migrations.filter((m) => !m.hasDown).map((m) => m.tag);
    expect(missing).toEqual([]);
    const downFiles = readdirSync(join(MIGRATIONS_DIR, 'down')).filter((f) => f.endsWith('.sql'));
    expect(downFiles.sort()).toEqual(migrations.map((m) => `${m.tag}.sql`).sort());
    for (const m of migrations) expect(splitStatements(readFileSync(m.downFile, 'utf8')).length, m.tag).toBeGreaterThan(0);
  });

  let full: Snapshot;

  it('apply all, roll back all (nothing of ours is left), apply all again: the overlap guard still holds', async () => {
    const before = await snapshot();
    await database.migrate();
    full = await snapshot();
    expect(await appliedTags()).toEqual(migrations.map((m) => m.tag));

    expect((await rollback(database.db, { to: tag(N - 2) })).map((m) => m.tag)).toEqual([tag(N), tag(N - 1)]);
    expect((await appliedTags()).at(-1)).toBe(tag(N - 2));
    expect((await rollback(database.db, { all: true })).map((m) => m.tag)).toEqual(migrations.slice(0, N - 2).map((m) => m.tag).reverse());

    const after = await snapshot();
    expect(await appliedTags()).toEqual([]);
    expect(await query(`select * from drizzle.__drizzle_migrations`)).toEqual([]);
    const names = (s: Snapshot) => [...s.relations, ...s.constraints, ...s.indexes].map((o) => o.name as string);
    expect(names(after).filter((n) => names(full).includes(n))).toEqual([]);
    expect(after).toEqual(before);

    await database.migrate();
    expect(await snapshot()).toEqual(full);
    expect(await appliedTags()).toEqual(migrations.map((m) => m.tag));

    await insertCita('Cita 1', '2025-11-14T10:00:00-05:00', '2025-11-14T10:30:00-05:00');
    const overlap = await errorOf(insertCita('Cita 2', '2025-11-14T10:15:00-05:00', '2025-11-14T10:45:00-05:00'));
    expect(pgErrorInfo(overlap)).toEqual({ code: '23P01', constraint: 'citas_no_overlap' });
    await insertCita('Cita 3', '2025-11-14T10:30:00-05:00', '2025-11-14T11:00:00-05:00'); // touching ends do not overlap
    await insertCita('Cita 4', '2025-11-14T10:15:00-05:00', '2025-11-14T10:45:00-05:00', { conflict: true }); // 0004: conflicts step outside
    expect(await query(`select title from citas order by title`)).toEqual([{ title: 'Cita 1' }, { title: 'Cita 3' }, { title: 'Cita 4' }]);
  });

  it('step by step: up to k then one step back gives the schema at k-1; up again gives the schema at k', async () => {
    await query(`delete from citas`);
    await rollback(database.db, { all: true });
    const up: Snapshot[] = [await snapshot()];
    for (let k = 1; k <= N; k++) {
      await migrateUpTo(k);
      up[k] = await snapshot();
      expect(await appliedTags(), `up to ${tag(k)}`).toEqual(migrations.slice(0, k).map((m) => m.tag));
      expect(up[k], `${tag(k)} changes the schema`).not.toEqual(up[k - 1]);

      expect((await rollback(database.db)).map((m) => m.tag)).toEqual([tag(k)]);
      expect(await snapshot(), `after rolling back ${tag(k)}`).toEqual(up[k - 1]);
      expect((await appliedTags()).at(-1)).toBe(k > 1 ? tag(k - 1) : undefined);

      await migrateUpTo(k);
      expect(await snapshot(), `${tag(k)} applied again`).toEqual(up[k]);
    }
    expect(up[N]).toEqual(full);
  });

  it('a reversal that fails leaves its migration applied and untouched (one transaction per migration)', async () => {
    await migrateUpTo(N);
    await query(`delete from citas`);
    // Two overlapping active citas, one flagged conflict: 0001's stricter guard cannot come back.
    await insertCita('Cita 1', '2025-11-14T10:00:00-05:00', '2025-11-14T10:30:00-05:00');
    await insertCita('Cita 2', '2025-11-14T10:15:00-05:00', '2025-11-14T10:45:00-05:00', { conflict: true });
    await rollback(database.db, { to: '0004_webhooks_and_conflicts' });
    const at0004 = await snapshot();
    // 0004's reversal drops the conflict index and the guard before re-adding the old guard, which fails.
    await expect(rollback(database.db, { all: true })).rejects.toThrow(/rolling back 0004_webhooks_and_conflicts failed.*citas_no_overlap/);
    expect(await snapshot()).toEqual(at0004);
    expect((await appliedTags()).at(-1)).toBe('0004_webhooks_and_conflicts');

    // A cita without contact_id (contact details only): 0002's reversal refuses before dropping anything.
    await query(`update citas set status = 'cancelled' where title = 'Cita 2'`);
    await insertCita('Cita 3', '2025-11-15T10:00:00-05:00', '2025-11-15T10:30:00-05:00', { contact: { name: 'Ana Pérez', phone: '+51999000111' } });
    await expect(rollback(database.db, { all: true })).rejects.toThrow(/0002_ghl_connections.*1 cita\(s\) have no contact_id/);
    expect((await appliedTags()).at(-1)).toBe('0002_ghl_connections');
    expect(await query(`select contact->>'name' as name from citas where contact_id is null`)).toEqual([{ name: 'Ana Pérez' }]);

    await query(`delete from citas where contact_id is null`);
    await rollback(database.db, { all: true });
    expect(await appliedTags()).toEqual([]);
  });

  it('refuses, changing nothing, when a migration to roll back has no down file', async () => {
    await migrateUpTo(N);
    rmSync(join(partialDir, 'down', `${tag(N)}.sql`));
    try {
      await expect(rollback(database.db, { steps: 2, dir: partialDir })).rejects.toThrow(new RegExp(`no reversal for ${tag(N)}.*nothing was rolled back`));
      expect(await appliedTags()).toHaveLength(N);
      // Reaching an older migration means going through the newest one first.
      await expect(rollback(database.db, { to: tag(1), dir: partialDir })).rejects.toThrow(/no reversal/);
      expect(await appliedTags()).toHaveLength(N);
    } finally {
      cpSync(join(MIGRATIONS_DIR, 'down', `${tag(N)}.sql`), join(partialDir, 'down', `${tag(N)}.sql`));
    }
  });
});
