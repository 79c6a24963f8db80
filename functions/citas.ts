// The citas function: RV3's CRUD of citas and location settings. `wrangler deploy --env citas`.
import { createCitasApp } from '../src/apps/citas';
import { workerProvider } from '../src/runtime/worker-provider';
import { createGhlServices } from '../src/ghl/services';

export default createCitasApp(workerProvider({ ghl: createGhlServices }));
