import { Hono } from 'hono';
import type { SandboxCore } from './core';
import { renderGhlError } from './errors';
import { apiGate, countCalls, isControlPath, requireVersion, tokenEndpointFaults } from './middleware';
import { appointmentRoutes } from './routes/appointments';
import { blockRoutes } from './routes/blocks';
import { calendarRoutes } from './routes/calendars';
import { calendarViewRoutes } from './routes/calendar-view';
import { contactRoutes } from './routes/contacts';
import { controlRoutes } from './routes/control';
import { ControlRequestError } from './routes/control-body';
import { locationRoutes } from './routes/locations';
import { oauthRoutes } from './routes/oauth';
import { SandboxUsageError } from './store';

/** The sandbox as one Hono app: GHL's routes at the root, the control plane under /_sandbox. */
export function createSandboxApp(core: SandboxCore): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    if (isControlPath(c.req.path) && (err instanceof ControlRequestError || err instanceof SandboxUsageError || err instanceof RangeError)) {
      return c.json({ error: err.message }, 400);
    }
    return renderGhlError(err, c);
  });
  // NestJS's answer for a route it does not have, which is what GHL runs on.
  app.notFound((c) => c.json({ statusCode: 404, message: `Cannot ${c.req.method} ${c.req.path}`, error: 'Not Found' }, 404));

  app.use('*', countCalls(core));
  app.use('/oauth/token', tokenEndpointFaults(core));
  app.use('*', apiGate(core));
  app.use('*', requireVersion());

  app.route('/', calendarViewRoutes(core)); // read-only HTML of GHL's side, before control's /_sandbox/* catch-all
  app.route('/', controlRoutes(core));
  app.route('/', oauthRoutes(core));
  app.route('/', locationRoutes(core));
  // Before calendarRoutes: `/calendars/:calendarId` would otherwise take `/calendars/events`.
  app.route('/', appointmentRoutes(core));
  app.route('/', blockRoutes(core));
  app.route('/', calendarRoutes(core));
  app.route('/', contactRoutes(core));
  return app;
}
