import type { SandboxCore } from './core';
import { nextSecond, parseIsoWithOffset } from './ghl-time';
import { ghlId } from './ids';
import { openHoursProblem } from './open-hours';
import { SandboxUsageError, type BlockRecord } from './store';
import type { GhlUserActions } from './types';

type BlockActions = Pick<GhlUserActions, 'createBlock' | 'editBlock' | 'deleteBlock' | 'setOpenHours'>;

/**
 * A staff member keeping a calendar's availability in GHL's own UI: blocking time (lunch, a day
 * off) and setting working hours. GHL sends no webhook for either, so neither does the sandbox:
 * our service learns of them only by reading (blocked-slots, the calendar, free-slots).
 */
export function blockActions(core: SandboxCore): BlockActions {
  const { store } = core;

  const live = (id: string): BlockRecord => {
    const rec = store.liveBlock(id);
    if (!rec) throw new SandboxUsageError(`action: no live block ${id}`);
    return rec;
  };

  return {
    createBlock(input) {
      if (!store.locations.has(input.locationId)) throw new SandboxUsageError(`action: unknown location ${input.locationId}`);
      const calendar = store.calendars.get(input.calendarId);
      if (!calendar || calendar.locationId !== input.locationId) throw new SandboxUsageError(`action: no calendar ${input.calendarId} in ${input.locationId}`);
      const startMs = parseTime(input.startTime, 'startTime');
      const endMs = parseTime(input.endTime, 'endTime');
      if (endMs <= startMs) throw new SandboxUsageError('action: endTime must be after startTime');
      const nowMs = nextSecond(core.now());
      const rec: BlockRecord = {
        id: ghlId(),
        locationId: input.locationId,
        calendarId: calendar.id,
        assignedUserId: '',
        title: input.title ?? '',
        startMs,
        endMs,
        addedMs: nowMs,
        updatedMs: nowMs,
        deleted: false,
      };
      store.blockRecords.set(rec.id, rec);
      return store.blockView(rec);
    },

    editBlock(id, changes) {
      const rec = live(id);
      if (changes.startTime === undefined && changes.endTime === undefined && changes.title === undefined) {
        throw new SandboxUsageError('action: give startTime, endTime or title to change');
      }
      const startMs = changes.startTime !== undefined ? parseTime(changes.startTime, 'startTime') : rec.startMs;
      const endMs =
        changes.endTime !== undefined ? parseTime(changes.endTime, 'endTime') : changes.startTime !== undefined ? startMs + (rec.endMs - rec.startMs) : rec.endMs;
      if (endMs <= startMs) throw new SandboxUsageError('action: endTime must be after startTime');
      Object.assign(rec, { startMs, endMs, title: changes.title ?? rec.title, updatedMs: nextSecond(core.now(), rec.updatedMs) });
      return store.blockView(rec);
    },

    deleteBlock(id) {
      const rec = live(id);
      rec.deleted = true;
      rec.updatedMs = nextSecond(core.now(), rec.updatedMs);
      return store.blockView(rec);
    },

    setOpenHours(calendarId, openHours) {
      const calendar = store.calendars.get(calendarId);
      if (!calendar) throw new SandboxUsageError(`action: no calendar ${calendarId}`);
      const hours = openHours ?? [];
      const problem = openHoursProblem(hours);
      if (problem) throw new SandboxUsageError(`action: ${problem}`);
      calendar.openHours = structuredClone(hours);
      return structuredClone(calendar);
    },
  };
}

function parseTime(value: string, field: string): number {
  const ms = parseIsoWithOffset(value);
  if (ms === null) throw new SandboxUsageError(`action: ${field} must be ISO-8601 with an offset`);
  return ms;
}
