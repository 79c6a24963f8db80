/**
 * The built Worker bundles, booted in Miniflare (workerd), against the real Postgres (Neon's
 * driver through the WebSocket proxy) and real Redis (@upstash/redis through the REST bridge).
 * This is what `wrangler deploy` would ship, exercised end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { buildFunctions, type BuiltFunction } from '../../scripts/build';
import { ADMIN_KEY, API_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';
import { startGhlSandboxServer } from '../../scripts/ghl-sandbox/server';
import type { GhlSandbox } from '../../scripts/ghl-sandbox';
import { citaIdFromDescription } from '../../src/sync/appointment-mapping';
import { citasAssets } from '../../src/apps/citas-assets';
import { CITAS_ASSETS_DIR } from '../../scripts/assets';
import { AGENDA_SCRIPT_HASH } from '../../src/ui/generated/agenda-script';
import { diffCommandStats, startPrivateRedis, type CommandStats, type PrivateRedis } from '../../scripts/lib/private-redis';
import { startUpstashBridge } from '../../scripts/upstash-bridge';

let t: TestEnv;
let built: BuiltFunction[];
const workers: Miniflare[] = [];

async function boot(fn: string, bindings: Record<string, string>, assets?: string, opts: { metrics?: boolean; ratelimits?: Record<string, { simple: { limit: number; period: number } }> } = {}): Promise<Miniflare> {
  const entry = built.find((b) => b.name === fn)!.entry;
  // Modules listed explicitly: Miniflare's own import walker refuses the dynamic `import()` that
  // @upstash/qstash keeps for its Node-only dev mode (never reached here: devMode is off).
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: entry, contents: readFileSync(entry, 'utf8') }],
    compatibilityDate: '2026-04-01',
    bindings,
    // wrangler.toml's Analytics Engine dataset, as every environment binds it (Miniflare keeps no points).
    ...(opts.metrics === false ? {} : { analyticsEngineDatasets: { METRICS: { dataset: 'citas_sync_metrics' } } }),
    ...(opts.ratelimits ? { ratelimits: opts.ratelimits } : {}),
    // As Cloudflare runs a Worker with static assets: matching GET/HEAD requests never reach it.
    ...(assets ? { assets: { directory: assets, routerConfig: { has_user_worker: true } } } : {}),
  });
  workers.push(mf);
  await mf.ready;
  return mf;
}

function workerBindings(): Record<string, string> {
  const { DATABASE_URL, NEON_WS_PROXY, UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN } = t.env;
  return { DATABASE_URL: DATABASE_URL!, NEON_WS_PROXY: NEON_WS_PROXY!, UPSTASH_REDIS_REST_URL: UPSTASH_REDIS_REST_URL!, UPSTASH_REDIS_REST_TOKEN: UPSTASH_REDIS_REST_TOKEN!, API_KEYS: API_KEY };
}

const auth = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };

beforeAll(async () => {
  built = buildFunctions();
  t = await createTestEnv(); // a migrated database of its own on the real Postgres
  if (t.mode !== 'postgres') throw new Error('the Worker bundle test needs the services run (npm run test:services)');
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.dispose()));
  await t?.close();
});

describe.each(['app', 'citas'])('the %s Worker bundle in workerd', (fn) => {
  it('health-checks, creates and lists citas against real Postgres and Redis', async () => {
    const mf = await boot(fn, workerBindings());
    const health = await mf.dispatchFetch('http://worker/healthz');
    expect(health.status).toBe(200);
    expect(((await health.json()) as any).status).toBe('ok');

    const location = `loc-edge-${fn}`;
    const created = await mf.dispatchFetch('http://worker/api/citas', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(citaBody({ location_id: location, start_time: '2025-11-14T23:30', end_time: '2025-11-15T00:30' })),
    });
    expect(created.status).toBe(201);
    const cita = (await created.json()) as any;
    expect(cita).toMatchObject({ start_time: '2025-11-14T23:30:00-05:00', start_time_utc: '2025-11-15T04:30:00Z' });

    const clash = await mf.dispatchFetch('http://worker/api/citas', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(citaBody({ location_id: location, start_time: '2025-11-15T00:00', end_time: '2025-11-15T00:45' })),
    });
    expect(clash.status).toBe(409);

    const list = await mf.dispatchFetch(`http://worker/api/citas?location_id=${location}&desde=2025-11-14&hasta=2025-11-14`, { headers: auth });
    expect(list.status).toBe(200);
    expect(((await list.json()) as any).data.map((c: any) => c.id)).toEqual([cita.id]);

    // The row really is in Postgres, as seen from Node through another connection.
    const fromNode = await t.api('GET', `/api/citas/${cita.id}`);
    expect(fromNode.status).toBe(200);
  });
});

describe("the citas Worker's pages, as static assets", () => {
  it('wrangler.toml ships dist/assets/citas/ with the citas Worker, and its bundle carries none of it', () => {
    const toml = readFileSync('wrangler.toml', 'utf8');
    expect(toml).toMatch(new RegExp(`\\[env\\.citas\\.assets\\]\\ndirectory = "${CITAS_ASSETS_DIR}"`));
    const bundle = readFileSync(built.find((b) => b.name === 'citas')!.entry, 'utf8');
    // The script's hash, the page's CSP, the contract's title, the reference page's markup.
    for (const pageOnly of [AGENDA_SCRIPT_HASH, 'Content-Security-Policy', 'citas-sync — citas', 'class="op"']) expect(bundle.includes(pageOnly), pageOnly).toBe(false);
  });

  it('serves the agenda, its script, /docs and /openapi.json with the bytes and headers the Node routes send', async () => {
    const mf = await boot('citas', workerBindings(), CITAS_ASSETS_DIR);
    const files = await citasAssets();
    expect(files.map((f) => f.path).sort()).toEqual(['/', '/docs', '/openapi.json', '/ui/agenda.js']);
    for (const f of files) {
      const res = await mf.dispatchFetch(`http://worker${f.path === '/ui/agenda.js' ? `${f.path}?v=${AGENDA_SCRIPT_HASH}` : f.path}`);
      expect(res.status, f.path).toBe(200);
      expect(res.headers.get('content-type'), f.path).toBe(f.type);
      for (const [name, value] of Object.entries(f.headers)) expect(res.headers.get(name), `${f.path} ${name}`).toBe(value);
      expect(await res.text(), f.path).toBe(f.body);
    }
    // The contract served is the committed one (npm run openapi), which lists only this function's routes.
    const doc = (await (await mf.dispatchFetch('http://worker/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(doc).toEqual(JSON.parse(readFileSync('src/contract/citas.openapi.json', 'utf8')));
    expect(Object.keys(doc.paths).filter((p) => !/^\/(api\/(citas|contacts|blocks|locations|ghl)\b|healthz|readyz)/.test(p))).toEqual([]);
  });

  it('everything else reaches the Worker: the API, and problems for what nobody serves', async () => {
    const mf = await boot('citas', workerBindings(), CITAS_ASSETS_DIR);
    const unauthenticated = await mf.dispatchFetch('http://worker/api/citas?location_id=loc-assets');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('content-type')).toBe('application/problem+json');
    const created = await mf.dispatchFetch('http://worker/api/citas', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(citaBody({ location_id: 'loc-assets', start_time: '2026-12-21T09:00', end_time: '2026-12-21T09:30' })),
    });
    expect(created.status).toBe(201);
    // Operators' pages are on the all-in-one app, beside /api/admin; the headers file is config, not a page.
    for (const path of ['/_headers', '/metrics']) {
      const res = await mf.dispatchFetch(`http://worker${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { code: string }).code, path).toBe('route_not_found');
    }
    // The page is read-only: writing to it is refused by the asset layer, not turned into a 5xx.
    expect((await mf.dispatchFetch('http://worker/', { method: 'POST' })).status).toBe(405);
  });
});

describe('outbound from inside workerd', () => {
  it('a cita created through the Worker reaches the GHL sandbox after the response (waitUntil)', async () => {
    const ghl = await startGhlSandboxServer({ port: 0 });
    try {
      ghl.sandbox.seed({ locations: [{ id: 'loc-edge-ghl', timezone: 'America/Lima', calendars: [{ id: 'cal-edge', name: 'Consultorio' }], contacts: [{ id: 'c-edge', firstName: 'Ana', email: 'ana@example.com' }] }] });
      const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      const mf = await boot('app', { ...workerBindings(), ADMIN_API_KEYS: ADMIN_KEY, GHL_API_BASE: ghl.url, TOKEN_ENCRYPTION_KEY: key });
      const connect = await mf.dispatchFetch('http://worker/api/admin/locations/loc-edge-ghl/connection', {
        method: 'PUT',
        headers: { ...auth, Authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify({ private_integration_token: ghl.sandbox.createPrivateToken('loc-edge-ghl') }),
      });
      expect(connect.status).toBe(200);
      const created = await mf.dispatchFetch('http://worker/api/citas', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(citaBody({ location_id: 'loc-edge-ghl', calendar_id: 'cal-edge', contact_id: 'c-edge', start_time: '2026-12-20T10:00', end_time: '2026-12-20T10:30' })),
      });
      expect(created.status).toBe(201);
      const cita = (await created.json()) as any;
      let stored = ghl.sandbox.appointments({ locationId: 'loc-edge-ghl' });
      for (let i = 0; i < 100 && stored.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        stored = ghl.sandbox.appointments({ locationId: 'loc-edge-ghl' });
      }
      expect(stored).toHaveLength(1);
      expect(citaIdFromDescription(stored[0]!.description)).toBe(cita.id);
      expect(stored[0]!.startTime).toBe('2026-12-20T10:00:00-05:00');
      // The push ends by re-reading the appointment and marking the cita synced: GHL stays up until then
      // (a push cut short would leave the cita pending for the next test's job to meet).
      let sync = '';
      for (let i = 0; i < 100 && sync !== 'synced'; i++) {
        sync = ((await (await mf.dispatchFetch(`http://worker/api/citas/${cita.id}`, { headers: auth })).json()) as { sync: { status: string } }).sync.status;
        if (sync !== 'synced') await new Promise((r) => setTimeout(r, 50));
      }
      expect(sync).toBe('synced');
    } finally {
      await ghl.close();
    }
  });
});

describe('the webhooks Worker bundle in workerd', () => {
  it('verifies Ed25519 and RSA signatures with WebCrypto and applies the appointment', async () => {
    const { createGhlSandbox } = await import('../../scripts/ghl-sandbox');
    const ghl = createGhlSandbox();
    const keys = await ghl.webhookKeys();
    const mf = await boot('webhooks', { ...workerBindings(), GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, GHL_WEBHOOK_RSA_PUBLIC_KEY: keys.rsaPublicKeyPem });
    const body = (start: string) =>
      JSON.stringify({
        type: 'AppointmentCreate',
        locationId: 'loc-edge-wh',
        timestamp: new Date().toISOString(),
        webhookId: crypto.randomUUID(),
        appointment: { id: `apt-${start}`, calendarId: 'cal-edge-wh', contactId: 'c', title: 'GHL', appointmentStatus: 'confirmed', startTime: `2026-12-21T${start}:00-05:00`, endTime: `2026-12-21T${start.slice(0, 2)}:30:00-05:00`, dateUpdated: new Date().toISOString() },
      });
    for (const [scheme, start] of [['ed25519', '09:00'], ['rsa', '10:00']] as const) {
      const b = body(start);
      const res = await mf.dispatchFetch('http://worker/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', ...(await ghl.signWebhook(b, { scheme })) }, body: b });
      expect(res.status, scheme).toBe(200);
      expect(((await res.json()) as any).outcome).toBe('created');
    }
    const forged = await mf.dispatchFetch('http://worker/api/webhooks/ghl', { method: 'POST', headers: { 'x-ghl-signature': btoa('x'.repeat(64)) }, body: body('11:00') });
    expect(forged.status).toBe(401);
    const list = (await (await t.api('GET', '/api/citas?location_id=loc-edge-wh')).json()) as any;
    expect(list.data.map((c: any) => c.source)).toEqual(['ghl', 'ghl']);
  });
});

describe("a request alone in its isolate: the store's bill", () => {
  /** Every Redis command it counts, per command, while `work` runs and until the Worker's deferred work has gone quiet. */
  async function commandsOf(redis: PrivateRedis, work: () => Promise<unknown>): Promise<CommandStats> {
    const before = await redis.commandStats();
    await work();
    let last = -1;
    for (let quiet = 0, i = 0; quiet < 4 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const now = diffCommandStats(before, await redis.commandStats()).total;
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
    return diffCommandStats(before, await redis.commandStats()).byCommand;
  }

  /** A redis-server of our own behind its own bridge: every command it counts is the Worker's under test. */
  async function withOwnStore(token: string, run: (store: { redis: PrivateRedis; url: string }) => Promise<void>): Promise<void> {
    const redis = await startPrivateRedis();
    const bridge = await startUpstashBridge({ token, redisHost: redis.host, redisPort: redis.port, port: 0 });
    try {
      await run({ redis, url: bridge.url });
    } finally {
      await bridge.close();
      await redis.close();
    }
  }

  /** A signed AppointmentCreate for `location` at `hour` on `day`, delivered to the Worker: its answer. */
  async function deliverCreate(ghl: GhlSandbox, mf: Miniflare, location: string, day: string, hour: string) {
    const b = JSON.stringify({
      type: 'AppointmentCreate', locationId: location, timestamp: new Date().toISOString(), webhookId: crypto.randomUUID(),
      appointment: { id: `apt-${location}-${day}-${hour}`, calendarId: `cal-${location}`, contactId: 'c', title: 'GHL', appointmentStatus: 'confirmed', startTime: `${day}T${hour}:00:00-05:00`, endTime: `${day}T${hour}:30:00-05:00`, dateUpdated: new Date().toISOString() },
    });
    return mf.dispatchFetch('http://worker/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', ...(await ghl.signWebhook(b)) }, body: b });
  }
  const created = async (res: { json(): Promise<unknown> }) => expect(((await res.json()) as { outcome: string }).outcome).toBe('created');

  it('a webhook costs the idempotency key and the location\'s change counter: its metrics go to Analytics Engine, not the store', async () => {
    const { createGhlSandbox } = await import('../../scripts/ghl-sandbox');
    const ghl = createGhlSandbox();
    const keys = await ghl.webhookKeys();
    await withOwnStore('alone', async ({ redis, url }) => {
      // WRITE_BEHIND_MS 0: each request's counts leave the isolate after its answer, as a request
      // alone's do. The per-IP rate limit off: its window is one counter more (README: Benchmarks).
      const bindings = {
        ...workerBindings(), UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: 'alone', WRITE_BEHIND_MS: '0', WEBHOOK_RATE_LIMIT_PER_MINUTE: '0',
        GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem,
      };
      const deliver = async (mf: Miniflare, hour: string) => created(await deliverCreate(ghl, mf, 'loc-alone', '2026-12-23', hour));

      const mf = await boot('webhooks', bindings);
      // The location's first write creates its change counter (and sets its expiry, once).
      expect(await commandsOf(redis, () => deliver(mf, '09'))).toEqual({ set: 1, incrby: 1, pexpire: 1 });
      expect(await commandsOf(redis, () => deliver(mf, '10'))).toEqual({ set: 1, incrby: 1 });

      // Without the binding (a Worker deployed without it), the counts go to the store as on Node.
      const unbound = await boot('webhooks', bindings, undefined, { metrics: false });
      const counted = await commandsOf(redis, () => deliver(unbound, '11'));
      expect(counted.hincrbyfloat).toBeGreaterThan(0);
    });
  });

  it("with the rate limit on, wrangler.toml's binding counts the per-IP window: still two commands, and past its limit a 429 that costs none", async () => {
    const { createGhlSandbox } = await import('../../scripts/ghl-sandbox');
    const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
    const ghl = createGhlSandbox();
    const keys = await ghl.webhookKeys();
    await withOwnStore('limits', async ({ redis, url }) => {
      // The rate limit at its default (on); the binding as `wrangler deploy --env webhooks` ships it.
      const bindings = { ...workerBindings(), UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: 'limits', WRITE_BEHIND_MS: '0', GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem };
      const shipped = unstable_getMiniflareWorkerOptions('wrangler.toml', 'webhooks').workerOptions.ratelimits as Record<string, { simple: { limit: number; period: number } }>;
      expect(Object.keys(shipped)).toEqual(['WEBHOOK_LIMITER']);
      const deliver = (mf: Miniflare, hour: string) => deliverCreate(ghl, mf, 'loc-limits', '2026-12-24', hour);

      const bound = await boot('webhooks', bindings, undefined, { ratelimits: shipped });
      // The location's first write creates its change counter (and its expiry, after the answer).
      expect(await commandsOf(redis, async () => created(await deliver(bound, '08')))).toEqual({ set: 1, incrby: 1, pexpire: 1 });
      expect(await commandsOf(redis, async () => created(await deliver(bound, '09')))).toEqual({ set: 1, incrby: 1 });

      // The same Worker deployed without the binding counts the window in the store: one INCRBY more, and its expiry.
      const unbound = await boot('webhooks', bindings);
      expect(await commandsOf(redis, async () => created(await deliver(unbound, '10')))).toEqual({ set: 1, incrby: 2, pexpire: 1 });

      // Past the binding's limit (2 a minute here): 429 with Retry-After, decided before the store is asked.
      if (Date.now() % 60_000 > 50_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 100));
      const tight = await boot('webhooks', bindings, undefined, { ratelimits: { WEBHOOK_LIMITER: { simple: { limit: 2, period: 60 } } } });
      await created(await deliver(tight, '11'));
      await created(await deliver(tight, '12'));
      let refused: Awaited<ReturnType<typeof deliver>> | undefined;
      expect(await commandsOf(redis, async () => void (refused = await deliver(tight, '13')))).toEqual({});
      expect(refused!.status).toBe(429);
      expect(Number(refused!.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(refused!.headers.get('RateLimit-Remaining')).toBeNull();
      expect(await refused!.json()).toMatchObject({ code: 'rate_limited' });
    });
  });
});

