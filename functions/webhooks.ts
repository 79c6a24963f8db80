// GHL's signed webhooks (AppointmentCreate/Update/Delete, INSTALL/UNINSTALL). `wrangler deploy --env webhooks`.
import { createWebhooksApp } from '../src/app';
import { workerProvider } from '../src/runtime/worker-provider';

export default createWebhooksApp(workerProvider());
