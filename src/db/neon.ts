import { Pool, neonConfig, types, type PoolClient } from '@neondatabase/serverless';
import { NeonDatabase, NeonSession, NeonTransaction } from 'drizzle-orm/neon-serverless';
import { PgDialect, type PgTransactionConfig } from 'drizzle-orm/pg-core';
import type { Db } from './client';

/**
 * Neon's driver brings the browser `buffer` package where the platform has no Buffer (Workers
 * without nodejs_compat), and that package encodes and decodes UTF-8 in JavaScript: each string
 * the driver sends (statement texts, parameters) became an array of numbers twice, once for its
 * length and once for its bytes, and each text the database answered another array. In a workerd
 * profile that was most of a webhook's garbage. Its UTF-8 paths get the runtime's TextEncoder and
 * TextDecoder instead: the same bytes and text (lone surrogates written as U+FFFD as the package
 * writes them, a leading U+FEFF kept as it keeps it; the database only sends valid UTF-8), checked
 * against the package's own code in test/unit/neon-utf8.test.ts. Where the driver uses the
 * platform's Buffer (Node), nothing is touched. Anything else (other encodings, odd arguments)
 * goes to the package's own code.
 */
export function nativeUtf8(B: unknown): boolean {
  const shim = B as {
    byteLength?: (...a: unknown[]) => number;
    prototype?: { write?: (...a: unknown[]) => number; toString?: (...a: unknown[]) => string; [nativeUtf8Mark]?: true };
  };
  const proto = shim?.prototype;
  if (typeof shim?.byteLength !== 'function' || typeof proto?.write !== 'function' || typeof proto.toString !== 'function') return false;
  if (proto[nativeUtf8Mark]) return true;
  const byteLength = shim.byteLength;
  const write = proto.write;
  const toString = proto.toString;
  const isUtf8 = (e: unknown) => e === undefined || e === 'utf8' || e === 'utf-8';
  const index = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  shim.byteLength = function (this: unknown, string: unknown, encoding?: unknown) {
    if (typeof string === 'string' && isUtf8(encoding) && arguments.length <= 2) return utf8Length(string);
    return byteLength.apply(this, arguments as unknown as unknown[]);
  };
  proto.write = function (this: Uint8Array, string: unknown, offset?: unknown, length?: unknown, encoding?: unknown) {
    if (typeof string === 'string' && arguments.length <= 4) {
      // The package's forms: (string), (string, encoding), (string, offset[, length][, encoding]).
      let start = offset;
      let max = length;
      let enc = encoding;
      if (typeof start === 'string' && arguments.length === 2) [enc, start, max] = [start, 0, undefined];
      else if (typeof max === 'string' && arguments.length === 3) [enc, max] = [max, undefined];
      if (start === undefined && arguments.length === 1) start = 0;
      // With a length the package cuts the bytes there, mid-character if need be; the driver never
      // gives one, so that form stays the package's. Without, both write whole characters that fit.
      if (isUtf8(enc) && index(start) && (start as number) <= this.length && max === undefined) {
        return UTF8_ENCODER.encodeInto(string, new Uint8Array(this.buffer, this.byteOffset + (start as number), this.length - (start as number))).written;
      }
    }
    return write.apply(this, arguments as unknown as unknown[]);
  };
  proto.toString = function (this: Uint8Array, encoding?: unknown, start?: unknown, end?: unknown) {
    if (arguments.length <= 3 && isUtf8(encoding) && (start === undefined || index(start)) && (end === undefined || index(end))) {
      // The package's bounds: start past the end or an empty range read as ''.
      const from = (start as number | undefined) ?? 0;
      const to = end === undefined || (end as number) > this.length ? this.length : (end as number);
      if (from >= to) return '';
      // A short text (most of a row's columns) costs the package's loop less than a call into the
      // runtime and a view (measured in workerd: a list page's fifty rows decoded slower that way).
      if (to - from >= NATIVE_DECODE_FROM) return UTF8_DECODER.decode(new Uint8Array(this.buffer, this.byteOffset + from, to - from));
    }
    return toString.apply(this, arguments as unknown as unknown[]);
  };
  proto[nativeUtf8Mark] = true;
  return true;
}

