import type { DbOrTx } from './client';
import { sha256, toHex } from '../lib/hex';

export interface DriverClient {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** How many distinct texts get a prepared statement; past it, statements run unnamed (a bound, not a cache). */
const MAX_NAMED = 256;
const names = new Map<string, string>();

/**
 * The driver connection under a drizzle database or transaction: Neon's Pool or PoolClient, or
 * PGlite or its transaction — all answer `query(text, params)` with `{ rows }`. For the statements
 * whose text is rendered once and reused (row-writes.ts, compiled.ts); everything else goes
 * through drizzle. Values must already be encoded as drizzle's columns encode them.
 *
 * On Neon's driver these statements are named, so Postgres parses and plans each text once per
 * connection instead of on every webhook (it halved the database's CPU per delivery in
 * `npm run bench:webhooks`). These are protocol-level prepared statements, which Neon's pooler
 * (PgBouncer ≥ 1.21) supports; SQL-level PREPARE is never used.
 */
export function driverOf(db: DbOrTx): DriverClient {
  const session = (db as unknown as { session?: { client?: { query?: unknown; release?: unknown }; logger?: QueryLogger } }).session;
  const client = session?.client;
  if (!client || typeof client.query !== 'function') {
    throw new Error('expected a drizzle database on the neon-serverless or pglite driver (session.client.query)');
  }
  // PGlite (in-process: nothing to save) has neither; Neon's Pool has `connect`, its PoolClient `release`.
  const named = typeof client.release === 'function' || typeof (client as { connect?: unknown }).connect === 'function';
  return new Driver(client as DriverTarget, session?.logger, named);
}

interface QueryLogger {
  logQuery(q: string, p: unknown[]): void;
}
type DriverTarget = { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>; query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> };

/** A class rather than closures: made for every statement on the webhook path. */
class Driver implements DriverClient {
  constructor(
    private readonly client: DriverTarget,
    private readonly logger: QueryLogger | undefined,
    private readonly named: boolean,
  ) {}

  query(text: string, params: unknown[]) {
    // Logged like drizzle's own statements, so a query log (tests, debugging) misses none.
    this.logger?.logQuery(text, params);
    return this.named ? this.client.query({ name: statementName(text), text, values: params }) : this.client.query(text, params);
  }
}

function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `cs_${toHex(sha256(text).slice(0, 8))}`;
    names.set(text, name);
  }
  return name;
}

/** A boolean as a driver hands it back from a raw statement: PGlite and Neon give `true`, text protocols `'t'`. */
export function driverBool(value: unknown): boolean {
  return value === true || value === 't';
}

/** A timestamp as a driver hands it back from a raw statement (a Date, or its text), null kept. */
export function driverDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value));
}
