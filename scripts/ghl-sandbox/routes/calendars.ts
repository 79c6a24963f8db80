import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { GhlError, traceId } from '../errors';
import { requireLocation, requireScope } from '../guards';

/** Calendar configuration (read-only in the sandbox; calendars come from seeding). */
export function calendarRoutes(core: SandboxCore) {
  const app = new Hono();

  // GHL documents the trailing slash; both spellings reach the list.
  for (const path of ['/calendars/', '/calendars']) {
    app.get(path, (c) => {
      requireScope(c, 'calendars.readonly');
      const locationId = c.req.query('locationId');
      if (!locationId) throw GhlError.invalidCalendarsRequest(['locationId should not be empty']);
      requireLocation(c, locationId);
      const groupId = c.req.query('groupId');
      // GHL lists drafts (isActive false) unless asked not to.
      const showDrafted = c.req.query('showDrafted') !== 'false';
      const calendars = [...core.store.calendars.values()].filter(
        (cal) => cal.locationId === locationId && (groupId === undefined || cal.groupId === groupId) && (showDrafted || cal.isActive),
      );
      return c.json({ calendars, traceId: traceId() });
    });
  }

  app.get('/calendars/:calendarId', (c) => {
    requireScope(c, 'calendars.readonly');
    const calendar = core.store.calendars.get(c.req.param('calendarId'));
    if (!calendar) throw GhlError.notFound('Calendar not found');
    requireLocation(c, calendar.locationId);
    return c.json({ calendar, traceId: traceId() });
  });

  return app;
}
