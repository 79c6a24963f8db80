import { GHL_ED25519_PUBLIC_KEY, GHL_RSA_PUBLIC_KEY } from './ghl-keys';

/**
 * GHL webhook signatures, over the raw body bytes exactly as received (never re-serialised JSON):
 * Ed25519 in `x-ghl-signature` (current), else RSA-SHA256 in `x-wh-signature` (legacy). When the
 * Ed25519 header is present it decides alone: a bad Ed25519 signature never falls back to RSA.
 * There is no switch to skip verification, in any environment.
 */

export type SignatureResult = { ok: true; scheme: 'ed25519' | 'rsa' } | { ok: false; reason: string };

export interface WebhookVerifier {
  verify(rawBody: Uint8Array, headers: Headers): Promise<SignatureResult>;
}

export function createWebhookVerifier(keys: { ed25519?: string; rsa?: string } = {}): WebhookVerifier {
  let ed: Promise<CryptoKey> | undefined;
  let rsa: Promise<CryptoKey> | undefined;
  const edKey = () =>
    (ed ??= crypto.subtle.importKey('spki', spkiBytes(keys.ed25519 ?? GHL_ED25519_PUBLIC_KEY), { name: 'Ed25519' }, false, ['verify']));
  const rsaKey = () =>
    (rsa ??= crypto.subtle.importKey(
      'spki',
      spkiBytes(keys.rsa ?? GHL_RSA_PUBLIC_KEY),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['verify'],
    ));

  return {
    async verify(rawBody, headers) {
      const edSig = headers.get('x-ghl-signature');
      const rsaSig = headers.get('x-wh-signature');
      const body = rawBody as Uint8Array<ArrayBuffer>;
      if (edSig !== null) {
        const sig = decodeBase64(edSig);
        if (!sig) return { ok: false, reason: 'x-ghl-signature is not base64' };
        const valid = await crypto.subtle.verify({ name: 'Ed25519' }, await edKey(), sig, body);
        return valid ? { ok: true, scheme: 'ed25519' } : { ok: false, reason: 'x-ghl-signature does not match the body' };
      }
      if (rsaSig !== null) {
        const sig = decodeBase64(rsaSig);
        if (!sig) return { ok: false, reason: 'x-wh-signature is not base64' };
        const valid = await crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, await rsaKey(), sig, body);
        return valid ? { ok: true, scheme: 'rsa' } : { ok: false, reason: 'x-wh-signature does not match the body' };
      }
      return { ok: false, reason: 'no x-ghl-signature or x-wh-signature header' };
    },
  };
}

/** PEM (`-----BEGIN PUBLIC KEY-----`) or bare base64 SPKI → DER bytes. */
export function spkiBytes(key: string): Uint8Array<ArrayBuffer> {
  const b64 = key.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  const bytes = decodeBase64(b64);
  if (!bytes) throw new Error('public key is neither PEM nor base64 SPKI');
  return bytes;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> | null {
  const clean = s.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return null;
  let binary: string;
  try {
    binary = atob(clean);
  } catch {
    return null;
  }
  // A plain loop: Uint8Array.from with a mapping function costs several times more, on every delivery.
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
