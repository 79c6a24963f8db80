import type { Deps } from '../deps';
import { jobUrl } from '../queue/job-queue';
import { findConnection } from '../ghl/connections-repo';
import { pushCita, type PushOutcome } from './outbound';
import { pushBlock } from './block-push';

/**
 * A push that failed for a reason time fixes (a run of 429s, a 5xx, a timeout, an open circuit,
 * the store down) is tried again in minutes, not at the next hourly sweep: a delayed queue message
 * to /api/jobs/push (QStash when deployed, the local queue under `npm start`), de-duplicated per
 * cita and hop, so a redelivered message or two racing pushes schedule one retry, not two.
 * Counted attempts still end in `sync_failed` after SYNC_MAX_ATTEMPTS (outbound.ts); after
 * PUSH_RETRY_MAX hops the hourly sweep takes over. Without a queue (none configured) the sweep does.
 */

export const PUSH_JOB_PATH = '/api/jobs/push';

/** A cita's push, or a block's (blocks/block-push.ts): the same retries. */
export type PushJob = ({ cita_id: string; block_id?: undefined } | { block_id: string; cita_id?: undefined }) & {
  /** Retries already scheduled for this push (0 for the first). */
  hop: number;
};

export async function pushWithRetries(deps: Deps, job: PushJob, pushUrl: string | null): Promise<{ outcome: PushOutcome; retry_in_s: number | null }> {
  const subject = job.block_id !== undefined ? { block_id: job.block_id } : { cita_id: job.cita_id };
  const id = job.block_id ?? job.cita_id;
  const outcome = job.block_id !== undefined ? await pushBlock(deps, job.block_id) : await pushCita(deps, job.cita_id);
  if (outcome !== 'retry' && outcome !== 'busy') return { outcome, retry_in_s: null };
  // busy: another push holds it; it may be the one that fails. A late look costs little.
  if (!deps.queue || !pushUrl || job.hop >= deps.config.PUSH_RETRY_MAX) {
    if (outcome === 'retry') deps.logger.info('push retry left to the sweep', { ...subject, hop: job.hop, queue: Boolean(deps.queue && pushUrl) });
    return { outcome, retry_in_s: null };
  }
  const delay = retryDelaySeconds(deps.config.PUSH_RETRY_DELAYS_S, job.hop, Math.random);
  const next = { ...subject, hop: job.hop + 1 } as PushJob;
  try {
    await deps.queue.publish({ url: pushUrl, body: next, delaySeconds: delay, deduplicationId: `push-${id}-${next.hop}`, retries: 3 });
  } catch (err) {
    // It stays pending_sync: the hourly sweep still pushes it.
    deps.logger.warn('push retry not scheduled: the queue refused it', { ...subject, hop: next.hop, err });
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

/** The push of a block after an API write: as pushAfterWrite, for blocks/block-push.ts. */
export async function pushBlockAfterWrite(deps: Deps, blockId: string, pushUrl: string | null, connected: boolean) {
  if (!connected) return { outcome: 'deferred' as const, retry_in_s: null };
  return pushWithRetries(deps, { block_id: blockId, hop: 0 }, pushUrl);
}
