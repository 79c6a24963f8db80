import type { Deps } from '../deps';
import { jobUrl } from '../queue/job-queue';
import { findConnection } from '../ghl/connections-repo';
import { pushCita, type PushOutcome } from './outbound';

/**
 * A push that failed for a reason time fixes (a run of 429s, a 5xx, a timeout, an open circuit,
 * the store down) is tried again in minutes, not at the next hourly sweep: a delayed queue message
 * to /api/jobs/push (QStash when deployed, the local queue under `npm start`), de-duplicated per
 * cita and hop, so a redelivered message or two racing pushes schedule one retry, not two.
 * Counted attempts still end in `sync_failed` after SYNC_MAX_ATTEMPTS (outbound.ts); after
 * PUSH_RETRY_MAX hops the hourly sweep takes over. Without a queue (none configured) the sweep does.
 */

export const PUSH_JOB_PATH = '/api/jobs/push';

export interface PushJob {
  cita_id: string;
  /** Retries already scheduled for this push (0 for the first). */
  hop: number;
}

export async function pushWithRetries(deps: Deps, job: PushJob, pushUrl: string | null): Promise<{ outcome: PushOutcome; retry_in_s: number | null }> {
  const outcome = await pushCita(deps, job.cita_id);
  if (outcome !== 'retry' && outcome !== 'busy') return { outcome, retry_in_s: null };
  // busy: another push holds the cita; it may be the one that fails. A late look costs little.
  if (!deps.queue || !pushUrl || job.hop >= deps.config.PUSH_RETRY_MAX) {
    if (outcome === 'retry') deps.logger.info('push retry left to the sweep', { cita_id: job.cita_id, hop: job.hop, queue: Boolean(deps.queue && pushUrl) });
    return { outcome, retry_in_s: null };
  }
  const delay = retryDelaySeconds(deps.config.PUSH_RETRY_DELAYS_S, job.hop, Math.random);
  const next: PushJob = { cita_id: job.cita_id, hop: job.hop + 1 };
  try {
    await deps.queue.publish({ url: pushUrl, body: next, delaySeconds: delay, deduplicationId: `push-${job.cita_id}-${next.hop}`, retries: 3 });
  } catch (err) {
    // The cita stays pending_sync: the hourly sweep still pushes it.
    deps.logger.warn('push retry not scheduled: the queue refused it', { cita_id: job.cita_id, hop: next.hop, err });
    return { outcome, retry_in_s: null };
  }
  return { outcome, retry_in_s: delay };
}

/** The delay before retry number `hop` (0-based): the configured step (the last repeats) ±20%. */
export function retryDelaySeconds(steps: readonly number[], hop: number, random: () => number): number {
  const base = steps[Math.min(hop, steps.length - 1)] ?? 60;
  return Math.round(base * (0.8 + 0.4 * random()) * 1000) / 1000;
}

/**
 * The push after an API write, when it can go anywhere: a location that is not connected (yet)
 * costs one read here (none when the write already read it: `connected`) and nothing at GHL or in
 * the store; its citas wait, pending, for the connection (which pushes them) or the sweep.
 */
export async function pushAfterWrite(deps: Deps, citaId: string, locationId: string, pushUrl: string | null, connected?: boolean) {
  const active = connected ?? (await findConnection(deps.db, locationId))?.status === 'active';
  if (!active) return { outcome: 'deferred' as const, retry_in_s: null };
  return pushWithRetries(deps, { cita_id: citaId, hop: 0 }, pushUrl);
}

/** Where the queue delivers push retries: the jobs function (JOBS_BASE_URL, else this service's public URL or origin). */
export function pushJobUrl(config: Deps['config'], requestUrl: string): string {
  return jobUrl(config, requestUrl, PUSH_JOB_PATH);
}
