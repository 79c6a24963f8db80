import type { DepsProvider } from '../runtime/provider';
import { citasRoutes } from '../routes/citas';
import { locationsRoutes } from '../routes/locations';
import { ghlRoutes } from '../routes/ghl';
import contract from '../contract/citas.openapi.json';
import { createBaseApp, withContract } from './base';

/** Citas, locations with their settings, calendar discovery: what the RV3 front end calls. */
export function mountCitas(app: ReturnType<typeof createBaseApp>) {
  return app.route('/api/citas', citasRoutes).route('/api/locations', locationsRoutes).route('/api/ghl', ghlRoutes);
}

export function createCitasApp(provider: DepsProvider) {
  return withContract(mountCitas(createBaseApp(provider)), contract);
}

export type CitasApp = ReturnType<typeof createCitasApp>;
