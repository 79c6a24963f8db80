import type { DepsProvider } from '../runtime/provider';
import { webhookRoutes } from '../routes/webhooks';
import { jobRoutes } from '../routes/jobs';
import { oauthRoutes } from '../routes/oauth';
import { adminRoutes } from '../routes/admin';
import contract from '../contract/full.openapi.json';
import { createBaseApp, withOperatorPages } from './base';
import { mountCitas } from './citas';
import { withAgendaPage } from '../ui/agenda-routes';

/** Every route in one Worker (the simplest deployment, and what `npm start` serves). */
export function createFullApp(provider: DepsProvider) {
  const app = mountCitas(createBaseApp(provider))
    .route('/api/webhooks', webhookRoutes)
    .route('/api/jobs', jobRoutes)
    .route('/oauth', oauthRoutes)
    .route('/api/admin', adminRoutes);
  return withOperatorPages(withAgendaPage(app), contract);
}

export type FullApp = ReturnType<typeof createFullApp>;
