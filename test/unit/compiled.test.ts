/**
 * compiled() (src/db/compiled.ts) binds each placeholder once, however often its statement names
 * it: fewer parameters to send, the same answers.
 */
import { describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { compiled } from '../../src/db/compiled';

const t = pgTable('t', { name: text('name'), n: integer('n'), at: timestamp('at', { withTimezone: true, mode: 'date' }) });
const p = (name: string) => sql.placeholder(name);

describe('compiled', () => {
  it('one parameter per placeholder and encoder, constants apart, $n inside quotes untouched', async () => {
    const render = compiled(
      () => sql`select ${p('a')}::text as a1, ${p('b')}::int + ${p('b')}::int as b2, ${p('a')}::text || '$1 and "$2"' as a2, ${5}::int as five, ${5}::int as five_again, ${p('a')}::text = ${t.name} as same from (select 'x' as name) t`,
    );
    const r = render({ a: 'x', b: 20 });
    expect(r.params).toEqual(['x', 20, 5, 5]);
    expect(r.text).toBe(`select $1::text as a1, $2::int + $2::int as b2, $1::text || '$1 and "$2"' as a2, $3::int as five, $4::int as five_again, $1::text = "t"."name" as same from (select 'x' as name) t`);
    const pg = new PGlite();
    try {
      const { rows } = await pg.query(r.text, r.params);
      expect(rows).toEqual([{ a1: 'x', b2: 40, a2: 'x$1 and "$2"', five: 5, five_again: 5, same: true }]);
    } finally {
      await pg.close();
    }
  });

  it('keeps apart one placeholder bound through two columns of different encoders', () => {
    const render = compiled(() => sql`select ${t.at} = ${sql.param(p('v'), t.at)}, ${sql.param(p('v'), t.n)} from ${t}`);
    const r = render({ v: new Date('2027-01-01T00:00:00Z') });
    expect(r.params.length).toBe(2);
  });
});
