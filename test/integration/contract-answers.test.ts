/**
 * The contract, as a strict client holding /openapi.json reads it: a realistic session — the front
 * desk's citas and their errors, the admin routes, GHL's webhooks, QStash's jobs, the probes — and
 * every answer it got (status, each header, the body) checked against the operation that answers
 * it, with ajv (JSON Schema 2020-12) rather than the zod schemas that wrote the document. So is
 * every request body the service accepted. Anything the service sends but the document does not
 * declare is named: operation, status, and the header or field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { ADMIN_KEY, API_KEY, createTestEnv, type TestEnv } from '../support/harness';
import { checkAnswers, requestSchemaAccepts } from '../support/answers';
import { AGENDA_PAGE_PATHS } from '../../src/ui/agenda-routes';

const LOC = 'loc-contract';
const LOC_B = 'loc-contract-b';
const CAL = 'cal-contract';
const CAL_2 = 'cal-contract-2';
const CONTACT = 'contact-contract';
/** Low limits so the session meets them: per key per minute, per IP per minute, bytes. */
const API_LIMIT = 80;
const WEBHOOK_LIMIT = 12;
const MAX_BODY = 4096;

let t: TestEnv;
let sandbox: GhlSandbox;
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

beforeAll(async () => {
  sandbox = createGhlSandbox({ seed: 21 });
  sandbox.seed({
    locations: [
      {
        id: LOC,
        timezone: 'America/Lima',
        calendars: [{ id: CAL, name: 'Dra. Gómez', teamMembers: [{ userId: 'u-gomez', isPrimary: true }] }, { id: CAL_2, name: 'Sala 2' }],
        contacts: [{ id: CONTACT, firstName: 'Ana', email: 'ana@example.com' }],
      },
      { id: LOC_B, timezone: 'America/Lima', calendars: [{ id: 'cal-b', name: 'Otra clínica' }], contacts: [] },
    ],
  });
  const keys = await sandbox.webhookKeys();
  t = await createTestEnv({
    ghl: sandbox,
    recordAnswers: true,
    env: {
      GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem,
      API_RATE_LIMIT_PER_MINUTE: String(API_LIMIT),
      WEBHOOK_RATE_LIMIT_PER_MINUTE: String(WEBHOOK_LIMIT),
      MAX_BODY_BYTES: String(MAX_BODY),
    },
  });
});
afterAll(async () => t?.close());

