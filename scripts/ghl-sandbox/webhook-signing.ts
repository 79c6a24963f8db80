import type { WebhookPublicKeys, WebhookScheme } from './types';

/**
 * The sandbox's own webhook key pairs, standing in for GHL's: the service under test is configured
 * with these public keys instead of GHL's. Generated on first use (RSA generation is the slow part)
 * and kept for the sandbox's life, reset() included, so a configured receiver keeps verifying.
 */
export class WebhookSigner {
  private pairs?: Promise<{ ed25519: CryptoKeyPair; rsa: CryptoKeyPair }>;

  async publicKeys(): Promise<WebhookPublicKeys> {
    const { ed25519, rsa } = await this.keyPairs();
    return {
      ed25519PublicKeyPem: await spkiPem(ed25519.publicKey),
      rsaPublicKeyPem: await spkiPem(rsa.publicKey),
    };
  }

  /** The signature headers for these exact bytes: Ed25519 → `x-ghl-signature`, RSA-SHA256 → `x-wh-signature`. */
  async sign(rawBody: string, scheme: WebhookScheme = 'ed25519'): Promise<Record<string, string>> {
    const { ed25519, rsa } = await this.keyPairs();
    const bytes = new TextEncoder().encode(rawBody);
    const headers: Record<string, string> = {};
    if (scheme !== 'rsa') {
      headers['x-ghl-signature'] = base64(await crypto.subtle.sign({ name: 'Ed25519' }, ed25519.privateKey, bytes));
    }
    if (scheme !== 'ed25519') {
      headers['x-wh-signature'] = base64(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, rsa.privateKey, bytes));
    }
    return headers;
  }

  private keyPairs() {
    return (this.pairs ??= generatePairs());
  }
}

async function generatePairs(): Promise<{ ed25519: CryptoKeyPair; rsa: CryptoKeyPair }> {
  const [ed25519, rsa] = await Promise.all([
    crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>,
    // 2048 bits rather than GHL's 4096: same scheme, and tests do not wait seconds for a key.
    crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    ) as Promise<CryptoKeyPair>,
  ]);
  return { ed25519, rsa };
}

async function spkiPem(key: CryptoKey): Promise<string> {
  const b64 = base64(await crypto.subtle.exportKey('spki', key));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return ['-----BEGIN PUBLIC KEY-----', ...lines, '-----END PUBLIC KEY-----'].join('\n');
}

function base64(buf: ArrayBuffer): string {
  let binary = '';
  for (const b of new Uint8Array(buf)) binary += String.fromCharCode(b);
  return btoa(binary);
}
