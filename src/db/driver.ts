import type { DbOrTx } from './client';
import { sha256, toHex } from '../lib/hex';

export interface DriverClient {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** How many distinct texts get a prepared statement (and a compact text); past it, statements run unnamed as written (a bound, not a cache). */
const MAX_NAMED = 256;
const prepared = new Map<string, { name: string; text: string }>();

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
    const p = preparedOf(text);
    if (!p) return this.client.query(text, params);
    return this.named ? this.client.query({ name: p.name, text: p.text, values: params }) : this.client.query(p.text, params);
  }
}

function preparedOf(text: string): { name: string; text: string } | undefined {
  let p = prepared.get(text);
  if (p === undefined && prepared.size < MAX_NAMED) {
    p = { name: `cs_${toHex(sha256(text).slice(0, 8))}`, text: compactSql(text) };
    prepared.set(text, p);
  }
  return p;
}

/**
 * A statement's text as short as Postgres reads it the same: whitespace runs made one space (none
 * beside a parenthesis or comma) and quotes dropped from identifiers that need none. On Workers
 * every request opens a new connection and sends each text in full, and Neon's driver encodes
 * text to UTF-8 in JavaScript, byte by byte (its Buffer shim): the texts were half of what a
 * webhook sent the database. Quotes stay on any identifier without an underscore (every keyword
 * but a few has none) and on those few (current_user, json_table, …): an unquoted keyword would
 * change what the statement means. A text with comments, dollar quoting or escape strings is
 * sent as written.
 */
export function compactSql(text: string): string {
  if (/--|\/\*|\$\$|\b[eE]'/.test(text)) return text;
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      pendingSpace = out.length > 0;
      i++;
      continue;
    }
    let token: string;
    if (c === "'" || c === '"') {
      // A literal or quoted identifier, to its closing quote (a doubled quote is one inside it).
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return text; // unterminated: not ours to rewrite
        if (text[j] === c) {
          if (text[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      token = text.slice(i, j + 1);
      if (c === '"' && PLAIN_IDENTIFIER.test(token.slice(1, -1)) && !KEYWORD_LIKE.test(token.slice(1, -1))) token = token.slice(1, -1);
      i = j + 1;
    } else {
      token = c;
      i++;
    }
    if (pendingSpace && !TIGHT.has(out[out.length - 1]!) && !TIGHT.has(token[0]!)) out += ' ';
    pendingSpace = false;
    out += token;
  }
  return out;
}

/** Characters no space is needed beside: none of them joins another into one token. */
const TIGHT = new Set(['(', ')', ',']);
/** Lower case, with an underscore: no keyword of Postgres looks like that but those below. */
const PLAIN_IDENTIFIER = /^[a-z][a-z0-9]*_[a-z0-9_]*$/;
/** Keywords with an underscore (current_user, session_user, system_user, json_table, …), and any a later Postgres may add in these families. */
const KEYWORD_LIKE = /^(current|session|system|json|xml|merge)_/;

/** A boolean as a driver hands it back from a raw statement: PGlite and Neon give `true`, text protocols `'t'`. */
export function driverBool(value: unknown): boolean {
  return value === true || value === 't';
}

/** A timestamp as a driver hands it back from a raw statement (a Date, or its text), null kept. */
export function driverDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value));
}
