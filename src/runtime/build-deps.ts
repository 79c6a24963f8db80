import type { AppConfig } from '../config/config';
import type { Db } from '../db/client';
import { createGhlServices } from '../ghl/services';
import type { Logger } from '../observability/logger';
import { storeMetrics } from '../observability/metrics';
import type { KvStore } from '../store/kv-store';
import type { Clock } from '../lib/clock';
import type { Deps } from '../deps';
import { qstashQueue, type JobQueue } from '../queue/job-queue';

/** The one place the deps graph is wired, for Workers, Node and tests alike. */
export function buildDeps(parts: {
  config: AppConfig;
  db: Db;
  store: KvStore;
  clock: Clock;
  logger: Logger;
  /** How GHL is reached: global fetch, or the sandbox's in-process fetch in tests. */
  fetch: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Overrides the queue (local queue under npm start and in tests). */
  queue?: JobQueue | null;
}): Deps {
  const metrics = storeMetrics(parts.store, (err) => parts.logger.warn('metrics not recorded: the store is unavailable', { err }));
  const ghl = createGhlServices({ ...parts, metrics });
  const queue =
    parts.queue !== undefined
      ? parts.queue
      : parts.config.QSTASH_TOKEN
        ? qstashQueue({ token: parts.config.QSTASH_TOKEN, baseUrl: parts.config.QSTASH_URL })
        : null;
  return { config: parts.config, db: parts.db, store: parts.store, clock: parts.clock, logger: parts.logger, metrics, ghl, queue };
}
