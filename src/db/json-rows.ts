import { Column, getTableColumns, type Table } from 'drizzle-orm';

/** Per table: each column's property key, its name in the JSON, its decoder (null: the value as it is), and a row of nulls to copy. */
interface Decoders {
  keys: string[];
  names: string[];
  decode: (((value: unknown) => unknown) | null)[];
  template: Record<string, null>;
}
const columnsOf = new WeakMap<Table, Decoders>();
/** The same, for rows whose instants a statement selected as milliseconds (a list's page: citas-repo.ts). */
const msColumnsOf = new WeakMap<Table, Decoders>();

/** A timestamp column read as a Date: what a list's page selects as milliseconds. */
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
    const entries = Object.entries(getTableColumns(table));
    columns = {
      keys: entries.map(([key]) => key),
      names: entries.map(([, column]) => column.name),
      decode: entries.map(([, column]) =>
        instantsAsMs && isInstantColumn(column)
          ? (value: unknown) => new Date(typeof value === 'number' ? value : Number(value))
          : column.mapFromDriverValue === identity
            ? null
            : (value: unknown) => column.mapFromDriverValue(value),
      ),
      template: Object.fromEntries(entries.map(([key]) => [key, null])),
    };
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
  const { keys, names, decode, template } = decoders(table, opts.instantsAsMs === true);
  const n = keys.length;
  const out = new Array<T['$inferSelect']>(json.length);
  for (let r = 0; r < json.length; r++) {
    const raw = json[r] as Record<string, unknown>;
    // A copy of a row of nulls has every key from the start: one shape for all rows, none grown
    // key by key (thirty-odd columns, fifty rows a page).
    const row: Record<string, unknown> = { ...template };
    for (let i = 0; i < n; i++) {
      const value = raw[names[i]!];
      if (value === null || value === undefined) continue;
      const d = decode[i];
      row[keys[i]!] = d ? d(value) : value;
    }
    out[r] = row as T['$inferSelect'];
  }
  return out;
}

/** A json value a statement returned, however the driver hands json back (parsed or as text). */
export function parseJson(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}
