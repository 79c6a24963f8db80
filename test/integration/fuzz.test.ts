/**
 * Seeded fuzzing of the API and webhook routes: valid bodies with one to three fields replaced by
 * hostile values (unstorable text, absurd dates, wrong types, deep nesting, huge strings, broken
 * JSON), random query strings, odd headers. Whatever comes in: never a 5xx (nor a 429, which on
 * the webhook path would be a hidden failure: limits are off here), and every 4xx is problem+json
 * with a code. FUZZ_RUNS sets how many requests (CI: the default), FUZZ_SEED the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { mulberry32 } from '../../scripts/ghl-sandbox/prng';
import { ADMIN_KEY, createTestEnv, type TestEnv } from '../support/harness';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const LOC = 'loc-fuzz';
const CAL = 'cal-fuzz';

let t: TestEnv;
let sandbox: GhlSandbox;
let existing: string;

beforeAll(async () => {
  sandbox = createGhlSandbox({ seed: 3, rateLimit: { max: 100_000, intervalMs: 1000 } });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: CAL, name: 'Fuzz' }], contacts: [{ id: 'c-f', firstName: 'F', email: 'f@example.com' }] }] });
  const keys = await sandbox.webhookKeys();
  t = await createTestEnv({
    ghl: sandbox,
    env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, API_RATE_LIMIT_PER_MINUTE: '0', WEBHOOK_RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error' },
  });
  await t.connectPit(LOC);
  await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL });
  const res = await t.api('POST', '/api/citas', { location_id: LOC, contact_id: 'c-f', title: 'Base', start_time: '2027-03-01T09:00', end_time: '2027-03-01T09:30' });
  existing = ((await res.json()) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const rand = mulberry32(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number) => Math.floor(rand() * n);

/** Percent-encodes, or — for text that is not valid Unicode — sends raw bytes that are not valid UTF-8. */
const enc = (v: unknown) => {
  try {
    return encodeURIComponent(String(v));
  } catch {
    return '%ED%B0%80%FF';
  }
};

const deepObject = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = rand() < 0.5 ? { d: v } : [v];
  return v;
};

/** Values that have broken services like this one. */
const HOSTILE: (() => unknown)[] = [
  () => 'a\u0000b',
  () => '%00',
  () => 'x\udc00y',
  () => '\ud800',
  () => 'x'.repeat(pick([201, 5000, 70_000])),
  () => '',
  () => ' ',
  () => '\u202e\u200b\ufeff',
  () => "'; DROP TABLE citas; --",
  () => '../../etc/passwd',
  () => '<script>alert(1)</script>',
  () => '🦷'.repeat(60),
  () => pick(['9999-12-31T23:00', '0001-01-01T10:00', '2027-11-20T09:00:00+99:99', '2027-02-30T10:00', '2027-03-01T24:00', '2027-03-01T09:00:00.1234567891Z', '10000-01-01T00:00Z', '2027-03-01', 'T09:00', '2027-W09-1T09:00', '1e10', '2027-03-01T09:00:00-14:01']),
  () => pick([0, -1, 1.5, 1e308, -1e308, 9007199254740993, 2 ** 31, -0]),
  () => pick([true, false, null]),
  () => [],
  () => {
    return Array.from({ length: int(50) }, () => pick(['a', 1, null, {}]));
  },
  () => ({}),
  () => ({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } }),
  () => deepObject(pick([10, 40, 200, 2000])),
  () => ({ nested: { 'k\u0000': 'v' } }),
];

const CITA_FIELDS = ['location_id', 'calendar_id', 'title', 'contact_id', 'contact', 'assigned_user_id', 'start_time', 'end_time', 'notes', 'status', 'extras', 'unknown_field', '__proto__'];

function validCita(): Record<string, unknown> {
  const day = 1 + int(27);
  const hour = 8 + int(10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { location_id: LOC, contact_id: 'c-f', title: `Fuzz ${int(1e6)}`, start_time: `2027-04-${pad(day)}T${pad(hour)}:00`, end_time: `2027-04-${pad(day)}T${pad(hour)}:${pick(['05', '30', '45'])}` };
}

function mutate(body: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (let i = 0, n = 1 + int(3); i < n; i++) out[pick(fields)] = pick(HOSTILE)();
  return out;
}

/** Raw text that is not quite JSON, or JSON of the wrong shape. */
const RAW_BODIES = ['', '{', '{"a":1,}', '\ufeff{}', 'null', '[]', '"string"', '123', '{"title":"x"}{"title":"y"}', `{"title":"${'\\u0000'}"}`, '{"title":"\\ud800"}', `{"extras":${'['.repeat(3000)}${']'.repeat(3000)}}`, 'x'.repeat(70_000), '{"__proto__":{"admin":true}}'];

function jsonOrRaw(value: unknown): string {
  if (rand() < 0.12) return pick(RAW_BODIES);
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return pick(RAW_BODIES); // deeper than JSON.stringify goes
  }
}

