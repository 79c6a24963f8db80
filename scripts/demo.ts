/**
 * `npm run demo`: the whole round trip against a running `npm start`, narrated step by step with
 * timings (what the sprint's 2–3 minute demo video shows):
 *
 *   create in RV3 → appears in GHL on the chosen calendar → switch the location's calendar and
 *   create again → it lands on the new calendar → move it in GHL → RV3 shows the move (same cita,
 *   by GHL id) → cancel it in GHL → RV3 has it cancelled, row kept → its audit trail.
 *
 * Exits 0 only if every step was observed. Options: --url (service, default http://127.0.0.1:8787),
 * --sandbox (the GHL sandbox, default http://127.0.0.1:8790), --key, --location.
 */
import { parseArgs } from 'node:util';
import { fullClient, type CitaView } from '../src/client';
import { failOnRefusedKey } from './lib/refused-key';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}` },
    sandbox: { type: 'string', default: `http://127.0.0.1:${process.env.GHL_SANDBOX_PORT ?? 8790}` },
    key: { type: 'string', default: (process.env.ADMIN_API_KEYS ?? '').split(',')[0] || 'dev-local-key' },
    location: { type: 'string', default: 'demo-location' },
  },
});
const base = values.url!.replace(/\/$/, '');
const sandbox = values.sandbox!.replace(/\/$/, '');
const LOC = values.location!;
// A refused key stops the demo at once, said as what it is: no step reads the refusal as data.
const refusedKey = (message: string): never => {
  console.error(`\n✗ ${message}`);
  process.exit(1);
};
const KEY_FIX = `Pass --key with a key of the service that may use ${LOC} (one of its ADMIN_API_KEYS or API_KEYS; npm start's local key is dev-local-key).`;
const api = fullClient(base, { apiKey: values.key!, fetch: failOnRefusedKey(refusedKey, KEY_FIX) });

const t0 = Date.now();
let step = 0;
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(2)} s`.padStart(8);
function say(line: string) {
  console.log(`${elapsed()}  ${line}`);
}
async function stepDo<T>(title: string, fn: () => Promise<T>): Promise<T> {
  step++;
  const started = Date.now();
  console.log(`\n${elapsed()}  ${step}. ${title}`);
  const result = await fn();
  say(`   ✓ (${Date.now() - started} ms)`);
  return result;
}
function fail(why: string): never {
  console.error(`\n✗ step ${step} not observed: ${why}`);
  process.exit(1);
}
/** Asks until `ok` holds (every 200 ms, up to 15 s): what the front desk sees happen "by itself". */
async function until<T>(what: string, ask: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await ask();
    if (ok(v)) return v;
    if (Date.now() > deadline) fail(`${what} within 15 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
async function ghlAppointments(): Promise<{ id: string; calendarId: string; startTime: string; appointmentStatus: string }[]> {
  const res = await fetch(`${sandbox}/_sandbox/appointments?locationId=${encodeURIComponent(LOC)}`);
  return ((await res.json()) as { appointments: [] }).appointments;
}
async function cita(id: string): Promise<CitaView> {
  const res = await api.api.citas[':id'].$get({ param: { id } });
  if (res.status !== 200) fail(`GET /api/citas/${id} answered ${res.status}`);
  return (await res.json()) as CitaView;
}
async function sandboxAction(action: string, body: unknown) {
  const res = await fetch(`${sandbox}/_sandbox/actions/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) fail(`the sandbox refused ${action}: ${res.status} ${await res.text()}`);
}
/** A free half hour 10–70 days ahead, 08:00–17:30 Lima time. */
function slot() {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 10 + Math.floor(Math.random() * 60), 13, 15 * Math.floor(Math.random() * 38)));
  return { start_time: start.toISOString(), end_time: new Date(start.getTime() + 30 * 60_000).toISOString() };
}

try {
  await fetch(`${base}/healthz`);
} catch {
  console.error(`✗ nothing answers at ${base}: start the service first (npm start), or pass --url.`);
  process.exit(1);
}

console.log(`citas-sync round trip — service ${base}, GHL sandbox ${sandbox}, location ${LOC}`);

const settings = await stepDo('Read the location and its GHL calendars', async () => {
  const read = await api.api.locations[':locationId'].settings.$get({ param: { locationId: LOC } });
  if ((read.status as number) === 404) fail(`the service does not know location ${LOC} (pass --location)`);
  const s = await read.json();
  if ((read.status as number) !== 200 || !('default_calendar_id' in s)) fail(`reading ${LOC}'s settings answered ${read.status}: ${JSON.stringify(s)}`);
  if (!s.default_calendar_id) fail('the location has no default calendar');
  const listed = await api.api.ghl.calendars.$get({ query: { location_id: LOC } });
  const cals = await listed.json();
  if (!('calendars' in cals)) fail(`listing ${LOC}'s GHL calendars answered ${listed.status}: ${JSON.stringify(cals)}`);
  const other = cals.calendars.find((c) => c.active && c.id !== s.default_calendar_id);
  if (!other) fail('the location needs a second active calendar');
  say(`   zone ${s.time_zone}; default calendar ${s.default_calendar_id}; also active: ${other.id} (${other.name})`);
  return { zone: s.time_zone, first: s.default_calendar_id, second: other.id, synced: s.synced_calendar_ids };
});

