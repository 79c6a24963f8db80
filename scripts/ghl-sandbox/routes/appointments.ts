import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { authOf } from '../request-auth';
import { GhlError, traceId } from '../errors';
import { nextSecond, parseIsoWithOffset } from '../ghl-time';
import { requireLocation, requireScope, readJsonObject } from '../guards';
import { ghlId } from '../ids';
import { RruleError } from '../rrule';
import { commitSeriesEdit, deleteOccurrence, deleteSeries, editOccurrence, planSeriesEdit, seriesCreated, type AppointmentChanges } from '../series';
import { isAppointmentStatus, normalizeRule, primaryUserId, type AppointmentRecord, type ResolvedEvent } from '../store';
import { APPOINTMENT_STATUSES } from '../types';

/**
 * Appointment reads and writes under /calendars/events. Mount these before the calendar routes:
 * `/calendars/:calendarId` would otherwise swallow `/calendars/events`.
 */

const STRING_FIELDS = ['calendarId', 'locationId', 'contactId', 'title', 'assignedUserId', 'description', 'address', 'meetingLocationType', 'rrule'];
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
    // A series is listed as its occurrences (instance ids), each inside the window on its own times.
    const events = store
      .liveEvents()
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
    // A master id answers the series (its first occurrence's times and its rule); an instance id, that occurrence.
    const found = resolveOr404(c.req.param('eventId'));
    requireLocation(c, found.rec.locationId);
    return c.json({ event: store.eventView(found.kind === 'occurrence' ? found.occ : found.rec), traceId: traceId() });
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
    let rrule: string | undefined;
    if (body.rrule !== undefined) {
      // calendars.json: "The rrule only be applied if ignoreFreeSlotValidation is true." Refused, not dropped.
      if (body.ignoreFreeSlotValidation !== true) throw GhlError.invalidCalendarsRequest(['rrule is only applied with ignoreFreeSlotValidation: true']);
      rrule = ruleOr400(body.rrule as string, startMs, store.zoneOf(locationId));
    }
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
      ...(rrule !== undefined ? { rrule } : {}),
    };
    store.appointmentRecords.set(rec.id, rec);
    core.stats.creates += 1;
    if (rrule !== undefined) seriesCreated(core, rec);
    else core.appointmentChanged('AppointmentCreate', rec);
    // 200 (calendars.json; not 201) and unwrapped, without dateAdded/dateUpdated: clients must GET to learn the dates.
    return c.json({ ...store.writeView(rec), traceId: traceId() }, 200);
  });

  app.put('/calendars/events/appointments/:eventId', async (c) => {
    requireScope(c, 'calendars/events.write');
    const found = resolveOr404(c.req.param('eventId'));
    const { rec } = found;
    requireLocation(c, rec.locationId);
    const body = await readJsonObject(c);
    const problems = validateFields(body);
    if (problems.length > 0) throw GhlError.invalidCalendarsRequest(problems);
    if (body.rrule !== undefined && found.kind === 'occurrence') {
      throw GhlError.invalidCalendarsRequest(['rrule belongs to the series: send its master id']);
    }
    if (body.rrule !== undefined && body.ignoreFreeSlotValidation !== true) {
      throw GhlError.invalidCalendarsRequest(['rrule is only applied with ignoreFreeSlotValidation: true']);
    }
    // What the id names now: a one-off or the series (the master's times), or one occurrence.
    const current = found.kind === 'occurrence' ? found.occ : rec;

    let calendarId = current.calendarId;
    let groupId = current.groupId;
    if (body.calendarId !== undefined && body.calendarId !== current.calendarId) {
      const calendar = store.calendars.get(body.calendarId as string);
      if (!calendar || calendar.locationId !== rec.locationId) throw GhlError.badRequest('Calendar not found');
      calendarId = calendar.id;
      groupId = calendar.groupId;
    }
    const startMs = body.startTime !== undefined ? parseIsoWithOffset(body.startTime)! : current.startMs;
    // A new start without an end moves the appointment and keeps its length (sandbox choice; GHL's rule is undocumented).
    const endMs =
      body.endTime !== undefined ? parseIsoWithOffset(body.endTime)! : body.startTime !== undefined ? startMs + (current.endMs - current.startMs) : current.endMs;
    if (endMs <= startMs) throw GhlError.invalidCalendarsRequest(['endTime must be after startTime']);
    const status = isAppointmentStatus(body.appointmentStatus) ? body.appointmentStatus : current.status;
    const moved = calendarId !== current.calendarId || startMs !== current.startMs || endMs !== current.endMs || body.rrule !== undefined;
    const checkSlots = moved && body.ignoreFreeSlotValidation !== true && status !== 'cancelled';
    const changes: AppointmentChanges = {
      calendarId,
      groupId,
      startMs,
      endMs,
      status,
      title: body.title as string | undefined,
      assignedUserId: body.assignedUserId as string | undefined,
      description: body.description as string | undefined,
      address: body.address as string | undefined,
    };

    if (found.kind === 'occurrence') {
      if (checkSlots) assertSlotFree(calendarId, startMs, endMs, found.occ.id);
      const after = editOccurrence(core, rec, found.occ, onlyChanged(changes, found.occ));
      return c.json({ ...store.writeView(after), traceId: traceId() }, 200);
    }
    if (found.kind === 'master' || body.rrule !== undefined) {
      let planned;
      try {
        planned = planSeriesEdit(core, rec, { ...onlyChanged(changes, rec), rrule: body.rrule as string | undefined });
      } catch (err) {
        if (err instanceof RruleError) throw GhlError.invalidCalendarsRequest([err.message]);
        throw err;
      }
      if (checkSlots) for (const occ of store.occurrences(planned)) if (occ.status !== 'cancelled') assertSlotFree(occ.calendarId, occ.startMs, occ.endMs, rec.id);
      commitSeriesEdit(core, rec, planned);
      return c.json({ ...store.writeView(rec), traceId: traceId() }, 200);
    }

    if (checkSlots) assertSlotFree(calendarId, startMs, endMs, rec.id);
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
    const found = resolveOr404(eventId);
    const { rec } = found;
    requireLocation(c, rec.locationId);
    // An instance id removes that occurrence (an EXDATE on the rule); a master id, the whole series.
    if (found.kind === 'occurrence') {
      deleteOccurrence(core, rec, found.occ);
      return c.json({ succeeded: true, traceId: traceId() }, 201);
    }
    if (found.kind === 'master') {
      deleteSeries(core, rec);
      return c.json({ succeeded: true, traceId: traceId() }, 201);
    }
    // Kept, not removed: a deleted appointment must stay out of every read, not come back as new.
    rec.deleted = true;
    rec.updatedMs = nextSecond(core.now(), rec.updatedMs);
    core.appointmentChanged('AppointmentDelete', rec);
    return c.json({ succeeded: true, traceId: traceId() }, 201);
  });

  function resolveOr404(id: string): ResolvedEvent {
    const found = store.resolve(id);
    if (!found) throw GhlError.notFound('Appointment not found');
    return found;
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

function ruleOr400(text: string, startMs: number, zone: string): string {
  try {
    return normalizeRule(text, startMs, zone);
  } catch (err) {
    if (err instanceof RruleError) throw GhlError.invalidCalendarsRequest([err.message]);
    throw err;
  }
}

/** The changes that differ from what `current` has: a series edit must not rewrite what it did not touch. */
function onlyChanged(changes: AppointmentChanges, current: AppointmentRecord): AppointmentChanges {
  return Object.fromEntries(
    Object.entries(changes).filter(([k, v]) => v !== undefined && v !== (current as unknown as Record<string, unknown>)[k]),
  ) as AppointmentChanges;
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
