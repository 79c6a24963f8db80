/**
 * `npm run job` (scripts/job.ts) as an operator runs it: a separate Node process against the service
 * over HTTP, signing like QStash. It shows the plan per location and window, each run's start and
 * end, a summary naming failed windows, and when it stops waiting it says so (exit 3) instead of
 * going quiet.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { serveApp } from '../../scripts/lib/node-server';
import { ADMIN_KEY, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-job-cli';
const CALS = ['cal-cli-1', 'cal-cli-2'];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A second location with many calendars: its runs take ten times as many GHL reads. */
const BIG = 'loc-job-cli-big';
const BIG_CALS = Array.from({ length: 10 }, (_, i) => `cal-big-${i}`);

async function service(env: Record<string, string> = {}, opts: { big?: boolean } = {}): Promise<{ t: TestEnv; sandbox: GhlSandbox; url: string }> {
  const sandbox = createGhlSandbox({ seed: 21, rateLimit: { max: 1000, intervalMs: 1000 } });
  const start = Date.now() + 2 * 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  sandbox.seed({
    locations: [
      {
        id: LOC,
        timezone: 'America/Lima',
        calendars: CALS.map((id) => ({ id, name: id })),
        contacts: [{ id: 'c-cli', firstName: 'Eva', email: 'eva@example.com' }],
        appointments: [{ calendarId: CALS[0]!, contactId: 'c-cli', title: 'Control', appointmentStatus: 'new', startTime: iso(start), endTime: iso(start + 1800_000) }],
      },
      ...(opts.big ? [{ id: BIG, timezone: 'America/Lima', calendars: BIG_CALS.map((id) => ({ id, name: id })) }] : []),
    ],
  });
  const t = await createTestEnv({ ghl: sandbox, env: { GHL_RATE_LIMIT_INTERVAL_MS: '1000', ...env } });
  await t.connectPit(LOC);
  await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CALS[0], synced_calendar_ids: CALS });
  if (opts.big) {
    await t.connectPit(BIG);
    await t.api('PUT', `/api/locations/${BIG}/settings`, { default_calendar_id: BIG_CALS[0], synced_calendar_ids: BIG_CALS });
  }
  const served = await serveApp(t.app, { env: t.env, port: 0, hostname: '127.0.0.1' });
  cleanups.push(async () => {
    // Runs the script left going finish before the database goes away.
    await t.queue.idle();
    await served.close();
    await t.close();
  });
  return { t, sandbox, url: served.url };
}

