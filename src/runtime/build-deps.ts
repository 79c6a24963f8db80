import type { AppConfig } from '../config/config';
import type { Db } from '../db/client';
import type { GhlServices } from '../ghl/services';
import type { Logger } from '../observability/logger';
import { storeMetrics, type Metrics } from '../observability/metrics';
import type { KvStore } from '../store/kv-store';
import { WriteBehind } from '../store/write-behind';
import type { Clock } from '../lib/clock';
import type { Deps } from '../deps';
import type { PlatformDeps } from '../platform';
import { qstashQueue, type JobQueue } from '../queue/job-queue';

export type GhlFactory = (platform: PlatformDeps & { fetch: typeof fetch; sleep?: (ms: number) => Promise<void> }) => GhlServices;

/**
 * A function that never talks to GHL (the webhooks Worker) is built without the GHL client, so its
 * bundle does not carry it; reaching for it anyway is a bug, said plainly.
 */
export const noGhl: GhlFactory = () =>
  new Proxy({} as GhlServices, {
    get(_t, prop) {
      throw new Error(`this function has no GHL client (deps.ghl.${String(prop)}): it does not talk to GHL`);
    },
  });

/** The per-process (per-isolate) parts that outlive a request: the write-behind buffer and the metrics on it. */
export function processParts(store: KvStore, logger: Logger, config: Pick<AppConfig, 'WRITE_BEHIND_MS'>): { writeBehind: WriteBehind; metrics: Metrics } {
  const writeBehind = new WriteBehind(store, {
    intervalMs: config.WRITE_BEHIND_MS,
    onError: (err) => logger.warn('counts not written yet: the store is unavailable (kept for the next try)', { err }),
  });
  return { writeBehind, metrics: storeMetrics(store, writeBehind) };
}

const noop = () => {};

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
  ghl: GhlFactory;
  /** Kept across requests by the caller (Workers: per isolate); made here when not given. */
  process?: { writeBehind: WriteBehind; metrics: Metrics };
  /** Opens the database connection ahead of the first statement (Workers' per-request connection). */
  connectDb?: () => void;
  /** Overrides the queue (local queue under npm start and in tests). */
  queue?: JobQueue | null;
}): Deps {
  const { writeBehind, metrics } = parts.process ?? processParts(parts.store, parts.logger, parts.config);
  const platform: PlatformDeps = { config: parts.config, db: parts.db, store: parts.store, clock: parts.clock, logger: parts.logger, metrics, writeBehind, connectDb: parts.connectDb ?? noop };
  const ghl = parts.ghl({ ...platform, fetch: parts.fetch, sleep: parts.sleep });
  const queue =
    parts.queue !== undefined
      ? parts.queue
      : parts.config.QSTASH_TOKEN
        ? qstashQueue({ token: parts.config.QSTASH_TOKEN, baseUrl: parts.config.QSTASH_URL })
        : null;
  return { ...platform, ghl, queue };
}
