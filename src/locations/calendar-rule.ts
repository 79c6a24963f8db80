import type { FieldError } from '../errors';
import type { OpenHoursRule } from '../domain/working-hours';

/** What we know of one of a location's GHL calendars. */
export interface KnownCalendar {
  id: string;
  name: string;
  active: boolean;
  /** Its working hours (GHL's openHours); null or absent: none known, nothing refused for them. */
  open_hours?: OpenHoursRule[] | null;
  /** GHL's slot length, for the free slots' ends. */
  slot_duration_minutes?: number | null;
}

/**
 * Which calendars a location may use: the one rule for every path that names one — the settings
 * route (default and synced calendars) and a cita's create and edit. A calendar is refused when
 * - `ghl` (the location's GHL calendars, when connected and known) does not list it, or lists it
 *   inactive (a draft): GHL would take the appointment on a calendar nobody looks at;
 * - `synced` (the location's chosen calendars, for a cita) is not empty and lacks it: the sync jobs
 *   read only those calendars, so what GHL does with the appointment would never come back.
 * Each refusal is a field error, answered as 422 `validation_failed` by every path alike.
 */
export function calendarProblems(
  named: { field: string; id: string }[],
  locationId: string,
  known: { ghl: KnownCalendar[] | null; synced: string[] | null },
): FieldError[] {
  return named.flatMap(({ field, id }): FieldError[] => {
    if (known.ghl) {
      const cal = known.ghl.find((c) => c.id === id);
      if (!cal) return [{ field, message: `calendar ${id} does not exist in GHL location ${locationId}` }];
      if (!cal.active) return [{ field, message: `calendar ${id} (${cal.name}) is inactive in GHL` }];
    }
    if (known.synced?.length && !known.synced.includes(id)) {
      return [{ field, message: `calendar ${id} is not among the calendars synced for location ${locationId}` }];
    }
    return [];
  });
}

/** The one top-level message of such a refusal. */
export const CALENDARS_REFUSED = 'Some calendars cannot be used for this location.';
