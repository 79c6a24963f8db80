import { sha256Sync } from './sha256';

/** Lower-case hex of bytes (digests in ids, hashes and log names). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/** Every byte's two hex digits (a content hash per appointment: thousands per sync). */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** SHA-256 of a string or bytes, as bytes (synchronous: see sha256.ts for why not WebCrypto). */
export function sha256(data: string | Uint8Array): Uint8Array {
  return sha256Sync(data);
}
