import type { GhlConnectionRow } from '../db/schema';
import type { PlatformDeps } from '../platform';
import { findConnection, markConnection, storeRefreshedTokens } from './connections-repo';
import { GhlError } from './errors';
import { isInvalidGrant, type OAuthClient } from './oauth';
import type { TokenCipher } from './token-crypto';

/** Refresh this long before expiry, so a token never dies mid-request. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const WAIT_POLL_MS = 50;

export interface TokenManagerDeps extends Pick<PlatformDeps, 'db' | 'store' | 'clock' | 'logger'> {
  cipher: TokenCipher;
  oauth: OAuthClient;
  /** How long a refresh may take (the token request's timeout); the lock outlives it. */
  refreshTimeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Access tokens per location. GHL refresh tokens are single-use: two concurrent refreshes with the
 * same token break the install. So a refresh happens only:
 *  - once per process (in-process single flight), and
 *  - once across processes (a store lock with an owner id, released by compare-and-delete);
 * the lock holder re-reads the stored token first (someone may have refreshed), waiters wait for
 * the new token instead of refreshing, and on invalid_grant we adopt a sibling's newer token
 * before declaring the connection dead.
 */
export class TokenManager {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: TokenManagerDeps) {
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * A usable access token. `rejected` is a token GHL just answered 401 to: if the stored one is
   * still that token, it is refreshed even though it has not expired by our clock.
   */
  async accessToken(locationId: string, opts: { rejected?: string } = {}): Promise<string> {
    const conn = await this.usableConnection(locationId);
    const token = await this.deps.cipher.decrypt(conn.accessTokenEnc, locationId);
    if (conn.authType === 'pit') {
      if (opts.rejected === token) {
        // A PIT cannot be refreshed: GHL no longer accepts it, someone must set a new one.
        await this.markDead(locationId, 'private integration token rejected by GHL');
        throw new GhlError('reauth_required', 'the private integration token was rejected; set a new one');
      }
      return token;
    }
    const rejected = opts.rejected !== undefined && opts.rejected === token;
    const expiresSoon = !conn.accessExpiresAt || conn.accessExpiresAt.getTime() - this.deps.clock.now().getTime() < REFRESH_MARGIN_MS;
    if (!rejected && !expiresSoon) return token;
    return this.refreshOnce(locationId, conn.tokenVersion);
  }

  private refreshOnce(locationId: string, staleVersion: number): Promise<string> {
    const key = `${locationId}:${staleVersion}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.refreshAcrossProcesses(locationId, staleVersion).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async refreshAcrossProcesses(locationId: string, staleVersion: number): Promise<string> {
    const lockKey = `ghl:refresh-lock:${locationId}`;
    const lockTtl = this.deps.refreshTimeoutMs + 5_000;
    const deadline = Date.now() + lockTtl + 5_000;
    while (Date.now() < deadline) {
      const owner = crypto.randomUUID();
      // No lock, no refresh: two refreshes with one single-use token would break the install.
      const locked = await this.deps.store.setIfAbsent(lockKey, owner, lockTtl).catch((cause: unknown) => {
        throw new GhlError('store_unavailable', 'the store is unavailable, so the token cannot be refreshed safely now', { cause });
      });
      if (locked) {
        try {
          return await this.refreshHoldingLock(locationId, staleVersion);
        } finally {
          // Unreleased, the lock still expires after its TTL.
          await this.deps.store.compareAndDelete(lockKey, owner).catch(() => false);
        }
      }
      // Someone else is refreshing: wait for their token rather than spending ours.
      await this.sleep(WAIT_POLL_MS);
      const fresh = await this.newerToken(locationId, staleVersion);
      if (fresh) return fresh;
    }
    throw new GhlError('auth', 'timed out waiting for another process to refresh the token');
  }

  private async refreshHoldingLock(locationId: string, staleVersion: number): Promise<string> {
    const already = await this.newerToken(locationId, staleVersion);
    if (already) return already;
    const conn = await this.usableConnection(locationId);
    if (!conn.refreshTokenEnc) {
      await this.markDead(locationId, 'no refresh token stored');
      throw new GhlError('reauth_required', 'the connection has no refresh token; reinstall the app');
    }
    const refreshToken = await this.deps.cipher.decrypt(conn.refreshTokenEnc, locationId);
    try {
      const t = await this.deps.oauth.refresh(refreshToken);
      const now = this.deps.clock.now();
      await storeRefreshedTokens(this.deps.db, locationId, {
        accessTokenEnc: await this.deps.cipher.encrypt(t.access_token, locationId),
        refreshTokenEnc: t.refresh_token ? await this.deps.cipher.encrypt(t.refresh_token, locationId) : conn.refreshTokenEnc,
        accessExpiresAt: new Date(now.getTime() + t.expires_in * 1000),
        scopes: t.scope ?? conn.scopes,
        at: now,
      });
      this.deps.logger.info('ghl token refreshed', { location_id: locationId });
      return t.access_token;
    } catch (err) {
      if (!isInvalidGrant(err)) throw err;
      // Our refresh token was already used: if a sibling rotated it, its result is stored.
      const sibling = await this.newerToken(locationId, staleVersion);
      if (sibling) return sibling;
      await this.markDead(locationId, 'refresh token rejected (invalid_grant)');
      throw new GhlError('reauth_required', 'GHL rejected the refresh token; the location must reinstall the app', { cause: err });
    }
  }

  private async newerToken(locationId: string, staleVersion: number): Promise<string | null> {
    const conn = await findConnection(this.deps.db, locationId);
    if (!conn || conn.tokenVersion <= staleVersion || conn.status !== 'active') return null;
    return this.deps.cipher.decrypt(conn.accessTokenEnc, locationId);
  }

  private async usableConnection(locationId: string): Promise<GhlConnectionRow> {
    const conn = await findConnection(this.deps.db, locationId);
    if (!conn) throw new GhlError('not_connected', `location ${locationId} has no GHL connection`);
    if (conn.status !== 'active') {
      throw new GhlError('reauth_required', `the GHL connection of ${locationId} is ${conn.status}: ${conn.lastError ?? ''}`.trim());
    }
    return conn;
  }

  private async markDead(locationId: string, why: string): Promise<void> {
    this.deps.logger.error('ghl connection needs re-authorisation', { location_id: locationId, reason: why });
    await markConnection(this.deps.db, locationId, 'reauth_required', why, this.deps.clock.now());
  }
}
