import { describe, expect, it } from 'vitest';
import { renderBulkInsert } from '../../src/db/row-writes';
import { citas } from '../../src/db/schema';

const base = {
  id: '00000000-0000-4000-8000-000000000001',
  locationId: 'loc',
  ghlCalendarId: 'cal',
  title: 'Cita',
  startTime: new Date('2027-03-01T14:00:00Z'),
  endTime: new Date('2027-03-01T14:30:00Z'),
  timeZone: 'America/Lima',
};

describe('renderBulkInsert', () => {
  it('one jsonb parameter, encoded as drizzle encodes; json columns as JSON; a nullable column left out is NULL', () => {
    const r = renderBulkInsert(citas, [
      { ...base, contactId: 'c-1', extras: { a: 1 } },
      { ...base, id: '00000000-0000-4000-8000-000000000002', contactId: undefined, extras: { b: [2] } },
    ], 1, { onConflictDoNothing: 'ghlAppointmentId', returning: ['id'] });
    expect(r.text).toBe(
      'insert into "citas" ("id", "location_id", "ghl_calendar_id", "title", "start_time", "end_time", "time_zone", "contact_id", "extras") ' +
        'select "id", "location_id", "ghl_calendar_id", "title", "start_time", "end_time", "time_zone", "contact_id", "extras" ' +
        'from jsonb_to_recordset($1::jsonb) as x("id" uuid, "location_id" text, "ghl_calendar_id" text, "title" text, "start_time" timestamp with time zone, ' +
        '"end_time" timestamp with time zone, "time_zone" text, "contact_id" text, "extras" jsonb) on conflict ("ghl_appointment_id") do nothing returning "id"',
    );
    const rows = JSON.parse(r.params[0] as string) as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ start_time: '2027-03-01T14:00:00.000Z', contact_id: 'c-1', extras: { a: 1 } });
    expect(rows[1]).toMatchObject({ contact_id: null, extras: { b: [2] } });
  });

  it('refuses rows that would need a column default in some and a value in others', () => {
    expect(() => renderBulkInsert(citas, [{ ...base, status: 'confirmed' }, { ...base, status: undefined }], 1)).toThrow(/citas\.status/);
  });
});
