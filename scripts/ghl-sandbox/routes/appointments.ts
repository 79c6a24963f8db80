import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { authOf } from '../request-auth';
import { GhlError, traceId } from '../errors';
import { nextSecond, parseIsoWithOffset } from '../ghl-time';
import { requireLocation, requireScope, readJsonObject } from '../guards';
import { ghlId } from '../ids';
import { isAppointmentStatus, primaryUserId, type AppointmentRecord } from '../store';
import { APPOINTMENT_STATUSES } from '../types';

/**
 * Appointment reads and writes under /calendars/events. Mount these before the calendar routes:
 * `/calendars/:calendarId` would otherwise swallow `/calendars/events`.
 */

const STRING_FIELDS = ['calendarId', 'locationId', 'contactId', 'title', 'assignedUserId', 'description', 'address', 'meetingLocationType'];
const BOOLEAN_FIELDS = ['ignoreFreeSlotValidation', 'ignoreDateRange', 'toNotify'];
const CREATE_REQUIRED = ['calendarId', 'locationId', 'contactId', 'startTime'];
const EPOCH_MS = /^\d{1,16}$/;

export function appointmentRoutes(core: SandboxCore) {
  const app = new Hono();
  const { store } = core;

  app.get('/calendars/events', (c) => {
    requireScope(c, 'calendars/events.readonly');
    const q = (name: string) => c.req.query(name) || undefined;
    const [locationId, calendarId, userId, groupId, startTime, endTime] =
      ['locationId', 'calendarId', 'userId', 'groupId', 'startTime', 'endTime'].map(q);
    const problems: string[] = [];
    if (!locationId) problems.push('locationId should not be empty');
    for (const [name, value] of [['startTime', startTime], ['endTime', endTime]] as const) {
      if (!value) problems.push(`${name} should not be empty`);
      else if (!EPOCH_MS.test(value)) problems.push(`${name} must be a number string (epoch milliseconds)`);
    }
    if (!calendarId && !userId && !groupId) problems.push('calendarId, userId or groupId is required');
    if (problems.length > 0) throw GhlError.invalidCalendarsRequest(problems);
    requireLocation(c, locationId!);
    if (calendarId) {
      const calendar = store.calendars.get(calendarId);
      if (!calendar) throw GhlError.badRequest('Calendar not found');
      requireLocation(c, calendar.locationId);
    }
    const fromMs = Number(startTime);
    const toMs = Number(endTime);
    const events = store
      .liveAppointments()
      .filter(
        (a) =>
          a.locationId === locationId &&
          (!calendarId || a.calendarId === calendarId) &&
          (!userId || a.assignedUserId === userId || a.users.includes(userId)) &&
          (!groupId || a.groupId === groupId) &&
          // Cancelled appointments are listed too: GHL returns them with their status.
          a.startMs < toMs &&
          a.endMs > fromMs,
      )
      .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id))
      .map((a) => store.eventView(a));
    return c.json({ events, traceId: traceId() });
  });

  app.get('/calendars/events/appointments/:eventId', (c) => {
    requireScope(c, 'calendars/events.readonly');
    const rec = liveOr404(c.req.param('eventId'));
    requireLocation(c, rec.locationId);
    return c.json({ event: store.eventView(rec), traceId: traceId() });
  });

  app.post('/calendars/events/appointments', async (c) => {
    requireScope(c, 'calendars/events.write');
    const body = await readJsonObject(c);
    const problems = validateFields(body);
    for (const field of CREATE_REQUIRED) {
      if (body[field] === undefined || body[field] === null || body[field] === '') problems.unshift(`${field} should not be empty`);
    }
    if (problems.length > 0) throw GhlError.invalidCalendarsRequest(problems);
    const locationId = body.locationId as string;
    requireLocation(c, locationId);
    const calendar = store.calendars.get(body.calendarId as string);
    if (!calendar || calendar.locationId !== locationId) throw GhlError.badRequest('Calendar not found');
    const contact = store.liveContact(body.contactId as string);
    if (!contact || contact.locationId !== locationId) throw GhlError.badRequest('Contact not found');

    const startMs = parseIsoWithOffset(body.startTime)!;
    const endMs = body.endTime !== undefined ? parseIsoWithOffset(body.endTime)! : startMs + calendar.slotDuration * 60_000;
    if (endMs <= startMs) throw GhlError.invalidCalendarsRequest(['endTime must be after startTime']);
    const status = isAppointmentStatus(body.appointmentStatus) ? body.appointmentStatus : calendar.autoConfirm ? 'confirmed' : 'new';
    if (body.ignoreFreeSlotValidation !== true && status !== 'cancelled') assertSlotFree(calendar.id, startMs, endMs);

    const nowMs = nextSecond(core.now());
    const rec: AppointmentRecord = {
      id: ghlId(),
      locationId,
      calendarId: calendar.id,
      contactId: contact.id,
      title: (body.title as string | undefined) ?? contact.name ?? 'Appointment',
      status,
      assignedUserId: (body.assignedUserId as string | undefined) ?? primaryUserId(calendar),
      users: [],
      notes: '',
      description: (body.description as string | undefined) ?? '',
      address: (body.address as string | undefined) ?? '',
      groupId: calendar.groupId,
      startMs,
      endMs,
      addedMs: nowMs,
      updatedMs: nowMs,
      createdBy: { userId: authOf(c).userId, source: 'third_party' },
      deleted: false,
    };
    store.appointmentRecords.set(rec.id, rec);
    core.stats.creates += 1;
    core.appointmentChanged('AppointmentCreate', rec);
    // 200 (calendars.json; not 201) and unwrapped, without dateAdded/dateUpdated: clients must GET to learn the dates.
    return c.json({ ...store.writeView(rec), traceId: traceId() }, 200);
  });

  app.put('/calendars/events/appointments/:eventId', async (c) => {
    requireScope(c, 'calendars/events.write');
    const rec = liveOr404(c.req.param('eventId'));
    requireLocation(c, rec.locationId);
    const body = await readJsonObject(c);
    const problems = validateFields(body);
    if (problems.length > 0) throw GhlError.invalidCalendarsRequest(problems);

    let calendarId = rec.calendarId;
    let groupId = rec.groupId;
    if (body.calendarId !== undefined && body.calendarId !== rec.calendarId) {
      const calendar = store.calendars.get(body.calendarId as string);
      if (!calendar || calendar.locationId !== rec.locationId) throw GhlError.badRequest('Calendar not found');
      calendarId = calendar.id;
      groupId = calendar.groupId;
    }
    const startMs = body.startTime !== undefined ? parseIsoWithOffset(body.startTime)! : rec.startMs;
    // A new start without an end moves the appointment and keeps its length (sandbox choice; GHL's rule is undocumented).
    const endMs =
      body.endTime !== undefined ? parseIsoWithOffset(body.endTime)! : body.startTime !== undefined ? startMs + (rec.endMs - rec.startMs) : rec.endMs;
    if (endMs <= startMs) throw GhlError.invalidCalendarsRequest(['endTime must be after startTime']);
    const status = isAppointmentStatus(body.appointmentStatus) ? body.appointmentStatus : rec.status;
    const moved = calendarId !== rec.calendarId || startMs !== rec.startMs || endMs !== rec.endMs;
    if (moved && body.ignoreFreeSlotValidation !== true && status !== 'cancelled') assertSlotFree(calendarId, startMs, endMs, rec.id);

    Object.assign(rec, {
      calendarId,
      groupId,
      startMs,
      endMs,
      status,
      title: (body.title as string | undefined) ?? rec.title,
      assignedUserId: (body.assignedUserId as string | undefined) ?? rec.assignedUserId,
      description: (body.description as string | undefined) ?? rec.description,
      address: (body.address as string | undefined) ?? rec.address,
      updatedMs: nextSecond(core.now(), rec.updatedMs),
    });
    core.appointmentChanged('AppointmentUpdate', rec);
    return c.json({ ...store.writeView(rec), traceId: traceId() }, 200);
  });

  app.delete('/calendars/events/:eventId', (c) => {
    requireScope(c, 'calendars/events.write');
    const eventId = c.req.param('eventId');
    // delete-event takes any event: a blocked slot too. It goes quietly (GHL sends no webhook for blocks).
    const block = store.liveBlock(eventId);
    if (block) {
      requireLocation(c, block.locationId);
      block.deleted = true;
      block.updatedMs = nextSecond(core.now(), block.updatedMs);
      return c.json({ succeeded: true, traceId: traceId() }, 201);
    }
    const rec = liveOr404(eventId);
    requireLocation(c, rec.locationId);
    // Kept, not removed: a deleted appointment must stay out of every read, not come back as new.
    rec.deleted = true;
    rec.updatedMs = nextSecond(core.now(), rec.updatedMs);
    core.appointmentChanged('AppointmentDelete', rec);
    return c.json({ succeeded: true, traceId: traceId() }, 201);
  });

  function liveOr404(id: string): AppointmentRecord {
    const rec = store.liveAppointment(id);
    if (!rec) throw GhlError.notFound('Appointment not found');
    return rec;
  }

  function assertSlotFree(calendarId: string, startMs: number, endMs: number, exceptId?: string): void {
    if (store.conflicting(calendarId, startMs, endMs, exceptId)) {
      throw new GhlError(400, {
        statusCode: 400,
        message: 'The slot you have selected is no longer available.',
        error: 'Bad Request',
        traceId: traceId(),
      });
    }
  }

  return app;
}

/** class-validator style messages, one per bad field; unknown fields are ignored like GHL does. */
function validateFields(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const f of STRING_FIELDS) {
    if (body[f] !== undefined && typeof body[f] !== 'string') problems.push(`${f} must be a string`);
  }
  for (const f of BOOLEAN_FIELDS) {
    if (body[f] !== undefined && typeof body[f] !== 'boolean') problems.push(`${f} must be a boolean value`);
  }
  for (const f of ['startTime', 'endTime']) {
    if (body[f] !== undefined && parseIsoWithOffset(body[f]) === null) {
      problems.push(`${f} must be a valid ISO 8601 date string with an offset`);
    }
  }
  if (body.appointmentStatus !== undefined && !isAppointmentStatus(body.appointmentStatus)) {
    problems.push(`appointmentStatus must be one of the following values: ${APPOINTMENT_STATUSES.join(', ')}`);
  }
  return problems;
}
