/**
 * The scripts that call our API with a key say a 401/403 as what it is (issue 21): `npm run demo`
 * with a wrong key used to report "the location has no default calendar". Each runs as an
 * operator runs it: its own Node process against the service over HTTP.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveApp } from '../../scripts/lib/node-server';
import { API_KEY, createTestEnv, type TestEnv } from '../support/harness';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function service(): Promise<{ t: TestEnv; url: string }> {
  const t = await createTestEnv();
  const served = await serveApp(t.app, { env: t.env, port: 0, hostname: '127.0.0.1' });
  cleanups.push(async () => {
    await served.close();
    await t.close();
  });
  return { t, url: served.url };
}

function run(script: string, args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string }> {
  const full: Record<string, string | undefined> = {
    ...process.env,
    CITAS_DATA_DIR: mkdtempSync(join(tmpdir(), 'refused-key-')),
    PUBLIC_BASE_URL: undefined,
    ADMIN_API_KEYS: undefined,
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { env: full, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('a refused key, said as what it is', () => {
  it('npm run demo with a wrong key: the key was refused (401), not "no default calendar"', async () => {
    const { url } = await service();
    const r = await run('scripts/demo.ts', ['--url', url, '--sandbox', 'http://127.0.0.1:9', '--key', 'not-a-key-of-this-service', '--location', 'demo-location']);
    expect(r.out).toContain('✗ the API key was refused (401 unauthorized: The API key is not valid.). Pass --key with a key of the service that may use demo-location');
    expect(r.out).not.toContain('default calendar');
    expect(r.code).toBe(1);
  });

  it('npm run job with a wrong admin key (401), or a key that is not an admin key (403)', async () => {
    const { t, url } = await service();
    const wrong = await run('scripts/job.ts', ['incremental', '--url', url], { ADMIN_KEY: 'not-a-key-of-this-service', QSTASH_CURRENT_SIGNING_KEY: t.qstashKey });
    expect(wrong.out).toContain('✗ GET /api/admin/sync-status: the API key was refused (401 unauthorized: The API key is not valid.). Set ADMIN_KEY to one of the service');
    expect(wrong.code).toBe(1);
    const notAdmin = await run('scripts/job.ts', ['incremental', '--url', url], { ADMIN_KEY: API_KEY, QSTASH_CURRENT_SIGNING_KEY: t.qstashKey });
    expect(notAdmin.out).toContain('✗ GET /api/admin/sync-status: the API key was refused for this (403 forbidden: This route needs an admin API key.). Set ADMIN_KEY');
    expect(notAdmin.code).toBe(1);
  });
});
