import { ConfigError, loadConfig, type AppConfig } from '../config/config';
import { createNeonDb } from '../db/neon';
import { createLogger, type Logger } from '../observability/logger';
import { MemoryStore } from '../store/memory-store';
import { UpstashStore, createUpstashRedis } from '../store/upstash-store';
import type { KvStore } from '../store/kv-store';
import { systemClock } from '../lib/clock';
import type { DepsProvider } from './provider';
import { buildDeps, processParts, type GhlFactory } from './build-deps';

/**
 * Deps on Cloudflare Workers, built from the bindings. Config, logger and store are kept per
 * isolate; the Neon pool is per request because Workers forbid I/O objects crossing requests.
 */
export function workerProvider(opts: { ghl: GhlFactory }): DepsProvider {
  let cache: { env: unknown; config: AppConfig; logger: Logger; store: KvStore; process: ReturnType<typeof processParts> } | undefined;

  const isolateState = (env: unknown) => {
    if (cache && cache.env === env) return cache;
    const config = loadConfig((env ?? {}) as Record<string, unknown>);
    if (!config.DATABASE_URL || config.DATABASE_URL === 'memory://') {
      // PGlite cannot run inside workerd (see stack notes), so a Worker needs a real Postgres.
      throw new ConfigError([{ variable: 'DATABASE_URL', message: 'a postgres:// URL is required on Workers' }]);
    }
    const logger = createLogger({ level: config.LOG_LEVEL });
    const store = config.UPSTASH_REDIS_REST_URL
      ? new UpstashStore(createUpstashRedis({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN! }))
      : new MemoryStore();
    if (!config.UPSTASH_REDIS_REST_URL) {
      logger.warn('no UPSTASH_REDIS_REST_URL: using a per-isolate memory store (limits and locks are not shared)');
    }
    // Counts and rate-limit windows live as long as the isolate, flushed after its responses.
    cache = { env, config, logger, store, process: processParts(store, logger, config) };
    return cache;
  };

  return {
    async acquire(env) {
      const { config, logger, store, process } = isolateState(env);
      const { db, close } = createNeonDb(config.DATABASE_URL!, { wsProxy: config.NEON_WS_PROXY });
      // Bound: workerd's fetch must be called with the global as `this`.
      const deps = buildDeps({ config, db, store, logger, process, clock: systemClock, fetch: fetch.bind(globalThis), ghl: opts.ghl });
      return { deps, release: close };
    },
  };
}
