/** Deps for Node (dev server, scripts, tests), from the same validated config as Workers. */
import type { AppConfig } from '../../src/config/config';
import { createLogger, type Logger } from '../../src/observability/logger';
import { systemClock, type Clock } from '../../src/lib/clock';
import type { Deps } from '../../src/deps';
import { buildDeps } from '../../src/runtime/build-deps';
import { createGhlServices } from '../../src/ghl/services';
import type { KvStore } from '../../src/store/kv-store';
import { MemoryStore } from '../../src/store/memory-store';
import { UpstashStore, createUpstashRedis } from '../../src/store/upstash-store';
import { openDatabase, type OpenedDb } from './node-db';

export function openStore(config: AppConfig, prefix?: string): { store: KvStore; describe: string } {
  if (config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN) {
    const redis = createUpstashRedis({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN });
    return { store: new UpstashStore(redis, { prefix }), describe: `Upstash Redis at ${config.UPSTASH_REDIS_REST_URL}` };
  }
  return { store: new MemoryStore({ prefix }), describe: 'in-memory store' };
}

export async function createNodeDeps(
  config: AppConfig,
  opts: { logger?: Logger; clock?: Clock; storePrefix?: string; migrate?: boolean; fetch?: typeof fetch; sleep?: (ms: number) => Promise<void>; queue?: import('../../src/queue/job-queue').JobQueue | null; logQuery?: (query: string) => void } = {},
): Promise<{ deps: Deps; database: OpenedDb; storeDescription: string; close(): Promise<void> }> {
  const database = await openDatabase(config, { logQuery: opts.logQuery, migrated: opts.migrate });
  if (opts.migrate) await database.migrate();
  const { store, describe } = openStore(config, opts.storePrefix);
  const deps: Deps = buildDeps({
    config,
    db: database.db,
    store,
    clock: opts.clock ?? systemClock,
    logger: opts.logger ?? createLogger({ level: config.LOG_LEVEL }),
    fetch: opts.fetch ?? globalThis.fetch,
    ghl: createGhlServices,
    sleep: opts.sleep,
    queue: opts.queue,
  });
  return { deps, database, storeDescription: describe, close: () => database.close() };
}
