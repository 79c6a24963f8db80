// All routes in one Worker. Deployed with `wrangler deploy` (top-level config in wrangler.toml).
import { createFullApp } from '../src/app';
import { workerProvider } from '../src/runtime/worker-provider';

export default createFullApp(workerProvider());