async function createAndSeeInGhl(title: string, calendarId: string) {
  const when = slot();
  const created = await stepDo(`Create "${title}" in RV3 (${when.start_time})`, async () => {
    const res = await api.api.citas.$post({ json: { location_id: LOC, title, contact_id: 'demo-contact-ana', ...when } });
    if (res.status !== 201) fail(`create answered ${res.status}: ${await res.text()}`);
    const c = (await res.json()) as CitaView;
    say(`   cita ${c.id} on ${c.calendar_id}, ${c.start_time} (${c.time_zone}); sync: ${c.sync.status}`);
    return c;
  });
  return stepDo('It appears in GHL on the chosen calendar', async () => {
    const synced = await until('the push to GHL', () => cita(created.id), (c) => c.sync.status === 'synced' && !!c.ghl_appointment_id);
    const appt = await until('the appointment in GHL', ghlAppointments, (list) => list.some((a) => a.id === synced.ghl_appointment_id));
    const a = appt.find((x) => x.id === synced.ghl_appointment_id)!;
    if (a.calendarId !== calendarId) fail(`GHL has it on ${a.calendarId}, not ${calendarId}`);
    if (Date.parse(a.startTime) !== Date.parse(synced.start_time_utc)) fail(`GHL has ${a.startTime}, RV3 ${synced.start_time}`);
    say(`   GHL appointment ${a.id} on ${a.calendarId} at ${a.startTime}`);
    return synced;
  });
}

await createAndSeeInGhl('Control - Ana Pérez', settings.first);

await stepDo(`Switch the location's calendar to ${settings.second}`, async () => {
  const res = await api.api.locations[':locationId'].settings.$put({ param: { locationId: LOC }, json: { default_calendar_id: settings.second } });
  if (res.status !== 200) fail(`settings answered ${res.status}`);
});
const second = await createAndSeeInGhl('Limpieza - Ana Pérez', settings.second);

const moved = new Date(Date.parse(second.start_time_utc) + 3600_000).toISOString();
await stepDo(`Move it in GHL to ${moved} (a person in GHL's calendar)`, () => sandboxAction('move', { id: second.ghl_appointment_id, startTime: moved }));
await stepDo('RV3 shows the move: the same cita, found by its GHL id', async () => {
  const c = await until('the move in RV3', () => cita(second.id), (x) => Date.parse(x.start_time_utc) === Date.parse(moved));
  say(`   cita ${c.id} now ${c.start_time} – ${c.end_time} (version ${c.version})`);
});

await stepDo('Cancel it in GHL', () => sandboxAction('cancel', { id: second.ghl_appointment_id }));
await stepDo('RV3 has it cancelled; the row is kept', async () => {
  const c = await until('the cancellation in RV3', () => cita(second.id), (x) => x.status === 'cancelled');
  say(`   status ${c.status}, cancelled_at ${c.cancelled_at}`);
});

await stepDo('Its audit trail: who changed what', async () => {
  const res = await api.api.citas[':id'].audit.$get({ param: { id: second.id } });
  const trail = (await res.json()) as { entries: { at: string; actor: string; action: string; changes: Record<string, unknown> }[] };
  for (const e of trail.entries) say(`   ${e.at}  ${e.actor.padEnd(7)} ${e.action.padEnd(16)} ${Object.keys(e.changes).join(', ')}`);
  const actions = trail.entries.map((e) => `${e.actor}:${e.action}`);
  if (!actions.includes('api:create') || !actions.includes('webhook:update_from_ghl')) fail(`the trail lacks the create or GHL's changes: ${actions.join(' ')}`);
});

await stepDo(`Put the default calendar back (${settings.first})`, async () => {
  await api.api.locations[':locationId'].settings.$put({ param: { locationId: LOC }, json: { default_calendar_id: settings.first } });
});

console.log(`\n✓ round trip observed, ${step} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
