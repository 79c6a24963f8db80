const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * GHL ids are 20 alphanumeric characters. Drawn from crypto rather than the fault PRNG: ids must
 * not collide across reset(), and drawing them must not shift which requests a seeded fault hits.
 */
export function ghlId(length = 20): string {
  let id = '';
  while (id.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length))) {
      // Bytes from 248 up would favour the first characters (256 is not a multiple of 62).
      if (b < 248 && id.length < length) id += ALPHANUMERIC[b % 62];
    }
  }
  return id;
}

/** Opaque bearer secrets; real GHL access tokens are JWTs, but a client must not read them. */
export function secret(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
