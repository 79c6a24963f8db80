/**
 * Postgres errors reach us wrapped (drizzle's DrizzleQueryError around the driver's error), so
 * the SQLSTATE is looked for along the `cause` chain.
 */
export const PG = {
  UNIQUE_VIOLATION: '23505',
  EXCLUSION_VIOLATION: '23P01',
  CHECK_VIOLATION: '23514',
  /** Ours (drizzle/0012): a booking into a calendar's blocked time; DETAIL carries the block as JSON. */
  SLOT_BLOCKED: 'CB409',
} as const;

/** The DETAIL of the Postgres error along the cause chain (where our triggers put data). */
export function pgErrorDetail(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const rec = e as { code?: unknown; detail?: unknown; cause?: unknown };
    if (typeof rec.code === 'string' && /^[0-9A-Z]{5}$/.test(rec.code)) return typeof rec.detail === 'string' ? rec.detail : undefined;
    e = rec.cause;
  }
  return undefined;
}

export function pgErrorInfo(error: unknown): { code?: string; constraint?: string } {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const rec = e as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof rec.code === 'string' && /^[0-9A-Z]{5}$/.test(rec.code)) {
      return { code: rec.code, constraint: typeof rec.constraint === 'string' ? rec.constraint : undefined };
    }
    e = rec.cause;
  }
  return {};
}

export function isPgError(error: unknown, code: string, constraint?: string): boolean {
  const info = pgErrorInfo(error);
  return info.code === code && (constraint === undefined || info.constraint === constraint);
}

/**
 * A write Postgres refused because of the data itself (class 22 "data exception": bad text, a
 * value out of range; class 23 "integrity constraint": a CHECK): sending it again cannot help.
 * Exclusion and unique violations are left out: callers treat those as conflicts and races.
 */
export function isPermanentDataError(error: unknown): boolean {
  const { code } = pgErrorInfo(error);
  if (!code) return false;
  if (code === PG.EXCLUSION_VIOLATION || code === PG.UNIQUE_VIOLATION) return false;
  return code.startsWith('22') || code.startsWith('23');
}

/**
 * A write that lost to a concurrent one: a serialization failure or deadlock (class 40). The
 * transaction was rolled back, so the same request again will most likely pass.
 */
export function isWriteConflict(error: unknown): boolean {
  return pgErrorInfo(error).code?.startsWith('40') ?? false;
}

const CONNECTION_TROUBLE = /connection terminated|connection error|ECONNREFUSED|ECONNRESET|EPIPE|socket|websocket|timeout|timed out|no answer within|Cannot use a pool after calling end|terminating connection|PGlite is closed/i;

/**
 * The database cannot be reached right now (as opposed to refusing a statement): a connection
 * SQLSTATE (08, 57, 53), or a driver/network error along the cause chain. Callers answer 503/429
 * with Retry-After instead of a 500.
 */
export function isDbUnavailable(error: unknown): boolean {
  const { code } = pgErrorInfo(error);
  if (code) return ['08', '53', '57'].some((cls) => code.startsWith(cls));
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const rec = e as { name?: unknown; message?: unknown; cause?: unknown };
    if (rec.name === 'TimeoutError' || (typeof rec.message === 'string' && CONNECTION_TROUBLE.test(rec.message))) return true;
    e = rec.cause;
  }
  return false;
}

/**
 * An error's words fit for a record that people read (a sync run's error, shown by the admin
 * routes): a database error by its SQLSTATE only — a driver's message quotes the SQL, and drizzle's
 * "Failed query: …" the whole statement with its parameters. The full error goes to the log.
 */
export function recordableMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const { code } = pgErrorInfo(err);
  if (code) return `database error (SQLSTATE ${code})`;
  if (/Failed query:|\b(select|insert into|update|delete from)\b[\s\S]*\b(from|values|set|where)\b/i.test(msg)) return 'database error';
  return msg;
}
