/**
 * `npm run job -- <incremental|full|cleanup> [--location ID] [--url URL] [--timeout SECONDS] [--interval SECONDS]`
 * `npm run job -- backfill --location ID [--days N]` (the location's past N days, default 90, at most 366)
 *
 * Runs a job now against the running service (default: PUBLIC_BASE_URL, else http://127.0.0.1:$PORT),
 * signed like QStash (QSTASH_CURRENT_SIGNING_KEY, else the local key `npm start` keeps in ./.data),
 * and follows it to the end: the plan per location (calendars × GHL windows), a line whenever a
 * location's run starts or ends, a heartbeat while runs go on, and a summary with each run's counts
 * and windows (the failed ones named). It never stops silently: past --timeout (default 1200 s,
 * longer than the service's 15-minute job lock) it says what is still running and how to keep
 * following, and exits 3.
 *
 * With --location the job runs for that location (POST /api/jobs/run, answered when the run ends);
 * without, the scheduled fan-out runs (one message per connected location). Either way each run is
 * followed through GET /api/admin/sync-status (its sync_runs row), read with ADMIN_KEY (else the first
 * of ADMIN_API_KEYS, else the local dev-local-key).
 *
 * Exit codes: 0 every run ended ok; 1 a run ended partial or failed, or the service refused, could not
 * be reached or stopped answering for a minute; 2 usage; 3 gave up waiting at --timeout (the runs go
 * on on the service); 130 interrupted (Ctrl-C: the runs go on too).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SYNC_KINDS, type SyncKind } from '../src/db/schema';
import { BACKFILL_DEFAULT_DAYS, BACKFILL_MAX_DAYS } from '../src/sync/backfill-days';
import { loadDotEnv } from './lib/dotenv';
import { DATA_DIR } from './lib/local-keys';
import { signedJobRequest } from './lib/local-qstash';
import { refusedKeyMessage } from './lib/refused-key';

// ---------------------------------------------------------------------------------------------------
// Arguments and settings

const usage =
  `usage: npm run job -- <${SYNC_KINDS.filter((k) => k !== 'backfill').join('|')}> [--location ID] [--url http://127.0.0.1:8787] [--timeout SECONDS] [--interval SECONDS]\n` +
  `       npm run job -- backfill --location ID [--days N (1..${BACKFILL_MAX_DAYS}, default ${BACKFILL_DEFAULT_DAYS})] [--url …] [--timeout SECONDS] [--interval SECONDS]`;
let args: ReturnType<typeof parse>;
function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { location: { type: 'string' }, days: { type: 'string' }, url: { type: 'string' }, timeout: { type: 'string' }, interval: { type: 'string' } },
  });
  const kind = positionals[0] as SyncKind;
  if (!SYNC_KINDS.includes(kind) || positionals.length > 1) throw new Error(positionals.length ? `unknown job: ${positionals.join(' ')}` : 'which job?');
  const seconds = (name: string, v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new Error(`--${name} needs a positive number of seconds, got ${v}`);
    return Number(v);
  };
  // A backfill is one location's past (there is no scheduled one to fan out); --days is its alone.
  if (kind === 'backfill' && !values.location) throw new Error('backfill needs --location');
  if (kind !== 'backfill' && values.days !== undefined) throw new Error(`--days is for backfill only (${kind} reads the days its job is set to)`);
  let days: number | undefined;
  if (values.days !== undefined) {
    if (!/^\d+$/.test(values.days) || Number(values.days) < 1 || Number(values.days) > BACKFILL_MAX_DAYS) throw new Error(`--days needs a whole number of days from 1 to ${BACKFILL_MAX_DAYS}, got ${values.days}`);
    days = Number(values.days);
  }
  return { kind, location: values.location, days, url: values.url, timeoutS: seconds('timeout', values.timeout, 1200), intervalS: seconds('interval', values.interval, 2) };
}
try {
  args = parse();
} catch (err) {
  console.error(`${(err as Error).message}\n${usage}`);
  process.exit(2);
}

loadDotEnv();
const { kind } = args;
const base = (args.url ?? process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`).replace(/\/$/, '');
const localKeyFile = `${DATA_DIR}/qstash-signing.key`;
const signingKey = process.env.QSTASH_CURRENT_SIGNING_KEY ?? (existsSync(localKeyFile) ? readFileSync(localKeyFile, 'utf8').trim() : undefined);
const adminKey = process.env.ADMIN_KEY || (process.env.ADMIN_API_KEYS ?? '').split(',')[0]?.trim() || 'dev-local-key';
const started = Date.now();

if (!signingKey) {
  fail(`no signing key: set QSTASH_CURRENT_SIGNING_KEY (the service's current QStash signing key); ${localKeyFile} exists only where npm start ran`);
}

// ---------------------------------------------------------------------------------------------------
// What the service tells (GET /api/admin/sync-status, GET /api/locations)

interface RunView {
  id: string;
  outcome: string;
  started_at: string;
  finished_at: string | null;
  counts: Record<string, number>;
  error: string | null;
}
interface LocationStatus {
  location_id: string;
  health: string;
  problems: string[];
  connection: { status: string } | null;
  held_sweep: { id: string; would_cancel: number; of: number } | null;
  jobs: Record<string, { last_run: RunView | null } | undefined>;
}
interface SyncStatus {
  overall: string;
  locations: LocationStatus[];
}
interface LocationSettings {
  location_id: string;
  default_calendar_id: string | null;
  synced_calendar_ids: string[];
}

/** A refused admin key: no waiting or retrying helps, the script stops saying so. */
class RefusedKey extends Error {}
const KEY_FIX = "Set ADMIN_KEY to one of the service's admin keys (ADMIN_API_KEYS; npm start's local key is dev-local-key).";

