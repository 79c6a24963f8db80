import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { upsertSchedules } from '../../scripts/schedules';
import { cronMatches } from '../../scripts/lib/local-qstash';
import { SCHEDULES } from '../../src/jobs/schedules';
import { qstashQueue } from '../../src/queue/job-queue';

// A stand-in for QStash's schedules API that keeps schedules by id, as QStash does.
const stored = new Map<string, { destination: string; cron: string }>();
const requests: { path: string; headers: Record<string, string> }[] = [];
const published: { destination: string; headers: Record<string, string>; body: string }[] = [];
let url = '';
let server: ReturnType<typeof serve>;

beforeAll(async () => {
  const app = new Hono();
  app.post('/v2/schedules/*', (c) => {
    const destination = decodeURIComponent(c.req.path.replace('/v2/schedules/', ''));
    const id = c.req.header('upstash-schedule-id')!;
    requests.push({ path: c.req.path, headers: Object.fromEntries(c.req.raw.headers) });
    if (c.req.header('authorization') !== 'Bearer qstash-token') return c.json({ error: 'unauthorized' }, 401);
    stored.set(id, { destination, cron: c.req.header('upstash-cron')! });
    return c.json({ scheduleId: id });
  });
  app.post('/v2/publish/*', async (c) => {
    published.push({ destination: decodeURIComponent(c.req.path.replace('/v2/publish/', '')), headers: Object.fromEntries(c.req.raw.headers), body: await c.req.text() });
    return c.json({ messageId: `msg_${published.length}` });
  });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      url = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
afterAll(() => server?.close());

describe('npm run schedules', () => {
  it('upserts the three schedules with fixed ids; running it twice changes nothing', async () => {
    const opts = { token: 'qstash-token', qstashUrl: url, publicBaseUrl: 'https://citas.example.com/', log: () => {} };
    await upsertSchedules(opts);
    const first = new Map(stored);
    await upsertSchedules(opts);
    expect(stored).toEqual(first);
    expect([...stored.keys()].sort()).toEqual(['citas-sync-cleanup', 'citas-sync-full', 'citas-sync-incremental']);
    expect(stored.get('citas-sync-incremental')).toEqual({ destination: 'https://citas.example.com/api/jobs/sync/incremental', cron: 'CRON_TZ=America/Lima 7 * * * *' });
    expect(requests).toHaveLength(6);
  });

  it('--dry-run prints the plan and calls nobody, even before PUBLIC_BASE_URL is known; a real run needs it', async () => {
    const lines: string[] = [];
    const before = requests.length;
    await upsertSchedules({ publicBaseUrl: 'https://citas.example.com', dryRun: true, log: (l) => lines.push(l) });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[dry-run\] citas-sync-incremental: CRON_TZ=America\/Lima 7 \* \* \* \* → POST https:\/\/citas.example.com\/api\/jobs\/sync\/incremental/);
    expect(requests.length).toBe(before);
    const placeholder: string[] = [];
    await upsertSchedules({ dryRun: true, log: (l) => placeholder.push(l) });
    expect(placeholder[0]).toContain('POST <PUBLIC_BASE_URL>/api/jobs/sync/incremental');
    expect(requests.length).toBe(before);
    await expect(upsertSchedules({ token: 'x', log: () => {} })).rejects.toThrow(/PUBLIC_BASE_URL/);
  });

  it('a token QStash refuses is said as what it is (401), with the variable to fix', async () => {
    const run = upsertSchedules({ token: 'not-the-token', qstashUrl: url, publicBaseUrl: 'https://citas.example.com', log: () => {} });
    await expect(run).rejects.toThrow(/^QStash refused QSTASH_TOKEN \(401: .*unauthorized.*\)\. Set QSTASH_TOKEN to the QStash token of the project/);
  });
});

describe('local scheduler crons (Lima time)', () => {
  it('fires the same minutes QStash would', () => {
    const [incremental, full, cleanup] = SCHEDULES;
    expect(cronMatches(incremental.cron, new Date('2026-11-23T15:07:30Z'))).toBe(true); // 10:07 Lima
    expect(cronMatches(incremental.cron, new Date('2026-11-23T15:08:00Z'))).toBe(false);
    expect(cronMatches(full.cron, new Date('2026-11-24T08:30:00Z'))).toBe(true); // 03:30 Lima
    expect(cronMatches(full.cron, new Date('2026-11-24T03:30:00Z'))).toBe(false); // 03:30 UTC is 22:30 Lima
    expect(cronMatches(cleanup.cron, new Date('2026-11-29T09:00:00Z'))).toBe(true); // Sunday 04:00 Lima
    expect(cronMatches(cleanup.cron, new Date('2026-11-30T09:00:00Z'))).toBe(false); // Monday
    expect(cronMatches('*/15 8-9 * * 1-5', new Date('2026-11-23T09:45:00Z'))).toBe(true);
    expect(cronMatches('*/15 8-9 * * 1-5', new Date('2026-11-23T09:50:00Z'))).toBe(false);
  });
});

describe('the QStash queue (fan-out)', () => {
  it('publishes each location job with per-location flow control and retries', async () => {
    const queue = qstashQueue({ token: 'qstash-token', baseUrl: url });
    const r = await queue.publish({ url: 'https://citas.example.com/api/jobs/run', body: { kind: 'full', location_id: 'loc-1' }, flowKey: 'location-loc-1' });
    expect(r.messageId).toBe('msg_1');
    expect(published[0]).toMatchObject({
      destination: 'https://citas.example.com/api/jobs/run',
      body: JSON.stringify({ kind: 'full', location_id: 'loc-1' }),
      headers: { 'upstash-flow-control-key': 'location-loc-1', 'upstash-flow-control-value': 'parallelism=1', 'upstash-retries': '3' },
    });
  });
});
