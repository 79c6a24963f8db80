/**
 * compactSql (src/db/driver.ts) shortens what every connection is sent on Workers; it must never
 * change what Postgres reads. The statements themselves are run compacted by every test that
 * goes through driverOf (webhooks, lists, writes); here, the rewriting rules and the keywords.
 */
import { describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { compactSql } from '../../src/db/driver';
import { INBOUND_LOOKUP } from '../../src/sync/inbound-lookup';
import { listStatement } from '../../src/citas/citas-repo';

describe('compactSql', () => {
  it('one space between words, none beside parentheses and commas; identifiers with an underscore lose their quotes', () => {
    expect(compactSql(`select "citas"."location_id", "citas"."id"\n    from "citas"\n   where ("citas"."start_time" = $1 and x in ( $2 , $3 ))`)).toBe(
      `select "citas".location_id,"citas"."id" from "citas" where("citas".start_time = $1 and x in($2,$3))`,
    );
  });

  it('keeps string literals and quoted identifiers as written, doubled quotes included', () => {
    const text = `select 'a  b,  ( c )' as "Mixed_Case", 'it''s  here' as "with space_x", "a""b_c" from t where y = '[)'`;
    expect(compactSql(text)).toBe(`select 'a  b,  ( c )' as "Mixed_Case",'it''s  here' as "with space_x","a""b_c" from t where y = '[)'`);
  });

  it('leaves alone what it cannot read safely: comments, dollar quotes, escape strings, an unterminated quote', () => {
    for (const text of ['select 1 -- a  comment\n, "x_y"', 'select /* c */  "x_y"', 'select $$ a  b $$,  "x_y"', `select E'\\'  ',  "x_y"`, `select 'open  "x_y"`]) {
      expect(compactSql(text)).toBe(text);
    }
  });

  it('keeps every keyword of Postgres quoted', async () => {
    const pg = new PGlite();
    try {
      const { rows } = await pg.query<{ word: string }>('select word from pg_get_keywords()');
      expect(rows.length).toBeGreaterThan(400);
      for (const { word } of rows) expect(compactSql(`select "${word}" from t`), word).toBe(`select "${word}" from t`);
    } finally {
      await pg.close();
    }
  });

  it('shortens the webhook lookup and the list by a tenth or more', () => {
    const lookup = INBOUND_LOOKUP({ location: 'l', calendar: 'c', id: 'i', start: 's', end: 'e', contact: null }).text;
    const list = listStatement({ locationId: 'l', from: new Date(0), to: new Date(1), limit: 50 }).text;
    for (const text of [lookup, list]) expect(compactSql(text).length).toBeLessThan(text.length * 0.9);
  });
});
