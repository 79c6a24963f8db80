/**
 * The webhook's hand checks (src/webhooks/payload.ts quickEnvelope and parseEvent's quick path,
 * receive.ts plainlyStorable) must answer exactly as the schemas and the full walk do: they only
 * spare zod and the walk the deliveries those would accept anyway.
 */
import { describe, expect, it } from 'vitest';
import { appointmentWebhook, parseEvent, quickEnvelope, webhookEnvelope } from '../../src/webhooks/payload';
import { incomingFromGhl } from '../../src/sync/appointment-mapping';
import { plainlyStorable } from '../../src/webhooks/receive';
import { unsafeJsonFields } from '../../src/domain/text';

const at = new Date('2026-11-01T10:00:00Z');

function delivery(over: Record<string, unknown> = {}, apt: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'AppointmentCreate',
    locationId: 'loc-1',
    timestamp: '2026-11-01T10:00:00.000Z',
    webhookId: 'wh-1',
    appointment: {
      id: 'apt-1',
      calendarId: 'cal-1',
      contactId: 'c-1',
      title: 'Consulta',
      appointmentStatus: 'confirmed',
      startTime: '2027-02-01T13:00:00.000Z',
      endTime: '2027-02-01T13:20:00.000Z',
      dateUpdated: '2026-11-01T09:59:00.000Z',
      ...apt,
    },
    ...over,
  };
}

/** parseEvent as the schema alone decides it (what the quick path must reproduce). */
function bySchema(type: string, payload: unknown) {
  const parsed = appointmentWebhook.safeParse(payload);
  if (!parsed.success) return { kind: 'invalid' };
  const p = parsed.data;
  return { kind: 'appointment', appointment: incomingFromGhl(p.locationId, p.appointment, { deleted: p.type === 'AppointmentDelete', observedAt: at }) };
}

const variants: [string, Record<string, unknown>][] = [
  ['a plain create', delivery()],
  ['a delete', delivery({ type: 'AppointmentDelete' })],
  ['an update with GHL misspelling the status', delivery({ type: 'AppointmentUpdate' }, { appointmentStatus: undefined, appoinmentStatus: 'cancelled' })],
  ['ids padded with spaces (trimmed)', delivery({ locationId: '  loc-1 ' }, { id: ' apt-1 ', calendarId: 'cal-1\t' })],
  ['null optional texts', delivery({}, { contactId: null, title: null, notes: null, description: null, address: null, assignedUserId: null, dateUpdated: null })],
  ['extra fields, kept', delivery({ extra: { a: 1 } }, { appointmentPerSlot: 2, dateAdded: '2026-10-01T00:00:00Z' })],
  ['a description and no notes', delivery({}, { description: 'Trae análisis' })],
  ['an empty id', delivery({}, { id: '   ' })],
  ['a missing calendar', delivery({}, { calendarId: undefined })],
  ['an id too long', delivery({}, { id: 'x'.repeat(129) })],
  ['an id of 128', delivery({}, { id: 'x'.repeat(128) })],
  ['a number for a title', delivery({}, { title: 42 })],
  ['a location as a number inside the appointment', delivery({}, { locationId: 7 })],
  ['a bad start', delivery({}, { startTime: 'mañana' })],
  ['a year out of range', delivery({}, { endTime: '9999-01-01T00:00:00Z' })],
  ['an end before the start', delivery({}, { endTime: '2027-02-01T12:00:00.000Z' })],
  ['an end equal to the start', delivery({}, { endTime: '2027-02-01T13:00:00.000Z' })],
  ['a bad dateAdded', delivery({}, { dateAdded: 'ayer' })],
  ['an appointment that is an array', delivery({ appointment: [] })],
  ['no appointment', delivery({ appointment: undefined })],
  ['a location missing', delivery({ locationId: undefined })],
  ['the payload type differs from the envelope', delivery({ type: 'ContactCreate' })],
];

describe('parseEvent: the quick path answers as appointmentWebhook does', () => {
  for (const [name, payload] of variants) {
    it(name, () => {
      const json = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
      const type = 'AppointmentCreate';
      const got = parseEvent(json.type === 'AppointmentDelete' ? 'AppointmentDelete' : type, 'loc-1', json, at);
      const want = bySchema(type, json);
      if (want.kind === 'invalid') expect(got.kind).toBe('invalid');
      else expect(got).toEqual(want);
    });
  }
});

describe('quickEnvelope: accepts only what webhookEnvelope accepts, with the same fields', () => {
  const envelopes: [string, unknown][] = [
    ['a delivery', delivery()],
    ['a padded location (trimmed)', delivery({ locationId: ' loc-1 ' })],
    ['no location', delivery({ locationId: undefined })],
    ['a null location', delivery({ locationId: null })],
    ['an empty location', delivery({ locationId: ' ' })],
    ['an empty type', delivery({ type: '' })],
    ['a type of 101', delivery({ type: 'T'.repeat(101) })],
    ['a webhook id of 201', delivery({ webhookId: 'w'.repeat(201) })],
    ['a webhook id as a number', delivery({ webhookId: 5 })],
    ['a bad timestamp', delivery({ timestamp: 'now' })],
    ['an array', [delivery()]],
    ['null', null],
    ['a string', 'hola'],
  ];
  for (const [name, payload] of envelopes) {
    it(name, () => {
      const json = JSON.parse(JSON.stringify(payload)) as unknown;
      const quick = quickEnvelope(json);
      const schema = webhookEnvelope.safeParse(json);
      if (quick === null) return; // the schema decides: nothing to compare
      expect(schema.success).toBe(true);
      const { type, webhookId, timestamp, locationId } = schema.data!;
      expect(quick).toEqual({ type, webhookId, timestamp, ...(locationId !== undefined ? { locationId } : {}) });
    });
  }
  it('takes the common delivery without the schema', () => {
    expect(quickEnvelope(delivery())).not.toBeNull();
  });
});

describe('plainlyStorable: only text the full walk would pass', () => {
  const texts: [string, string, boolean][] = [
    ['a delivery', JSON.stringify(delivery()), true],
    ['accents and emoji as UTF-8', JSON.stringify(delivery({}, { title: 'Revisión 🦷' })), true],
    ['a NUL escape', '{"a":"x\\u0000y"}', false],
    ['a lone surrogate escape', '{"a":"\\ud800"}', false],
    ['a harmless escape (walked, passes)', '{"a":"\\u00e9"}', false],
    ['33 levels', '['.repeat(33) + ']'.repeat(33), false],
    ['32 levels', '['.repeat(32) + ']'.repeat(32), true],
  ];
  for (const [name, text, plain] of texts) {
    it(name, () => {
      expect(plainlyStorable(text)).toBe(plain);
      // Plain must mean the walk finds nothing.
      if (plain) expect(unsafeJsonFields(JSON.parse(text))).toEqual([]);
    });
  }
  it('the walk still finds what the quick answer sends to it', () => {
    expect(unsafeJsonFields(JSON.parse('{"a":"x\\u0000y"}'))).toHaveLength(1);
    expect(unsafeJsonFields(JSON.parse('['.repeat(34) + ']'.repeat(34)))).toHaveLength(1);
  });
});
