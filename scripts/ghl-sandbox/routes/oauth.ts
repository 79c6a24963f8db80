import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { traceId } from '../errors';
import type { Grant } from '../tokens';

/** `POST /oauth/token`: authorization_code and refresh_token grants, form-encoded as GHL requires. */
export function oauthRoutes(core: SandboxCore) {
  const app = new Hono();

  app.post('/oauth/token', async (c) => {
    core.stats.tokenRequests += 1;
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return c.json({ error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' }, 400);
    }
    const form = new URLSearchParams(await c.req.text());
    if (form.get('client_id') !== core.options.clientId || form.get('client_secret') !== core.options.clientSecret) {
      return c.json({ error: 'invalid_client' }, 401);
    }
    const userType = form.get('user_type');
    if (userType !== null && userType !== 'Location') {
      return c.json({ error: 'invalid_request', error_description: 'The sandbox issues Location tokens only' }, 400);
    }

    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const grant = core.tokens.exchangeCode(form.get('code') ?? '');
      if (!grant) return c.json({ error: 'invalid_grant', error_description: 'Invalid authorization code' }, 400);
      return c.json(tokenResponse(grant), 200);
    }
    if (grantType === 'refresh_token') {
      const grant = core.tokens.refresh(form.get('refresh_token') ?? '');
      if (grant === 'unknown' || grant === 'reused') {
        if (grant === 'reused') core.stats.reusedRefreshTokens += 1;
        return c.json({ error: 'invalid_grant', error_description: 'Invalid refresh token' }, 400);
      }
      core.stats.refreshes += 1;
      return c.json(tokenResponse(grant), 200);
    }
    return c.json({ error: 'unsupported_grant_type' }, 400);
  });

  return app;
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
