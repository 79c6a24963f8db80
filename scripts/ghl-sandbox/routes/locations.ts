import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { GhlError, traceId } from '../errors';
import { requireLocation, requireScope } from '../guards';

export function locationRoutes(core: SandboxCore) {
  const app = new Hono();

  app.get('/locations/:locationId', (c) => {
    requireScope(c, 'locations.readonly');
    const locationId = c.req.param('locationId');
    requireLocation(c, locationId);
    const location = core.store.locations.get(locationId);
    if (!location) throw GhlError.notFound('Location not found');
    return c.json({ location: { ...location, address: '', city: '', country: '', email: '', phone: '' }, traceId: traceId() });
  });

  return app;
}
