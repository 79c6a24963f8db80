import { Column, getTableColumns, getTableName, type Table } from 'drizzle-orm';
import type { DbOrTx } from './client';
import { driverOf } from './driver';

/**
 * Inserts and keyed updates of one row, rendered to SQL without drizzle's query builder: the text
 * depends only on the shape (table, columns written, key columns) and is kept per shape; values
 * are encoded by their columns exactly as drizzle encodes them. On the webhook path building the
 * statements with the builder cost more CPU than the database spent running them.
 */
export type RowWrite<T extends Table = Table> =
  | { table: T; insert: Partial<T['$inferInsert']> }
  | { table: T; update: Partial<T['$inferInsert']>; where: Partial<T['$inferSelect']> };

export interface Rendered {
  text: string;
  params: unknown[];
}

const columnsOf = new WeakMap<Table, Record<string, Column>>();
const textsOf = new WeakMap<Table, Map<string, string>>();

function columns(table: Table): Record<string, Column> {
  let c = columnsOf.get(table);
  if (!c) columnsOf.set(table, (c = getTableColumns(table)));
  return c;
}

/** The write's text with parameters numbered from `$first`, and its encoded values in that order; `returning` a column key, or '*'. */
export function renderWrite(w: RowWrite, first: number, returning?: string): Rendered {
  const cols = columns(w.table);
  const insert = 'insert' in w;
  const data = (insert ? w.insert : w.update) as Record<string, unknown>;
  const where = insert ? undefined : (w.where as Record<string, unknown>);
  // One pass over the values: the shape (which columns, which keys) names the text, kept per table.
  const keys: string[] = [];
  const params: unknown[] = [];
  let shape = `${insert ? 'i' : 'u'}|${first}|${returning ?? ''}|`;
  for (const k in data) {
    const v = data[k];
    if (v === undefined) continue;
    keys.push(k);
    params.push(encode(w.table, cols, k, v));
    shape += `${k},`;
  }
  const whereKeys: string[] = [];
  if (where) {
    shape += '|';
    for (const k in where) {
      whereKeys.push(k);
      params.push(encode(w.table, cols, k, where[k]));
      shape += `${k},`;
    }
  }
  let texts = textsOf.get(w.table);
  if (!texts) textsOf.set(w.table, (texts = new Map()));
  let text = texts.get(shape);
  if (text === undefined) {
    const name = (k: string) => `"${cols[k]!.name}"`;
    const table = `"${getTableName(w.table)}"`;
    const ret = returning === '*' ? ' returning *' : returning ? ` returning ${name(returning)}` : '';
    if (insert) {
      text = `insert into ${table} (${keys.map(name).join(', ')}) values (${keys.map((_, i) => `$${first + i}`).join(', ')})${ret}`;
    } else {
      const set = keys.map((k, i) => `${name(k)} = $${first + i}`).join(', ');
      const cond = whereKeys.map((k, i) => `${name(k)} = $${first + keys.length + i}`).join(' and ');
      text = `update ${table} set ${set} where ${cond}${ret}`;
    }
    texts.set(shape, text);
  }
  return { text, params };
}

/** Runs one write on its own. */
export async function runWrite(db: DbOrTx, w: RowWrite): Promise<void> {
  const { text, params } = renderWrite(w, 1);
  await driverOf(db).query(text, params);
}

function encode(table: Table, cols: Record<string, Column>, key: string, value: unknown): unknown {
  const col = cols[key];
  if (!col) throw new Error(`${getTableName(table)} has no column ${key}`);
  return value === null || value === undefined ? null : col.mapToDriverValue(value);
}

const bulkTexts = new Map<string, string>();

/**
 * Many rows into one table as one parameter: `insert … select … from jsonb_to_recordset($first)`.
 * Building a multi-row VALUES through drizzle's builder cost about 4 ms per 100 rows of CPU (a
 * full sync inserts thousands); Postgres reads the same rows out of one JSON value for a fraction
 * of that. Values are encoded by their columns as drizzle encodes them (json columns go in as
 * JSON). The text depends only on the columns written and is kept per shape.
 *
 * A column some rows leave undefined is written as NULL, which is what drizzle writes for it
 * unless the column has a default or must not be null: such rows cannot share one text, and are
 * refused (a caller's bug, not data).
 */
export function renderBulkInsert(
  table: Table,
  rows: readonly Record<string, unknown>[],
  first: number,
  opts: { onConflictDoNothing?: string; returning?: string[] } = {},
): Rendered {
  const cols = columns(table);
  const seen = new Set<string>();
  for (const r of rows) for (const k in r) if (r[k] !== undefined) seen.add(k);
  const keys = [...seen];
  for (const k of keys) {
    const col = cols[k];
    if (!col) throw new Error(`${getTableName(table)} has no column ${k}`);
    if ((col.hasDefault || col.notNull) && rows.some((r) => r[k] === undefined)) {
      throw new Error(`${getTableName(table)}.${k}: set in some rows and left to its default in others`);
    }
  }
  // Per column: its name in the JSON and how its values are encoded (json as it is; text, uuid and
  // boolean columns keep drizzle's identity mapping, so the call is skipped for them).
  const identity = Column.prototype.mapToDriverValue;
  const plan = keys.map((k) => {
    const col = cols[k]!;
    const asIs = /^jsonb?$/.test(col.getSQLType()) || col.mapToDriverValue === identity;
    return { key: k, name: col.name, encode: asIs ? null : (v: unknown) => col.mapToDriverValue(v) };
  });
  const encoded = rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const { key, name, encode: enc } of plan) {
      const v = r[key];
      out[name] = v === null || v === undefined ? null : enc ? enc(v) : v;
    }
    return out;
  });
  const shape = `${getTableName(table)}|${keys.join(',')}|${first}|${opts.onConflictDoNothing ?? ''}|${(opts.returning ?? []).join(',')}`;
  let text = bulkTexts.get(shape);
  if (text === undefined) {
    const name = (k: string) => `"${cols[k]!.name}"`;
    const conflict = opts.onConflictDoNothing ? ` on conflict (${name(opts.onConflictDoNothing)}) do nothing` : '';
    const ret = opts.returning?.length ? ` returning ${opts.returning.map(name).join(', ')}` : '';
    text =
      `insert into "${getTableName(table)}" (${keys.map(name).join(', ')}) select ${keys.map(name).join(', ')} ` +
      `from jsonb_to_recordset($${first}::jsonb) as x(${keys.map((k) => `${name(k)} ${cols[k]!.getSQLType()}`).join(', ')})${conflict}${ret}`;
    bulkTexts.set(shape, text);
  }
  return { text, params: [JSON.stringify(encoded)] };
}
