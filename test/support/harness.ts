/**
 * One way for tests to get a running app: on the embedded defaults (PGlite in memory, memory
 * store) in `npm test`, or on the machine's real Postgres and Redis through the production
 * clients in `npm run test:services`. Each call gets its own database and key prefix.
 */
import { inject } from 'vitest';
import { Pool } from '@neondatabase/serverless';
import ws from 'ws';
import { useWsProxy } from '../../src/db/neon';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { createFullApp } from '../../src/app';
import { memoryLogger } from '../../src/observability/logger';
import { systemClock, type Clock } from '../../src/lib/clock';
import { sharedDeps } from '../../src/runtime/provider';
import { type Deps } from '../../src/deps';
import { createNodeDeps } from '../../scripts/lib/node-deps';
import type { GhlSandbox } from '../../scripts/ghl-sandbox';
import { localQueue, randomSigningKey, signedJobRequest } from '../../scripts/lib/local-qstash';
import { recordAnswers } from './answers';

export const SANDBOX_BASE = 'https://sandbox.ghl.test';
/** A fresh AES-256 key per environment, as base64. */
const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

export const API_KEY = 'test-api-key';
export const ADMIN_KEY = 'test-admin-key';
export const RV3_ORIGIN = 'https://rv3.example';

export type TestEnv = Awaited<ReturnType<typeof createTestEnv>>;

export function servicesMode(): boolean {
  return inject('services') !== undefined;
}

/**
 * `ghl`: a GHL sandbox the app talks to in-process (its fetch is injected), with short timeouts
 * and backoffs so fault tests run fast; GHL's real rate limits (100 / 10 s) stay as they are.
 * `recordAnswers`: keep every request the app serves and its answer in `answers`, for checking
 * them against the OpenAPI document (test/support/answers.ts).
 */
