/**
 * `npm start` without GHL configured: the GHL sandbox as an HTTP server next to the service,
 * seeded with a demo clinic, and that clinic connected (private integration token) with its
 * default calendar chosen, so a cita created with curl shows up in the sandbox at once, and
 * changes made "in GHL" (sandbox actions) come back through signed webhooks.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DATA_DIR, persistentSecret } from './local-keys';
import { DEMO_SEED, type SandboxData } from '../ghl-sandbox';
import { startGhlSandboxServer } from '../ghl-sandbox/server';
import type { Deps } from '../../src/deps';
import { connectWithPrivateToken } from '../../src/locations/connection';
import { getLocationSettings, upsertLocationSettings } from '../../src/locations/settings-repo';

export const DEMO_LOCATION = 'demo-location';
export const DEMO_CALENDAR = 'demo-cal-dra-gomez';

/**
 * The sandbox's appointments are kept next to the embedded database: a restart that kept our
 * citas but forgot GHL's appointments would look, to the next sync, like a clinic whose agenda was
 * deleted in GHL. Deleting ./.data starts both sides clean together.
 */
export const SANDBOX_STATE_FILE = `${DATA_DIR}/ghl-sandbox.json`;

export async function startLocalGhl(env: NodeJS.ProcessEnv) {
  const server = await startGhlSandboxServer({ port: Number(env.GHL_SANDBOX_PORT ?? 8790) });
  const restored = existsSync(SANDBOX_STATE_FILE);
  if (restored) server.sandbox.importData(JSON.parse(readFileSync(SANDBOX_STATE_FILE, 'utf8')) as SandboxData);
  else server.sandbox.seed(DEMO_SEED);
  let saved = '';
  const save = () => {
    const text = JSON.stringify(server.sandbox.exportData());
    if (text === saved) return;
    mkdirSync(dirname(SANDBOX_STATE_FILE), { recursive: true });
    writeFileSync(`${SANDBOX_STATE_FILE}.tmp`, text);
    renameSync(`${SANDBOX_STATE_FILE}.tmp`, SANDBOX_STATE_FILE);
    saved = text;
  };
  save();
  const timer = setInterval(save, 1_000);
  timer.unref();
  env.GHL_API_BASE = server.url;
  env.GHL_CLIENT_ID ??= 'sandbox-client-id';
  env.GHL_CLIENT_SECRET ??= 'sandbox-client-secret';
  // Tokens are stored encrypted in the (persistent) embedded database, so the key must persist too.
  env.TOKEN_ENCRYPTION_KEY ??= localKey(`${env.PGLITE_DIR ?? './.data/pglite'}/../token-encryption.key`);
  // The sandbox signs its webhooks with its own keys; the service verifies with those.
  const keys = await server.sandbox.webhookKeys();
  env.GHL_WEBHOOK_ED25519_PUBLIC_KEY ??= keys.ed25519PublicKeyPem;
  env.GHL_WEBHOOK_RSA_PUBLIC_KEY ??= keys.rsaPublicKeyPem;
  return {
    url: server.url,
    sandbox: server.sandbox,
    restored,
    close: async () => {
      clearInterval(timer);
      save();
      await server.close();
    },
    /** GHL-side changes (sandbox actions, and echoes of our writes) arrive as signed webhooks. */
    sendWebhooksTo(url: string) {
      server.sandbox.configureWebhooks({ url });
    },
    async connectDemo(deps: Deps) {
      // The sandbox forgets everything on restart: connect afresh every time.
      await connectWithPrivateToken(deps, DEMO_LOCATION, server.sandbox.createPrivateToken(DEMO_LOCATION));
      const settings = await getLocationSettings(deps.db, DEMO_LOCATION);
      if (!settings?.defaultCalendarId) {
        await upsertLocationSettings(deps.db, DEMO_LOCATION, { defaultCalendarId: DEMO_CALENDAR }, deps.clock.now());
      }
      return { locationId: DEMO_LOCATION, calendarId: settings?.defaultCalendarId ?? DEMO_CALENDAR };
    },
  };
}

function localKey(path: string): string {
  return persistentSecret(path, () => randomBytes(32).toString('base64'));
}
