import { ConfigError, loadConfig, type AppConfig } from '../config/config';
import { createRequestNeonDb } from '../db/neon';
import { createLogger, type Logger } from '../observability/logger';
import { analyticsMetrics, isAnalyticsDataset, type AnalyticsDataset } from '../observability/analytics-metrics';
import { MemoryStore } from '../store/memory-store';
import { UpstashStore, createUpstashRedis } from '../store/upstash-store';
import type { KvStore } from '../store/kv-store';
import { systemClock } from '../lib/clock';
import type { DepsProvider } from './provider';
import { buildDeps, processParts, type GhlFactory } from './build-deps';

/**
 * Deps on Cloudflare Workers, built from the bindings. Config, logger and store are kept per
 * isolate; the Neon pool is per request because Workers forbid I/O objects crossing requests, and
 * its connection goes back when the answer is sent (deferred work opens its own if it needs one).
 * Metrics go to Workers Analytics Engine when the `METRICS` binding is there (wrangler.toml):
 * no store command per request for them; without it, to the store like Node's.
 */
export function workerProvider(opts: { ghl: GhlFactory }): DepsProvider {
  let cache:
    | { env: unknown; config: AppConfig; logger: Logger; store: KvStore; process: ReturnType<typeof processParts>; dataset: AnalyticsDataset | null }
    | undefined;

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
    const metrics = (env as { METRICS?: unknown } | undefined)?.METRICS;
    const dataset = isAnalyticsDataset(metrics) ? metrics : null;
    if (!dataset) logger.warn('no METRICS binding (Analytics Engine): metrics are counted in the store');
    // Counts and rate-limit windows live as long as the isolate, flushed after its responses.
    cache = { env, config, logger, store, process: processParts(store, logger, config), dataset };
    return cache;
  };

  return {
    async acquire(env) {
      const { config, logger, store, process, dataset } = isolateState(env);
      const { db, connect, handOff, close } = createRequestNeonDb(config.DATABASE_URL!, { wsProxy: config.NEON_WS_PROXY });
      // Per request: Analytics Engine takes a bounded number of data points per invocation.
      const metrics = dataset
        ? analyticsMetrics(dataset, process.metrics, (err, dropped) => logger.warn('metrics not recorded: Analytics Engine refused data points', { err, dropped }))
        : null;
      const deps = buildDeps({
        config, db, store, logger, clock: systemClock, connectDb: connect, ghl: opts.ghl,
        process: metrics ? { writeBehind: process.writeBehind, metrics } : process,
        // Bound: workerd's fetch must be called with the global as `this`.
        fetch: fetch.bind(globalThis),
      });
      return {
        deps,
        answered: handOff,
        release: async () => {
          metrics?.finish();
          await close();
        },
      };
    },
  };
}
