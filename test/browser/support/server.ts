/**
 * The service exactly as `npm start` runs it (scripts/dev-server.ts on the embedded defaults:
 * PGlite, in-memory store, the GHL sandbox seeded with demo-location), in a fresh data folder on
 * free ports, so a developer's own `npm start` (8787 / 8790) and its ./.data are never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
/** Screenshots and the service's log, kept after a run (gitignored). */
export const ARTIFACTS = join(ROOT, 'artifacts');

/** Only for the tests' sake; each is an ordinary setting (README, Configuration). */
const TEST_SETTINGS: Record<string, string> = {
  // A revoked key must stop working within the test, not within 30 s.
  API_KEY_CACHE_MS: '0',
  // A failing GHL fails fast: two attempts a push, short backoff, and no breaker in the way.
  GHL_MAX_ATTEMPTS: '2',
  GHL_BACKOFF_BASE_MS: '50',
  GHL_BACKOFF_CAP_MS: '200',
  GHL_BREAKER_THRESHOLD: '1000',
  // No automatic re-push within a test: "Reintentar envío" is what must make a failed push go.
  PUSH_RETRY_DELAYS_S: '600',
  LOG_LEVEL: process.env.BROWSER_TEST_LOG_LEVEL ?? 'warn',
};

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export interface RunningService {
  url: string;
  sandboxUrl: string;
  stop(): Promise<void>;
}

export async function startService(): Promise<RunningService> {
  const dir = mkdtempSync(join(tmpdir(), 'citas-browser-'));
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const logFile = join(dir, 'server.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_SETTINGS,
    CITAS_DATA_DIR: join(dir, '.data'),
    PGLITE_DIR: join(dir, '.data', 'pglite'),
    PORT: String(port),
    GHL_SANDBOX_PORT: String(sandboxPort),
  };
  // Whatever this shell has configured must not turn the test service into something else.
  for (const name of ['DATABASE_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'GHL_API_BASE', 'QSTASH_TOKEN', 'API_KEYS', 'ADMIN_API_KEYS', 'PUBLIC_BASE_URL']) delete env[name];

  const out = openSync(logFile, 'a');
  // One process (no npm/tsx wrappers), so stopping it stops everything it started.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev-server.ts'], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    copyFileSync(logFile, join(ARTIFACTS, 'browser-server.log'));
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = readFileSync(logFile, 'utf8');
      await stop();
      throw new Error(`npm start exited with ${child.exitCode}:\n${log}`);
    }
    const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      const log = readFileSync(logFile, 'utf8');
      await stop();
      throw new Error(`npm start did not answer /healthz within 90 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, sandboxUrl: `http://127.0.0.1:${sandboxPort}`, stop };
}
