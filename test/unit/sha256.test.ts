import { describe, expect, it } from 'vitest';
import { sha256Sync } from '../../src/lib/sha256';
import { toHex } from '../../src/lib/hex';

const webcrypto = async (bytes: Uint8Array) => toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));

describe('sha256Sync', () => {
  it('matches the published vectors', () => {
    expect(toHex(sha256Sync(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256Sync('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256Sync('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches WebCrypto at every length around the block and padding edges, and on unicode', async () => {
    const lengths = [...Array(140).keys(), 1000, 4095, 4096, 65_537];
    for (const n of lengths) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(toHex(sha256Sync(bytes)), `length ${n}`).toBe(await webcrypto(bytes));
    }
    const text = 'Cita – Ñandú 😀 '.repeat(9);
    expect(toHex(sha256Sync(text))).toBe(await webcrypto(new TextEncoder().encode(text)));
  });
});
