/**
 * Opening the configured database from Node: embedded PGlite (a directory or memory) or any
 * Postgres through Neon's serverless driver. Also applies drizzle/ migrations (drizzle's migrator
 * reads files with node:fs, so migrations always run from Node, never inside a Worker).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migrateNeon } from 'drizzle-orm/neon-serverless/migrator';
import ws from 'ws';
import type { AppConfig } from '../../src/config/config';
import type { Db } from '../../src/db/client';
import { createNeonDb } from '../../src/db/neon';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface OpenedDb {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Human-readable target for logs (no credentials). */
  describe: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A migrated, empty in-memory database, dumped once per process. Initialising PGlite takes ~4 s on
 * this machine and loading a dump ~1.3 s; tests open one database per test, so an in-memory
 * database opened to be migrated starts from this copy (its migrate() then finds nothing to do).
 */
let memoryTemplate: Promise<Blob> | undefined;
function migratedMemoryTemplate(): Promise<Blob> {
  memoryTemplate ??= (async () => {
    const client = await PGlite.create({ extensions: { btree_gist, pg_trgm } });
    try {
      await migratePglite(drizzlePglite({ client }) as never, { migrationsFolder: MIGRATIONS_DIR });
      return await client.dumpDataDir('none');
    } finally {
      await client.close();
    }
  })();
  return memoryTemplate;
}

export async function openDatabase(
  config: Pick<AppConfig, 'DATABASE_URL' | 'PGLITE_DIR' | 'NEON_WS_PROXY'>,
  opts: { logQuery?: (query: string) => void; migrated?: boolean } = {},
): Promise<OpenedDb> {
  const url = config.DATABASE_URL;
  if (!url || url === 'memory://') {
    const dir = url === 'memory://' ? undefined : config.PGLITE_DIR;
    if (dir) mkdirSync(dir, { recursive: true });
    const client = await PGlite.create({
      ...(dir ? { dataDir: dir } : opts.migrated ? { loadDataDir: await migratedMemoryTemplate() } : {}),
      extensions: { btree_gist, pg_trgm },
    });
    const db = drizzlePglite({ client, ...(opts.logQuery ? { logger: { logQuery: opts.logQuery } } : {}) }) as unknown as Db;
    return {
      db,
      kind: 'pglite',
      describe: dir ? `PGlite at ${dir}` : 'PGlite in memory',
      migrate: () => migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR }),
      close: () => client.close(),
    };
  }
  const { db, close } = createNeonDb(url, { wsProxy: config.NEON_WS_PROXY, webSocketConstructor: ws, logQuery: opts.logQuery });
  return {
    db,
    kind: 'postgres',
    describe: `Postgres at ${redact(url)}${config.NEON_WS_PROXY ? ` via ${config.NEON_WS_PROXY}` : ''}`,
    migrate: () => migrateNeon(db as never, { migrationsFolder: MIGRATIONS_DIR }),
    close,
  };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
