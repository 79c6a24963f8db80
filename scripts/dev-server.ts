/**
 * `npm start`: the whole service on one machine. With no configuration it runs on the embedded
 * defaults (PGlite in ./.data/pglite, in-memory store); configured (.env or environment), the same
 * code talks to Postgres/Neon and Upstash.
 */
import { ConfigError, loadConfig } from '../src/config/config';
import { createFullApp } from '../src/app';
import { sharedDeps } from '../src/runtime/provider';
import { loadDotEnv } from './lib/dotenv';
import { createNodeDeps } from './lib/node-deps';
import { serveApp } from './lib/node-server';
import { startLocalGhl } from './lib/local-ghl';
import { localQueue, randomSigningKey, startLocalScheduler } from './lib/local-qstash';
import { DATA_DIR, persistentSecret } from './lib/local-keys';
import { SCHEDULES } from '../src/jobs/schedules';

/** The documented local key (README). Only this dev server ever falls back to it. */
export const LOCAL_DEV_API_KEY = 'dev-local-key';

loadDotEnv();
const usingLocalKey = !process.env.API_KEYS;
if (usingLocalKey) process.env.API_KEYS = LOCAL_DEV_API_KEY;
if (!process.env.ADMIN_API_KEYS && usingLocalKey) process.env.ADMIN_API_KEYS = LOCAL_DEV_API_KEY;
// A front end under development (Vite on :5173, …) may call this server from the browser.
if (!process.env.CORS_ORIGINS) process.env.CORS_ALLOW_LOCALHOST ??= 'true';
// No QStash configured → a local queue and scheduler signing like QStash, with keys kept in ./.data.
const localQStash = !process.env.QSTASH_TOKEN;
if (localQStash) {
  process.env.QSTASH_CURRENT_SIGNING_KEY ??= persistentSecret(`${DATA_DIR}/qstash-signing.key`, randomSigningKey);
  process.env.QSTASH_NEXT_SIGNING_KEY ??= persistentSecret(`${DATA_DIR}/qstash-next-signing.key`, randomSigningKey);
}
// No GHL configured → the GHL sandbox on this machine, seeded with a demo clinic.
const localGhl = process.env.GHL_API_BASE ? null : await startLocalGhl(process.env);

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const queue = localQStash
  ? localQueue({ signingKey: config.QSTASH_CURRENT_SIGNING_KEY!, deliver: (req) => fetch(req), log: (l) => console.log(l) })
  : undefined;
const node = await createNodeDeps(config, { migrate: true, ...(queue ? { queue } : {}) });
const app = createFullApp(sharedDeps(node.deps));
const demo = localGhl ? await localGhl.connectDemo(node.deps) : null;
const host = process.env.HOST ?? '127.0.0.1';
const served = await serveApp(app, { env: process.env, port: config.PORT, hostname: host });
const url = served.url;
localGhl?.sendWebhooksTo(`${url}/api/webhooks/ghl`);
if (localQStash) {
  startLocalScheduler({ baseUrl: config.PUBLIC_BASE_URL ?? url, signingKey: config.QSTASH_CURRENT_SIGNING_KEY!, schedules: SCHEDULES, log: (l) => console.log(l) });
}
console.log(
  [
    `citas-sync listening on ${url}`,
    `  database: ${node.database.describe}`,
    `  store:    ${node.storeDescription}`,
    `  zone:     ${config.APP_TIMEZONE}`,
    `  GHL:      ${localGhl ? `sandbox at ${localGhl.url} (location ${demo?.locationId}, calendar ${demo?.calendarId})` : config.GHL_API_BASE}`,
    `  API key:  ${usingLocalKey ? `${LOCAL_DEV_API_KEY} (local default; set API_KEYS to change)` : '(from API_KEYS)'}`,
    `  try:      curl -H 'Authorization: Bearer ${usingLocalKey ? LOCAL_DEV_API_KEY : '<key>'}' '${url}/api/citas?location_id=${demo?.locationId ?? 'demo'}'`,
    ...(localGhl
      ? [
          `  GHL side: curl '${localGhl.url}/_sandbox/appointments?locationId=${demo?.locationId}'`,
          `  webhooks: the sandbox signs and sends them to ${url}/api/webhooks/ghl (POST ${localGhl.url}/_sandbox/actions/move …)`,
        ]
      : []),
    `  jobs:     ${localQStash ? 'local scheduler (same crons as QStash); run one now: npm run job -- incremental' : 'QStash'}`,
  ].join('\n'),
);

const shutdown = async () => {
  await served.close();
  await localGhl?.close();
  await node.close();
  process.exit(0);
};
// Every promise on the request path is awaited or settled; should one still escape, it is logged
// loudly rather than taking the whole service (and the webhooks in flight) down with it.
process.on('unhandledRejection', (err) => console.error(JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'unhandled rejection', err: String((err as Error)?.stack ?? err) })));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
