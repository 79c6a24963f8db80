import { Column, getTableColumns, type Table } from 'drizzle-orm';

type Decoders = [string, string, ((value: unknown) => unknown) | null][];
/** Per table: each column's property key, its name in the JSON, and its decoder (null: the value as it is). */
const columnsOf = new WeakMap<Table, Decoders>();
/** The same, for rows whose instants a statement selected as milliseconds (instantSql). */
const msColumnsOf = new WeakMap<Table, Decoders>();

/** A timestamp column read as a Date: what instantSql selects as milliseconds. */
export function isInstantColumn(column: Column): boolean {
  return column.dataType === 'date' && column.getSQLType().startsWith('timestamp');
}

function decoders(table: Table, instantsAsMs: boolean): Decoders {
  const cache = instantsAsMs ? msColumnsOf : columnsOf;
  let columns = cache.get(table);
  if (!columns) {
    // Text, uuid and boolean columns keep drizzle's identity mapping: skipping the call for them
    // halves the decoding of a 50-row list page.
    const identity = Column.prototype.mapFromDriverValue;
    columns = Object.entries(getTableColumns(table)).map(([key, column]) => [
      key,
      column.name,
      instantsAsMs && isInstantColumn(column)
        ? (value: unknown) => new Date(typeof value === 'number' ? value : Number(value))
        : column.mapFromDriverValue === identity
          ? null
          : (value: unknown) => column.mapFromDriverValue(value),
    ]);
    cache.set(table, columns);
  }
  return columns;
}

/**
 * A table's rows as a raw statement returned them, keyed by column name — as JSON (`json_agg`,
 * `row_to_json`: how one statement hands back rows of several kinds) or as plain rows with other
 * columns beside them — decoded the way drizzle decodes its own reads: keys by property name, each
 * value through its column's mapping (timestamps to Date, and so on). With `instantsAsMs`, the
 * statement selected the timestamp columns as milliseconds since the epoch (a float8), as a
 * list does: a number becomes a Date for nothing, where the text of a timestamp is parsed.
 */
export function decodeRows<T extends Table>(table: T, json: unknown, opts: { instantsAsMs?: boolean } = {}): T['$inferSelect'][] {
  if (!Array.isArray(json)) return [];
  const columns = decoders(table, opts.instantsAsMs === true);
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
