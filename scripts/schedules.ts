/**
 * `npm run schedules [-- --dry-run]`: creates or updates the three QStash schedules. Fixed schedule
 * ids make it an upsert: running it twice leaves the same three schedules.
 * Needs QSTASH_TOKEN and PUBLIC_BASE_URL (and QSTASH_URL for a non-default region).
 */
import { pathToFileURL } from 'node:url';
import { Client } from '@upstash/qstash';
import { SCHEDULES } from '../src/jobs/schedules';
import { loadDotEnv } from './lib/dotenv';

export async function upsertSchedules(opts: { token?: string; qstashUrl?: string; publicBaseUrl?: string; dryRun?: boolean; log?: (s: string) => void }) {
  const log = opts.log ?? console.log;
  // A dry run only shows the plan: without PUBLIC_BASE_URL it says where that URL goes.
  const base = opts.publicBaseUrl?.replace(/\/$/, '') ?? (opts.dryRun ? '<PUBLIC_BASE_URL>' : undefined);
  if (!base) throw new Error('PUBLIC_BASE_URL is needed: the schedules call <PUBLIC_BASE_URL>/api/jobs/…');
  const plan = SCHEDULES.map((s) => ({ scheduleId: s.id, destination: `${base}${s.path}`, cron: s.cron, what: s.what }));
  for (const p of plan) log(`${opts.dryRun ? '[dry-run] ' : ''}${p.scheduleId}: ${p.cron} → POST ${p.destination} (${p.what})`);
  if (opts.dryRun) return plan;
  if (!opts.token) throw new Error('QSTASH_TOKEN is needed to create schedules (or use --dry-run)');
  const client = new Client({ token: opts.token, ...(opts.qstashUrl ? { baseUrl: opts.qstashUrl } : {}) });
  for (const p of plan) {
    const { scheduleId } = await client.schedules.create({ scheduleId: p.scheduleId, destination: p.destination, cron: p.cron, retries: 3 }).catch((err: unknown) => {
      throw refusedToken(err) ?? err;
    });
    log(`upserted ${scheduleId}`);
  }
  return plan;
}

/** QStash refusing the token (401/403), said as what it is rather than as QStash's bare body. */
function refusedToken(err: unknown): Error | null {
  const status = (err as { status?: unknown }).status;
  if (status !== 401 && status !== 403) return null;
  return new Error(`QStash refused QSTASH_TOKEN (${status}: ${(err as Error).message}). Set QSTASH_TOKEN to the QStash token of the project (Upstash console → QStash), and QSTASH_URL for its region.`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  loadDotEnv();
  await upsertSchedules({
    token: process.env.QSTASH_TOKEN,
    qstashUrl: process.env.QSTASH_URL,
    publicBaseUrl: process.env.PUBLIC_BASE_URL,
    dryRun: process.argv.includes('--dry-run'),
  }).catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
