import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { GhlError, traceId } from '../errors';
import { nextSecond, parseIsoWithOffset } from '../ghl-time';
import { readJsonObject, requireLocation, requireScope } from '../guards';
import { ghlId } from '../ids';
import type { BlockRecord } from '../store';

/**
 * Blocked slots: time a calendar is not available though nothing is booked (calendars.json
 * get-blocked-slots, create-block-slot, edit-block-slot; deleting one is DELETE
 * /calendars/events/:eventId, in appointments.ts). GHL sends no webhook for blocks, so none goes out.
 * Mount before the calendar routes: `/calendars/:calendarId` would otherwise take `/calendars/blocked-slots`.
 */

const EPOCH_MS = /^\d{1,16}$/;
const STRING_FIELDS = ['title', 'calendarId', 'assignedUserId', 'locationId', 'startTime', 'endTime'];

export function blockRoutes(core: SandboxCore) {
  const app = new Hono();
  const { store } = core;

  app.get('/calendars/blocked-slots', (c) => {
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
      .liveBlocks()
      .filter(
        (b) =>
          b.locationId === locationId &&
          (!calendarId || b.calendarId === calendarId) &&
          (!userId || b.assignedUserId === userId) &&
          (!groupId || store.calendars.get(b.calendarId)?.groupId === groupId) &&
          b.startMs < toMs &&
          b.endMs > fromMs,
      )
      .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id))
      .map((b) => store.blockView(b));
    return c.json({ events, traceId: traceId() });
  });

  app.post('/calendars/events/block-slots', async (c) => {
    requireScope(c, 'calendars/events.write');
    const body = await readJsonObject(c);
    const problems = validateFields(body);
    // BlockSlotCreateRequestDTO requires calendarId and locationId; a block without times blocks
    // nothing, so the sandbox requires those too (what GHL does without them is undocumented).
    for (const field of ['calendarId', 'locationId', 'startTime', 'endTime']) {
      if (body[field] === undefined || body[field] === null || body[field] === '') problems.unshift(`${field} should not be empty`);
    }
    if (problems.length > 0) throw GhlError.invalidCalendarsRequest(problems);
    const locationId = body.locationId as string;
    requireLocation(c, locationId);
    const calendar = store.calendars.get(body.calendarId as string);
    if (!calendar || calendar.locationId !== locationId) throw GhlError.badRequest('Calendar not found');
    const startMs = parseIsoWithOffset(body.startTime)!;
    const endMs = parseIsoWithOffset(body.endTime)!;
    if (endMs <= startMs) throw GhlError.invalidCalendarsRequest(['endTime must be after startTime']);

    const nowMs = nextSecond(core.now());
    const rec: BlockRecord = {
      id: ghlId(),
      locationId,
      calendarId: calendar.id,
      assignedUserId: '',
      title: (body.title as string | undefined) ?? '',
      startMs,
      endMs,
      addedMs: nowMs,
      updatedMs: nowMs,
      deleted: false,
    };
    store.blockRecords.set(rec.id, rec);
    return c.json({ ...store.blockWriteView(rec), traceId: traceId() }, 201);
  });

  app.put('/calendars/events/block-slots/:eventId', async (c) => {
    requireScope(c, 'calendars/events.write');
    const rec = store.liveBlock(c.req.param('eventId'));
    if (!rec) throw GhlError.notFound('Blocked slot not found');
    requireLocation(c, rec.locationId);
    const body = await readJsonObject(c);
    const problems = validateFields(body);
    // BlockSlotEditRequestDTO requires these two as well.
    for (const field of ['calendarId', 'locationId']) {
      if (body[field] === undefined || body[field] === null || body[field] === '') problems.unshift(`${field} should not be empty`);
    }
    if (problems.length > 0) throw GhlError.invalidCalendarsRequest(problems);
    requireLocation(c, body.locationId as string);
    const calendar = store.calendars.get(body.calendarId as string);
    if (!calendar || calendar.locationId !== rec.locationId) throw GhlError.badRequest('Calendar not found');
    const startMs = body.startTime !== undefined ? parseIsoWithOffset(body.startTime)! : rec.startMs;
    // A new start without an end keeps the block's length, as for appointments (sandbox choice).
    const endMs =
      body.endTime !== undefined ? parseIsoWithOffset(body.endTime)! : body.startTime !== undefined ? startMs + (rec.endMs - rec.startMs) : rec.endMs;
    if (endMs <= startMs) throw GhlError.invalidCalendarsRequest(['endTime must be after startTime']);
    Object.assign(rec, {
      calendarId: calendar.id,
      startMs,
      endMs,
      title: (body.title as string | undefined) ?? rec.title,
      updatedMs: nextSecond(core.now(), rec.updatedMs),
    });
    // 201, as calendars.json declares for edit-block-slot (not 200 like an appointment's PUT).
    return c.json({ ...store.blockWriteView(rec), traceId: traceId() }, 201);
  });

  return app;
}

/** class-validator style messages, one per bad field; unknown fields are ignored like GHL does. */
function validateFields(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const f of STRING_FIELDS) {
    if (body[f] !== undefined && typeof body[f] !== 'string') problems.push(`${f} must be a string`);
  }
  for (const f of ['startTime', 'endTime']) {
    if (typeof body[f] === 'string' && parseIsoWithOffset(body[f]) === null) problems.push(`${f} must be a valid ISO 8601 date string with an offset`);
  }
  if (body.calendarId !== undefined && body.assignedUserId !== undefined) {
    problems.push('Either calendarId or assignedUserId can be set, not both');
  }
  return problems;
}