export async function createTestEnv(opts: { clock?: Clock; env?: Record<string, string>; ghl?: GhlSandbox; storePrefix?: string; recordAnswers?: boolean } = {}) {
  const services = inject('services');
  let dbUrl = 'memory://';
  let dropDatabase = async () => {};
  const env: Record<string, string> = {
    API_KEYS: API_KEY,
    ADMIN_API_KEYS: ADMIN_KEY,
    CORS_ORIGINS: RV3_ORIGIN,
    LOG_LEVEL: 'debug',
    // Deferred work is awaited by settle(); counts reach the store soon after each request.
    WRITE_BEHIND_MS: '5',
  };
  if (services) {
    const name = `citas_test_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await adminQuery(services, `CREATE DATABASE ${name}`);
    const admin = new URL(services.pgAdminUrl);
    admin.pathname = `/${name}`;
    dbUrl = admin.toString();
    dropDatabase = () => adminQuery(services, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    Object.assign(env, {
      NEON_WS_PROXY: services.wsProxy,
      UPSTASH_REDIS_REST_URL: services.redisRestUrl,
      UPSTASH_REDIS_REST_TOKEN: services.redisRestToken,
    });
  }
  env.DATABASE_URL = dbUrl;
  // QStash's side is played by a local queue that signs like QStash, delivering to this app.
  const qstashKey = randomSigningKey();
  env.QSTASH_CURRENT_SIGNING_KEY = qstashKey;
  env.QSTASH_NEXT_SIGNING_KEY = randomSigningKey();
  let deliverTo: (req: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
  const queue = localQueue({ signingKey: qstashKey, deliver: (req) => deliverTo(req), retries: 2, retryDelayMs: 20 });
  if (opts.ghl) {
    Object.assign(env, {
      GHL_API_BASE: SANDBOX_BASE,
      GHL_CLIENT_ID: 'sandbox-client-id',
      GHL_CLIENT_SECRET: 'sandbox-client-secret',
      TOKEN_ENCRYPTION_KEY: randomKey(),
      GHL_TIMEOUT_MS: '2000',
      GHL_BACKOFF_BASE_MS: '10',
      GHL_BACKOFF_CAP_MS: '300',
    });
  }
  Object.assign(env, opts.env);
  const config: AppConfig = loadConfig(env);
  const logger = memoryLogger();
  /** Every SQL statement drizzle sends, in order (tests count writes with it). */
  const statements: string[] = [];
  const node = await createNodeDeps(config, {
    migrate: true,
    logger,
    clock: opts.clock ?? systemClock,
    storePrefix: opts.storePrefix ?? `test:${crypto.randomUUID()}:`,
    ...(opts.ghl ? { fetch: opts.ghl.fetch } : {}),
    queue,
    logQuery: (q) => void statements.push(q),
  });
  const app = createFullApp(sharedDeps(node.deps));
  const answers = opts.recordAnswers ? recordAnswers(app as never) : [];

  // Work the app defers past the response (outbound pushes) is collected like Workers' waitUntil.
  const pending: Promise<unknown>[] = [];
  const executionCtx = {
    waitUntil: (p: Promise<unknown>) => void pending.push(p),
    passThroughOnException: () => {},
    props: {},
  };
  /** Waits for every deferred task so far (and those they start). */
  const settle = async () => {
    while (pending.length) await Promise.allSettled(pending.splice(0));
  };

  /**
   * A request with the API key (unless headers override it) and a JSON body. By default it also
   * waits for the work deferred past the response, so tests see the state after the push;
   * `{ settle: false }` returns as soon as the response does.
   */
  const api = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    opts: { settle?: boolean } = {},
  ): Promise<Response> => {
    const res = await app.request(
      path,
      {
        method,
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      },
      env,
      executionCtx as unknown as ExecutionContext,
    );
    if (opts.settle !== false) await settle();
    return res;
  };

  /** Connects a sandbox location with a Private Integration token, through the admin route. */
  const connectPit = async (locationId: string) => {
    if (!opts.ghl) throw new Error('connectPit needs createTestEnv({ ghl })');
    const token = opts.ghl.createPrivateToken(locationId);
    const res = await api('PUT', `/api/admin/locations/${locationId}/connection`, { private_integration_token: token }, { Authorization: `Bearer ${ADMIN_KEY}` });
    if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };

  /** Installs the app on a sandbox location the OAuth way (code → callback). */
  const connectOAuth = async (locationId: string) => {
    if (!opts.ghl) throw new Error('connectOAuth needs createTestEnv({ ghl })');
    const code = opts.ghl.issueAuthCode(locationId);
    const res = await app.request(`/oauth/callback?code=${encodeURIComponent(code)}`, {}, env, executionCtx as unknown as ExecutionContext);
    if (res.status !== 200) throw new Error(`install failed: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };

  /** Any request (e.g. a webhook delivered by the sandbox), with the env and ExecutionContext. */
  const request = async (req: Request): Promise<Response> => app.request(req, undefined, env, executionCtx as unknown as ExecutionContext);
  deliverTo = request;

  /** A job endpoint called the way QStash calls it (signed for http://localhost<path>). */
  const job = async (path: string, body?: unknown, opts2: { key?: string; url?: string } = {}) => {
    const url = `http://localhost${path}`;
    const req = await signedJobRequest({ key: opts2.key ?? qstashKey, url: opts2.url ?? url, body });
    const res = await request(new Request(url, { method: 'POST', headers: req.headers, body: await req.text() }));
    await queue.idle();
    await settle();
    return res;
  };

  return {
    app,
    env,
    request,
    statements,
    job,
    queue,
    qstashKey,
    connectPit,
    connectOAuth,
    deps: node.deps as Deps,
    logs: logger.lines,
    mode: node.database.kind,
    api,
    settle,
    /** Every request and answer, in order, when created with `recordAnswers: true`. */
    answers,
    async close() {
      await settle();
      await node.close();
      await dropDatabase();
    },
  };
}

async function adminQuery(services: NonNullable<ReturnType<typeof inject<'services'>>>, sql: string) {
  useWsProxy(services.wsProxy, ws);
  const pool = new Pool({ connectionString: services.pgAdminUrl, max: 1 });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

/** A valid create body; override what a test is about. */
export function citaBody(overrides: Record<string, unknown> = {}) {
  return {
    location_id: 'loc-1',
    calendar_id: 'cal-1',
    title: 'Control - Ana Pérez',
    contact_id: 'contact-1',
    start_time: '2025-11-14T10:00:00-05:00',
    end_time: '2025-11-14T10:30:00-05:00',
    ...overrides,
  };
}
