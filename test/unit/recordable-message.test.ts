/** What a sync run records of a failure: never the SQL a driver's message quotes. */
import { describe, expect, it } from 'vitest';
import { recordableMessage } from '../../src/db/pg-errors';

describe('recordableMessage', () => {
  it("names a database error by its SQLSTATE, never by the driver's words", () => {
    const err = Object.assign(new Error('duplicate key value violates unique constraint "citas_pkey" (select * from citas where id = $1)'), { code: '23505' });
    expect(recordableMessage(err)).toBe('database error (SQLSTATE 23505)');
    // drizzle wraps the driver's error: the code is found on its cause.
    const wrapped = new Error('Failed query: select "id" from "citas" where "location_id" = $1\nparams: clinica-b', { cause: err });
    expect(recordableMessage(wrapped)).toBe('database error (SQLSTATE 23505)');
  });

  it('hides a statement even without a code (a connection lost mid-query)', () => {
    expect(recordableMessage(new Error('Failed query: select 1 from citas limit 0\nparams: '))).toBe('database error');
    expect(recordableMessage(new Error('Connection terminated while running: insert into "citas" ("id") values ($1)'))).toBe('database error');
  });

  it('keeps the words of other errors (GHL refusals, time-outs), which carry no SQL', () => {
    expect(recordableMessage(new Error('server: GET calendars/events → 503: Service Unavailable'))).toBe('server: GET calendars/events → 503: Service Unavailable');
    expect(recordableMessage('timeout after 10000 ms')).toBe('timeout after 10000 ms');
  });
});