describe("a request's database connection", () => {
  it('closes when the answer is sent: the push after a create waits on GHL with a connection of its own', async () => {
    const ghl = await startGhlSandboxServer({ port: 0 });
    const link = countingLink(t.env.NEON_WS_PROXY!);
    await link.open();
    try {
      ghl.sandbox.seed({ locations: [{ id: 'loc-edge-conn', timezone: 'America/Lima', calendars: [{ id: 'cal-conn', name: 'Consultorio' }], contacts: [{ id: 'c-conn', firstName: 'Ana', email: 'ana@example.com' }] }] });
      const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      const mf = await boot('app', { ...workerBindings(), NEON_WS_PROXY: `127.0.0.1:${link.port}/v1`, ADMIN_API_KEYS: ADMIN_KEY, GHL_API_BASE: ghl.url, TOKEN_ENCRYPTION_KEY: key });
      const connected = await mf.dispatchFetch('http://worker/api/admin/locations/loc-edge-conn/connection', {
        method: 'PUT',
        headers: { ...auth, Authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify({ private_integration_token: ghl.sandbox.createPrivateToken('loc-edge-conn') }),
      });
      expect(connected.status).toBe(200);
      for (let i = 0; i < 100 && link.connections.some((c) => c.closedAt === undefined); i++) await new Promise((r) => setTimeout(r, 20));
      // GHL takes a second and a half to create the appointment.
      ghl.sandbox.injectFault({ kind: 'latency', latencyMs: 1500, match: { method: 'POST', path: 'appointments' }, count: 1 });

      const from = link.connections.length;
      const created = await mf.dispatchFetch('http://worker/api/citas', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(citaBody({ location_id: 'loc-edge-conn', calendar_id: 'cal-conn', contact_id: 'c-conn', start_time: '2026-12-24T10:00', end_time: '2026-12-24T10:30' })),
      });
      expect(created.status).toBe(201);
      const cita = (await created.json()) as { id: string };
      let synced = '';
      for (let i = 0; i < 200 && synced !== 'synced'; i++) {
        await new Promise((r) => setTimeout(r, 25));
        synced = ((await (await t.api('GET', `/api/citas/${cita.id}`)).json()) as { sync: { status: string } }).sync.status;
      }
      expect(synced).toBe('synced');
      const inGhl = ghl.sandbox.appointments({ locationId: 'loc-edge-conn' });
      expect(inGhl).toHaveLength(1);

      const mine = link.connections.slice(from);
      const request = mine[0]!;
      const asked = Date.parse(ghl.sandbox.requests({ call: 'POST /calendars/events/appointments' }).at(-1)!.at);
      // The request's connection closed while GHL was still working on the push (it answers 1.5 s
      // after it was asked), and the push recorded GHL's answer through a connection of its own,
      // open when GHL answered.
      expect(request.closedAt).toBeDefined();
      expect(request.closedAt!).toBeLessThan(asked + 1000);
      const answered = asked + 1500;
      expect(mine.slice(1).some((c) => c.openedAt < answered && (c.closedAt ?? Infinity) > answered)).toBe(true);
    } finally {
      await link.close();
      await ghl.close();
    }
  });
});

