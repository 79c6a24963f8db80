import { ConfigError } from '../config/config';

/**
 * Tokens at rest: AES-256-GCM with a random 96-bit IV. The location id is the additional
 * authenticated data, so a ciphertext copied onto another location's row fails to decrypt.
 * Format: `v1.<iv b64>.<ciphertext b64>`.
 */
export interface TokenCipher {
  encrypt(plain: string, locationId: string): Promise<string>;
  decrypt(sealed: string, locationId: string): Promise<string>;
}

export function createTokenCipher(keyBase64: string | undefined): TokenCipher {
  let key: Promise<CryptoKey> | undefined;
  const getKey = () => {
    if (!keyBase64) {
      throw new ConfigError([{ variable: 'TOKEN_ENCRYPTION_KEY', message: 'required to store or read GHL tokens' }]);
    }
    key ??= crypto.subtle.importKey('raw', fromB64(keyBase64), 'AES-GCM', false, ['encrypt', 'decrypt']);
    return key;
  };
  return {
    async encrypt(plain, locationId) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(locationId) },
        await getKey(),
        new TextEncoder().encode(plain),
      );
      return `v1.${toB64(iv)}.${toB64(new Uint8Array(data))}`;
    },
    async decrypt(sealed, locationId) {
      const [version, iv, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !data) throw new Error('unrecognised token ciphertext');
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromB64(iv), additionalData: new TextEncoder().encode(locationId) },
        await getKey(),
        fromB64(data),
      );
      return new TextDecoder().decode(plain);
    },
  };
}

function toB64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromB64(s: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(s.trim()), (c) => c.charCodeAt(0));
}
