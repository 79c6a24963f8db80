/**
 * Which drizzle/ migrations a database has, and rolling them back (Node only: reads files).
 *
 * drizzle's migrator records each applied migration in drizzle.__drizzle_migrations as
 * (hash = sha256 of the .sql file's text, created_at = the journal entry's `when`) and applies
 * every journal entry whose `when` is newer than the newest record. So a migration is "applied"
 * when a record carries its `when`, and rolling one back means running its reversal
 * (drizzle/down/<tag>.sql) and deleting that record: the next `db:migrate` applies it again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client';
import { MIGRATIONS_DIR } from './node-db';

/** drizzle's defaults (openDatabase().migrate() does not change them). */
const MIGRATIONS_TABLE = '"drizzle"."__drizzle_migrations"';
const BREAKPOINT = '--> statement-breakpoint';

export interface Migration {
  idx: number;
  tag: string;
  /** The journal's `when`: what drizzle stores as created_at. */
  when: number;
  upFile: string;
  downFile: string;
  hasDown: boolean;
  /** sha256 of the up file, as drizzle computes it. */
  hash: string;
}

export interface MigrationStatus extends Migration {
  applied: boolean;
  /** False when the recorded hash differs from the up file's: the file changed after it was applied. */
  hashMatches?: boolean;
}

export interface AppliedRecord {
  id: number;
  hash: string;
  createdAt: number;
}

/** The migrations of the journal, oldest first. */
export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string; when: number }[] };
  return journal.entries.map((e) => {
    if (!Number.isSafeInteger(e.when)) throw new Error(`journal entry ${e.tag} has no numeric "when"`);
    const upFile = join(dir, `${e.tag}.sql`);
    const downFile = join(dir, 'down', `${e.tag}.sql`);
    return {
      idx: e.idx,
      tag: e.tag,
      when: e.when,
      upFile,
      downFile,
      hasDown: existsSync(downFile),
      hash: createHash('sha256').update(readFileSync(upFile).toString()).digest('hex'),
    };
  });
}

/** Statements of a migration file, split like drizzle does; chunks holding only comments are skipped. */
export function splitStatements(text: string): string[] {
  return text.split(BREAKPOINT).filter((chunk) => chunk.replace(/^\s*--.*$/gm, '').trim() !== '');
}

type Executor = Pick<Db, 'execute'>;

async function rows(db: Executor, query: string): Promise<Record<string, unknown>[]> {
  const result = (await db.execute(sql.raw(query))) as unknown as { rows: Record<string, unknown>[] };
  return result.rows;
}

