/**
 * The production shape on this machine, for scripts/bench/edge.ts: the built function bundles
 * and floor Workers in workerd (Miniflare, one workerd process each), against the real
 * PostgreSQL and a private redis-server, each path through a delay proxy:
 *
 *   Worker ─ Neon driver (WebSocket) ─▶ delay proxy ─▶ ws-proxy ─▶ PostgreSQL 127.0.0.1:5432
 *   Worker ─ @upstash/redis (HTTP)  ─▶ delay proxy ─▶ Upstash bridge ─▶ private redis-server
 *
 * Setup (migrations, location settings, seeding) goes from Node to the ws-proxy directly, around
 * the delay proxies, so nothing it does is counted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Pool } from '@neondatabase/serverless';
import { migrate as migrateNeon } from 'drizzle-orm/neon-serverless/migrator';
import { Log, LogLevel, Miniflare } from 'miniflare';
import ws from 'ws';
import { buildFunctions } from '../build';
import { createNeonDb } from '../../src/db/neon';
import { startDelayProxy, httpRequestLine, type DelayProxy } from './delay-proxy';
import { neonWsInspector } from './neon-ws-turns';
import type { PrivateRedis } from './private-redis';
import { startRealServices } from './real-services';
import { childPids } from './workerd-cpu';

/** The Workers a run boots: the two bundles under measurement and their floors. */
export type WorkerName = 'webhooks' | 'citas' | 'floor-webhooks' | 'floor-citas';

