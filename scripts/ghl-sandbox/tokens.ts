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
  /** The install this code completes was already announced (INSTALL sent when it was made). */
  announced: boolean;
}

export interface Grant {
  access: TokenRecord;
  refreshToken: string;
  expiresIn: number;
}

/** A code exchanged: the grant, and whether its INSTALL is still to be sent. */
export interface CodeGrant extends Grant {
  announced: boolean;
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

  issueCode(locationId: string, companyId: string, scopes: string[], opts: { announced?: boolean } = {}): string {
    const code = secret('code');
    this.codes.set(code, { locationId, companyId, scopes, used: false, announced: opts.announced ?? false });
    return code;
  }

  createPit(locationId: string, companyId: string, scopes: string[]): string {
    const token = secret('pit');
    this.access.set(token, { token, kind: 'pit', locationId, companyId, userId: SANDBOX_USER_ID, scopes, expiresAt: null });
    return token;
  }

  /** Codes are single-use too; null for an unknown or spent code. */
  exchangeCode(code: string): CodeGrant | null {
    const rec = this.codes.get(code);
    if (!rec || rec.used) return null;
    rec.used = true;
    return { ...this.grant(rec.locationId, rec.companyId, rec.scopes), announced: rec.announced };
  }

  /**
   * The app removed from a location: its access and refresh tokens and unused codes stop working.
   * PITs stay: they belong to the location's private integrations, not to the app.
   */
  revokeApp(locationId: string): void {
    for (const [token, rec] of this.access) if (rec.kind === 'access' && rec.locationId === locationId) this.access.delete(token);
    for (const [token, rec] of this.refreshTokens) if (rec.locationId === locationId) this.refreshTokens.delete(token);
    for (const [code, rec] of this.codes) if (rec.locationId === locationId) this.codes.delete(code);
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
