import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the agenda page in Debian's Chromium (playwright-core) against the
 * service started as `npm start` runs it (test/browser/support/global-setup.ts). One file at a
 * time: they share that service, and the machine's cores. Screenshots: artifacts/screenshots/.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.spec.ts'],
    globalSetup: ['test/browser/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
