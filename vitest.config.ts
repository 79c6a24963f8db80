import { defineConfig } from 'vitest/config';

/**
 * `npm test`: everything on the embedded defaults (PGlite in memory, in-memory store): what a
 * fresh machine has. Suites that need real servers are named *.services.test.ts or live in
 * test/edge/ and run under `npm run test:services` (vitest.services.config.ts).
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.services.test.ts', 'test/edge/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default leaves a core idle (CPUs - 1): on this 2-core machine that ran one file at a
    // time. Files spend much of their time waiting on PGlite, Postgres or timers, so two overlap well.
    maxWorkers: 2,
  },
});
