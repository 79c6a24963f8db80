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
    // vitest's default leaves a core idle (CPUs - 1): on this 2-core machine that ran one file at a
    // time. Files spend much of their time waiting on PGlite, Postgres or timers, so two overlap well.
    maxWorkers: 2,
  },
});
