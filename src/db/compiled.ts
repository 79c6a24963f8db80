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
      const shared = shareParams(q.sql, q.params);
      text = shared.text;
      binders = shared.params.map(binderOf);
    }
    return { text, params: binders.map((b) => b(values)) };
  };
}

/**
 * One parameter per placeholder, however often the statement names it: drizzle numbers every
 * occurrence apart, so the webhook's lookup bound its location four times and its times three
 * (seventeen parameters for nine values), each sent again on every request. Occurrences share a
 * number only when their values are bound the same way (the same placeholder through the same
 * column's encoder); constants keep their own.
 */
function shareParams(text: string, params: unknown[]): { text: string; params: unknown[] } {
  const keyOf = (p: unknown): unknown[] | null =>
    is(p, Placeholder) ? [p.name, null] : is(p, Param) && is(p.value, Placeholder) ? [p.value.name, p.encoder ?? null] : null;
  const kept: unknown[] = [];
  const keys: (unknown[] | null)[] = [];
  const renumber: number[] = [];
  params.forEach((p, i) => {
    const key = keyOf(p);
    const same = key ? keys.findIndex((k) => k !== null && k[0] === key[0] && k[1] === key[1]) : -1;
    if (same >= 0) renumber[i] = same + 1;
    else {
      kept.push(p);
      keys.push(key);
      renumber[i] = kept.length;
    }
  });
  if (kept.length === params.length) return { text, params };
  // $n outside quoted text and identifiers (drizzle writes values only as parameters).
  const out = text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g, (m, n: string | undefined) => (n === undefined ? m : `$${renumber[Number(n) - 1]}`));
  return { text: out, params: kept };
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
