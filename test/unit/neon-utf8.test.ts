/**
 * src/db/neon.ts gives the browser `buffer` package Neon's driver carries on Workers native UTF-8
 * paths. The driver only uses that package where the platform has no Buffer, so here it is loaded
 * that way (Buffer hidden while it is imported), and the patched methods are compared with the
 * package's own on the strings and bytes a connection carries, and on the awkward ones.
 */
import { describe, expect, it } from 'vitest';

type Shim = {
  byteLength(s: string, enc?: string): number;
  alloc(n: number): ShimBuffer;
  from(a: number[] | Uint8Array): ShimBuffer;
  prototype: ShimBuffer;
};
type ShimBuffer = Uint8Array & { write(...a: unknown[]): number; toString(...a: unknown[]): string };

let loaded: ReturnType<typeof load> | undefined;
/** Once per file: the package's own methods are only to be had before our module patches them. */
const loadShim = () => (loaded ??= load());

async function load() {
  const saved = globalThis.Buffer;
  // Hidden while the driver is first imported, as on Workers: it then takes the package's Buffer.
  delete (globalThis as { Buffer?: unknown }).Buffer;
  let neon: typeof import('@neondatabase/serverless');
  try {
    neon = await import('@neondatabase/serverless');
  } finally {
    globalThis.Buffer = saved;
  }
  const B = (neon.types.getTypeParser(17, 'text') as (v: string) => ShimBuffer)('\\x00').constructor as unknown as Shim;
  const original = { byteLength: B.byteLength, write: B.prototype.write, toString: B.prototype.toString };
  // Importing our module patches the driver's Buffer, as it does on Workers.
  await import('../../src/db/neon');
  return { B, original, saved };
}

/** A seeded generator, so a failure names a string that can be found again. */
function random(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

const samples = (() => {
  const rnd = random(7);
  const fixed = ['', 'a', 'select "citas".location_id from "citas" where id = $1', 'ñandú', '€uro', 'Cita 😀 👩‍⚕️', '\ufeffhola', '\ufeff' + 'una nota larga, '.repeat(6), '\ud800', 'x\udc00y', 'a\ud800', '\ud83d', '\ud83d\ude00\ud83d', JSON.stringify({ notes: 'Ñ – “quotes” 日本語 \u0000' })];
  const made: string[] = [];
  for (let i = 0; i < 300; i++) {
    const n = Math.floor(rnd() * 40);
    let s = '';
    for (let j = 0; j < n; j++) {
      const r = rnd();
      s += String.fromCharCode(r < 0.5 ? 32 + Math.floor(rnd() * 95) : r < 0.7 ? 0x80 + Math.floor(rnd() * 0x780) : r < 0.9 ? 0x800 + Math.floor(rnd() * 0xf7ff) : 0xd800 + Math.floor(rnd() * 0x800));
    }
    made.push(s);
  }
  return [...fixed, ...made];
})();

describe("Neon's Buffer on Workers, with native UTF-8", () => {
  it('is patched when the driver carries its own Buffer', async () => {
    const { B, original, saved } = await loadShim();
    expect(B).not.toBe(saved);
    expect(B.prototype.write).not.toBe(original.write);
    expect(B.byteLength).not.toBe(original.byteLength);
  });

  it('measures, writes and reads back every sample as the package does', async () => {
    const { B, original } = await loadShim();
    for (const s of samples) {
      const label = JSON.stringify(s);
      const n = B.byteLength(s);
      expect(n, label).toBe(original.byteLength.call(B, s));
      expect(B.byteLength(s, 'utf-8'), label).toBe(n);
      // The whole string, then at an offset and into too little room (whole characters only).
      for (const [size, offset, length] of [[n, 0, undefined], [n + 7, 3, undefined], [n + 7, 3, Math.max(0, n - 2)], [Math.max(0, n - 1), 0, undefined]] as const) {
        const mine = B.alloc(size);
        const theirs = B.alloc(size);
        const args = length === undefined ? [s, offset, 'utf-8'] : [s, offset, length];
        expect(mine.write(...args), `${label} ${size}/${offset}/${length}`).toBe(original.write.apply(theirs, args));
        expect([...mine], label).toEqual([...theirs]);
      }
      const bytes = B.alloc(n + 4);
      original.write.call(bytes, s, 2);
      expect(bytes.toString('utf-8', 2, 2 + n), label).toBe(original.toString.call(bytes, 'utf-8', 2, 2 + n));
      expect(bytes.toString(), label).toBe(original.toString.call(bytes));
    }
  });

  it('keeps the forms and edges the driver uses: no offset, an encoding alone, past the end, other encodings', async () => {
    const { B, original } = await loadShim();
    const a = B.alloc(8);
    const b = B.alloc(8);
    expect(a.write('héllo')).toBe(original.write.call(b, 'héllo'));
    expect(a.write('ñ', 'utf8')).toBe(original.write.call(b, 'ñ', 'utf8'));
    expect([...a]).toEqual([...b]);
    expect(() => a.write('x', 9)).toThrow(RangeError);
    expect(a.toString('utf8', 9, 12)).toBe(original.toString.call(b, 'utf8', 9, 12));
    expect(a.toString('utf8', 5, 2)).toBe('');
    expect(a.toString('hex')).toBe(original.toString.call(b, 'hex'));
    expect(a.write('ff', 0, 'hex')).toBe(1);
    expect(a[0]).toBe(255);
    expect(B.byteLength('abcd', 'base64')).toBe(original.byteLength.call(B, 'abcd', 'base64'));
  });
});
