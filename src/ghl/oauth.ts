import type { AppConfig } from '../config/config';
import { ConfigError } from '../config/config';
import { GhlError, errorMessageOf } from './errors';
import { ghlTokenResponse, type GhlTokenResponse } from './schemas';

/**
 * GHL's token endpoint (form-encoded, no Version header). Refusals are kind 'auth' with the status
 * and body kept; `isInvalidGrant` tells the refused grant (which the token manager treats
 * specially) from our own mistakes.
 */
export function createOAuthClient(config: AppConfig, fetchFn: typeof fetch) {
  const post = async (form: Record<string, string>): Promise<GhlTokenResponse> => {
    if (!config.GHL_CLIENT_ID || !config.GHL_CLIENT_SECRET) {
      throw new ConfigError([{ variable: 'GHL_CLIENT_ID', message: 'GHL_CLIENT_ID and GHL_CLIENT_SECRET are needed for OAuth' }]);
    }
    let res: Response;
    try {
      res = await fetchFn(new URL('/oauth/token', config.GHL_API_BASE), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ client_id: config.GHL_CLIENT_ID, client_secret: config.GHL_CLIENT_SECRET, ...form }),
        signal: AbortSignal.timeout(config.GHL_TIMEOUT_MS),
      });
    } catch (cause) {
      // A refresh that may have reached GHL is treated like any network failure: the sibling
      // re-read on invalid_grant covers the case where it did rotate the token.
      throw new GhlError('network', `token request failed: ${(cause as Error).message}`, { cause });
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const kind = res.status >= 500 ? 'server' : res.status === 429 ? 'rate_limited' : 'auth';
      throw new GhlError(kind, `token request refused (${res.status}): ${errorMessageOf(body)}`, { status: res.status, body });
    }
    const parsed = ghlTokenResponse.safeParse(body);
    if (!parsed.success) throw new GhlError('server', 'token response without an access token', { status: res.status, body });
    return parsed.data;
  };

  return {
    exchangeCode: (code: string) =>
      post({
        grant_type: 'authorization_code',
        code,
        user_type: 'Location',
        ...(config.GHL_REDIRECT_URI ? { redirect_uri: config.GHL_REDIRECT_URI } : {}),
      }),
    refresh: (refreshToken: string) => post({ grant_type: 'refresh_token', refresh_token: refreshToken, user_type: 'Location' }),
  };
}

export type OAuthClient = ReturnType<typeof createOAuthClient>;

/**
 * GHL refused the grant itself: the code or refresh token is spent, revoked or unknown, or the
 * location can no longer hold one (GHL answers e.g. "Location is not active" the same way).
 * oauth.json declares that answer as 400 `{statusCode, message}`; RFC 6749's `{error:
 * "invalid_grant"}` is read the same, should GHL ever send it. A 401 (our client credentials) or a
 * 422 (our request) is our fault, not the grant's: the install stays as it is.
 */
export function isInvalidGrant(err: unknown): boolean {
  if (!(err instanceof GhlError)) return false;
  return err.status === 400 || (err.details.body as { error?: string } | undefined)?.error === 'invalid_grant';
}
