/** How far back a backfill reads: its own module, so the job script reads it without the sync's code. */
export const BACKFILL_DEFAULT_DAYS = 90;
export const BACKFILL_MAX_DAYS = 366;
