import { blockActions } from './block-actions';
import { contactActions } from './contact-actions';
import type { SandboxCore } from './core';
import { nextSecond, parseIsoWithOffset } from './ghl-time';
import { ghlId } from './ids';
import { isAppointmentStatus, primaryUserId, SandboxUsageError, type AppointmentRecord } from './store';
import { SCOPES, type Appointment, type AppointmentStatus, type AppointmentWebhookType, type GhlUserActions } from './types';

/**
 * A person working in GHL's own UI: the changes our service did not make and must learn about from
 * webhooks. They skip the API's gate (token, rate limit, faults) and its slot check, since staff
 * can double-book; mistakes in the input are the test's bug (SandboxUsageError, 400 over HTTP).
 */
export function ghlUserActions(core: SandboxCore): GhlUserActions {
  const { store } = core;

  const live = (id: string): AppointmentRecord => {
    const rec = store.liveAppointment(id);
    if (!rec) throw new SandboxUsageError(`action: no live appointment ${id}`);
    return rec;
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
      };
      store.appointmentRecords.set(rec.id, rec);
      return reported('AppointmentCreate', rec);
    },

    moveAppointment(id, to) {
      const rec = live(id);
      const startMs = parseTime(to.startTime, 'startTime');
      const { endMs } = to.endTime !== undefined ? span(to.startTime, to.endTime) : { endMs: startMs + (rec.endMs - rec.startMs) };
      Object.assign(rec, { startMs, endMs });
      return changed('AppointmentUpdate', rec);
    },

    editAppointment(id, changes) {
      const rec = live(id);
      if (changes.calendarId !== undefined) {
        const calendar = calendarIn(rec.locationId, changes.calendarId);
        Object.assign(rec, { calendarId: calendar.id, groupId: calendar.groupId });
      }
      Object.assign(rec, {
        title: changes.title ?? rec.title,
        notes: changes.notes ?? rec.notes,
        assignedUserId: changes.assignedUserId ?? rec.assignedUserId,
        status: statusOr(changes.appointmentStatus, rec.status),
      });
      return changed('AppointmentUpdate', rec);
    },

    cancelAppointment(id) {
      const rec = live(id);
      rec.status = 'cancelled';
      return changed('AppointmentUpdate', rec);
    },

    deleteAppointment(id) {
      const rec = live(id);
      rec.deleted = true;
      return changed('AppointmentDelete', rec);
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
