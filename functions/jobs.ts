// The scheduled sync jobs, called by QStash (incremental, full, cleanup). `wrangler deploy --env jobs`.
import { createJobsApp } from '../src/apps/jobs';
import { workerProvider } from '../src/runtime/worker-provider';
import { createGhlServices } from '../src/ghl/services';

export default createJobsApp(workerProvider({ ghl: createGhlServices }));
