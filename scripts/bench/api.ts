/**
 * The citas API against the real PostgreSQL and a private Redis, through the production clients
 * (Neon's driver via the local ws-proxy, @upstash/redis via the bridge), each route next to a floor
 * measured in the same process on the same clients:
 *
 *   floor create:  one transaction (read location_settings, insert the cita, insert its audit row);
 *   POST /api/citas (an unconnected location: no GHL work; distinct free slots: no 409s);
 *   floor list:    the range query GET /api/citas runs (src/citas/citas-repo.ts listCitas), LIMIT 50;
 *   GET /api/citas?location_id&desde&hasta (a full page of 50);
 *   and, when the service answers 304 to If-None-Match with the list's ETag, that conditional GET.
 *
 * Reported per request: throughput, p50/p99, Redis commands (counted by the private redis-server,
 * commands run by scripts included), HTTP requests to the store, DB transactions and statements
 * (counted in Neon's driver), then the goals' verdicts. Each floor and its route run in alternating
 * blocks of about --block requests, so that both meet the same drift of this shared machine's
 * speed; each pair is measured --rounds times and its median round reported. A report: exits 0
 * whatever the verdicts unless --strict.
 *
 *   npx tsx scripts/bench/api.ts [--n 300] [--concurrency 8] [--warmup 150] [--block 88] [--rounds 3] [--rate-limits] [--json] [--strict]
 */
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
// First: it loads the app, and with it @hono/zod-openapi, before any module below builds a zod schema.
import {
  commonArgs,
  describeSetup,
  drain,
  fmt,
  goalsOverRounds,
  measureInterleaved,
  medianRound,
  measurePhase,
  phaseJson,
  phaseTable,
  startBenchService,
  usageDetails,
  verdict,
  verdictLines,
  type PhaseResult,
  type Round,
  type Verdict,
} from '../lib/bench';
import { INSERT_AUDIT, INSERT_CITA, LIST, READ_SETTINGS } from './floor-sql';
import { upsertLocationSettings } from '../../src/locations/settings-repo';

const { values } = parseArgs({ options: { ...commonArgs, n: { type: 'string', default: '300' }, block: { type: 'string', default: '88' }, rounds: { type: 'string', default: '3' } } });
const N = Number(values.n);
const BLOCK_OPS = Math.max(1, Number(values.block));
const ROUNDS = Math.max(1, Number(values.rounds));
const CONCURRENCY = Number(values.concurrency);
// Shorter warm-ups leave the floors' p99 several times their p50 (first use of each statement in the process).
const WARMUP = Number(values.warmup ?? Math.max(50, Math.round(N / 2)));
const say = values.json ? () => {} : (line = '') => console.log(line);

const bench = await startBenchService({
  // Off, as in the measurements the goals come from; --rate-limits puts the per-key limit on the path (never reached).
  API_RATE_LIMIT_PER_MINUTE: values['rate-limits'] ? '1000000000' : '0',
});
const { app, env, ctx, node, pool, counters } = bench;

const ZONE = 'America/Lima';
const SERVICE_LOC = 'loc-api';
const FLOOR_LOC = 'loc-api-floor';
const CALENDAR = 'cal-api';
const auth = { Authorization: 'Bearer bench' };
// The listed range: two whole days in the location's zone, 96 half-hour citas, so a full page of 50.
const LIST_FROM_DAY = '2027-03-01';
const LIST_TO_DAY = '2027-03-02';
const LIST_PATH = `/api/citas?location_id=${SERVICE_LOC}&desde=${LIST_FROM_DAY}&hasta=${LIST_TO_DAY}`;

/**
 * POST bodies for half-hour citas back to back from `firstDay` (wall times in the zone, no offset:
 * the service reads them in the location's zone), none overlapping another.
 */
