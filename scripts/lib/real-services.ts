/**
 * The machine's real PostgreSQL and Redis behind the production clients, for benchmarks and
 * scripts: the Neon WebSocket proxy, the Upstash REST bridge, and a throwaway database.
 *
 * `redis: 'private'` starts a redis-server of our own (scripts/lib/private-redis.ts) behind the
 * bridge instead of the machine's 127.0.0.1:6379, so every command it counts is ours.
 */
import { Pool } from '@neondatabase/serverless';
import ws from 'ws';
import { useWsProxy } from '../../src/db/neon';
import { startWsProxy } from '../ws-proxy';
import { startUpstashBridge } from '../upstash-bridge';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

export interface RealServicesOptions {
  pgUrl?: string;
  /** 'shared' (default): the Redis at redisHost:redisPort (127.0.0.1:6379); 'private': a redis-server of our own. */
  redis?: 'shared' | 'private';
  redisHost?: string;
  redisPort?: number;
}

export async function startRealServices(opts: RealServicesOptions = {}) {
  const adminUrl = opts.pgUrl ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    const proxy = await startWsProxy();
    closers.push(() => proxy.close());
    let redis: PrivateRedis | null = null;
    if (opts.redis === 'private') {
      const r = await startPrivateRedis();
      redis = r;
      closers.push(() => r.close());
    }
    const token = `bench-${crypto.randomUUID()}`;
    const bridge = await startUpstashBridge({
      token,
      redisHost: redis ? redis.host : (opts.redisHost ?? '127.0.0.1'),
      redisPort: redis ? redis.port : (opts.redisPort ?? 6379),
    });
    closers.push(() => bridge.close());

    useWsProxy(proxy.proxy, ws);
    const admin = async (sql: string) => {
      const pool = new Pool({ connectionString: adminUrl, max: 1 });
      try {
        await pool.query(sql);
      } finally {
        await pool.end();
      }
    };
    const name = `citas_bench_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await admin(`CREATE DATABASE ${name}`);
    closers.push(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${name}`;
    return {
      env: {
        DATABASE_URL: dbUrl.toString(),
        NEON_WS_PROXY: proxy.proxy,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: token,
      },
      databaseName: name,
      /** The private redis-server, when asked for (null when the bridge fronts a shared Redis). */
      redis,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
