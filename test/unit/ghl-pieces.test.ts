import { describe, expect, it } from 'vitest';
import { fullJitterDelay, waitAfter429 } from '../../src/ghl/backoff';
import { classifyResponse } from '../../src/ghl/errors';
import { createTokenCipher } from '../../src/ghl/token-crypto';
import { ConfigError } from '../../src/config/config';

describe('backoff', () => {
  it('full jitter stays within [0, min(cap, base·2^n))', () => {
    expect(fullJitterDelay(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitterDelay(20, 100, 10_000, () => 0.999)).toBe(9990);
    expect(fullJitterDelay(5, 100, 10_000, () => 0)).toBe(0);
  });

  it('after a 429: Retry-After wins, else the interval when the window is empty, else backoff; capped', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(waitAfter429(h({ 'Retry-After': '3' }), 100, 0, 60_000)).toBe(3000);
    expect(waitAfter429(h({ 'Retry-After': new Date(10_000).toUTCString() }), 100, 4_000, 60_000)).toBe(6000);
    expect(waitAfter429(h({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Interval-Milliseconds': '10000' }), 100, 0, 60_000)).toBe(10_000);
    expect(waitAfter429(h({ 'X-RateLimit-Remaining': '40', 'X-RateLimit-Interval-Milliseconds': '10000' }), 250, 0, 60_000)).toBe(250);
    expect(waitAfter429(h({ 'Retry-After': '3600' }), 100, 0, 20_000)).toBe(20_000);
  });
});

describe('GHL error classification', () => {
  it('tells expiry from scope, and slot conflicts from other 400s', () => {
    expect(classifyResponse(401, { message: 'Invalid JWT' })).toBe('auth');
    expect(classifyResponse(401, { message: 'The token is not authorized for this scope.' })).toBe('scope');
    expect(classifyResponse(403, { message: 'no access' })).toBe('scope');
    expect(classifyResponse(404, {})).toBe('not_found');
    expect(classifyResponse(429, {})).toBe('rate_limited');
    expect(classifyResponse(502, null)).toBe('server');
    expect(classifyResponse(400, { message: 'The slot you have selected is no longer available.' })).toBe('slot_unavailable');
    expect(classifyResponse(422, { message: ['calendarId is required'] })).toBe('validation');
  });
});

describe('token encryption', () => {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

  it('round-trips, never repeats a ciphertext, and is bound to its location', async () => {
    const cipher = createTokenCipher(key);
    const a = await cipher.encrypt('secret-token', 'loc-1');
    const b = await cipher.encrypt('secret-token', 'loc-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret-token');
    expect(await cipher.decrypt(a, 'loc-1')).toBe('secret-token');
    await expect(cipher.decrypt(a, 'loc-2')).rejects.toThrow();
    const other = createTokenCipher(btoa(String.fromCharCode(...new Uint8Array(32))));
    await expect(other.decrypt(a, 'loc-1')).rejects.toThrow();
  });

  it('without a key it names the missing variable', async () => {
    await expect(createTokenCipher(undefined).encrypt('x', 'l')).rejects.toBeInstanceOf(ConfigError);
  });
});
