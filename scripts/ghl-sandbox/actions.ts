import { blockActions } from './block-actions';
import { contactActions } from './contact-actions';
import type { SandboxCore } from './core';
import { nextSecond, parseIsoWithOffset } from './ghl-time';
import { ghlId } from './ids';
import { RruleError } from './rrule';
import { commitSeriesEdit, deleteOccurrence, deleteSeries, editOccurrence, planSeriesEdit, seriesCreated, type AppointmentChanges } from './series';
import { isAppointmentStatus, normalizeRule, primaryUserId, SandboxUsageError, type AppointmentRecord, type ResolvedEvent } from './store';
import { SCOPES, type Appointment, type AppointmentStatus, type AppointmentWebhookType, type GhlUserActions } from './types';

/**
 * A person working in GHL's own UI: the changes our service did not make and must learn about from
 * webhooks. They skip the API's gate (token, rate limit, faults) and its slot check, since staff
 * can double-book; mistakes in the input are the test's bug (SandboxUsageError, 400 over HTTP).
 */
export function ghlUserActions(core: SandboxCore): GhlUserActions {
  const { store } = core;

  const resolved = (id: string): ResolvedEvent => {
    const found = store.resolve(id);
    if (!found) throw new SandboxUsageError(`action: no live appointment ${id}`);
    return found;
  };

  /**
   * One change by id: an instance id changes that occurrence, a master id the whole series, any
   * other id the appointment (`single`, which stamps and reports it itself).
   */
  const change = (id: string, changes: AppointmentChanges, single: (rec: AppointmentRecord) => Appointment): Appointment => {
    const found = resolved(id);
    if (found.kind === 'occurrence') return store.eventView(editOccurrence(core, found.rec, found.occ, changes));
    if (found.kind === 'master') {
      const planned = ruleOrUsage(() => planSeriesEdit(core, found.rec, changes));
      return store.eventView(commitSeriesEdit(core, found.rec, planned));
    }
    return single(found.rec);
  };

  const calendarIn = (locationId: string, calendarId: string) => {
    const calendar = store.calendars.get(calendarId);
    if (!calendar || calendar.locationId !== locationId) throw new SandboxUsageError(`action: no calendar ${calendarId} in ${locationId}`);
    return calendar;
  };

  /** Stamps a change to an existing appointment (strictly later, second precision, like API writes) and reports it. */
  const changed = (type: AppointmentWebhookType, rec: AppointmentRecord): Appointment => {
    rec.updatedMs = nextSecond(core.now(), rec.updatedMs);
    return reported(type, rec);
  };

  const reported = (type: AppointmentWebhookType, rec: AppointmentRecord): Appointment => {
    core.appointmentChanged(type, rec);
    return store.eventView(rec);
  };

  return {
    createAppointment(input) {
      if (!store.locations.has(input.locationId)) throw new SandboxUsageError(`action: unknown location ${input.locationId}`);
      const calendar = calendarIn(input.locationId, input.calendarId);
      const contact = store.liveContact(input.contactId);
      if (!contact || contact.locationId !== input.locationId) {
        throw new SandboxUsageError(`action: no contact ${input.contactId} in ${input.locationId}`);
      }
      const { startMs, endMs } = span(input.startTime, input.endTime);
      const rrule = input.rrule !== undefined ? ruleOrUsage(() => normalizeRule(input.rrule!, startMs, store.zoneOf(input.locationId))) : undefined;
      const nowMs = nextSecond(core.now());
      const rec: AppointmentRecord = {
        id: ghlId(),
        locationId: input.locationId,
        calendarId: calendar.id,
        contactId: contact.id,
        title: input.title ?? contact.name ?? 'Appointment',
        status: statusOr(input.appointmentStatus, calendar.autoConfirm ? 'confirmed' : 'new'),
        assignedUserId: input.assignedUserId ?? primaryUserId(calendar),
        users: [],
        notes: input.notes ?? '',
        description: '',
        address: '',
        groupId: calendar.groupId,
        startMs,
        endMs,
        addedMs: nowMs,
        updatedMs: nowMs,
        // Same provenance as seeded appointments: booked inside GHL, not by an integration.
        createdBy: { userId: '', source: 'calendar_page' },
        deleted: false,
        ...(rrule !== undefined ? { rrule } : {}),
      };
      store.appointmentRecords.set(rec.id, rec);
      if (rrule === undefined) return reported('AppointmentCreate', rec);
      seriesCreated(core, rec);
      return store.eventView(rec);
    },

    moveAppointment(id, to) {
      const found = resolved(id);
      const current = found.kind === 'occurrence' ? found.occ : found.rec;
      const startMs = parseTime(to.startTime, 'startTime');
      const { endMs } = to.endTime !== undefined ? span(to.startTime, to.endTime) : { endMs: startMs + (current.endMs - current.startMs) };
      return change(id, { startMs, endMs }, (rec) => {
        Object.assign(rec, { startMs, endMs });
        return changed('AppointmentUpdate', rec);
      });
    },

    editAppointment(id, edits) {
      const found = resolved(id);
      const changes: AppointmentChanges = {};
      if (edits.calendarId !== undefined) {
        const calendar = calendarIn(found.rec.locationId, edits.calendarId);
        Object.assign(changes, { calendarId: calendar.id, groupId: calendar.groupId });
      }
      for (const field of ['title', 'notes', 'assignedUserId'] as const) if (edits[field] !== undefined) changes[field] = edits[field];
      if (edits.appointmentStatus !== undefined) changes.status = statusOr(edits.appointmentStatus, 'new');
      return change(id, changes, (rec) => {
        Object.assign(rec, changes);
        return changed('AppointmentUpdate', rec);
      });
    },

    cancelAppointment(id) {
      return change(id, { status: 'cancelled' }, (rec) => {
        rec.status = 'cancelled';
        return changed('AppointmentUpdate', rec);
      });
    },

    deleteAppointment(id) {
      const found = resolved(id);
      if (found.kind === 'occurrence') return store.eventView(deleteOccurrence(core, found.rec, found.occ));
      if (found.kind === 'master') return store.eventView(deleteSeries(core, found.rec));
      found.rec.deleted = true;
      return changed('AppointmentDelete', found.rec);
    },

    installApp(locationId, opts) {
      const location = store.locations.get(locationId);
      if (!location) throw new SandboxUsageError(`action: unknown location ${locationId}`);
      const webhook = core.appInstalled(locationId);
      // The install is announced now; exchanging the code completes it without a second INSTALL.
      const code = core.tokens.issueCode(locationId, location.companyId, opts?.scopes ?? [...SCOPES], { announced: true });
      return { code, webhook };
    },

    uninstallApp(locationId) {
      if (!store.locations.has(locationId)) throw new SandboxUsageError(`action: unknown location ${locationId}`);
      return { webhook: core.appUninstalled(locationId) };
    },

    ...contactActions(core),
    ...blockActions(core),
  };
}

/** A rule mistake in an action is the caller's: SandboxUsageError (400 over HTTP). */
function ruleOrUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RruleError) throw new SandboxUsageError(`action: ${err.message}`);
    throw err;
  }
}

function parseTime(value: string, field: string): number {
  const ms = parseIsoWithOffset(value);
  if (ms === null) throw new SandboxUsageError(`action: ${field} must be ISO-8601 with an offset`);
  return ms;
}

function span(startTime: string, endTime: string): { startMs: number; endMs: number } {
  const startMs = parseTime(startTime, 'startTime');
  const endMs = parseTime(endTime, 'endTime');
  if (endMs <= startMs) throw new SandboxUsageError('action: endTime must be after startTime');
  return { startMs, endMs };
}

function statusOr(value: unknown, fallback: AppointmentStatus): AppointmentStatus {
  if (value === undefined) return fallback;
  if (!isAppointmentStatus(value)) throw new SandboxUsageError(`action: unknown appointmentStatus ${String(value)}`);
  return value;
}
