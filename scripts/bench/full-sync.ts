/**
 * Full sync against the real PostgreSQL and Redis (production clients through the local proxy and
 * bridge) and the GHL sandbox in-process: N appointments over 3 months on two calendars.
 * Reports GHL calls against the minimum needed, database statements, wall time, and the ratio to a
 * baseline measured in the same process: inserting the same rows in batches of 50, the least
 * database work any sync of them must do.
 *
 * Then the history backfill (issue 24) of N more appointments of the same shape over the 3 months
 * before now (the default 90 days back): the same measures against the same baseline.
 *
 *   npx tsx scripts/bench/full-sync.ts [--n 2000]     (SYNC_BATCH_SIZE=… to try another batch size)
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createGhlSandbox } from '../ghl-sandbox';
import { loadConfig } from '../../src/config/config';
import { createFullApp } from '../../src/app';
import { sharedDeps } from '../../src/runtime/provider';
import { createLogger } from '../../src/observability/logger';
import { runJob } from '../../src/jobs/run-job';
import { BACKFILL_DEFAULT_DAYS } from '../../src/sync/backfill-days';
import { connectWithPrivateToken } from '../../src/locations/connection';
import { upsertLocationSettings } from '../../src/locations/settings-repo';
import { createNodeDeps } from '../lib/node-deps';
import { startRealServices } from '../lib/real-services';
import { startPhaseProfile } from '../lib/bench';

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' } } });
const N = Number(values.n);
const LOC = 'loc-bench';
const CALS = ['cal-1', 'cal-2'];
const DAY = 86_400_000;

const sandbox = createGhlSandbox({ seed: 1 });
const base = Math.ceil(Date.now() / 3600_000) * 3600_000 + DAY;
const span = 85 * DAY;
const appointments = Array.from({ length: N }, (_, i) => {
  const slotMs = 1800_000;
  const perCal = Math.ceil(N / 2);
  const start = base + Math.floor(((i >> 1) * span) / perCal / slotMs) * slotMs;
  return { calendarId: CALS[i % 2]!, contactId: 'c-1', title: `Bench ${i}`, startTime: new Date(start).toISOString(), endTime: new Date(start + slotMs).toISOString() };
});
// The same shape in the past: from 86 days back to 1 day back, inside the backfill's default 90 days.
const pastBase = Math.floor(Date.now() / 3600_000) * 3600_000 - 86 * DAY;
const past = appointments.map((a, i) => {
  const start = Date.parse(a.startTime) - base + pastBase;
  return { ...a, title: `Past ${i}`, startTime: new Date(start).toISOString(), endTime: new Date(start + 1800_000).toISOString() };
});
sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: CALS.map((id) => ({ id, name: id })), contacts: [{ id: 'c-1', firstName: 'B', email: 'b@example.com' }], appointments: [...appointments, ...past] }] });

const services = await startRealServices();
let statements = 0;
const env = {
  ...services.env,
  API_KEYS: 'bench',
  ...(process.env.SYNC_BATCH_SIZE ? { SYNC_BATCH_SIZE: process.env.SYNC_BATCH_SIZE } : {}),
  LOG_LEVEL: 'error',
  GHL_API_BASE: 'https://sandbox.ghl.test',
  TOKEN_ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
};
const config = loadConfig(env);
const node = await createNodeDeps(config, {
  migrate: true,
  logger: createLogger({ level: 'error' }),
  fetch: sandbox.fetch,
  storePrefix: `bench:${crypto.randomUUID()}:`,
  logQuery: () => {
    statements++;
  },
});
void createFullApp(sharedDeps(node.deps));
const { deps } = node;

try {
  await connectWithPrivateToken(deps, LOC, sandbox.createPrivateToken(LOC));
  await upsertLocationSettings(deps.db, LOC, { defaultCalendarId: CALS[0], syncedCalendarIds: CALS }, new Date());

  // Baseline: the same rows written in batches of 50 into a scratch table, in this process.
  await deps.db.execute(sql`create temp table if not exists bench_rows (id text, cal text, s timestamptz, e timestamptz, title text)`);
  const b0 = performance.now();
  for (let i = 0; i < N; i += 50) {
    const rows = appointments.slice(i, i + 50).map((a, j) => sql`(${`a${i + j}`}, ${a.calendarId}, ${a.startTime}::timestamptz, ${a.endTime}::timestamptz, ${a.title})`);
    await deps.db.transaction(async (tx) => tx.execute(sql`insert into bench_rows values ${sql.join(rows, sql`, `)}`));
  }
  const baselineMs = performance.now() - b0;

  const calls0 = Object.values(sandbox.stats().calls).reduce((a, b) => a + b, 0);
  statements = 0;
  const profile = await startPhaseProfile('full sync first run');
  const t0 = performance.now();
  const first = await runJob(deps, { kind: 'full', locationId: LOC });
  const firstMs = performance.now() - t0;
  await profile?.stop();
  const firstStatements = statements;
  const calls = Object.values(sandbox.stats().calls).reduce((a, b) => a + b, 0) - calls0;
  const windows = CALS.length * Math.ceil(config.SYNC_FULL_DAYS / config.SYNC_GHL_WINDOW_DAYS);
  // The full run also reads the location's patients: one search page per 500 contacts (issue 22).
  const contactPages = Math.max(1, Math.ceil(sandbox.contacts({ locationId: LOC }).length / 500));
  // Blocked time: one read per calendar over the run's span (GHL sends no webhook for blocks).
  const minimum = windows + contactPages + CALS.length;

  statements = 0;
  const t1 = performance.now();
  const again = await runJob(deps, { kind: 'full', locationId: LOC });
  const againMs = performance.now() - t1;

  const result = (await deps.db.execute(sql`select count(*)::int as n from citas where location_id = ${LOC}`)) as unknown as { rows: { n: number }[] };
  const [count] = result.rows;

  // The history: N past appointments, through the job as `npm run job -- backfill` runs it.
  const callCount = () => Object.values(sandbox.stats().calls).reduce((a, b) => a + b, 0);
  const bc0 = callCount();
  statements = 0;
  const backProfile = await startPhaseProfile('backfill first run');
  const t2 = performance.now();
  const back = await runJob(deps, { kind: 'backfill', locationId: LOC });
  const backMs = performance.now() - t2;
  await backProfile?.stop();
  const backStatements = statements;
  const backCalls = callCount() - bc0;
  const backWindows = CALS.length * Math.ceil(BACKFILL_DEFAULT_DAYS / config.SYNC_GHL_WINDOW_DAYS);
  statements = 0;
  const t3 = performance.now();
  const backAgain = await runJob(deps, { kind: 'backfill', locationId: LOC });
  const backAgainMs = performance.now() - t3;
  const backAgainStatements = statements;
  const pastStored = ((await deps.db.execute(sql`select count(*)::int as n from citas where location_id = ${LOC} and end_time <= ${new Date().toISOString()}::timestamptz`)) as unknown as { rows: { n: number }[] }).rows[0];
  const f = (n: number) => n.toFixed(0);
  console.log(`full sync benchmark: ${N} appointments over 3 months, 2 calendars; real PostgreSQL + Redis via the production clients`);
  console.log(`  first run:   ${f(firstMs)} ms wall (${(firstMs / baselineMs).toFixed(1)}× the baseline of ${f(baselineMs)} ms to bulk-insert the same rows), ${firstStatements} database statements (${(firstStatements / N).toFixed(1)} per appointment)`);
  console.log(`  GHL calls:   ${calls} (minimum needed: ${windows} windows × 1 list call + ${contactPages} page of contacts + ${CALS.length} reads of blocked time = ${minimum}${calls > minimum ? `; ${calls - minimum} more: contacts the listing did not show, pending pushes, retries` : ''})`);
  console.log(`  outcome:     ${'outcome' in first ? first.outcome : 'skipped'} ${JSON.stringify('counts' in first ? first.counts : {})}; citas stored ${count?.n}`);
  console.log(`  second run:  ${f(againMs)} ms wall (${(againMs / baselineMs).toFixed(1)}× baseline), ${statements} statements, ${JSON.stringify('counts' in again ? again.counts : {})}`);
  console.log(`backfill: ${N} past appointments over the ${BACKFILL_DEFAULT_DAYS} days before now, 2 calendars`);
  console.log(`  first run:   ${f(backMs)} ms wall (${(backMs / baselineMs).toFixed(1)}× the same baseline; the full sync's ${(firstMs / baselineMs).toFixed(1)}×), ${backStatements} database statements (${(backStatements / N).toFixed(1)} per appointment)`);
  console.log(`  GHL calls:   ${backCalls} (minimum needed: ${backWindows} windows × 1 list call = ${backWindows}; the full sync's ${calls})`);
  console.log(`  outcome:     ${'outcome' in back ? back.outcome : 'skipped'} ${JSON.stringify('counts' in back ? back.counts : {})}; past citas stored ${pastStored?.n}`);
  console.log(`  second run:  ${f(backAgainMs)} ms wall (${(backAgainMs / baselineMs).toFixed(1)}× baseline), ${backAgainStatements} statements, ${JSON.stringify('counts' in backAgain ? backAgain.counts : {})}`);
} finally {
  await node.close();
  await services.close();
}
