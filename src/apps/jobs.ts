import type { DepsProvider } from '../runtime/provider';
import { jobRoutes } from '../routes/jobs';
import contract from '../contract/jobs.openapi.json';
import { createBaseApp, withContract } from './base';

/** The scheduled sync jobs (QStash-signed), as their own function. */
export function createJobsApp(provider: DepsProvider) {
  return withContract(createBaseApp(provider).route('/api/jobs', jobRoutes), contract);
}

export type JobsApp = ReturnType<typeof createJobsApp>;
