import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { GhlError, traceId } from '../errors';
import type { Grant } from '../tokens';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

/**
 * `POST /oauth/token`: authorization_code and refresh_token grants, form-encoded as GHL requires.
 * Refusals answer what oauth.json declares for the operation (common-schemas.json): a malformed
 * request is 422 `{statusCode, message: [...], error}`, a wrong client 401 `{statusCode, message,
 * error}`, a code or refresh token GHL will not honour (unknown, spent, revoked) 400 `{statusCode,
 * message}` — not RFC 6749's `{error: "invalid_grant"}`, which the documents never show.
 */
export function oauthRoutes(core: SandboxCore) {
  const app = new Hono();

  app.post('/oauth/token', async (c) => {
    core.stats.tokenRequests += 1;
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw GhlError.unprocessable(['Content-Type must be application/x-www-form-urlencoded']);
    }
    const form = new URLSearchParams(await c.req.text());
    const grantType = form.get('grant_type');
    const userType = form.get('user_type');
    const problems: string[] = [];
    for (const field of ['client_id', 'client_secret', 'grant_type']) if (!form.get(field)) problems.push(`${field} should not be empty`);
    if (grantType && !GRANT_TYPES.includes(grantType)) problems.push(`grant_type must be one of the following values: ${GRANT_TYPES.join(', ')}`);
    // The sandbox issues Location tokens only (sandbox choice; GHL also knows Company).
    if (userType !== null && userType !== 'Location') problems.push('user_type must be one of the following values: Location');
    if (problems.length > 0) throw GhlError.unprocessable(problems);
    if (form.get('client_id') !== core.options.clientId || form.get('client_secret') !== core.options.clientSecret) {
      throw new GhlError(401, { statusCode: 401, message: 'Invalid client credentials', error: 'Unauthorized' });
    }

    if (grantType === 'authorization_code') {
      const grant = core.tokens.exchangeCode(form.get('code') ?? '');
      if (!grant) throw refusedGrant('authorization code is invalid, expired or already used');
      // The install is complete: GHL announces it with INSTALL (unless the install action already did).
      if (!grant.announced) core.appInstalled(grant.access.locationId);
      return c.json(tokenResponse(grant), 200);
    }
    if (grantType === 'refresh_token') {
      const grant = core.tokens.refresh(form.get('refresh_token') ?? '');
      if (grant === 'unknown' || grant === 'reused') {
        if (grant === 'reused') core.stats.reusedRefreshTokens += 1;
        throw refusedGrant('refresh token is invalid, revoked or already used');
      }
      core.stats.refreshes += 1;
      return c.json(tokenResponse(grant), 200);
    }
    throw GhlError.badRequest('The sandbox supports the authorization_code and refresh_token grants only');
  });

  return app;
}

/** A grant GHL will not honour: 400 BadRequestDTO (the message wording is the sandbox's own). */
function refusedGrant(why: string): GhlError {
  return GhlError.badRequest(`Invalid grant: ${why}`);
}

function tokenResponse(grant: Grant) {
  return {
    access_token: grant.access.token,
    token_type: 'Bearer',
    expires_in: grant.expiresIn,
    refresh_token: grant.refreshToken,
    scope: grant.access.scopes.join(' '),
    userType: 'Location',
    locationId: grant.access.locationId,
    companyId: grant.access.companyId,
    userId: grant.access.userId,
    traceId: traceId(),
  };
}