/** The records drizzle's migrator wrote, oldest first ([] when it never ran). */
export async function appliedRecords(db: Db): Promise<AppliedRecord[]> {
  const [exists] = await rows(db, `select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!exists?.present) return [];
  const recs = await rows(db, `select id, hash, created_at from ${MIGRATIONS_TABLE} order by created_at, id`);
  return recs.map((r) => ({ id: Number(r.id), hash: String(r.hash), createdAt: Number(r.created_at) }));
}

/** Every journal migration with whether the database has it. */
export async function migrationStatus(db: Db, dir: string = MIGRATIONS_DIR): Promise<MigrationStatus[]> {
  const records = await appliedRecords(db);
  return listMigrations(dir).map((m) => {
    const rec = records.find((r) => r.createdAt === m.when);
    return rec ? { ...m, applied: true, hashMatches: rec.hash === m.hash } : { ...m, applied: false };
  });
}

export interface RollbackOptions {
  /** How many applied migrations to roll back, newest first (default 1). */
  steps?: number;
  /** Roll back until this tag is the newest applied migration. */
  to?: string;
  /** Roll back every applied migration. */
  all?: boolean;
  /** Where drizzle/ is (tests point it elsewhere). */
  dir?: string;
  /** Called after each migration is rolled back (its transaction committed). */
  onRolledBack?: (m: Migration) => void;
}

export class RollbackError extends Error {
  override name = 'RollbackError';
}

/**
 * The migrations `rollback` would reverse, newest first, checked before anything runs: it refuses
 * (RollbackError) when a down file is missing, when the database has a record the journal does
 * not know (applied by newer code), or when `to` names nothing applied.
 */
export async function planRollback(db: Db, opts: Omit<RollbackOptions, 'onRolledBack'> = {}): Promise<Migration[]> {
  const chosen = [opts.steps !== undefined, opts.to !== undefined, opts.all === true].filter(Boolean).length;
  if (chosen > 1) throw new RollbackError('choose one of steps, to and all');
  const migrations = listMigrations(opts.dir);
  const records = await appliedRecords(db);
  const unknown = records.filter((r) => !migrations.some((m) => m.when === r.createdAt));
  const applied = migrations.filter((m) => records.some((r) => r.createdAt === m.when)).reverse();
  const newestKnown = applied[0]?.when ?? -Infinity;
  if (unknown.some((r) => r.createdAt > newestKnown)) {
    throw new RollbackError(
      `the database has migration(s) this checkout does not know (created_at ${unknown.map((r) => r.createdAt).join(', ')}): ` +
        'roll back with the code that applied them',
    );
  }

  let plan: Migration[];
  if (opts.all) {
    plan = applied;
  } else if (opts.to !== undefined) {
    const at = applied.findIndex((m) => m.tag === opts.to);
    if (at < 0) {
      const known = migrations.some((m) => m.tag === opts.to);
      throw new RollbackError(known ? `${opts.to} is not applied, so it cannot be kept as the newest` : `no migration ${opts.to} in the journal`);
    }
    plan = applied.slice(0, at);
  } else {
    const steps = opts.steps ?? 1;
    if (opts.steps === undefined && !applied.length) return [];
    if (!Number.isInteger(steps) || steps < 1) throw new RollbackError(`steps must be a positive integer, got ${steps}`);
    if (steps > applied.length) throw new RollbackError(`asked to roll back ${steps} migration(s), only ${applied.length} applied`);
    plan = applied.slice(0, steps);
  }

  const missing = plan.filter((m) => !m.hasDown);
  if (missing.length) {
    throw new RollbackError(
      `no reversal for ${missing.map((m) => m.tag).join(', ')}: write ${missing.map((m) => m.downFile).join(', ')} first (nothing was rolled back)`,
    );
  }
  return plan;
}

/**
 * Rolls back applied migrations newest first: each one's down file and the removal of its record
 * run in one transaction, so a failure leaves that migration (and the older ones) applied and
 * the newer ones rolled back. Returns the migrations rolled back.
 */
export async function rollback(db: Db, opts: RollbackOptions = {}): Promise<Migration[]> {
  const plan = await planRollback(db, opts);
  const done: Migration[] = [];
  for (const m of plan) {
    const statements = splitStatements(readFileSync(m.downFile, 'utf8'));
    await db.transaction(async (tx) => {
      // Deleting the record first locks it: a concurrent rollback of the same migration waits, then finds nothing.
      const deleted = await rows(tx, `delete from ${MIGRATIONS_TABLE} where created_at = ${m.when} returning id`);
      if (!deleted.length) throw new RollbackError(`${m.tag} is no longer applied (rolled back concurrently?)`);
      const newer = await rows(tx, `select 1 from ${MIGRATIONS_TABLE} where created_at > ${m.when} limit 1`);
      if (newer.length) throw new RollbackError(`${m.tag} is no longer the newest applied migration (migrated concurrently?)`);
      for (const statement of statements) {
        try {
          await tx.execute(sql.raw(statement));
        } catch (error) {
          throw new RollbackError(`rolling back ${m.tag} failed, nothing of it was changed: ${describeError(error)}`, { cause: error });
        }
      }
    });
    done.push(m);
    opts.onRolledBack?.(m);
  }
  return done;
}

/** The driver's message (and hint) from under drizzle's wrapper. */
function describeError(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const rec = e as { code?: unknown; message?: unknown; hint?: unknown; detail?: unknown; cause?: unknown };
    if (typeof rec.code === 'string' && typeof rec.message === 'string') {
      return [rec.message, rec.detail && `(${rec.detail})`, rec.hint && `Hint: ${rec.hint}`].filter(Boolean).join(' ');
    }
    e = rec.cause;
  }
  return error instanceof Error ? error.message : String(error);
}
