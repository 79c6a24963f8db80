import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
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
  // No `schema`: with one, drizzle builds a relational query builder per table for every
  // transaction it opens, and nothing here uses `db.query`.
  const db = drizzle({ client: pool, ...(logger ? { logger } : {}) }) as unknown as Db;
  return { db, close: () => pool.end() };
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
