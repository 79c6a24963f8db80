// The citas function: RV3's CRUD of citas and location settings. `wrangler deploy --env citas`.
import { createCitasApp } from '../src/app';
import { workerProvider } from '../src/runtime/worker-provider';

export default createCitasApp(workerProvider());
