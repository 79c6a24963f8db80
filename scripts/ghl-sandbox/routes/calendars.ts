import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { GhlError, traceId } from '../errors';
import { isValidZone } from '../ghl-time';
import { requireLocation, requireScope } from '../guards';
import { freeSlots } from '../open-hours';

const DAY_MS = 86_400_000;
const EPOCH_MS = /^\d{1,16}$/;

/**
 * Calendar configuration (read-only over the API; calendars come from seeding, their hours also
 * from `actions.setOpenHours`) and the free slots it leaves.
 */
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

  app.get('/calendars/:calendarId/free-slots', (c) => {
    requireScope(c, 'calendars.readonly');
    const startDate = c.req.query('startDate');
    const endDate = c.req.query('endDate');
    const timezone = c.req.query('timezone') || undefined;
    const problems: string[] = [];
    for (const [name, value] of [['startDate', startDate], ['endDate', endDate]] as const) {
      if (!value) problems.push(`${name} should not be empty`);
      else if (!EPOCH_MS.test(value)) problems.push(`${name} must be a number (epoch milliseconds)`);
    }
    if (problems.length === 0) {
      const span = Number(endDate) - Number(startDate);
      if (span < 0) problems.push('endDate must not be before startDate');
      else if (span > 31 * DAY_MS) problems.push('Date range cannot be more than 31 days');
    }
    if (timezone !== undefined && !isValidZone(timezone)) problems.push('timezone must be a valid IANA time zone');
    if (problems.length > 0) throw GhlError.invalidCalendarsRequest(problems);
    const calendar = core.store.calendars.get(c.req.param('calendarId'));
    if (!calendar) throw GhlError.badRequest('Calendar not found');
    requireLocation(c, calendar.locationId);

    // userId / userIds narrow to those of the calendar's team; none of them on it: no slots.
    const users = [c.req.query('userId'), ...(c.req.queries('userIds') ?? []).flatMap((u) => u.split(','))].filter((u): u is string => !!u);
    const zone = core.store.zoneOf(calendar.locationId);
    const onTeam = users.length === 0 || users.some((u) => calendar.teamMembers.some((m) => m.userId === u));
    const slots = onTeam
      ? freeSlots({
          calendar,
          zone,
          outZone: timezone ?? zone,
          fromMs: Number(startDate),
          toMs: Number(endDate),
          nowMs: core.now(),
          blocks: core.store.liveBlocks().filter((b) => b.calendarId === calendar.id),
          appointments: core.store.liveEvents().filter((a) => a.calendarId === calendar.id && a.status !== 'cancelled'),
        })
      : {};
    // Only the date map: the document's schema admits nothing else (no traceId here).
    return c.json(slots);
  });

  app.get('/calendars/:calendarId', (c) => {
    requireScope(c, 'calendars.readonly');
    const calendar = core.store.calendars.get(c.req.param('calendarId'));
    if (!calendar) throw GhlError.notFound('Calendar not found');
    requireLocation(c, calendar.locationId);
    return c.json({ calendar, traceId: traceId() });
  });

  return app;
}