const nativeUtf8Mark = Symbol('nativeUtf8');
const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
/** Bytes from which a text is decoded natively rather than by the package. */
const NATIVE_DECODE_FROM = 64;

/** UTF-8 length of a string as the encoder writes it (a lone surrogate: the 3 bytes of U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The Buffer class the driver uses: bytea's parser hands one back. */
function driverBuffer(): unknown {
  try {
    return (types.getTypeParser(17, 'text') as (v: string) => unknown)('\\x00')?.constructor;
  } catch {
    return undefined;
  }
}

{
  const B = driverBuffer();
  if (B && B !== (globalThis as { Buffer?: unknown }).Buffer) nativeUtf8(B);
}

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
  const pool = newPool(url);
  return { db: neonDrizzle(pool, opts.logQuery), close: () => pool.end() };
}

/**
 * A request's database on Workers: no connection until the first statement (or `connect`), and
 * `handOff` when the answer is sent — the request's connection closes as soon as what runs on it
 * finished, and a statement after that (work deferred past the answer) opens a connection of its
 * own, so deferred work never holds the request's connection and costs one only if it needs it.
 */
export function createRequestNeonDb(
  url: string,
  opts: { wsProxy?: string } = {},
): {
  db: Db;
  /** Starts opening the connection now, while the caller waits on something else (the store). */
  connect: () => void;
  /** The answer is sent: the connection opened so far closes once its work is done. */
  handOff: () => Promise<void>;
  /** Everything done: whatever connection is still open closes. */
  close: () => Promise<void>;
} {
  if (opts.wsProxy) useWsProxy(opts.wsProxy);
  const pools = new HandOffPool(() => newPool(url));
  return { db: neonDrizzle(pools, undefined), connect: () => pools.warm(), handOff: () => pools.handOff(), close: () => pools.handOff() };
}

function newPool(url: string): Pool {
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
  // A client the pool lets go (pool.end(), idle timeout, error) has sent Postgres its Terminate,
  // but its WebSocket stays open: the driver's socket takes write(data, encoding, callback), and
  // pg ends a connection with write(Terminate, callback), so the callback that would close the
  // socket never runs. On Workers that socket then lives as long as the invocation, waitUntil
  // work included. Closed here, after the Terminate itself has gone out (the driver sends its
  // writes on a 0 ms timer, set before this one).
  pool.on('remove', (client: unknown) => setTimeout(() => closeSocket(client), 0));
  return pool;
}

function closeSocket(client: unknown): void {
  try {
    (client as { connection?: { stream?: { end?(): void } } }).connection?.stream?.end?.();
  } catch {
    // Closed already.
  }
}

/** What the session needs of a pool: Neon's Pool, or the request's HandOffPool. */
type PoolLike = Pick<Pool, 'query' | 'connect'>;

/**
 * One dialect per isolate (or process): it holds no connection and no per-request state, only
 * how to render SQL (compiled.ts shares one the same way). Made per request, it and what it
 * allocates were garbage on every request on Workers.
 */
const dialect = new PgDialect();

function neonDrizzle(pool: PoolLike, logQuery: ((query: string) => void) | undefined): Db {
  const logger = logQuery ? { logQuery: (q: string) => logQuery(q) } : undefined;
  // What drizzle({ client: pool }) builds, with the leaner session below. No `schema`: with one,
  // drizzle builds a relational query builder per table for every transaction it opens, and
  // nothing here uses `db.query`.
  const db = new NeonDatabase(dialect, new LeanNeonSession(pool, dialect, logger), undefined) as NeonDatabase<Record<string, never>> & { $client: PoolLike };
  db.$client = pool;
  return db as unknown as Db;
}

/**
 * The request's pools, one after the other: the one made for the request until `handOff`, then
 * one made at the next statement, if any. Each is made when first used (a Pool opens no
 * connection until asked for one). A connection opened early by `warm` serves the first statement
 * or transaction; the pool would open a second one if asked while the first was still opening.
 */
class HandOffPool implements PoolLike {
  private pool: Pool | undefined;
  private early: Promise<PoolClient> | undefined;

  constructor(private readonly make: () => Pool) {}

  private current(): Pool {
    return (this.pool ??= this.make());
  }

  warm(): void {
    if (this.early || (this.pool && this.pool.totalCount > 0)) return;
    const early = this.current().connect();
    early.catch(() => {}); // its failure is the first statement's to report
    this.early = early;
  }

