/**
 * The search box: GET /api/contacts?location_id&q&limit=10 on a location with 10,000 patients (and
 * as many in another location), against the real PostgreSQL and a private Redis through the
 * production clients, next to a floor measured in the same process on the same pool:
 *
 *   floor:   the same query by hand (contacts of the location, not deleted, search text containing
 *            every typed word, by name, LIMIT 10), one statement on the pool;
 *   service: GET /api/contacts (app.request), the same typed words.
 *
 * What people type: a first name, a surname, "nombre apellido", part of a phone, part of an email,
 * with and without accents. Every query finds at least a page of patients, so the service answers
 * from ours alone (GHL's search completes a page only when ours falls short; not measured here).
 * Floor and service run in alternating blocks, --rounds times; the median round is reported.
 * Goal (issue 22): p99 ≤ 50 ms. A report: exits 0 whatever the verdicts unless --strict.
 *
 *   npx tsx scripts/bench/contacts.ts [--patients 10000] [--n 400] [--concurrency 8] [--rounds 3] [--block 80] [--json] [--strict]
 */
import { parseArgs } from 'node:util';
// First: it loads the app, and with it @hono/zod-openapi, before any module below builds a zod schema.
import { commonArgs, describeSetup, drain, fmt, measureInterleaved, medianRound, phaseJson, phaseTable, startBenchService, usageDetails, verdict, verdictLines, type Round } from '../lib/bench';
import { saveContacts, type ContactNews } from '../../src/contacts/contacts-repo';
import { searchPatterns } from '../../src/contacts/patient';
import { mulberry32 } from '../ghl-sandbox/prng';

const { values } = parseArgs({
  options: { ...commonArgs, patients: { type: 'string', default: '10000' }, n: { type: 'string', default: '400' }, block: { type: 'string', default: '80' }, rounds: { type: 'string', default: '3' } },
});
const PATIENTS = Number(values.patients);
const N = Number(values.n);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Math.max(1, Number(values.rounds));
const BLOCK = Math.max(1, Number(values.block));
const WARMUP = Number(values.warmup ?? 100);
const say = values.json ? () => {} : (line = '') => console.log(line);

const LOC = 'loc-bench-pacientes';
const NOISE = 'loc-bench-otra';
const FIRST = ['Ana', 'José', 'Rosa', 'Luis', 'Carmen', 'Jorge', 'María', 'Lucía', 'Juan Carlos', 'Milagros', 'Pedro', 'Sofía', 'Miguel', 'Valeria', 'Diego', 'Camila', 'Jesús', 'Andrea', 'César', 'Gabriela'];
const LAST = ['Pérez', 'Huamán', 'Mamani', 'Quispe', 'Rojas', 'Chávez', 'Fernández', 'Torres', 'Vásquez', 'Gutiérrez', 'Flores', 'Ramos', 'Condori', 'Díaz', 'Mendoza', 'Salazar', 'Ríos', 'Vargas', 'Castillo', 'Sánchez'];

