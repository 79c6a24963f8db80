// The scheduled sync jobs, called by QStash (incremental, full, cleanup). `wrangler deploy --env jobs`.
import { createJobsApp } from '../src/app';
import { workerProvider } from '../src/runtime/worker-provider';

export default createJobsApp(workerProvider());
