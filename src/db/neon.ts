import { Pool, neonConfig } from '@neondatabase/serverless';
import { NeonDatabase, NeonSession, NeonTransaction } from 'drizzle-orm/neon-serverless';
import { PgDialect, type PgTransactionConfig } from 'drizzle-orm/pg-core';
import type { Db } from './client';

/**
 * Neon's WebSocket pool (interactive transactions; the HTTP driver has none). On Workers a pool
 * must be created, used and ended within one request, so callers get `close` and must call it.
 *
 * `wsProxy` points the driver at a local WebSocket→TCP proxy in front of a plain Postgres
 * (scripts/ws-proxy.ts), so the production driver is what tests exercise.
 */
export function createNeonDb(
  url: string,
  opts: { wsProxy?: string; webSocketConstructor?: unknown; logQuery?: (query: string) => void } = {},
): {
  db: Db;
  close: () => Promise<void>;
} {
  if (opts.webSocketConstructor) neonConfig.webSocketConstructor = opts.webSocketConstructor as typeof WebSocket;
  if (opts.wsProxy) useWsProxy(opts.wsProxy);
  const pool = new Pool({ connectionString: url });
  // A connection that drops must never crash the process (Node) or the isolate (Workers). An idle
  // client's error reaches the pool's listener; a client checked out between two statements of a
  // transaction has no listener of its own, and an 'error' event without one is an uncaught
  // exception. Either way the statement that needed it fails and is answered 503/429, and the pool
  // discards the broken client.
  pool.on('error', () => {});
  pool.on('connect', (client: { on(event: 'error', listener: (err: Error) => void): unknown }) => {
    client.on('error', () => {});
  });
  const logger = opts.logQuery ? { logQuery: (q: string) => opts.logQuery!(q) } : undefined;
  // What drizzle({ client: pool }) builds, with the leaner session below. No `schema`: with one,
  // drizzle builds a relational query builder per table for every transaction it opens, and
  // nothing here uses `db.query`.
  const dialect = new PgDialect();
  const db = new NeonDatabase(dialect, new LeanNeonSession(pool, dialect, logger), undefined) as NeonDatabase<Record<string, never>> & { $client: Pool };
  db.$client = pool;
  return { db: db as unknown as Db, close: () => pool.end() };
}

/**
 * drizzle's Neon session with a leaner top-level transaction: BEGIN, COMMIT and ROLLBACK go to the
 * connection as plain text instead of being built and prepared through the query builder each
 * time (on the webhook path, most of what drizzle cost a delivery). Inside, the transaction is
 * drizzle's own NeonTransaction (savepoints included). Unlike drizzle's, a failed BEGIN still
 * returns the connection, and one whose ROLLBACK failed is discarded rather than reused.
 */
class LeanNeonSession extends NeonSession<Record<string, never>, Record<string, never>> {
  constructor(
    private readonly pool: Pool,
    dialect: PgDialect,
    private readonly queryLog: { logQuery(q: string, params: unknown[]): void } | undefined,
  ) {
    super(pool, dialect, undefined, queryLog ? { logger: queryLog } : {});
  }

  override async transaction<T>(fn: (tx: NeonTransaction<Record<string, never>, Record<string, never>>) => Promise<T>, config?: PgTransactionConfig): Promise<T> {
    // Isolation levels and access modes: drizzle's way (none of our paths ask for one today).
    if (config && Object.keys(config).length) return super.transaction(fn, config);
    const client = await this.pool.connect();
    const dialect = (this as unknown as { dialect: PgDialect }).dialect;
    const tx = new NeonTransaction<Record<string, never>, Record<string, never>>(dialect, new NeonSession(client, dialect, undefined, this.queryLog ? { logger: this.queryLog } : {}), undefined);
    const run = (text: string) => {
      this.queryLog?.logQuery(text, []);
      return client.query(text);
    };
    let broken: Error | undefined;
    try {
      await run('begin');
      const result = await fn(tx);
      await run('commit');
      return result;
    } catch (err) {
      await run('rollback').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Points Neon's driver at a plain-WebSocket proxy (`host:port/path`, protocol of Neon's wsproxy) in
 * front of an ordinary Postgres: no TLS over the socket, no pipelined password auth (Postgres 15
 * asks for SCRAM). neonConfig is global to the driver, as the driver designs it.
 */
export function useWsProxy(proxy: string, webSocketConstructor?: unknown): void {
  if (webSocketConstructor) neonConfig.webSocketConstructor = webSocketConstructor as typeof WebSocket;
  neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.forceDisablePgSSL = true;
}