async function deliver(body: unknown, opts: { signed?: boolean; path?: string } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const sig = opts.signed === false ? {} : await sandbox.signWebhook(raw, { scheme: 'ed25519' });
  return t.request(new Request(`http://localhost${opts.path ?? '/api/webhooks/ghl'}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...sig }, body: raw }));
}
const envelope = () => ({ timestamp: new Date().toISOString(), webhookId: crypto.randomUUID() });
const json = async (res: Response) => (await res.json()) as any;

/** Request bodies the service refused (400) for want of something the document must require too. */
const refused: { why: string; body: unknown }[] = [];

/** The session; each step asserts what it is for, so the recording holds the answers named in `expected`. */
async function session() {
  expect((await t.request(new Request('http://localhost/healthz'))).status).toBe(200);
  expect((await t.request(new Request('http://localhost/readyz'))).status).toBe(200);

  // Admin: connect the clinic (Private Integration token), read it back; the other clinic installs the OAuth way.
  await t.connectPit(LOC);
  expect((await t.api('GET', `/api/admin/locations/${LOC}/connection`, undefined, admin)).status).toBe(200);
  await t.connectOAuth(LOC_B);
  // A person's browser bringing a code GHL never issued (or one already used).
  const refusedInstall = await t.request(new Request('http://localhost/oauth/callback?code=not-a-code', { headers: { Accept: 'text/html' } }));
  expect(refusedInstall.status).toBeGreaterThanOrEqual(400);

  // The front desk: calendars, settings, locations.
  expect((await t.api('GET', `/api/ghl/calendars?location_id=${LOC}`)).status).toBe(200);
  expect((await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL, synced_calendar_ids: [CAL, CAL_2] })).status).toBe(200);
  expect((await t.api('GET', `/api/locations/${LOC}/settings`)).status).toBe(200);
  expect((await t.api('GET', '/api/locations')).status).toBe(200);

  // A cita: created (and the retry replayed), listed, read, edited, refused on a stale version, cancelled (and replayed).
  const slot = { location_id: LOC, calendar_id: CAL, title: 'Control - Ana Pérez', contact_id: CONTACT, start_time: '2026-12-14T09:30', end_time: '2026-12-14T10:00' };
  const created = await t.api('POST', '/api/citas', slot, { 'Idempotency-Key': 'contract-create' });
  expect(created.status).toBe(201);
  const cita = await json(created);
  expect((await t.api('POST', '/api/citas', slot, { 'Idempotency-Key': 'contract-create' })).headers.get('Idempotent-Replayed')).toBe('true');
  const listPath = `/api/citas?location_id=${LOC}&desde=2026-12-14&hasta=2026-12-14`;
  const list = await t.api('GET', listPath);
  expect(list.status).toBe(200);
  expect((await t.api('GET', listPath, undefined, { 'If-None-Match': list.headers.get('ETag')! })).status).toBe(304);
  const read = await t.api('GET', `/api/citas/${cita.id}`);
  expect(read.status).toBe(200);
  expect((await t.api('GET', `/api/citas/${cita.id}/audit`)).status).toBe(200);
  expect((await t.api('POST', `/api/citas/${cita.id}/push`)).status).toBe(200);
  const etag = (await t.api('GET', `/api/citas/${cita.id}`)).headers.get('ETag')!;
  const edited = await t.api('PATCH', `/api/citas/${cita.id}`, { notes: 'Trae sus análisis' }, { 'If-Match': etag });
  expect(edited.status).toBe(200);
  expect((await t.api('PATCH', `/api/citas/${cita.id}`, { notes: 'otra' }, { 'If-Match': etag })).status).toBe(412);
  expect((await t.api('POST', `/api/citas/${cita.id}/cancel`, undefined, { 'If-Match': etag })).status).toBe(412);
  const cancel = () => t.api('POST', `/api/citas/${cita.id}/cancel`, undefined, { 'Idempotency-Key': 'contract-cancel' });
  expect((await cancel()).status).toBe(200);
  expect((await cancel()).headers.get('Idempotent-Replayed')).toBe('true');

  // Its errors: a taken slot, bad JSON, invalid fields, another media type, no key, a key limited to the other clinic, nothing there, too big.
  const other = { ...slot, start_time: '2026-12-15T09:30', end_time: '2026-12-15T10:00' };
  expect((await t.api('POST', '/api/citas', other)).status).toBe(201);
  expect((await t.api('POST', '/api/citas', { ...other, title: 'Encima' })).status).toBe(409);
  expect((await t.api('POST', '/api/citas', '{"location_id":')).status).toBe(400);
  expect((await t.api('POST', '/api/citas', { ...slot, end_time: 'ayer' })).status).toBe(422);
  expect((await t.api('POST', '/api/citas', 'title=x', { 'Content-Type': 'text/plain' })).status).toBe(415);
  expect((await t.api('GET', '/api/locations', undefined, { Authorization: 'Bearer not-a-key' })).status).toBe(401);
  expect((await t.api('GET', '/api/admin/sync-status')).status).toBe(403);
  const madeKey = await json(await t.api('POST', '/api/admin/api-keys', { name: 'Recepción B', location_ids: [LOC_B] }, admin));
  const keyB = { Authorization: `Bearer ${madeKey.key}` };
  expect((await t.api('GET', `/api/citas/${cita.id}`, undefined, keyB)).status).toBe(404);
  expect((await t.api('GET', `/api/locations/${LOC}/settings`, undefined, keyB)).status).toBe(404);
  expect((await t.api('GET', `/api/citas/${crypto.randomUUID()}`)).status).toBe(404);
  expect((await t.api('POST', '/api/citas', { ...slot, notes: 'x'.repeat(MAX_BODY) })).status).toBe(413);
  expect((await t.api('PUT', `/api/locations/${LOC}/settings`, { time_zone: 'America/Lima', pad: 'x'.repeat(MAX_BODY) })).status).toBe(413);
  expect((await t.api('PUT', `/api/admin/locations/${LOC}/connection`, { private_integration_token: 'x'.repeat(MAX_BODY) }, admin)).status).toBe(413);
  expect((await t.api('POST', '/api/admin/api-keys', { name: 'x'.repeat(MAX_BODY) }, admin)).status).toBe(413);
  expect((await t.api('POST', `/api/citas/${cita.id}/cancel`, { reason: 'x'.repeat(MAX_BODY) })).status).toBe(413);
  expect((await t.api('GET', '/api/no-such-route')).status).toBe(404);

  // GHL: a signed appointment, its duplicate, INSTALL and UNINSTALL; unsigned, malformed, too big.
  const appointment = {
    id: 'apt-contract-1', address: '', title: 'Reservado en GHL', calendarId: CAL_2, contactId: CONTACT, groupId: '', appointmentStatus: 'confirmed',
    assignedUserId: 'u-gomez', users: [], notes: '', source: 'booking_widget', startTime: '2026-12-16T10:00:00-05:00', endTime: '2026-12-16T10:30:00-05:00',
    dateAdded: '2026-12-01T10:00:00-05:00', dateUpdated: '2026-12-01T10:00:00-05:00',
  };
  const event = { type: 'AppointmentCreate', locationId: LOC, ...envelope(), appointment };
  expect((await json(await deliver(event))).outcome).toBe('created');
  expect((await json(await deliver(event, { path: '/api/webhooks/ghl/appointments' }))).outcome).toBe('duplicate');
  const install = await deliver({ type: 'INSTALL', appId: 'app-citas', versionId: 'v1', installType: 'Location', locationId: LOC, companyId: 'company-1', userId: 'u-gomez', companyName: 'Clínica Demo', ...envelope() });
  expect(install.status).toBe(200);
  expect((await deliver({ type: 'UNINSTALL', appId: 'app-citas', locationId: LOC_B, ...envelope() })).status).toBe(200);
  expect((await deliver(event, { signed: false })).status).toBe(401);
  expect((await deliver({ ...event, ...envelope(), appointment: { ...appointment, startTime: 'someday' } })).status).toBe(400);
  // Every delivery must carry its envelope: without it the service refuses it, and so must the document.
  for (const field of ['timestamp', 'webhookId'] as const) {
    const { [field]: _, ...without } = { ...event, ...envelope() };
    expect((await deliver(without)).status).toBe(400);
    refused.push({ why: `a webhook without ${field}`, body: without });
  }
  expect((await deliver({ ...event, ...envelope(), padding: 'x'.repeat(300 * 1024) })).status).toBe(413);

  // QStash: the fan-out (its messages to /api/jobs/run are delivered through the app too), a dead connection (489), a push retry, forgeries.
  expect((await t.job('/api/jobs/sync/incremental')).status).toBe(200);
  expect((await t.job('/api/jobs/sync/full')).status).toBe(200);
  expect((await t.job('/api/jobs/cleanup')).status).toBe(200);
  const dead = await t.job('/api/jobs/run', { kind: 'full', location_id: 'loc-never-connected' });
  expect(dead.status).toBe(489);
  expect((await t.job('/api/jobs/push', { cita_id: cita.id, hop: 0 })).status).toBe(200);
  expect((await t.job('/api/jobs/run', { kind: 'sometimes', location_id: LOC })).status).toBe(422);
  expect((await t.request(new Request('http://localhost/api/jobs/sync/full', { method: 'POST' }))).status).toBe(401);

  // Operators.
  for (const path of ['/api/admin/sync-status', '/api/admin/metrics', '/api/admin/webhooks/stats', '/api/admin/sweeps', '/api/admin/api-keys']) {
    expect((await t.api('GET', path, undefined, admin)).status, path).toBe(200);
  }
  expect((await t.api('POST', `/api/admin/webhooks/${event.webhookId}/replay`, undefined, admin)).status).toBe(200);
  expect((await t.api('POST', `/api/admin/sweeps/${crypto.randomUUID()}/confirm`, undefined, admin)).status).toBe(404);
  expect((await t.api('POST', '/api/admin/sync/push-pending', { location_id: LOC }, admin)).status).toBe(200);
  expect((await t.api('GET', '/metrics', undefined, admin)).status).toBe(200);

  // Limits: a key, the admin key and one IP's webhooks run out (within two windows, should a minute turn meanwhile).
  const limited = async (send: () => Promise<Response>) => {
    for (let i = 0; i < 2 * API_LIMIT + 2; i++) if ((await send()).status === 429) return true;
    return false;
  };
  expect(await limited(() => t.api('GET', '/api/locations', undefined, keyB))).toBe(true);
  expect(await limited(() => t.api('GET', '/api/admin/api-keys', undefined, admin))).toBe(true);
  expect(await limited(() => deliver({ type: 'ContactCreate', locationId: LOC, ...envelope() }))).toBe(true);
  expect((await t.api('DELETE', `/api/admin/api-keys/${madeKey.id}`, undefined, { ...admin, Authorization: `Bearer ${API_KEY}` })).status).toBe(403);
}

describe('every answer of a realistic session is declared by the OpenAPI document', () => {
  it('status, headers and body of each answer, and each request body accepted, validate against /openapi.json', async () => {
    await session();
    await t.settle();
    const doc = (await (await t.app.request('/openapi.json', {}, t.env)).json()) as Record<string, any>;
    const check = checkAnswers(doc, t.answers, { ignorePaths: [...AGENDA_PAGE_PATHS, '/docs', '/openapi.json'] });
    // The session reached what it claims to (a check of nothing would pass).
    const expected = [
      'POST /api/citas 201', 'POST /api/citas 409', 'POST /api/citas 400', 'POST /api/citas 422', 'POST /api/citas 415', 'POST /api/citas 413',
      'GET /api/citas 200', 'GET /api/citas 304', 'PATCH /api/citas/{id} 412', 'POST /api/citas/{id}/cancel 200', 'GET /api/citas/{id} 404',
      'GET /api/locations 401', 'GET /api/locations 429', 'GET /api/admin/sync-status 403', 'GET /api/admin/api-keys 429',
      'PUT /api/locations/{locationId}/settings 413', 'PUT /api/admin/locations/{locationId}/connection 413', 'POST /api/admin/api-keys 413',
      'POST /api/citas/{id}/cancel 413',
      'POST /api/webhooks/ghl 200', 'POST /api/webhooks/ghl/appointments 200', 'POST /api/webhooks/ghl 401', 'POST /api/webhooks/ghl 400',
      'POST /api/webhooks/ghl 413', 'POST /api/webhooks/ghl 429', 'POST /api/jobs/run 489', 'POST /api/jobs/run 200', 'POST /api/jobs/push 200',
      'GET /healthz 200', 'GET /readyz 200', 'GET /oauth/callback 200', 'GET /metrics 200', 'POST /api/admin/webhooks/{webhookId}/replay 200',
    ];
    expect(expected.filter((e) => !check.seen.has(e)), 'answers the session was meant to get').toEqual([]);
    expect(check.checked).toBeGreaterThan(150);
    expect.soft(check.problems, `undeclared or invalid:\n${check.problems.join('\n')}`).toEqual([]);
    const lax = refused.filter((r) => requestSchemaAccepts(doc, 'post', '/api/webhooks/ghl', r.body));
    expect.soft(lax.map((r) => `POST /api/webhooks/ghl: ${r.why} is refused (400), yet the document's request schema accepts it`)).toEqual([]);
  });
});
