import type { DepsProvider } from '../runtime/provider';
import { citasRoutes } from '../routes/citas';
import { locationsRoutes } from '../routes/locations';
import { ghlRoutes } from '../routes/ghl';
import { contactsRoutes } from '../routes/contacts';
import { blocksRoutes } from '../routes/blocks';
import { createBaseApp } from './base';

/** Citas, their patients, locations with their settings, calendar discovery: what the RV3 front end calls. */
export function mountCitas(app: ReturnType<typeof createBaseApp>) {
  return app.route('/api/citas', citasRoutes).route('/api/contacts', contactsRoutes).route('/api/blocks', blocksRoutes).route('/api/locations', locationsRoutes).route('/api/ghl', ghlRoutes);
}

/**
 * The citas function: its API and nothing else in code. Its pages (the agenda at /, /docs and
 * /openapi.json) are static assets of the same Worker (citasAssets in ./citas-assets.ts,
 * written by scripts/assets.ts), served by the edge without running this bundle.
 */
export function createCitasApp(provider: DepsProvider) {
  return mountCitas(createBaseApp(provider));
}

export type CitasApp = ReturnType<typeof createCitasApp>;
