import { defineConfig } from 'vitest/config';

/**
 * `npm run test:services`: the suites that touch storage, against the real PostgreSQL and Redis of
 * this machine, reached through the production clients (Neon's driver via scripts/ws-proxy.ts,
 * @upstash/redis via scripts/upstash-bridge.ts), plus the Worker bundle booted in Miniflare.
 * The global setup fails the run loudly when either server is unreachable.
 */
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts', 'test/**/*.services.test.ts', 'test/edge/**/*.test.ts'],
    globalSetup: ['test/support/services-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
