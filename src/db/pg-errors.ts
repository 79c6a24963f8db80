/**
 * Postgres errors reach us wrapped (drizzle's DrizzleQueryError around the driver's error), so
 * the SQLSTATE is looked for along the `cause` chain.
 */
export const PG = {
  UNIQUE_VIOLATION: '23505',
  EXCLUSION_VIOLATION: '23P01',
  CHECK_VIOLATION: '23514',
} as const;

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
