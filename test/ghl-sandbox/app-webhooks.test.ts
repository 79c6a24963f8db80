/**
 * INSTALL and UNINSTALL: sent when a location installs the app (its OAuth code exchanged, or the
 * install action) and when it removes it, signed exactly like the appointment webhooks.
 */
import { describe, expect, it } from 'vitest';
import { BASE, LIMA, api, manualClock, seededSandbox, tokenRequest } from './support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function setup() {
  const clock = manualClock();
  const sandbox = seededSandbox({ now: clock.now, appId: 'app-citas-sync', appVersionId: 'ver-1' });
  const got: { raw: string; body: any; headers: Headers }[] = [];
  sandbox.configureWebhooks({
    deliver: async (req) => {
      const raw = await req.text();
      got.push({ raw, body: JSON.parse(raw), headers: req.headers });
      return new Response('ok', { status: 200 });
    },
    scheme: 'both',
  });
  return { sandbox, clock, got };
}

async function verifiesWithSandboxKeys(sandbox: ReturnType<typeof setup>['sandbox'], raw: string, headers: Headers) {
  const keys = await sandbox.webhookKeys();
  const spki = (pem: string) => Uint8Array.from(atob(pem.replace(/-----[A-Z ]+-----|\s/g, '')), (ch) => ch.charCodeAt(0));
  const sig = (name: string) => Uint8Array.from(atob(headers.get(name) ?? ''), (ch) => ch.charCodeAt(0));
  const ed = await crypto.subtle.importKey('spki', spki(keys.ed25519PublicKeyPem), { name: 'Ed25519' }, false, ['verify']);
  const rsa = await crypto.subtle.importKey('spki', spki(keys.rsaPublicKeyPem), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  const bytes = new TextEncoder().encode(raw);
  return {
    ed25519: await crypto.subtle.verify({ name: 'Ed25519' }, ed, sig('x-ghl-signature'), bytes),
    rsa: await crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, rsa, sig('x-wh-signature'), bytes),
  };
}

describe('app webhooks', () => {
  it('an OAuth install sends one signed INSTALL, shaped as AppInstall.md, when its code is exchanged', async () => {
    const { sandbox, clock, got } = setup();
    const code = sandbox.issueAuthCode(LIMA);
    await sandbox.webhooks.idle();
    expect(got).toEqual([]); // a code alone is no install yet
    expect((await tokenRequest(sandbox, { grant_type: 'authorization_code', code, user_type: 'Location' })).status).toBe(200);
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(1);
    expect(got[0]!.body).toEqual({
      type: 'INSTALL',
      appId: 'app-citas-sync',
      versionId: 'ver-1',
      installType: 'Location',
      locationId: LIMA,
      companyId: expect.any(String),
      userId: expect.any(String),
      companyName: expect.any(String),
      isWhitelabelCompany: false,
      whitelabelDetails: {},
      timestamp: new Date(clock.now()).toISOString(),
      webhookId: expect.stringMatching(UUID),
    });
    expect(await verifiesWithSandboxKeys(sandbox, got[0]!.raw, got[0]!.headers)).toEqual({ ed25519: true, rsa: true });
    expect(sandbox.webhooks.log()).toEqual([expect.objectContaining({ type: 'INSTALL', appointmentId: null, attempt: 1, status: 200 })]);

    // A refresh is not an install.
    const refreshToken = (await tokenRequest(sandbox, { grant_type: 'authorization_code', code: sandbox.issueAuthCode(LIMA) })).body.refresh_token;
    await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: refreshToken });
    await sandbox.webhooks.idle();
    expect(got.map((g) => g.body.type)).toEqual(['INSTALL', 'INSTALL']);
  });

  it('the install action announces at once and its code does not announce again', async () => {
    const { sandbox, got } = setup();
    const { code, webhook } = sandbox.actions.installApp(LIMA);
    await sandbox.webhooks.idle();
    expect(got.map((g) => g.body)).toEqual([webhook]);
    expect((await tokenRequest(sandbox, { grant_type: 'authorization_code', code })).status).toBe(200);
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(1);
  });

  it('uninstall sends UNINSTALL (AppUninstall.md) and revokes the app tokens, never a PIT', async () => {
    const { sandbox, clock, got } = setup();
    const tokens = (await tokenRequest(sandbox, { grant_type: 'authorization_code', code: sandbox.issueAuthCode(LIMA) })).body;
    const pit = sandbox.createPrivateToken(LIMA);
    const { webhook } = sandbox.actions.uninstallApp(LIMA);
    await sandbox.webhooks.idle();
    expect(webhook).toEqual({ type: 'UNINSTALL', appId: 'app-citas-sync', locationId: LIMA, timestamp: new Date(clock.now()).toISOString(), webhookId: expect.stringMatching(UUID) });
    expect(got.map((g) => g.body)).toEqual([expect.objectContaining({ type: 'INSTALL' }), webhook]);
    const last = got[got.length - 1]!;
    expect(await verifiesWithSandboxKeys(sandbox, last.raw, last.headers)).toEqual({ ed25519: true, rsa: true });

    expect((await api(sandbox, tokens.access_token).get(`/calendars/?locationId=${LIMA}`)).status).toBe(401);
    expect((await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(400);
    expect((await api(sandbox, pit).get(`/calendars/?locationId=${LIMA}`)).status).toBe(200);
  });

  it('over HTTP: /_sandbox/actions/install and /_sandbox/actions/uninstall', async () => {
    const { sandbox, got } = setup();
    const post = async (path: string, body: unknown) => {
      const res = await sandbox.fetch(`${BASE}/_sandbox/actions/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const installed = await post('install', { locationId: LIMA });
    expect(installed).toMatchObject({ status: 200, body: { code: expect.any(String), webhook: { type: 'INSTALL', locationId: LIMA } } });
    expect(await post('uninstall', { locationId: LIMA })).toMatchObject({ status: 200, body: { webhook: { type: 'UNINSTALL', locationId: LIMA } } });
    expect((await post('uninstall', { locationId: 'nowhere' })).status).toBe(400);
    await sandbox.webhooks.idle();
    expect(got.map((g) => g.body.type)).toEqual(['INSTALL', 'UNINSTALL']);
  });

  it('sends nothing while webhooks are off', async () => {
    const sandbox = seededSandbox();
    expect(sandbox.actions.uninstallApp(LIMA).webhook.type).toBe('UNINSTALL');
    await sandbox.webhooks.idle();
    expect(sandbox.webhooks.log()).toEqual([]);
  });
});
