import type { AppConfig } from '../config/config';
import type { Db } from '../db/client';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { GhlServices } from '../ghl/services';
import type { JobQueue } from '../jobs/queue';
import type { KvStore } from '../store/kv-store';
import type { Clock } from './clock';

/** Everything a handler may touch outside pure code. Passed in, never imported as a global. */
export interface Deps {
  config: AppConfig;
  db: Db;
  store: KvStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  ghl: GhlServices;
  /** Fan-out of scheduled jobs; none → each location runs inline, one after another. */
  queue: JobQueue | null;
}

/** Deps for one request, and how to give them back (Workers: end the request's DB pool). */
export interface Lease {
  deps: Deps;
  release(): Promise<void>;
}

/**
 * How each runtime supplies deps: Node keeps one set for the process; Workers build a fresh
 * DB pool per request from the bindings (`env`).
 */
export interface DepsProvider {
  acquire(env: unknown): Promise<Lease>;
}

/** Node and tests: the same deps for every request. */
export function sharedDeps(deps: Deps): DepsProvider {
  const lease: Lease = { deps, release: async () => {} };
  return { acquire: async () => lease };
}
