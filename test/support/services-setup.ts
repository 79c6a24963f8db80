/**
 * Global setup of the services run: starts the two local bridges in front of the machine's real
 * servers and hands their addresses to the tests. No fallback: unreachable servers fail the run.
 */
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import { startWsProxy } from '../../scripts/ws-proxy';
import { startUpstashBridge } from '../../scripts/upstash-bridge';

const PG_HOST = process.env.TEST_PG_HOST ?? '127.0.0.1';
const PG_PORT = Number(process.env.TEST_PG_PORT ?? 5432);
const PG_USER = process.env.TEST_PG_USER ?? 'postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, timeout: 3000 });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error('timed out'));
    });
    s.once('error', reject);
  });
}

export default async function setup(project: TestProject) {
  const redis = new URL(REDIS_URL);
  const problems: string[] = [];
  await reachable(PG_HOST, PG_PORT).catch((e) => problems.push(`PostgreSQL at ${PG_HOST}:${PG_PORT}: ${e.message}`));
  await reachable(redis.hostname, Number(redis.port || 6379)).catch((e) => problems.push(`Redis at ${REDIS_URL}: ${e.message}`));
  if (problems.length) {
    throw new Error(`test:services needs the real servers, and these are unreachable:\n  ${problems.join('\n  ')}`);
  }

  const proxy = await startWsProxy();
  const token = `test-${crypto.randomUUID()}`;
  const bridge = await startUpstashBridge({
    token,
    redisHost: redis.hostname,
    redisPort: Number(redis.port || 6379),
  });
  project.provide('services', {
    pgAdminUrl: `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/postgres`,
    wsProxy: proxy.proxy,
    redisRestUrl: bridge.url,
    redisRestToken: token,
  });
  return async () => {
    await bridge.close();
    await proxy.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: { pgAdminUrl: string; wsProxy: string; redisRestUrl: string; redisRestToken: string } | undefined;
  }
}