/** A JSON GET with the admin key; a readable reason when it cannot be had. */
async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${adminKey}` }, signal: AbortSignal.timeout(15_000) }).catch((err: unknown) => {
    throw new Error(`cannot reach ${base}: ${reason(err)}`);
  });
  const body = await res.json().catch(() => null);
  const refused = refusedKeyMessage(res.status, body, KEY_FIX);
  if (refused) throw new RefusedKey(`GET ${path}: ${refused}`);
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}${body ? `: ${JSON.stringify(body).slice(0, 300)}` : ''}`);
  return body as T;
}

function reason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

function fail(message: string, code = 1): never {
  console.error(`✗ ${message}`);
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------------
// Before: where things stand, and the plan

const before = await getJson<SyncStatus>('/api/admin/sync-status').catch((err: Error) =>
  fail(err.message.startsWith('cannot reach') ? `${err.message}\n  Is the service running (npm start)? Another address: --url http://host:port (or PUBLIC_BASE_URL).` : err.message),
);
const lastRunOf = (s: SyncStatus, id: string) => s.locations.find((l) => l.location_id === id)?.jobs[kind]?.last_run ?? null;
const targets = args.location ? [args.location] : before.locations.filter((l) => l.connection?.status === 'active').map((l) => l.location_id);
if (!targets.length) fail(`no connected location to run ${kind} for (sync-status lists ${before.locations.length} location(s)); connect one first`);
const baseline = new Map(targets.map((id) => [id, lastRunOf(before, id)]));
console.log(`${kind} for ${targets.length === 1 ? targets[0] : `${targets.length} connected locations`} at ${base}`);

// The windows a sync reads: each synced calendar over the job's days, in SYNC_GHL_WINDOW_DAYS pieces
// (from this machine's settings, which are the service's under npm start; the run's counts say what it did).
const envDays = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const days = kind === 'backfill' ? (args.days ?? BACKFILL_DEFAULT_DAYS) : kind === 'full' ? envDays('SYNC_FULL_DAYS', 92) : envDays('SYNC_INCREMENTAL_DAYS', 14);
const windowDays = envDays('SYNC_GHL_WINDOW_DAYS', 14);
const plannedWindows = new Map<string, number>();
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
if (kind !== 'cleanup') {
  const settings = await getJson<{ data: LocationSettings[] }>('/api/locations').catch(() => null);
  for (const id of targets) {
    const s = settings?.data.find((l) => l.location_id === id);
    if (!s) continue;
    const calendars = [...new Set([...s.synced_calendar_ids, ...(s.default_calendar_id ? [s.default_calendar_id] : [])])];
    const per = Math.ceil(days / windowDays);
    plannedWindows.set(id, per * calendars.length);
    console.log(`  ${id}: ${plural(calendars.length, 'calendar')} (${calendars.join(', ') || 'none'}) × ${plural(per, 'window')} of ${windowDays} days = ${plural(per * calendars.length, 'GHL read')}, ${days} days ${kind === 'backfill' ? 'back (never swept, never pushed)' : 'ahead'}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Start the job

type Answer = { status: number; body: Record<string, unknown> | null } | { error: string };
async function post(path: string, body?: unknown): Promise<Answer> {
  console.log(`→ POST ${base}${path}${body ? ` ${JSON.stringify(body)}` : ''}`);
  try {
    const res = await fetch(await signedJobRequest({ key: signingKey!, url: `${base}${path}`, body }));
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  } catch (err) {
    return { error: reason(err) };
  }
}
function refused(answer: { status: number; body: unknown }): never {
  const hint =
    answer.status === 401
      ? '\n  The signature was refused: QSTASH_CURRENT_SIGNING_KEY must be the service’s current signing key, and --url its PUBLIC_BASE_URL.'
      : '';
  fail(`the service answered ${answer.status}: ${JSON.stringify(answer.body)}${hint}`);
}

/** Where each location's run stands, as last seen. */
interface Progress {
  phase: 'waiting' | 'running' | 'done';
  run: RunView | null;
  note?: string;
  /** --location: the service's answer was handled. */
  answered?: boolean;
  warnedWaiting?: boolean;
}
const progress = new Map<string, Progress>(targets.map((id) => [id, { phase: 'waiting', run: null }]));

/** The one location's answer, when --location: the run's own result, or why there is none. */
let direct: Promise<Answer> | null = null;
if (args.location) {
  direct = post('/api/jobs/run', { kind, location_id: args.location, ...(args.days !== undefined ? { days: args.days } : {}) });
} else {
  const answer = await post(kind === 'cleanup' ? '/api/jobs/cleanup' : `/api/jobs/sync/${kind}`);
  if ('error' in answer) fail(`cannot reach the service at ${base}: ${answer.error}`);
  if (answer.status !== 200) refused(answer);
  const published = answer.body?.published;
  if (typeof published === 'number') {
    console.log(`← ${published} message${published === 1 ? '' : 's'} published, one per connected location; following ${targets.length} location${targets.length === 1 ? '' : 's'}`);
    if (published !== targets.length) console.log(`  ! ${published} published but sync-status showed ${targets.length} connected: a connection changed meanwhile`);
  } else {
    console.log(`← ran inline (no queue configured): ${answer.body?.ran_inline ?? 0} location(s)`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Follow until every run ends, or the deadline

const secs = (ms: number) =>
  ms < 1000 ? `${Math.round(ms)} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
const runMs = (r: RunView) => (r.finished_at ? Date.parse(r.finished_at) : Date.now()) - Date.parse(r.started_at);
const windowsSoFar = (id: string, r: RunView | null) => {
  // A running run's counts are saved every couple of seconds (src/sync/sync-run.ts: PROGRESS_EVERY_MS).
  const n = r?.counts?.windows;
  if (n === undefined) return '';
  const planned = plannedWindows.get(id);
  return ` · window ${n}${planned ? `/${planned}` : ''}${r!.counts.failed_windows ? ` (${r!.counts.failed_windows} failed)` : ''}`;
};

/** A location's latest run of this kind, as sync-status shows it: is it the one we follow, and where is it? */
function see(id: string, run: RunView | null) {
  const p = progress.get(id)!;
  if (p.phase === 'done') return;
  const base0 = baseline.get(id);
  const ours = run && run.id !== base0?.id;
  // A run already going when we asked: our message is skipped (one run per location and kind), so that one is followed.
  const inherited = !ours && base0?.outcome === 'running' && run?.id === base0.id;
  if (!ours && !inherited) return;
  if (p.phase === 'waiting') console.log(`  ${id}: ${inherited ? 'a run already in progress before we asked (ours is skipped); following it' : 'started'} (run ${run!.id.slice(0, 8)})`);
  p.run = run;
  if (inherited) p.note = 'already running when asked';
  if (run!.outcome === 'running') {
    p.phase = 'running';
    return;
  }
  p.phase = 'done';
  console.log(`  ${id}: ${mark(run!.outcome)} ${run!.outcome} in ${secs(runMs(run!))}${windowsSoFar(id, run)}`);
}

const mark = (outcome: string) => (outcome === 'ok' ? '✓' : '✗');
/** The summary's order of counts: the order a run does things (the database keeps jsonb keys in its own). */
const COUNT_ORDER = [
  ...['fetched', 'created', 'updated', 'cancelled', 'conflicts', 'unchanged', 'refused', 'swept', 'held', 'pushed', 'failed'],
  ...['verified', 'verify_errors', 'missing_cancelled', 'retried', 'retried_ok', 'pruned_webhooks', 'pruned_runs', 'pruned_idempotency_keys'],
];
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

let directAnswer: Answer | null = null;
void direct?.then((a) => (directAnswer = a));
let lastBeat = Date.now();
let statusTrouble: string | null = null;
/** Since when sync-status has not answered: a service gone for a minute is reported, not waited for. */
let troubleSince: number | null = null;
const deadline = started + args.timeoutS * 1000;

for (;;) {
  if (directAnswer) handleDirect(directAnswer);
  const now = await getJson<SyncStatus>('/api/admin/sync-status').then(
    (s) => {
      if (statusTrouble) console.log('  sync-status answers again');
      statusTrouble = null;
      troubleSince = null;
      return s;
    },
    (err: Error) => {
      if (err instanceof RefusedKey) fail(err.message);
      // The service may be busy or restarting: say so once, keep trying until the deadline.
      if (statusTrouble !== err.message) console.log(`  ! sync-status: ${err.message}; trying again`);
      statusTrouble = err.message;
      troubleSince ??= Date.now();
      return null;
    },
  );
  if (now) for (const id of targets) see(id, lastRunOf(now, id));
  if ([...progress.values()].every((p) => p.phase === 'done')) break;

  const t = Date.now();
  for (const [id, p] of progress) {
    if (p.phase === 'waiting' && !p.warnedWaiting && t - started > 60_000) {
      p.warnedWaiting = true;
      console.log(`  ! ${id}: no run started after ${secs(t - started)}: its message may be waiting for a retry or dead-lettered (QStash console: DLQ), or the connection changed`);
    }
  }
  if (t - lastBeat >= 10_000) {
    lastBeat = t;
    const done = [...progress.values()].filter((p) => p.phase === 'done').length;
    const open = [...progress]
      .filter(([, p]) => p.phase !== 'done')
      .slice(0, 6)
      .map(([id, p]) => (p.phase === 'running' ? `${id} running ${secs(runMs(p.run!))}${windowsSoFar(id, p.run)}` : `${id} waiting to start`));
    console.log(`  … ${done}/${progress.size} finished after ${secs(t - started)}${open.length ? ` · ${open.join(' · ')}` : ''}${progress.size - done > 6 ? ' · …' : ''}`);
  }
  if (interrupted) giveUp('interrupted');
  if (t >= deadline) giveUp('timeout');
  if (troubleSince !== null && t - troubleSince > 60_000) giveUp('unreachable');
  await new Promise((r) => setTimeout(r, args.intervalS * 1000));
}

/** The --location answer: the run's result, a skip, a dead connection, or no answer at all. */
function handleDirect(a: Answer) {
  const id = args.location!;
  const p = progress.get(id)!;
  if (p.phase === 'done' || p.answered) return;
  p.answered = true;
  if ('error' in a) {
    // E.g. Node's 5-minute limit on waiting for an answer: the run goes on, sync-status shows it.
    console.log(`  ! no answer from the service (${a.error}); following the run through sync-status`);
    return;
  }
  if (a.status === 489) {
    p.phase = 'done';
    const b = a.body as { error?: string; detail?: string } | null;
    console.log(`  ${id}: ✗ the connection is ${b?.error ?? 'dead'}: ${b?.detail ?? ''} — reconnect it (docs/runbook.md#reauth-required)`);
    p.run = { id: '-', outcome: 'failed', started_at: new Date(started).toISOString(), finished_at: new Date().toISOString(), counts: {}, error: b?.detail ?? 'connection needs re-authorisation' };
    return;
  }
  if (a.status !== 200) refused(a);
  const body = a.body as { skipped?: boolean; runId?: string; outcome?: string; counts?: Record<string, number>; error?: string | null } | null;
  if (body?.skipped) {
    // The run holding the lock is the location's latest: sync-status shows it, and it is followed.
    if (p.phase === 'waiting') console.log(`  ${id}: a ${kind} run was already in progress; following that one`);
    return;
  }
  console.log(`← ${a.status} run ${body?.runId?.slice(0, 8) ?? '?'}: ${body?.outcome}`);
}

function giveUp(why: 'timeout' | 'interrupted' | 'unreachable'): never {
  const open = [...progress].filter(([, p]) => p.phase !== 'done');
  const after = secs(Date.now() - started);
  console.log(
    why === 'interrupted'
      ? `\nStopped following after ${after}.`
      : why === 'unreachable'
        ? `\nGave up after ${after}: sync-status has not answered for a minute (${statusTrouble}).`
        : `\nGave up waiting after ${after} (--timeout ${args.timeoutS}):`,
  );
  const running = why === 'unreachable' ? 'last seen running' : 'still running';
  for (const [id, p] of open) console.log(`  ${id}: ${p.phase === 'running' ? `${running} (run ${p.run!.id.slice(0, 8)}, ${secs(runMs(p.run!))})` : 'no run started yet'}`);
  console.log(
    `${why === 'unreachable' ? 'Once the service answers again, see where they stand with' : 'The runs go on on the service. Follow them with'}:\n` +
      `  curl -s -H 'Authorization: Bearer <admin key>' ${base}/api/admin/sync-status`,
  );
  summary();
  process.exit(why === 'interrupted' ? 130 : why === 'unreachable' ? 1 : 3);
}

// ---------------------------------------------------------------------------------------------------
// Summary

function summary(): { ok: boolean } {
  const lines: string[] = [];
  let ok = true;
  for (const [id, p] of progress) {
    const r = p.run;
    if (p.phase !== 'done' || !r) {
      ok = false;
      lines.push(`  ${id.padEnd(24)} ${p.phase === 'running' ? 'running' : 'not started'}`);
      continue;
    }
    if (r.outcome !== 'ok') ok = false;
    const { windows, failed_windows: failedWindows, ...rest } = r.counts ?? {};
    // Known counts first, in COUNT_ORDER; any other after.
    const keys = [...COUNT_ORDER.filter((k) => k in rest), ...Object.keys(rest).filter((k) => !COUNT_ORDER.includes(k))];
    const counts = keys.map((k) => `${k} ${rest[k]}`).join(' · ');
    lines.push(`  ${id.padEnd(24)} ${mark(r.outcome)} ${r.outcome.padEnd(8)} ${secs(runMs(r)).padStart(9)}  ${counts}${p.note ? `  (${p.note})` : ''}`);
    if (windows !== undefined) {
      const planned = plannedWindows.get(id);
      lines.push(`  ${''.padEnd(24)} windows  ${windows}${planned !== undefined ? ` of ${planned} planned` : ''}, ${failedWindows ?? 0} failed`);
    }
    // The error names each failed calendar window ("<calendar> <from>…<to>: <why>"), or why the run failed.
    for (const e of (r.error ?? '').split(/; (?=\S+ \d{4}-\d{2}-\d{2}…)/).filter(Boolean)) lines.push(`  ${''.padEnd(24)}   ${e}`);
    if (r.counts?.held) lines.push(`  ${''.padEnd(24)} a sweep of ${r.counts.held} citas is held for review: docs/runbook.md#held-sweep`);
  }
  console.log(`\nSummary: ${kind}, ${progress.size} location${progress.size === 1 ? '' : 's'}, ${secs(Date.now() - started)}`);
  for (const l of lines) console.log(l);
  return { ok };
}

const { ok } = summary();
const after = await getJson<SyncStatus>('/api/admin/sync-status').catch(() => null);
if (after) {
  const problems = after.locations.filter((l) => targets.includes(l.location_id) && l.problems.length).map((l) => `${l.location_id}: ${l.problems.join('; ')}`);
  console.log(`overall: ${after.overall}${problems.length ? `\n  ${problems.join('\n  ')}` : ''}`);
}
process.exit(ok ? 0 : 1);