function randomQuery(): string {
  const params = ['location_id', 'desde', 'hasta', 'estado', 'status', 'calendar_id', 'conflict', 'limit', 'cursor', 'zzz'];
  const q = new URLSearchParams();
  if (rand() < 0.8) q.set('location_id', rand() < 0.7 ? LOC : String(pick(HOSTILE)()));
  for (let i = 0, n = int(4); i < n; i++) {
    const v = pick(HOSTILE)();
    q.append(pick(params), typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  }
  return q.toString();
}

type Shot = { method: string; path: string; body?: string; headers?: Record<string, string>; webhook?: boolean };

function nextShot(): Shot {
  const r = rand();
  if (r < 0.28) return { method: 'POST', path: '/api/citas', body: jsonOrRaw(mutate(validCita(), CITA_FIELDS)) };
  if (r < 0.4) return { method: 'PATCH', path: `/api/citas/${rand() < 0.8 ? existing : enc(pick(HOSTILE)())}`, body: jsonOrRaw(mutate({ title: 'Editada' }, CITA_FIELDS)), headers: rand() < 0.3 ? { 'If-Match': pick(['"1"', 'W/"2"', '*', '"x"', '"99999999999999999999"', '']) } : {} };
  if (r < 0.46) return { method: 'POST', path: `/api/citas/${rand() < 0.7 ? existing : enc(String(pick(HOSTILE)()).slice(0, 50))}/cancel`, headers: rand() < 0.5 ? { 'If-Match': pick(['"1"', 'abc', '"-1"']) } : {} };
  if (r < 0.58) return { method: 'GET', path: `/api/citas?${randomQuery()}` };
  if (r < 0.64) return { method: 'PUT', path: `/api/locations/${rand() < 0.8 ? LOC : enc(String(pick(HOSTILE)()).slice(0, 300))}/settings`, body: jsonOrRaw(mutate({ time_zone: 'America/Lima' }, ['default_calendar_id', 'synced_calendar_ids', 'time_zone', 'nope'])) };
  if (r < 0.68) return { method: 'GET', path: `/api/ghl/calendars?${randomQuery()}` };
  if (r < 0.71) return { method: 'POST', path: '/api/admin/sync/push-pending', body: jsonOrRaw(mutate({}, ['location_id', 'limit', 'x'])), headers: { Authorization: `Bearer ${ADMIN_KEY}` } };
  return { method: 'POST', path: '/api/webhooks/ghl', body: jsonOrRaw(mutateWebhook()), webhook: true };
}

function mutateWebhook(): Record<string, unknown> {
  const start = Date.UTC(2027, 4, 1 + int(27), 13 + int(8));
  const appointment: Record<string, unknown> = {
    id: `apt-fz-${int(300)}`,
    calendarId: CAL,
    contactId: 'c-f',
    title: 'GHL fuzz',
    appointmentStatus: pick(['confirmed', 'new', 'cancelled', 'showed', 'weird']),
    startTime: new Date(start).toISOString(),
    endTime: new Date(start + 1800_000).toISOString(),
    dateUpdated: new Date().toISOString(),
  };
  const event: Record<string, unknown> = {
    type: pick(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete', 'INSTALL', 'ContactCreate']),
    locationId: LOC,
    timestamp: new Date().toISOString(),
    webhookId: crypto.randomUUID(),
  };
  if (rand() < 0.5) Object.assign(appointment, mutate({}, ['id', 'calendarId', 'title', 'startTime', 'endTime', 'dateUpdated', 'appointmentStatus', 'notes', 'users', 'address']));
  else Object.assign(event, mutate({}, ['type', 'locationId', 'timestamp', 'webhookId', 'extra']));
  return { ...event, appointment: rand() < 0.95 ? appointment : pick(HOSTILE)() };
}

describe(`fuzzing the routes (${RUNS} requests, seed ${SEED})`, () => {
  it('never answers 5xx; every 4xx is problem+json with a code', async () => {
    const bad: string[] = [];
    const statuses: Record<number, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const shot = nextShot();
      const headers: Record<string, string> = { ...shot.headers };
      if (shot.webhook && rand() < 0.93) Object.assign(headers, await sandbox.signWebhook(shot.body ?? ''));
      const res = shot.webhook
        ? await t.request(new Request(`http://localhost${shot.path}`, { method: shot.method, headers: { 'Content-Type': 'application/json', ...headers }, body: shot.body }))
        : await t.api(shot.method, shot.path, shot.body, headers, { settle: i % 25 === 0 });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const text = await res.text();
      const what = `${shot.method} ${shot.path.slice(0, 80)} ${String(shot.body).slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
      // Limits are off and both stores are up: a 429 here would be the webhook path hiding a failure.
      if (res.status >= 500 || res.status === 429) bad.push(what);
      else if (res.status >= 400) {
        let code: unknown;
        try {
          code = (JSON.parse(text) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (!/application\/problem\+json/.test(res.headers.get('content-type') ?? '') || typeof code !== 'string' || !code) bad.push(`no problem body: ${what}`);
      }
    }
    await t.settle();
    console.log(`[fuzz] ${RUNS} requests, seed ${SEED}: statuses ${JSON.stringify(statuses)}; 5xx or bare 4xx: ${bad.length}`);
    expect(bad.slice(0, 10)).toEqual([]);
  }, 600_000);
});