function patients(locationId: string, count: number, seed: number): ContactNews[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const at = new Date();
  return Array.from({ length: count }, (_, i) => {
    const firstName = pick(FIRST);
    const lastName = `${pick(LAST)} ${pick(LAST)}`;
    const phone = `+519${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
    const email = rand() < 0.7 ? `${firstName.split(' ')[0]!.toLowerCase()}.${lastName.split(' ')[0]!.toLowerCase()}${i}@correo.pe`.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : null;
    return { id: `${locationId}-p${i}`, fields: { firstName, lastName, name: `${firstName} ${lastName}`, phone, email }, at };
  });
}

const QUERIES = ['ana', 'perez', 'Pérez', 'rosa mamani', 'jose huaman', 'Quispe Flores', 'carmen', 'juan carlos', 'gutierrez', 'chavez', '987', '912', 'maria.', 'ana.quispe', 'lucia torres', 'diaz', 'VALERIA', 'ríos', 'cesar', 'sofia sanchez'];

const bench = await startBenchService({ API_RATE_LIMIT_PER_MINUTE: '0' });
const { app, env, ctx, pool, counters } = bench;
try {
  const started = Date.now();
  for (const [loc, seed] of [[LOC, 1], [NOISE, 2]] as const) {
    const all = patients(loc, PATIENTS, seed);
    for (let i = 0; i < all.length; i += 1000) await saveContacts(bench.node.deps.db, loc, all.slice(i, i + 1000));
  }
  await pool.query('analyze contacts');
  say(`contacts search benchmark: ${PATIENTS} patients in the searched location (and ${PATIENTS} in another), seeded in ${Date.now() - started} ms; limit 10; ${N} searches per phase, concurrency ${CONCURRENCY}`);
  say(describeSetup(bench));

  // Each query must fill a page from ours, or the service would also ask GHL (which the bench has not).
  for (const q of QUERIES) {
    const r = (await (await app.request(`/api/contacts?location_id=${LOC}&q=${encodeURIComponent(q)}&limit=10`, { headers: { Authorization: 'Bearer bench' } }, env, ctx)).json()) as { data: unknown[] };
    if (r.data.length < 10) throw new Error(`query ${JSON.stringify(q)} finds ${r.data.length} patients: choose queries that fill a page`);
  }

  const FLOOR_SQL = (n: number) =>
    `select * from contacts where location_id = $1 and deleted_at is null and ${Array.from({ length: n }, (_, k) => `search_text like $${k + 2}`).join(' and ')} order by lower(coalesce(name, first_name, '')), id limit 10`;
  const ops = (n: number) => [Array.from({ length: n }, (_, i) => QUERIES[i % QUERIES.length]!)];
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [floor, service] = await measureInterleaved(
      {
        name: 'floor: the query by hand',
        warmup: ops(WARMUP),
        groups: ops(N),
        run: async (q: string) => {
          const patterns = searchPatterns(q);
          const { rows } = await pool.query(FLOOR_SQL(patterns.length), [LOC, ...patterns]);
          return rows.length === 10 ? 200 : 500;
        },
      },
      {
        name: 'GET /api/contacts',
        warmup: ops(WARMUP),
        groups: ops(N),
        run: async (q: string) => (await drain(await app.request(`/api/contacts?location_id=${LOC}&q=${encodeURIComponent(q)}&limit=10`, { headers: { Authorization: 'Bearer bench' } }, env, ctx))).status,
      },
      { counters, concurrency: CONCURRENCY, blockOps: BLOCK },
    );
    rounds.push({ floor, service, ratio: service.perSecond / floor.perSecond });
  }
  const median = medianRound(rounds);
  const p99s = rounds.map((r) => r.service.p99).sort((a, b) => a - b);
  const p99 = p99s[Math.floor(p99s.length / 2)]!;
  const goals = [verdict('contact search p99 ≤ 50 ms on 10,000 patients (median of rounds, ms)', p99, '<=', 50, 'count')];
  if (values.json) {
    console.log(JSON.stringify({ benchmark: 'contacts', params: { patients: PATIENTS, n: N, concurrency: CONCURRENCY, rounds: ROUNDS }, phases: { floor: phaseJson(median.floor), service: phaseJson(median.service) }, round_ratios: rounds.map((r) => r.ratio), service_p99_ms: p99s, goals }, null, 2));
  } else {
    say();
    say(phaseTable([median.floor, median.service], 'search'));
    say(`  service/floor: throughput ${fmt.ratio(median.ratio)}, p50 ${fmt.ratio(median.service.p50 / median.floor.p50)}, p99 ${fmt.ratio(median.service.p99 / median.floor.p99)}`);
    say(`  rounds: throughput ratios ${rounds.map((r) => fmt.ratio(r.ratio)).join(', ')}; service p99 ${p99s.map((v) => `${v.toFixed(1)} ms`).join(', ')}`);
    say();
    say(verdictLines(goals));
    say(usageDetails(median.service, 'search'));
  }
  if (values.strict && !goals.every((g) => g.pass)) process.exitCode = 1;
} finally {
  await bench.close();
}
