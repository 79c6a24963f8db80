import { Column, getTableColumns, type Table } from 'drizzle-orm';

/** Per table: each column's property key, its name in the JSON, and its decoder (null: the value as it is). */
const columnsOf = new WeakMap<Table, [string, string, ((value: unknown) => unknown) | null][]>();

function decoders(table: Table): [string, string, ((value: unknown) => unknown) | null][] {
  let columns = columnsOf.get(table);
  if (!columns) {
    // Text, uuid and boolean columns keep drizzle's identity mapping: skipping the call for them
    // halves the decoding of a 50-row list page.
    const identity = Column.prototype.mapFromDriverValue;
    columns = Object.entries(getTableColumns(table)).map(([key, column]) => [
      key,
      column.name,
      column.mapFromDriverValue === identity ? null : (value: unknown) => column.mapFromDriverValue(value),
    ]);
    columnsOf.set(table, columns);
  }
  return columns;
}

/**
 * A table's rows as a raw statement returned them, keyed by column name — as JSON (`json_agg`,
 * `row_to_json`: how one statement hands back rows of several kinds) or as plain rows with other
 * columns beside them — decoded the way drizzle decodes its own reads: keys by property name, each
 * value through its column's mapping (timestamps to Date, and so on).
 */
export function decodeRows<T extends Table>(table: T, json: unknown): T['$inferSelect'][] {
  if (!Array.isArray(json)) return [];
  const columns = decoders(table);
  return json.map((raw: Record<string, unknown>) => {
    const row: Record<string, unknown> = {};
    for (const [key, name, decode] of columns) {
      const value = raw[name];
      row[key] = value === null || value === undefined ? null : decode ? decode(value) : value;
    }
    return row as T['$inferSelect'];
  });
}

/** A json value a statement returned, however the driver hands json back (parsed or as text). */
export function parseJson(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}
