import { secret } from './ids';

/**
 * OAuth codes, access tokens, refresh tokens and PITs. Refresh tokens are single-use, as GHL's
 * are: a refresh kills the token it used, so a second refresh with it is a reuse, which is what a
 * client without a single-flight lock does.
 */

export const SANDBOX_USER_ID = 'sandboxUser000000001';

export interface TokenRecord {
  token: string;
  kind: 'access' | 'pit';
  locationId: string;
  companyId: string;
  userId: string;
  scopes: string[];
  /** Epoch ms; null for PITs, which never expire. */
  expiresAt: number | null;
}

interface RefreshRecord {
  token: string;
  locationId: string;
  companyId: string;
  scopes: string[];
  used: boolean;
}

interface CodeRecord {
  locationId: string;
  companyId: string;
  scopes: string[];
  used: boolean;
}

export interface Grant {
  access: TokenRecord;
  refreshToken: string;
  expiresIn: number;
}

export type AuthResult = { ok: true; token: TokenRecord } | { ok: false; reason: 'unknown' | 'expired' };

export class TokenStore {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly access = new Map<string, TokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: number,
  ) {}

  clear(): void {
    this.codes.clear();
    this.access.clear();
    this.refreshTokens.clear();
  }

  issueCode(locationId: string, companyId: string, scopes: string[]): string {
    const code = secret('code');
    this.codes.set(code, { locationId, companyId, scopes, used: false });
    return code;
  }

  createPit(locationId: string, companyId: string, scopes: string[]): string {
    const token = secret('pit');
    this.access.set(token, { token, kind: 'pit', locationId, companyId, userId: SANDBOX_USER_ID, scopes, expiresAt: null });
    return token;
  }

  /** Codes are single-use too; null for an unknown or spent code. */
  exchangeCode(code: string): Grant | null {
    const rec = this.codes.get(code);
    if (!rec || rec.used) return null;
    rec.used = true;
    return this.grant(rec.locationId, rec.companyId, rec.scopes);
  }

  /** The old access token is left alone: it stays valid until its own expiry, as in GHL. */
  refresh(token: string): Grant | 'unknown' | 'reused' {
    const rec = this.refreshTokens.get(token);
    if (!rec) return 'unknown';
    if (rec.used) return 'reused';
    rec.used = true;
    return this.grant(rec.locationId, rec.companyId, rec.scopes);
  }

  authenticate(token: string | undefined): AuthResult {
    const rec = token ? this.access.get(token) : undefined;
    if (!rec) return { ok: false, reason: 'unknown' };
    if (rec.expiresAt !== null && this.now() >= rec.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, token: rec };
  }

  /** PITs are untouched: they have no expiry to reach. */
  expireAccessTokens(locationId?: string): void {
    const now = this.now();
    for (const rec of this.access.values()) {
      if (rec.kind === 'access' && (locationId === undefined || rec.locationId === locationId) && (rec.expiresAt ?? 0) > now) {
        rec.expiresAt = now;
      }
    }
  }

  private grant(locationId: string, companyId: string, scopes: string[]): Grant {
    const access: TokenRecord = {
      token: secret('at'),
      kind: 'access',
      locationId,
      companyId,
      userId: SANDBOX_USER_ID,
      scopes,
      expiresAt: this.now() + this.ttlSeconds * 1000,
    };
    this.access.set(access.token, access);
    const refreshToken = secret('rt');
    this.refreshTokens.set(refreshToken, { token: refreshToken, locationId, companyId, scopes, used: false });
    return { access, refreshToken, expiresIn: this.ttlSeconds };
  }
}