/** A TCP forwarder to the Neon WebSocket proxy that a test can cut and restore (the database "going away"). */
function cuttableLink(target: string) {
  const [host, rest] = target.split(':');
  const targetPort = Number(rest!.split('/')[0]);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  return {
    get port() {
      return port;
    },
    open: () =>
      new Promise<void>((ok, fail) => {
        server = createServer((client) => {
          const upstream = connect(targetPort, host);
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('error', end).on('close', () => sockets.delete(s));
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', fail);
        server.listen(port, '127.0.0.1', () => {
          port = (server!.address() as { port: number }).port;
          ok();
        });
      }),
    cut: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server!.close(() => ok());
      }),
  };
}

/** A TCP forwarder to the Neon WebSocket proxy that notes when each connection opened and closed (Date.now()). */
function countingLink(target: string) {
  const [host, rest] = target.split(':');
  const targetPort = Number(rest!.split('/')[0]);
  const connections: { openedAt: number; closedAt?: number }[] = [];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  return {
    connections,
    get port() {
      return port;
    },
    open: () =>
      new Promise<void>((ok, fail) => {
        server = createServer((client) => {
          const record: { openedAt: number; closedAt?: number } = { openedAt: Date.now() };
          connections.push(record);
          const upstream = connect(targetPort, host);
          const end = () => {
            record.closedAt ??= Date.now();
            client.destroy();
            upstream.destroy();
          };
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('error', end).on('close', () => (sockets.delete(s), end()));
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', fail);
        server.listen(0, '127.0.0.1', () => {
          port = (server!.address() as { port: number }).port;
          ok();
        });
      }),
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server!.close(() => ok());
      }),
  };
}

