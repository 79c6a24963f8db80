import type { DepsProvider } from '../runtime/provider';
import { citasRoutes } from '../routes/citas';
import { locationsRoutes } from '../routes/locations';
import { ghlRoutes } from '../routes/ghl';
import contract from '../contract/citas.openapi.json';
import { createBaseApp, withOperatorPages } from './base';
import { withAgendaPage } from '../ui/agenda-routes';

/** Citas, locations with their settings, calendar discovery: what the RV3 front end calls. */
export function mountCitas(app: ReturnType<typeof createBaseApp>) {
  return app.route('/api/citas', citasRoutes).route('/api/locations', locationsRoutes).route('/api/ghl', ghlRoutes);
}

/** The citas function also serves the front desk's agenda page (GET /), which calls these routes. */
export function createCitasApp(provider: DepsProvider) {
  return withOperatorPages(withAgendaPage(mountCitas(createBaseApp(provider))), contract);
}

export type CitasApp = ReturnType<typeof createCitasApp>;
