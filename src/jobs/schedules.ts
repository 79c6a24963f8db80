/**
 * The three schedules, with fixed ids so registering them again is an update, not a duplicate.
 * QStash evaluates crons in UTC; CRON_TZ makes them Lima's hours.
 */
export const SCHEDULES = [
  { id: 'citas-sync-incremental', path: '/api/jobs/sync/incremental', cron: 'CRON_TZ=America/Lima 7 * * * *', what: 'hourly: now → +14 days' },
  { id: 'citas-sync-full', path: '/api/jobs/sync/full', cron: 'CRON_TZ=America/Lima 30 3 * * *', what: 'daily 03:30: now → +3 months' },
  { id: 'citas-sync-cleanup', path: '/api/jobs/cleanup', cron: 'CRON_TZ=America/Lima 0 4 * * 0', what: 'Sundays 04:00: verify, retry failed, prune' },
] as const;
