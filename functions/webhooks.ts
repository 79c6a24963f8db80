// GHL's signed webhooks (AppointmentCreate/Update/Delete, INSTALL/UNINSTALL). `wrangler deploy --env webhooks`.
import { createWebhooksApp } from '../src/apps/webhooks';
import { workerProvider } from '../src/runtime/worker-provider';
import { noGhl } from '../src/runtime/build-deps';

export default createWebhooksApp(workerProvider({ ghl: noGhl }));