describe('the webhooks Worker when the database goes away', () => {
  it('answers 429 with Retry-After (never a 5xx), health says so, and the same isolate recovers when it is back', async () => {
    const { createGhlSandbox } = await import('../../scripts/ghl-sandbox');
    const ghl = createGhlSandbox();
    const keys = await ghl.webhookKeys();
    const link = cuttableLink(t.env.NEON_WS_PROXY!);
    await link.open();
    const mf = await boot('webhooks', { ...workerBindings(), NEON_WS_PROXY: `127.0.0.1:${link.port}/v1`, GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem });
    const delivery = (hour: string) =>
      JSON.stringify({
        type: 'AppointmentCreate',
        locationId: 'loc-edge-outage',
        timestamp: new Date().toISOString(),
        webhookId: crypto.randomUUID(),
        appointment: { id: `apt-outage-${hour}`, calendarId: 'cal-edge-outage', contactId: 'c', title: 'GHL', appointmentStatus: 'confirmed', startTime: `2026-12-22T${hour}:00:00-05:00`, endTime: `2026-12-22T${hour}:30:00-05:00`, dateUpdated: new Date().toISOString() },
      });
    const send = async (b: string) => {
      const res = await mf.dispatchFetch('http://worker/api/webhooks/ghl', { method: 'POST', headers: { 'Content-Type': 'application/json', ...(await ghl.signWebhook(b)) }, body: b });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { outcome?: string } };
    };

    expect((await send(delivery('09'))).body.outcome).toBe('created');

    await link.cut();
    const held = [delivery('10'), delivery('11'), delivery('12')];
    for (const b of held) {
      const r = await send(b);
      expect(r.status).toBe(429);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    expect((await mf.dispatchFetch('http://worker/healthz')).status).toBe(503);

    // GHL re-sends what got a 429, to the same isolate, once the database is back.
    await link.open();
    for (const b of held) expect((await send(b)).body.outcome).toBe('created');
    expect((await mf.dispatchFetch('http://worker/healthz')).status).toBe(200);
    const list = (await (await t.api('GET', '/api/citas?location_id=loc-edge-outage')).json()) as { data: { start_time: string }[] };
    expect(list.data.map((c) => c.start_time.slice(11, 13))).toEqual(['09', '10', '11', '12']);
  });
});

