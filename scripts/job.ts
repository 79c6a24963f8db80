/**
 * `npm run job -- <incremental|full|cleanup> [--location ID] [--url http://host:port]`: triggers
 * a job now against the running service (default: PUBLIC_BASE_URL, else http://127.0.0.1:$PORT),
 * signed like QStash, and shows its result. With --location the job runs for that location and
 * its counts are printed; without, the scheduled fan-out runs and the sync-status of every
 * location is shown once the runs finish.
 */
import { parseArgs } from 'node:util';
import { SYNC_KINDS } from '../src/db/schema';
import { loadDotEnv } from './lib/dotenv';
import { DATA_DIR, persistentSecret } from './lib/local-keys';
import { randomSigningKey, signedJobRequest } from './lib/local-qstash';

loadDotEnv();
const { values, positionals } = parseArgs({ allowPositionals: true, options: { location: { type: 'string' }, url: { type: 'string' } } });
const kind = positionals[0] as (typeof SYNC_KINDS)[number];
if (!SYNC_KINDS.includes(kind)) {
  console.error(`usage: npm run job -- <${SYNC_KINDS.join('|')}> [--location ID] [--url http://127.0.0.1:8787]`);
  process.exit(2);
}
const base = (values.url ?? process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`).replace(/\/$/, '');
const key = process.env.QSTASH_CURRENT_SIGNING_KEY ?? persistentSecret(`${DATA_DIR}/qstash-signing.key`, randomSigningKey);
const adminKey = (process.env.ADMIN_API_KEYS ?? '').split(',')[0] || 'dev-local-key';

const path = values.location ? '/api/jobs/run' : kind === 'cleanup' ? '/api/jobs/cleanup' : `/api/jobs/sync/${kind}`;
const body = values.location ? { kind, location_id: values.location } : undefined;
const started = Date.now();
console.log(`→ POST ${base}${path}${body ? ` ${JSON.stringify(body)}` : ''}`);
const res = await fetch(await signedJobRequest({ key, url: `${base}${path}`, body })).catch((err: unknown) => {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  console.error(`✗ cannot reach the service at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  console.error('  Is it running (npm start)? Another address: npm run job -- <kind> --url http://host:port (or PUBLIC_BASE_URL).');
  process.exit(1);
});
const answer = await res.json().catch(() => null);
console.log(`← ${res.status} ${JSON.stringify(answer, null, 2)}`);
if (!res.ok) process.exit(1);

if (!values.location) {
  // The fan-out only published messages: follow the runs until they are done.
  for (let i = 0; i < 120; i++) {
    const status = (await (await fetch(`${base}/api/admin/sync-status`, { headers: { Authorization: `Bearer ${adminKey}` } })).json()) as any;
    const runs = (status.locations ?? []).map((l: any) => ({ id: l.location_id, run: l.jobs?.[kind]?.last_run }));
    const ours = runs.filter((r: any) => r.run && Date.parse(r.run.started_at) >= started - 1000);
    const done = ours.filter((r: any) => r.run.outcome !== 'running');
    process.stdout.write(`\r  ${done.length}/${ours.length} location runs finished`);
    if (ours.length && done.length === ours.length) {
      console.log('');
      for (const r of done) console.log(`  ${r.id}: ${r.run.outcome} ${JSON.stringify(r.run.counts)}${r.run.error ? ` — ${r.run.error}` : ''}`);
      console.log(`overall: ${status.overall}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
