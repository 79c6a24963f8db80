import type { FieldError } from '../errors';
import { minutesBetween } from '../domain/time';

export const MIN_DURATION_MINUTES = 5;
export const MAX_DURATION_MINUTES = 12 * 60;

/** Pure scheduling rules of a cita; the database's overlap constraint is the other half. */
export function checkSchedule(start: Date, end: Date): FieldError[] {
  const minutes = minutesBetween(start, end);
  if (minutes <= 0) return [{ field: 'end_time', message: 'must be after start_time' }];
  if (minutes < MIN_DURATION_MINUTES) {
    return [{ field: 'end_time', message: `a cita lasts at least ${MIN_DURATION_MINUTES} minutes` }];
  }
  if (minutes > MAX_DURATION_MINUTES) {
    return [{ field: 'end_time', message: `a cita lasts at most ${MAX_DURATION_MINUTES / 60} hours` }];
  }
  return [];
}
