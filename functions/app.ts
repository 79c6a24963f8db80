// All routes in one Worker. Deployed with `wrangler deploy` (top-level config in wrangler.toml).
import { createFullApp } from '../src/apps/full';
import { workerProvider } from '../src/runtime/worker-provider';
import { createGhlServices } from '../src/ghl/services';

export default createFullApp(workerProvider({ ghl: createGhlServices }));