export interface EdgeWorker {
  name: WorkerName;
  mf: Miniflare;
  /** The workerd process running it (NaN where /proc cannot tell). */
  pid: number;
  /** Its workerd's inspector (DevTools protocol), when the stack was asked to open one (`inspect`). */
  inspectorUrl?: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * The source tree to build: the working tree (default), or a commit exported to a temporary
 * directory (node_modules linked), so a run can measure committed code while others edit.
 */
export function sourceTree(ref: string | undefined): { root: string; cleanup(): void } {
  const cwd = process.cwd();
  if (!ref) return { root: cwd, cleanup: () => {} };
  const root = mkdtempSync(join(tmpdir(), 'bench-edge-src-'));
  execFileSync('bash', ['-c', `git archive --format=tar "$1" | tar -x -C "$2"`, '_', ref, root], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  symlinkSync(resolve(cwd, 'node_modules'), join(root, 'node_modules'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The functions' bundles as `wrangler deploy` builds them (scripts/build.ts). */
export function buildBundles(root: string): Record<'webhooks' | 'citas', string> {
  const built = buildFunctions(root);
  const entry = (name: string) => built.find((b) => b.name === name)!.entry;
  return { webhooks: entry('webhooks'), citas: entry('citas') };
}

/** The floor Workers (scripts/bench/edge-floors/), bundled as wrangler bundles for workerd. */
export async function bundleFloors(): Promise<Record<'floor-webhooks' | 'floor-citas', string>> {
  const { build } = await import('esbuild');
  const dir = new URL('../bench/edge-floors/', import.meta.url).pathname;
  const out: Record<string, string> = {};
  for (const name of ['webhooks', 'citas']) {
    const result = await build({
      entryPoints: [join(dir, `${name}.ts`)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      // wrangler's conditions and minification (wrangler.toml: minify = true).
      conditions: ['workerd', 'worker', 'browser'],
      minify: true,
      logLevel: 'silent',
    });
    out[`floor-${name}`] = result.outputFiles[0]!.text;
  }
  return out as Record<'floor-webhooks' | 'floor-citas', string>;
}

export interface EdgeStackOptions {
  root: string;
  bundles: Record<'webhooks' | 'citas', string>;
  floors: Record<'floor-webhooks' | 'floor-citas', string>;
  /** Bindings for every Worker beyond the connection ones (keys, limits, …). */
  bindings: Record<WorkerName, Record<string, string>>;
  delayMs: number;
  /** Rate Limiting bindings per Worker (wrangler.toml's `[[ratelimits]]`, limits of the caller's choosing). */
  ratelimits?: Partial<Record<WorkerName, Record<string, { simple: { limit: number; period: number } }>>>;
  /** Workers whose workerd opens an inspector (for a CPU profile: scripts/lib/edge-profile.ts). */
  inspect?: WorkerName[];
}

export interface EdgeStack {
  workers: Record<WorkerName, EdgeWorker>;
  /** In front of the ws-proxy (turns labelled by scripts/lib/neon-ws-turns.ts). */
  dbProxy: DelayProxy;
  /** In front of the Upstash bridge (turns labelled by request line). */
  storeProxy: DelayProxy;
  redis: PrivateRedis;
  /** Statements from Node, around the delay proxies (setup, seeding). */
  sql(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  describe: string;
  close(): Promise<void>;
}

export async function startEdgeStack(opts: EdgeStackOptions): Promise<EdgeStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    const services = await startRealServices({ redis: 'private' });
    closers.push(() => services.close());
    const redis = services.redis!;
    const wsProxyPort = Number(/:(\d+)\//.exec(services.env.NEON_WS_PROXY)![1]);
    const bridgePort = Number(new URL(services.env.UPSTASH_REDIS_REST_URL).port);
    const dbProxy = await startDelayProxy({ targetPort: wsProxyPort, delayMs: opts.delayMs, inspect: neonWsInspector });
    closers.push(() => dbProxy.close());
    const storeProxy = await startDelayProxy({ targetPort: bridgePort, delayMs: opts.delayMs, inspect: httpRequestLine });
    closers.push(() => storeProxy.close());

    // The schema of the tree under measurement, applied from Node (drizzle's migrator reads files).
    const migrations = createNeonDb(services.env.DATABASE_URL, { wsProxy: services.env.NEON_WS_PROXY, webSocketConstructor: ws });
    try {
      await migrateNeon(migrations.db as never, { migrationsFolder: join(opts.root, 'drizzle') });
    } finally {
      await migrations.close();
    }
    const pool = new Pool({ connectionString: services.env.DATABASE_URL, max: 2 });
    closers.push(() => pool.end());

    const connection = {
      DATABASE_URL: services.env.DATABASE_URL,
      NEON_WS_PROXY: `127.0.0.1:${dbProxy.port}/v1`,
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${storeProxy.port}`,
      UPSTASH_REDIS_REST_TOKEN: services.env.UPSTASH_REDIS_REST_TOKEN,
      // wrangler.toml's [vars], as every environment there sets them.
      APP_TIMEZONE: 'America/Lima',
    };
    const scripts: Record<WorkerName, { path: string; contents: string }> = {
      webhooks: { path: opts.bundles.webhooks, contents: readFileSync(opts.bundles.webhooks, 'utf8') },
      citas: { path: opts.bundles.citas, contents: readFileSync(opts.bundles.citas, 'utf8') },
      'floor-webhooks': { path: join(opts.root, 'dist', 'bench-floor-webhooks.js'), contents: opts.floors['floor-webhooks'] },
      'floor-citas': { path: join(opts.root, 'dist', 'bench-floor-citas.js'), contents: opts.floors['floor-citas'] },
    };
    const workers = {} as Record<WorkerName, EdgeWorker>;
    for (const name of Object.keys(scripts) as WorkerName[]) {
      const before = new Set(childPids());
      const mf = new Miniflare({
        // Modules listed explicitly: Miniflare's import walker refuses @upstash/qstash's dev-mode `import()`.
        modules: [{ type: 'ESModule', ...scripts[name] }],
        // Module names are relative to this (a bundle from --ref lives outside the working directory).
        modulesRoot: dirname(scripts[name].path),
        // No request.cf (Miniflare would fetch one from Cloudflare: no network here, and none is read).
        cf: false,
        compatibilityDate: '2026-04-01',
        bindings: { ...connection, ...opts.bindings[name] },
        // wrangler.toml's Analytics Engine dataset (the service's metrics; Miniflare keeps no points).
        analyticsEngineDatasets: { METRICS: { dataset: 'citas_sync_metrics' } },
        ...(opts.ratelimits?.[name] ? { ratelimits: opts.ratelimits[name] } : {}),
        log: new Log(LogLevel.WARN),
        ...(opts.inspect?.includes(name) ? { inspectorPort: 0 } : {}),
      });
      closers.push(() => mf.dispose());
      await mf.ready;
      const spawned = childPids().filter((p) => !before.has(p));
      workers[name] = {
        name,
        mf,
        pid: spawned.length === 1 ? spawned[0]! : NaN,
        ...(opts.inspect?.includes(name) ? { inspectorUrl: String(await mf.getInspectorURL()) } : {}),
        fetch: (path, init) => mf.dispatchFetch(`http://worker${path}`, init as never) as unknown as Promise<Response>,
      };
    }

    const db = new URL(services.env.DATABASE_URL);
    return {
      workers,
      dbProxy,
      storeProxy,
      redis,
      sql: (text, params) => pool.query(text, params as unknown[]) as Promise<{ rows: Record<string, unknown>[] }>,
      describe:
        `  workerd (Miniflare) → delay proxy :${dbProxy.port} → ws-proxy ${services.env.NEON_WS_PROXY} → PostgreSQL ${db.host}${db.pathname}; ` +
        `→ delay proxy :${storeProxy.port} → Upstash bridge ${services.env.UPSTASH_REDIS_REST_URL} → private redis-server 127.0.0.1:${redis.port} (pid ${redis.pid}); ` +
        `workerd pids: ${Object.values(workers).map((w) => `${w.name} ${w.pid}`).join(', ')}`,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
