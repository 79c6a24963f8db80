/**
 * Text Postgres cannot store, found before it reaches the database: a NUL character (text and
 * jsonb refuse it) or an unpaired UTF-16 surrogate (not encodable as UTF-8). Either makes the
 * write fail, which must be a 4xx naming the field, never a 500 or a retry loop.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired surrogate (not valid Unicode)';
  return null;
}

/** Deepest nesting any request body may have; `extras` has its own, tighter bound. */
export const MAX_JSON_DEPTH = 32;

/**
 * Every string (keys included) of a parsed JSON value that cannot be stored, with its path; and
 * nesting beyond `maxDepth`, reported once at the first place it happens. Iterative, so a
 * hostile 100,000-deep body cannot overflow the stack.
 */
export function unsafeJsonFields(value: unknown, maxDepth = MAX_JSON_DEPTH, prefix = ''): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: prefix, depth: 0 }];
  const name = (path: string) => path || '(body)';
  while (stack.length && out.length < 20) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) out.push({ field: name(path), message: problem });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) {
      out.push({ field: name(path), message: `nested more than ${maxDepth} levels deep` });
      continue;
    }
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) {
      const childPath = path ? `${path}.${k}` : k;
      const keyProblem = Array.isArray(v) ? null : textProblem(k);
      if (keyProblem) out.push({ field: name(path), message: `a key ${keyProblem}` });
      else stack.push({ v: x, path: childPath, depth: depth + 1 });
    }
  }
  return out;
}

/** How deep a JSON value nests (a scalar is 0), stopping early once past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, depth]);
  }
  return max;
}

/**
 * A copy of a JSON value that Postgres can store, to keep a record of something we refused:
 * unstorable characters become U+FFFD and nesting past the bound is cut off.
 */
export function storableJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_JSON_DEPTH) return '[nested too deeply]';
  if (Array.isArray(value)) return value.map((x) => storableJson(x, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [storableText(k), storableJson(x, depth + 1)]));
}

export function storableText(s: string): string {
  return s.replace(/\u0000/g, '\uFFFD').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}
