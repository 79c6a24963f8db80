import { is, Param, Placeholder, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Rendered } from './row-writes';

const dialect = new PgDialect();

/**
 * A fixed statement rendered by drizzle once — names from the schema, `sql.placeholder(name)`
 * where values go — then bound per call without building anything: values are encoded by the
 * columns they meet, as drizzle's prepared statements do. For statements on every webhook.
 */
export function compiled(build: () => SQL): (values: Record<string, unknown>) => Rendered {
  let text: string | undefined;
  let binders: ((values: Record<string, unknown>) => unknown)[] = [];
  return (values) => {
    if (text === undefined) {
      const q = dialect.sqlToQuery(build());
      text = q.sql;
      binders = q.params.map(binderOf);
    }
    return { text, params: binders.map((b) => b(values)) };
  };
}

function binderOf(p: unknown): (values: Record<string, unknown>) => unknown {
  if (is(p, Placeholder)) return (v) => valueOf(v, p.name);
  if (is(p, Param) && is(p.value, Placeholder)) {
    const { name } = p.value;
    const encoder = p.encoder;
    return (v) => {
      const x = valueOf(v, name);
      return x === null || x === undefined ? null : encoder && 'mapToDriverValue' in encoder ? encoder.mapToDriverValue(x) : x;
    };
  }
  // A constant drizzle made a parameter of: bound as rendered.
  return () => p;
}

function valueOf(values: Record<string, unknown>, name: string): unknown {
  if (!(name in values)) throw new Error(`no value for placeholder ${name}`);
  return values[name];
}
