import type { Deps } from '../deps';
import type { GhlCalendar } from '../ghl/schemas';
import { assertLocation, type Access } from '../access/access';
import { rememberGhlCalendars } from './settings-repo';
import { openHoursFromGhl, type OpenHoursRule } from '../domain/working-hours';

export const CALENDAR_CACHE_TTL_MS = 5 * 60_000;

export interface CalendarView {
  id: string;
  name: string;
  active: boolean;
  type: string | null;
  team_members: { user_id: string; is_primary: boolean }[];
  /** GHL's openHours, in the location's wall clock; null: GHL gave none (nothing is refused for hours). */
  open_hours: OpenHoursRule[] | null;
  slot_duration_minutes: number | null;
}

function view(c: GhlCalendar): CalendarView {
  return {
    id: c.id,
    name: c.name,
    // GHL marks drafts with isActive false; a calendar without the flag is live.
    active: c.isActive !== false,
    type: c.calendarType ?? null,
    team_members: (c.teamMembers ?? []).map((m) => ({ user_id: m.userId, is_primary: m.isPrimary === true })),
    open_hours: openHoursFromGhl(c.openHours),
    slot_duration_minutes: slotMinutes(c.slotDuration, c.slotDurationUnit),
  };
}

function slotMinutes(n: unknown, unit: unknown): number | null {
  if (typeof n !== 'number' || !(n > 0)) return null;
  return unit === 'hours' ? n * 60 : n;
}

/**
 * A location's calendars, from a 5-minute cache in the store unless `refresh` is asked for. What
 * GHL answers is also kept beside the location's settings, for the calendar rule of the create.
 */
export async function locationCalendars(
  deps: Pick<Deps, 'db' | 'store' | 'ghl' | 'clock' | 'logger'>,
  locationId: string,
  opts: { refresh?: boolean } = {},
): Promise<{ calendars: CalendarView[]; fetched_at: string; cached: boolean }> {
  const key = `ghl:calendars:${locationId}`;
  if (!opts.refresh) {
    // A cache: with the store down we ask GHL, and remember nothing.
    const hit = await deps.store.get(key).catch(() => null);
    if (hit) return { ...(JSON.parse(hit) as { calendars: CalendarView[]; fetched_at: string }), cached: true };
  }
  const { calendars, at } = await listAndRemember(deps, locationId);
  const entry = { calendars, fetched_at: at.toISOString() };
  await deps.store.set(key, JSON.stringify(entry), CALENDAR_CACHE_TTL_MS).catch(() => {});
  return { ...entry, cached: false };
}

/**
 * GHL's calendars for the location, asked now and kept beside its settings for the calendar rule
 * of the create (calendar-rule.ts). Keeping them is not needed to answer: a failure to is logged.
 * Also called when a location connects, so its first creates are checked too.
 */
export async function listAndRemember(deps: Pick<Deps, 'db' | 'ghl' | 'clock' | 'logger'>, locationId: string): Promise<{ calendars: CalendarView[]; at: Date }> {
  const calendars = (await deps.ghl.client.listCalendars(locationId)).map(view);
  const at = deps.clock.now();
  await rememberGhlCalendars(deps.db, locationId, calendars, at).catch((err: unknown) => deps.logger.warn('could not keep the GHL calendars', { location_id: locationId, err }));
  return { calendars, at };
}

/** The calendars a caller may see: only for a location its key may use. */
export async function calendarsFor(
  deps: Pick<Deps, 'db' | 'store' | 'ghl' | 'clock' | 'logger'>,
  locationId: string,
  access: Access,
  opts: { refresh?: boolean } = {},
) {
  assertLocation(access, locationId);
  return { location_id: locationId, ...(await locationCalendars(deps, locationId, opts)) };
}
