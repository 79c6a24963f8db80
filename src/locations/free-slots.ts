import type { Deps } from '../deps';
import { AppError } from '../errors';
import { assertLocation, type Access } from '../access/access';
import { dayBounds, formatInZone, MAX_YEAR, MIN_YEAR } from '../domain/time';
import { effectiveZone, getWriteContext } from './settings-repo';

/** Without a known slot length (a calendar never listed), a slot is this long. */
const DEFAULT_SLOT_MINUTES = 30;

/**
 * A calendar's free slots on one day, as GHL computes them (its slot length, interval, buffers,
 * hours, blocks and bookings): the page's «Horarios libres». Asked of GHL each time: what is free
 * changes with every booking, and GHL owns the rules that make a slot.
 */
export async function freeSlotsFor(deps: Pick<Deps, 'db' | 'ghl' | 'config'>, locationId: string, calendarId: string, fecha: string, access: Access) {
  assertLocation(access, locationId);
  const { settings, connection } = await getWriteContext(deps.db, locationId);
  if (!settings && !connection) throw AppError.notFound('Location', locationId);
  const zone = effectiveZone(settings, deps.config.APP_TIMEZONE);
  const day = dayBounds(fecha, zone);
  if (!day) throw AppError.validation([{ field: 'fecha', message: `not a valid calendar date (YYYY-MM-DD, years ${MIN_YEAR}–${MAX_YEAR})` }]);
  const known = settings?.ghlCalendars?.find((c) => c.id === calendarId);
  if (settings?.ghlCalendars && !known) throw AppError.notFound('Calendar', calendarId);
  const minutes = known?.slot_duration_minutes ?? DEFAULT_SLOT_MINUTES;
  // GHL reads endDate as the last instant asked about: the day's last millisecond.
  const days = await deps.ghl.client.freeSlots(locationId, calendarId, day.start, new Date(day.end.getTime() - 1), zone);
  const slots = (days[fecha] ?? [])
    .map((s) => new Date(s))
    .filter((s) => s >= day.start && s < day.end)
    .sort((a, b) => a.getTime() - b.getTime())
    .map((s) => ({ start_time: formatInZone(s, zone), end_time: formatInZone(new Date(s.getTime() + minutes * 60_000), zone) }));
  return { location_id: locationId, calendar_id: calendarId, fecha, time_zone: zone, slots };
}
