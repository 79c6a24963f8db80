/**
 * Equality of column values as change detection needs it: instants by their time, JSON values by
 * content, and a missing value the same as null.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  const x = a ?? null;
  const y = b ?? null;
  if (x instanceof Date && y instanceof Date) return x.getTime() === y.getTime();
  if (typeof x === 'object' && x !== null) return JSON.stringify(x) === JSON.stringify(y);
  return x === y;
}
