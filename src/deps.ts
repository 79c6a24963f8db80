import type { GhlServices } from './ghl/services';
import type { PlatformDeps } from './platform';
import type { JobQueue } from './queue/job-queue';

/**
 * Everything a use case may touch outside pure code. Passed in, never imported as a global: that
 * is how one code base runs on Workers, on Node and in tests. Wired in src/runtime/build-deps.ts.
 */
export interface Deps extends PlatformDeps {
  ghl: GhlServices;
  /** Fan-out of scheduled jobs; none → each location runs inline, one after another. */
  queue: JobQueue | null;
}
