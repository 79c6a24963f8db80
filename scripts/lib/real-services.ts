/**
 * The machine's real PostgreSQL and Redis behind the production clients, for benchmarks and
 * scripts: the Neon WebSocket proxy, the Upstash REST bridge, and a throwaway database.
 */
import { Pool } from '@neondatabase/serverless';
import ws from 'ws';
import { useWsProxy } from '../../src/db/neon';
import { startWsProxy } from '../ws-proxy';
import { startUpstashBridge } from '../upstash-bridge';

export async function startRealServices(opts: { pgUrl?: string; redisHost?: string; redisPort?: number } = {}) {
  const adminUrl = opts.pgUrl ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const proxy = await startWsProxy();
  const token = `bench-${crypto.randomUUID()}`;
  const bridge = await startUpstashBridge({ token, redisHost: opts.redisHost ?? '127.0.0.1', redisPort: opts.redisPort ?? 6379 });

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
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  return {
    env: {
      DATABASE_URL: dbUrl.toString(),
      NEON_WS_PROXY: proxy.proxy,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: token,
    },
    async close() {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await bridge.close();
      await proxy.close();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
