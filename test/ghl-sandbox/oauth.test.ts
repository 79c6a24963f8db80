import { describe, expect, it } from 'vitest';
import { SCOPES } from '../../scripts/ghl-sandbox';
import { BASE, LIMA, api, manualClock, oauthTokens, seededSandbox, tokenRequest } from './support';

const INVALID_JWT = { statusCode: 401, message: 'Invalid JWT', error: 'Unauthorized' };

describe('OAuth code exchange', () => {
  it('answers like GHL, with every scope by default', async () => {
    const sandbox = seededSandbox();
    const code = sandbox.issueAuthCode(LIMA);
    const res = await tokenRequest(sandbox, { grant_type: 'authorization_code', code, user_type: 'Location', redirect_uri: 'https://x/cb' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 86399,
      refresh_token: expect.any(String),
      scope: SCOPES.join(' '),
      userType: 'Location',
      locationId: LIMA,
      companyId: expect.any(String),
      userId: expect.any(String),
      traceId: expect.any(String),
    });
    const calendars = await api(sandbox, res.body.access_token).get(`/calendars/?locationId=${LIMA}`);
    expect(calendars.status).toBe(200);
    expect(sandbox.stats().tokenRequests).toBe(1);
  });

  it('a code works once', async () => {
    const sandbox = seededSandbox();
    const code = sandbox.issueAuthCode(LIMA);
    expect((await tokenRequest(sandbox, { grant_type: 'authorization_code', code })).status).toBe(200);
    const again = await tokenRequest(sandbox, { grant_type: 'authorization_code', code });
    // Refused as oauth.json declares it: 400 BadRequestDTO, not RFC 6749's {error: "invalid_grant"}.
    expect(again).toEqual({ status: 400, body: { statusCode: 400, message: expect.stringMatching(/^Invalid grant: authorization code/) } });
  });

  it('a wrong client is 401 UnauthorizedDTO, and the body must be form-encoded (422)', async () => {
    const sandbox = seededSandbox();
    const code = sandbox.issueAuthCode(LIMA);
    const bad = await tokenRequest(sandbox, { grant_type: 'authorization_code', code, client_secret: 'nope' });
    expect(bad).toEqual({ status: 401, body: { statusCode: 401, message: 'Invalid client credentials', error: 'Unauthorized' } });
    const json = await sandbox.fetch(`${BASE}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', grant_type: 'authorization_code', code }),
    });
    expect(json.status).toBe(422);
    expect(await json.json()).toEqual({ statusCode: 422, message: ['Content-Type must be application/x-www-form-urlencoded'], error: 'Unprocessable Entity' });
    // The failed attempts did not spend the code.
    expect((await tokenRequest(sandbox, { grant_type: 'authorization_code', code })).status).toBe(200);
  });

  it('honours custom client credentials and token lifetime', async () => {
    const sandbox = seededSandbox({ clientId: 'cid', clientSecret: 'sec', accessTokenTtlSeconds: 60 });
    const code = sandbox.issueAuthCode(LIMA);
    const res = await tokenRequest(sandbox, { client_id: 'cid', client_secret: 'sec', grant_type: 'authorization_code', code });
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(60);
  });
});

describe('refresh', () => {
  it('rotates: a new pair, the old refresh token dead, the old access token alive until it expires', async () => {
    const clock = manualClock();
    const sandbox = seededSandbox({ now: clock.now, accessTokenTtlSeconds: 3600 });
    const first = await oauthTokens(sandbox);
    clock.advance(60_000);
    const refreshed = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: first.refresh_token, user_type: 'Location' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(first.access_token);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.body.scope).toBe(first.scope);
    expect(refreshed.body.locationId).toBe(LIMA);

    expect((await api(sandbox, first.access_token).get(`/locations/${LIMA}`)).status).toBe(200);
    clock.advance(3600_000 - 60_000);
    expect((await api(sandbox, first.access_token).get(`/locations/${LIMA}`)).body).toEqual(INVALID_JWT);
    expect((await api(sandbox, refreshed.body.access_token).get(`/locations/${LIMA}`)).status).toBe(200);

    const next = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token });
    expect(next.status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ tokenRequests: 3, refreshes: 2, reusedRefreshTokens: 0 });
  });

  it('a reused refresh token is refused (400) and counted; an unknown one is refused only', async () => {
    const sandbox = seededSandbox();
    const tokens = await oauthTokens(sandbox);
    expect((await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(200);
    const reused = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    const refused = { status: 400, body: { statusCode: 400, message: 'Invalid grant: refresh token is invalid, revoked or already used' } };
    expect(reused).toEqual(refused);
    const unknown = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: 'rt-never-issued' });
    expect(unknown).toEqual(refused);
    expect(sandbox.stats()).toMatchObject({ refreshes: 1, reusedRefreshTokens: 1, tokenRequests: 4 });
  });

  it('two concurrent refreshes with one token: exactly one wins', async () => {
    const sandbox = seededSandbox();
    const tokens = await oauthTokens(sandbox);
    const results = await Promise.all([
      tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
      tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(sandbox.stats().reusedRefreshTokens).toBe(1);
  });
});

describe('token expiry', () => {
  it('an expired access token is 401 Invalid JWT, like an unknown one', async () => {
    const clock = manualClock();
    const sandbox = seededSandbox({ now: clock.now });
    const tokens = await oauthTokens(sandbox);
    const client = api(sandbox, tokens.access_token);
    clock.advance(86_398_000);
    expect((await client.get(`/locations/${LIMA}`)).status).toBe(200);
    clock.advance(1_000);
    expect(await client.get(`/locations/${LIMA}`)).toMatchObject({ status: 401, body: INVALID_JWT });
    expect(await api(sandbox, 'garbage').get(`/locations/${LIMA}`)).toMatchObject({ status: 401, body: INVALID_JWT });
    expect(await api(sandbox, null).get(`/locations/${LIMA}`)).toMatchObject({ status: 401, body: INVALID_JWT });
  });

  it('expireAccessTokens() expires OAuth tokens now, per location or all, and leaves PITs alone', async () => {
    const sandbox = seededSandbox();
    const lima = await oauthTokens(sandbox, LIMA);
    const bogota = await oauthTokens(sandbox, 'loc-bogota');
    const pit = sandbox.createPrivateToken(LIMA);
    sandbox.expireAccessTokens(LIMA);
    expect((await api(sandbox, lima.access_token).get(`/locations/${LIMA}`)).status).toBe(401);
    expect((await api(sandbox, bogota.access_token).get('/locations/loc-bogota')).status).toBe(200);
    sandbox.expireAccessTokens();
    expect((await api(sandbox, bogota.access_token).get('/locations/loc-bogota')).status).toBe(401);
    expect((await api(sandbox, pit).get(`/locations/${LIMA}`)).status).toBe(200);
    // The refresh token still works after expiry: that is how a client recovers.
    const refreshed = await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: lima.refresh_token });
    expect((await api(sandbox, refreshed.body.access_token).get(`/locations/${LIMA}`)).status).toBe(200);
  });

  it('a PIT works and never expires', async () => {
    const clock = manualClock();
    const sandbox = seededSandbox({ now: clock.now });
    const pit = sandbox.createPrivateToken(LIMA);
    expect(pit).toMatch(/^pit-/);
    clock.advance(400 * 86_400_000);
    const res = await api(sandbox, pit).get(`/locations/${LIMA}`);
    expect(res.status).toBe(200);
    expect(res.body.location).toMatchObject({ id: LIMA, name: 'Clínica Lima', timezone: 'America/Lima' });
  });

  it('tokens for an unknown location are refused at issue time', () => {
    const sandbox = seededSandbox();
    expect(() => sandbox.issueAuthCode('nowhere')).toThrow(/unknown location/);
    expect(() => sandbox.createPrivateToken('nowhere')).toThrow(/unknown location/);
  });
});