function createBodies(locationId: string, firstDay: string, count: number, tag: string): string[] {
  const start0 = DateTime.fromISO(firstDay, { zone: ZONE });
  return Array.from({ length: count }, (_, i) => {
    const s = start0.plus({ minutes: 30 * i });
    return JSON.stringify({
      location_id: locationId,
      title: `Bench ${tag} ${i}`,
      contact_id: 'c-1',
      start_time: s.toFormat("yyyy-MM-dd'T'HH:mm"),
      end_time: s.plus({ minutes: 30 }).toFormat("yyyy-MM-dd'T'HH:mm"),
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Floors: the least work each route's answer needs, written directly against drizzle/*.sql.


async function floorCreate(body: string): Promise<string> {
  const input = JSON.parse(body) as { location_id: string; title: string; contact_id: string; start_time: string; end_time: string };
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows: settings } = await client.query<{ default_calendar_id: string | null; zone: string | null }>(READ_SETTINGS, [input.location_id]);
    const zone = settings[0]?.zone ?? bench.config.APP_TIMEZONE;
    const calendar = settings[0]?.default_calendar_id;
    if (!calendar) throw new Error('no default calendar');
    const start = DateTime.fromISO(input.start_time, { zone }).toJSDate();
    const end = DateTime.fromISO(input.end_time, { zone }).toJSDate();
    const now = new Date();
    const { rows } = await client.query<{ id: string }>(INSERT_CITA, [input.location_id, calendar, input.title, input.contact_id, start, end, zone, now]);
    const row = rows[0]!;
    const changes = {
      ghl_calendar_id: { before: null, after: calendar },
      title: { before: null, after: input.title },
      contact_id: { before: null, after: input.contact_id },
      start_time: { before: null, after: start },
      end_time: { before: null, after: end },
      status: { before: null, after: 'new' },
    };
    await client.query(INSERT_AUDIT, [row.id, JSON.stringify(changes), crypto.randomUUID(), now]);
    await client.query('commit');
    JSON.stringify(row); // the answer
    return 'created';
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

// listCitas's query (intersects [from, to), ordered by start then id), the same bounds the service computes.
const listFrom = DateTime.fromISO(LIST_FROM_DAY, { zone: ZONE }).toJSDate();
const listTo = DateTime.fromISO(LIST_TO_DAY, { zone: ZONE }).plus({ days: 1 }).toJSDate();

async function floorList(): Promise<string> {
  const { rows } = await pool.query(LIST, [SERVICE_LOC, listTo, listFrom]);
  JSON.stringify(rows); // the answer
  return `${rows.length} rows`;
}

// ---------------------------------------------------------------------------------------------
// The service

async function serviceCreate(body: string): Promise<number> {
  const res = await drain(await app.request('/api/citas', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }, body }, env, ctx));
  return res.status;
}

async function serviceList(): Promise<number> {
  return (await drain(await app.request(LIST_PATH, { headers: auth }, env, ctx))).status;
}

try {
  const now = new Date();
  // Round r creates on locations of its own (its slots would overlap the last round's); every
  // round lists the page the first round's creates made.
  const at = (loc: string, r: number) => (r === 0 ? loc : `${loc}-r${r}`);
  for (let r = 0; r < ROUNDS; r++) {
    for (const loc of [SERVICE_LOC, FLOOR_LOC, `${SERVICE_LOC}-warmup`]) {
      await upsertLocationSettings(node.deps.db, at(loc, r), { defaultCalendarId: CALENDAR, timeZone: ZONE }, now);
    }
  }

  // Each floor and its route in alternating blocks: both meet the same drift of this machine;
  // the pair measured --rounds times, the round with the median throughput ratio reported.
  const pair = { counters, concurrency: CONCURRENCY, blockOps: BLOCK_OPS };
  const ops = (n: number) => [Array.from({ length: n }, (_, i) => i)];
  const createRounds: Round[] = [];
  const listRounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [floorCreate_, serviceCreate_] = await measureInterleaved(
      { name: 'floor create', warmup: [createBodies(at(FLOOR_LOC, r), '2027-06-01', WARMUP, 'warm')], groups: [createBodies(at(FLOOR_LOC, r), LIST_FROM_DAY, N, 'floor')], run: floorCreate },
      { name: 'POST /api/citas', warmup: [createBodies(at(`${SERVICE_LOC}-warmup`, r), '2027-06-01', WARMUP, 'warm')], groups: [createBodies(at(SERVICE_LOC, r), LIST_FROM_DAY, N, 'api')], run: serviceCreate },
      pair,
    );
    createRounds.push({ floor: floorCreate_, service: serviceCreate_, ratio: serviceCreate_.perSecond / floorCreate_.perSecond });
    const [floorList_, serviceList_] = await measureInterleaved(
      { name: 'floor list', warmup: ops(WARMUP), groups: ops(N), run: floorList },
      { name: 'GET /api/citas', warmup: ops(WARMUP), groups: ops(N), run: serviceList },
      pair,
    );
    listRounds.push({ floor: floorList_, service: serviceList_, ratio: serviceList_.perSecond / floorList_.perSecond });
  }
  const { floor: floorCreatePhase, service: serviceCreatePhase } = medianRound(createRounds);
  const { floor: floorListPhase, service: serviceListPhase } = medianRound(listRounds);

  // A first list: its size, and whether the service offers a conditional GET.
  const first = await app.request(LIST_PATH, { headers: auth }, env, ctx);
  const page = (await first.json()) as { data?: unknown[]; next_cursor?: string | null };
  const etag = first.headers.get('etag');
  let notModified: PhaseResult | null = null;
  let notModifiedNote: string;
  if (!etag) {
    notModifiedNote = '304: not supported yet (the list answers without an ETag)';
  } else {
    const probe = await drain(await app.request(LIST_PATH, { headers: { ...auth, 'If-None-Match': etag } }, env, ctx));
    if (probe.status !== 304) {
      notModifiedNote = `304: not supported yet (If-None-Match with the list's ETag answered ${probe.status})`;
    } else {
      notModifiedNote = '304: supported';
      notModified = await measurePhase('GET /api/citas → 304', {
        counters, concurrency: CONCURRENCY, warmup: ops(WARMUP), groups: ops(N),
        run: async () => (await drain(await app.request(LIST_PATH, { headers: { ...auth, 'If-None-Match': etag } }, env, ctx))).status,
      });
    }
  }

  const goals: Verdict[] = [
    ...goalsOverRounds('create', createRounds),
    ...goalsOverRounds('list', listRounds),
    ...(notModified ? [verdict('list 304: a 304 costs ≤ 1 store command', notModified.perOp.redisCommands, '<=', 1, 'count')] : []),
  ];
  const ratio = (s: PhaseResult, f: PhaseResult) => ({ throughput: s.perSecond / f.perSecond, p50: s.p50 / f.p50, p99: s.p99 / f.p99 });
  const phases = [floorCreatePhase, serviceCreatePhase, floorListPhase, serviceListPhase, ...(notModified ? [notModified] : [])];

  if (values.json) {
    console.log(JSON.stringify({
      benchmark: 'api',
      params: { requests: N, concurrency: CONCURRENCY, warmup: WARMUP, rounds: ROUNDS, rate_limits: values['rate-limits'], list_page: page.data?.length ?? null },
      round_throughput_ratios: { create: createRounds.map((r) => Number(r.ratio.toFixed(3))), list: listRounds.map((r) => Number(r.ratio.toFixed(3))) },
      phases: Object.fromEntries(phases.map((p) => [p.name, phaseJson(p)])),
      ratios: {
        create: ratio(serviceCreatePhase, floorCreatePhase),
        list: ratio(serviceListPhase, floorListPhase),
        ...(notModified ? { list_304_vs_floor_list: ratio(notModified, floorListPhase) } : {}),
      },
      not_modified: notModified ? 'supported' : 'not supported yet',
      goals,
      pass: goals.every((g) => g.pass),
    }, null, 2));
  } else {
    say(`API benchmark: ${N} requests per phase, concurrency ${CONCURRENCY}, warm-up ${WARMUP}; unconnected location (no GHL work); API rate limit ${values['rate-limits'] ? 'on (never reached)' : 'off'}`);
    say(describeSetup(bench));
    say(`  list: ${LIST_PATH} → ${page.data?.length ?? '?'} citas${page.next_cursor ? ' + next_cursor' : ''}`);
    say();
    say(phaseTable(phases, 'req'));
    const c = ratio(serviceCreatePhase, floorCreatePhase);
    const l = ratio(serviceListPhase, floorListPhase);
    say(`  create service/floor: throughput ${fmt.ratio(c.throughput)}, p50 ${fmt.ratio(c.p50)}, p99 ${fmt.ratio(c.p99)}`);
    say(`  list   service/floor: throughput ${fmt.ratio(l.throughput)}, p50 ${fmt.ratio(l.p50)}, p99 ${fmt.ratio(l.p99)}`);
    if (ROUNDS > 1) {
      const line = (rs: Round[]) => rs.map((r) => `${fmt.ratio(r.ratio)} (p99 ${fmt.ratio(r.service.p99 / r.floor.p99)})`).join(', ');
      say(`  rounds, throughput (p99) ratio: create ${line(createRounds)}; list ${line(listRounds)}; the median rounds are the ones above`);
    }
    if (notModified) {
      const n = ratio(notModified, floorListPhase);
      say(`  304    vs floor list:  throughput ${fmt.ratio(n.throughput)}, p50 ${fmt.ratio(n.p50)}, p99 ${fmt.ratio(n.p99)}`);
    }
    say(`  ${notModifiedNote}`);
    say();
    say('goals (one run; each ratio the median of its rounds\' ratios, floors measured beside):');
    say(verdictLines(goals));
    say();
    say('  where the work comes from (redis-server counts commands run inside EVAL scripts too):');
    for (const p of phases) say(usageDetails(p, 'request'));
    say('  statuses:');
    for (const p of phases) say(`    ${p.name.padEnd(22)} ${JSON.stringify(p.outcomes)}${p.firstError ? ` (first error: ${p.firstError})` : ''}`);
  }
  if (values.strict && !goals.every((g) => g.pass)) process.exitCode = 1;
} finally {
  await bench.close();
}
