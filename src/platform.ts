import type { AppConfig } from './config/config';
import type { Db } from './db/client';
import type { Clock } from './lib/clock';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import type { KvStore } from './store/kv-store';
import type { WriteBehind } from './store/write-behind';

/**
 * The ports every layer may be handed: configuration, the database, the key-value store (and its
 * write-behind buffer), the clock, the logger and the metrics. The GHL adapter is built from these; `Deps` (src/deps.ts)
 * adds what is built on top of them.
 */
export interface PlatformDeps {
  config: AppConfig;
  db: Db;
  store: KvStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Store writes that can wait a moment (counts, rate-limit windows), flushed after responses. */
  writeBehind: WriteBehind;
  /**
   * Starts opening the database connection now, so that it overlaps what the caller waits on
   * next (a store call): Workers open one per request. Nothing where connections stay open (Node).
   */
  connectDb(): void;
}