describe('the jobs Worker bundle in workerd', () => {
  it("verifies QStash signatures with @upstash/qstash's Receiver for the public URL, and runs the job", async () => {
    const { randomSigningKey, signedJobRequest } = await import('../../scripts/lib/local-qstash');
    const key = randomSigningKey();
    const base = 'https://citas.example.com';
    const mf = await boot('jobs', { ...workerBindings(), QSTASH_CURRENT_SIGNING_KEY: key, QSTASH_NEXT_SIGNING_KEY: randomSigningKey(), PUBLIC_BASE_URL: base });
    const call = async (req: Request, path = new URL(req.url).pathname) =>
      mf.dispatchFetch(`http://worker${path}`, { method: 'POST', headers: Object.fromEntries(req.headers), body: await req.text() });
    const body = { kind: 'incremental', location_id: 'loc-edge-jobs' };
    // Signed for the public URL: accepted (489: that location has no GHL connection, so a retry cannot help).
    const ok = await call(await signedJobRequest({ key, url: `${base}/api/jobs/run`, body }));
    expect(ok.status).toBe(489);
    expect(ok.headers.get('upstash-nonretryable-error')).toBe('true');
    // Signed for another URL, or with another key: refused.
    expect((await call(await signedJobRequest({ key, url: `${base}/api/jobs/sync/full`, body }), '/api/jobs/run')).status).toBe(401);
    expect((await call(await signedJobRequest({ key: randomSigningKey(), url: `${base}/api/jobs/run`, body }))).status).toBe(401);
    // The fan-out with no connected location publishes nothing.
    const fan = await call(await signedJobRequest({ key, url: `${base}/api/jobs/sync/incremental` }));
    expect(fan.status).toBe(200);
  });
});

describe('Worker configuration', () => {
  it('refuses to run without a database URL and names the variable (no default key either)', async () => {
    const mf = await boot('app', { API_KEYS: API_KEY });
    const res = await mf.dispatchFetch('http://worker/healthz');
    expect(res.status).toBe(500);
    const p = (await res.json()) as any;
    expect(p.code).toBe('config_invalid');
    expect(p.fields).toEqual([{ field: 'DATABASE_URL', message: expect.stringMatching(/required on Workers/) }]);
  });

  it('without API_KEYS nobody gets in', async () => {
    const { API_KEYS: _omit, ...rest } = workerBindings();
    const mf = await boot('citas', rest);
    const res = await mf.dispatchFetch('http://worker/api/citas?location_id=x', { headers: auth });
    expect(res.status).toBe(401);
  });
});