  connect = (async () => {
    const early = this.early;
    this.early = undefined;
    return early ?? this.current().connect();
  }) as PoolLike['connect'];

  query = ((...args: Parameters<Pool['query']>) => {
    if (!this.early) return (this.current().query as (...a: unknown[]) => unknown)(...args);
    return this.connect().then(async (client: PoolClient) => {
      try {
        const result = await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
        client.release();
        return result;
      } catch (err) {
        // As Pool.query does, except that an error Postgres answered leaves the connection usable.
        client.release(isServerError(err) ? undefined : (err as Error));
        throw err;
      }
    });
  }) as PoolLike['query'];

  handOff(): Promise<void> {
    const pool = this.pool;
    const early = this.early;
    this.pool = undefined;
    this.early = undefined;
    // An early connection nobody used (e.g. the answer came from a cache) goes back, so end() can close it.
    early?.then((c) => c.release(), () => {});
    return pool ? pool.end() : Promise.resolve();
  }
}

/** An error Postgres itself answered (it carries a severity), as opposed to a broken connection. */
const isServerError = (err: unknown) => typeof err === 'object' && err !== null && 'severity' in err;

/**
 * drizzle's Neon session with a leaner top-level transaction: BEGIN, COMMIT and ROLLBACK go to the
 * connection as plain text instead of being built and prepared through the query builder each
 * time (on the webhook path, most of what drizzle cost a delivery). Inside, the transaction is
 * drizzle's own NeonTransaction (savepoints included). Unlike drizzle's, a failed BEGIN still
 * returns the connection, and one whose ROLLBACK failed is discarded rather than reused.
 */
class LeanNeonSession extends NeonSession<Record<string, never>, Record<string, never>> {
  constructor(
    private readonly pool: PoolLike,
    dialect: PgDialect,
    private readonly queryLog: { logQuery(q: string, params: unknown[]): void } | undefined,
  ) {
    super(pool as Pool, dialect, undefined, queryLog ? { logger: queryLog } : {});
  }

  override async transaction<T>(fn: (tx: NeonTransaction<Record<string, never>, Record<string, never>>) => Promise<T>, config?: PgTransactionConfig): Promise<T> {
    const client = await this.pool.connect();
    const dialect = (this as unknown as { dialect: PgDialect }).dialect;
    const tx = new NeonTransaction<Record<string, never>, Record<string, never>>(dialect, new NeonSession(client, dialect, undefined, this.queryLog ? { logger: this.queryLog } : {}), undefined);
    const run = (text: string) => {
      this.queryLog?.logQuery(text, []);
      return client.query(text);
    };
    // Isolation levels and access modes (none of our paths ask for one today), as drizzle writes them.
    const mode = config
      ? [config.isolationLevel && ` isolation level ${config.isolationLevel}`, config.accessMode && ` ${config.accessMode}`, typeof config.deferrable === 'boolean' && (config.deferrable ? ' deferrable' : ' not deferrable')].filter(Boolean).join('')
      : '';
    let broken: Error | undefined;
    try {
      await run(`begin${mode}`);
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

/** The proxy neonConfig points at, and the function it was given (anything else set since is replaced). */
let proxied: { proxy: string; wsProxy: (host: string, port: number | string) => string } | undefined;

/**
 * Points Neon's driver at a plain-WebSocket proxy (`host:port/path`, protocol of Neon's wsproxy) in
 * front of an ordinary Postgres: no TLS over the socket, no pipelined password auth (Postgres 15
 * asks for SCRAM). neonConfig is global to the driver, as the driver designs it.
 */
export function useWsProxy(proxy: string, webSocketConstructor?: unknown): void {
  if (webSocketConstructor) neonConfig.webSocketConstructor = webSocketConstructor as typeof WebSocket;
  // Every Worker request asks again (the config comes per isolate, the pool per request): once is enough.
  if (proxied?.proxy === proxy && neonConfig.wsProxy === proxied.wsProxy) return;
  proxied = { proxy, wsProxy: (host, port) => `${proxy}?address=${host}:${port}` };
  neonConfig.wsProxy = proxied.wsProxy;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.forceDisablePgSSL = true;
}