/** The script in its own process (never in this one: the service answers from this event loop). */
function job(t: TestEnv, url: string, args: string[]): Promise<{ code: number; out: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    QSTASH_CURRENT_SIGNING_KEY: t.qstashKey,
    ADMIN_KEY,
    CITAS_DATA_DIR: mkdtempSync(join(tmpdir(), 'job-cli-')),
    PUBLIC_BASE_URL: undefined,
    SYNC_FULL_DAYS: undefined,
    SYNC_INCREMENTAL_DAYS: undefined,
    SYNC_GHL_WINDOW_DAYS: undefined,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/job.ts', ...args, '--url', url, '--interval', '0.2'], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('npm run job', () => {
  it('--location: the plan per calendar window, the run, and a summary of its counts and windows', async () => {
    const { t, url } = await service();
    const r = await job(t, url, ['incremental', '--location', LOC]);
    expect(r.out).toContain(`${LOC}: 2 calendars (${CALS.join(', ')}) × 1 window of 14 days = 2 GHL reads, 14 days ahead`);
    expect(r.out).toMatch(new RegExp(`${LOC}: started \\(run [0-9a-f]{8}\\)`));
    expect(r.out).toMatch(new RegExp(`${LOC}: ✓ ok in .* · window 2/2`));
    expect(r.out).toMatch(/Summary: incremental, 1 location/);
    expect(r.out).toMatch(/✓ ok .* fetched 1 · created 1 · updated 0/);
    expect(r.out).toContain('windows  2 of 2 planned, 0 failed');
    expect(r.out).toContain('overall: healthy');
    expect(r.code).toBe(0);
  });

  it('fan-out: follows every connected location to the end and names the window that failed (exit 1)', async () => {
    const { t, sandbox, url } = await service({ GHL_MAX_ATTEMPTS: '2' });
    // The first window read fails twice: its calendar and dates are in the run's error.
    sandbox.injectFault({ kind: '503', match: { method: 'GET', path: 'calendars/events' }, count: 2 });
    const r = await job(t, url, ['full']);
    expect(r.out).toContain(`${LOC}: 2 calendars (${CALS.join(', ')}) × 7 windows of 14 days = 14 GHL reads, 92 days ahead`);
    expect(r.out).toContain('← 1 message published, one per connected location; following 1 location');
    expect(r.out).toMatch(new RegExp(`${LOC}: ✗ partial in .* · window 14/14 \\(1 failed\\)`));
    expect(r.out).toContain('windows  14 of 14 planned, 1 failed');
    expect(r.out).toMatch(new RegExp(`^ +${CALS[0]} \\d{4}-\\d{2}-\\d{2}…\\d{4}-\\d{2}-\\d{2}: .*503`, 'm'));
    expect(r.code).toBe(1);
  });

  it('never stops silently: past --timeout it says what still runs and how to follow it (exit 3)', async () => {
    const { t, sandbox, url } = await service({ GHL_TIMEOUT_MS: '10000' });
    // Two GHL reads of 2.5 s each: the run is still going when the script stops waiting at 2.5 s
    // (margins wide enough for a loaded machine: the run starts well within them).
    sandbox.injectFault({ kind: 'latency', latencyMs: 2500, match: { method: 'GET', path: 'calendars/events' } });
    const r = await job(t, url, ['incremental', '--timeout', '2.5']);
    expect(r.out).toMatch(new RegExp(`${LOC}: started \\(run [0-9a-f]{8}\\)`));
    expect(r.out).toContain('Gave up waiting after');
    expect(r.out).toMatch(new RegExp(`${LOC}: still running \\(run [0-9a-f]{8}, `));
    expect(r.out).toContain(`${url}/api/admin/sync-status`);
    expect(r.out).toMatch(new RegExp(`Summary: incremental, 1 location[^\\n]*\\n +${LOC} +running`));
    expect(r.code).toBe(3);
  });

  it('giving up still summarises: the runs that ended with their counts, the others as running', async () => {
    const { t, sandbox, url } = await service({ GHL_TIMEOUT_MS: '10000' }, { big: true });
    // Every GHL read takes 0.6 s: 2 reads (1.2 s) for the small location, 10 (6 s) for the big one,
    // one calendar after another; the script stops waiting at 4 s, between the two.
    sandbox.injectFault({ kind: 'latency', latencyMs: 600, match: { method: 'GET', path: 'calendars/events' } });
    const r = await job(t, url, ['incremental', '--timeout', '4']);
    expect(r.out).toContain('incremental for 2 connected locations');
    expect(r.out).toMatch(new RegExp(`${LOC}: ✓ ok in `));
    expect(r.out).toMatch(new RegExp(`${BIG}: still running \\(run [0-9a-f]{8}, `));
    expect(r.out).toMatch(new RegExp(`^ +${LOC} +✓ ok .* fetched 1 · created 1`, 'm'));
    expect(r.out).toMatch(new RegExp(`^ +${BIG} +running$`, 'm'));
    expect(r.code).toBe(3);
  });

  it('says why when it cannot start: a dead connection (489) and a wrong signing key', async () => {
    const { t, url } = await service();
    const dead = await job(t, url, ['incremental', '--location', 'loc-never-connected']);
    expect(dead.out).toContain('loc-never-connected: ✗ the connection is not_connected');
    expect(dead.out).toContain('docs/runbook.md#reauth-required');
    expect(dead.code).toBe(1);
    const forged = await job({ ...t, qstashKey: 'sig_not_the_service_key' }, url, ['incremental']);
    expect(forged.out).toContain('the service answered 401');
    expect(forged.out).toContain('QSTASH_CURRENT_SIGNING_KEY must be the service’s current signing key');
    expect(forged.code).toBe(1);
  });
});
