/**
 * The API as a front end meets it: retries that are safe (Idempotency-Key), keys limited to
 * locations, the locations a key may use, an ETag that only content changes invalidate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { citas } from '../../src/db/schema';
import { ADMIN_KEY, API_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});
async function env(extra: Record<string, string> = {}) {
  const t = await createTestEnv({ env: { API_KEY_CACHE_MS: '0', ...extra } });
  envs.push(t);
  return t;
}
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

describe('Idempotency-Key', () => {
  it('a retried create meets its own cita: same answer, one cita; without a key the retry is a 409', async () => {
    const t = await env();
    const body = citaBody({ location_id: 'loc-idem' });
    const first = await t.api('POST', '/api/citas', body, { 'Idempotency-Key': 'retry-1' });
    const again = await t.api('POST', '/api/citas', body, { 'Idempotency-Key': 'retry-1' });
    expect([first.status, again.status]).toEqual([201, 201]);
    const [a, b] = [(await first.json()) as any, (await again.json()) as any];
    expect(b).toEqual(a);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('location')).toBe(`/api/citas/${a.id}`);
    expect(await t.deps.db.select().from(citas).where(eq(citas.locationId, 'loc-idem'))).toHaveLength(1);

    const noKey = await t.api('POST', '/api/citas', body);
    expect(noKey.status).toBe(409);
    expect(((await noKey.json()) as any).conflicting_cita.id).toBe(a.id);
  });

  it('a taken slot under a new key is a 409 naming the cita holding it (the key’s transaction stays usable), and the key can be used again', async () => {
    const t = await env();
    const held = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-idem-slot', start_time: '2026-03-02T10:00', end_time: '2026-03-02T10:30' }));
    const holder = (await held.json()) as any;
    const clash = citaBody({ location_id: 'loc-idem-slot', title: 'Otra', start_time: '2026-03-02T10:15', end_time: '2026-03-02T10:45' });
    const refused = await t.api('POST', '/api/citas', clash, { 'Idempotency-Key': 'slot-1' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any)).toMatchObject({ code: 'slot_taken', conflicting_cita: { id: holder.id } });
    // A refusal is not an answer to keep: once the slot is free, the same key and body create the cita.
    expect((await t.api('POST', `/api/citas/${holder.id}/cancel`)).status).toBe(200);
    const retried = await t.api('POST', '/api/citas', clash, { 'Idempotency-Key': 'slot-1' });
    expect(retried.status).toBe(201);
  });

  it('the same key with another body is a 422; keys are per API client', async () => {
    const t = await env();
    await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-idem' }), { 'Idempotency-Key': 'k-2' });
    const other = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-idem', title: 'Otra' }), { 'Idempotency-Key': 'k-2' });
    expect(other.status).toBe(422);
    expect(((await other.json()) as any).code).toBe('idempotency_key_reused');
    // Another client's key of the same name is its own.
    const byAdmin = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-idem-b' }), { 'Idempotency-Key': 'k-2', ...admin });
    expect(byAdmin.status).toBe(201);
  });

  it('concurrent retries of one create make one cita', async () => {
    const t = await env();
    const body = citaBody({ location_id: 'loc-race' });
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.api('POST', '/api/citas', body, { 'Idempotency-Key': 'race-1' })));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as any).id)));
    expect(ids.size).toBe(1);
    expect(await t.deps.db.select().from(citas).where(eq(citas.locationId, 'loc-race'))).toHaveLength(1);
  });

  it('a failed write leaves no record: the retry does it again; cancel honours the key too', async () => {
    const t = await env();
    const bad = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-f', end_time: 'nope' }), { 'Idempotency-Key': 'f-1' });
    expect(bad.status).toBe(422);
    const good = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-f', end_time: 'nope' }), { 'Idempotency-Key': 'f-1' });
    expect(good.status).toBe(422);
    const made = (await (await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-f' }))).json()) as any;
    const c1 = await t.api('POST', `/api/citas/${made.id}/cancel`, undefined, { 'Idempotency-Key': 'c-1' });
    const c2 = await t.api('POST', `/api/citas/${made.id}/cancel`, undefined, { 'Idempotency-Key': 'c-1' });
    expect([c1.status, c2.status]).toEqual([200, 200]);
    expect(c2.headers.get('idempotent-replayed')).toBe('true');
    expect(((await c2.json()) as any).status).toBe('cancelled');
  });
});

describe('API keys limited to locations', () => {
  it('an admin makes a key for A: it sees A, gets 404 for everything of B, and stops working once revoked', async () => {
    const t = await env();
    const inB = (await (await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-b' }))).json()) as any;
    const made = await t.api('POST', '/api/admin/api-keys', { name: 'Recepción A', location_ids: ['loc-a'] }, admin);
    expect(made.status).toBe(201);
    const key = (await made.json()) as any;
    expect(key).toMatchObject({ name: 'Recepción A', role: 'api', location_ids: ['loc-a'], key: expect.stringMatching(/^cs_/) });
    const A = { Authorization: `Bearer ${key.key}` };

    expect((await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-a' }), A)).status).toBe(201);
    expect((await t.api('GET', '/api/citas?location_id=loc-a', undefined, A)).status).toBe(200);
    // B is, for this key, a location that does not exist.
    for (const [method, path, body] of [
      ['GET', '/api/citas?location_id=loc-b'],
      ['POST', '/api/citas', citaBody({ location_id: 'loc-b', start_time: '2025-11-14T12:00:00-05:00', end_time: '2025-11-14T12:30:00-05:00' })],
      ['GET', `/api/citas/${inB.id}`],
      ['PATCH', `/api/citas/${inB.id}`, { title: 'hack' }],
      ['POST', `/api/citas/${inB.id}/cancel`],
      ['GET', `/api/citas/${inB.id}/audit`],
      ['GET', '/api/locations/loc-b/settings'],
      ['PUT', '/api/locations/loc-b/settings', { time_zone: 'America/Lima' }],
      ['GET', '/api/ghl/calendars?location_id=loc-b'],
    ] as [string, string, unknown?][]) {
      const res = await t.api(method, path, body, A);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect(((await (await t.api('GET', `/api/citas/${inB.id}`)).json()) as any).title).toBe(inB.title);
    const locations = (await (await t.api('GET', '/api/locations', undefined, A)).json()) as any;
    expect(locations.data.map((l: any) => l.location_id)).toEqual(['loc-a']);
    // Not an admin key.
    expect((await t.api('GET', '/api/admin/api-keys', undefined, A)).status).toBe(403);

    const listed = (await (await t.api('GET', '/api/admin/api-keys', undefined, admin)).json()) as any;
    expect(listed.data).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(key.key);
    expect((await t.api('DELETE', `/api/admin/api-keys/${key.id}`, undefined, admin)).status).toBe(200);
    expect((await t.api('GET', '/api/citas?location_id=loc-a', undefined, A)).status).toBe(401);
    // The environment's bootstrap keys keep working.
    expect((await t.api('GET', '/api/citas?location_id=loc-a', undefined, { Authorization: `Bearer ${API_KEY}` })).status).toBe(200);
  });

  it('an admin-made admin key works on admin routes; it cannot be limited to locations', async () => {
    const t = await env();
    const made = (await (await t.api('POST', '/api/admin/api-keys', { name: 'Ops', role: 'admin' }, admin)).json()) as any;
    expect((await t.api('GET', '/api/admin/sync-status', undefined, { Authorization: `Bearer ${made.key}` })).status).toBe(200);
    const bad = await t.api('POST', '/api/admin/api-keys', { name: 'Ops A', role: 'admin', location_ids: ['a'] }, admin);
    expect(bad.status).toBe(422);
  });

  it('GET /api/locations: every known location for a bootstrap key, with settings and connection', async () => {
    const t = await env();
    await t.api('PUT', '/api/locations/loc-x/settings', { default_calendar_id: 'cal-x' });
    await t.api('PUT', '/api/locations/loc-y/settings', { time_zone: 'America/New_York' });
    const res = (await (await t.api('GET', '/api/locations')).json()) as any;
    expect(res.data).toEqual([
      expect.objectContaining({ location_id: 'loc-x', default_calendar_id: 'cal-x', connection: null, ghl_connected: false }),
      expect.objectContaining({ location_id: 'loc-y', time_zone: 'America/New_York' }),
    ]);
  });
});

describe('rough edges', () => {
  it('listing an unknown location is a 404; status and its alias estado filter alike', async () => {
    const t = await env();
    const unknown = await t.api('GET', '/api/citas?location_id=nowhere');
    expect(unknown.status).toBe(404);
    await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-s', status: 'confirmed' }));
    for (const q of ['status=confirmed', 'estado=confirmed', 'status=new,confirmed']) {
      const res = (await (await t.api('GET', `/api/citas?location_id=loc-s&${q}`)).json()) as any;
      expect(res.data, q).toHaveLength(1);
    }
    expect(((await (await t.api('GET', '/api/citas?location_id=loc-s&status=new')).json()) as any).data).toHaveLength(0);
    expect((await t.api('GET', '/api/citas?location_id=loc-s&status=new&estado=new')).status).toBe(422);
  });

  it('the ETag from the create still works after the push and its echo (GHL filling in the assigned user is no edit)', async () => {
    const sandbox = createGhlSandbox({ seed: 4 });
    sandbox.seed({ locations: [{ id: 'loc-e', timezone: 'America/Lima', calendars: [{ id: 'cal-e', name: 'Dra.', teamMembers: [{ userId: 'u-e', isPrimary: true }] }], contacts: [{ id: 'c-e', firstName: 'E', email: 'e@example.com' }] }] });
    const keys = await sandbox.webhookKeys();
    const t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem } });
    envs.push(t);
    await t.connectPit('loc-e');
    sandbox.configureWebhooks({ deliver: (req) => t.request(req), retryDelayMs: 5 });
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-e', calendar_id: 'cal-e', contact_id: 'c-e', start_time: '2027-02-01T09:00', end_time: '2027-02-01T09:30' }));
    const etag = res.headers.get('etag')!;
    const cita = (await res.json()) as any;
    for (let i = 0; i < 4; i++) {
      await sandbox.webhooks.idle();
      await t.settle();
    }
    const after = (await (await t.api('GET', `/api/citas/${cita.id}`)).json()) as any;
    expect(after).toMatchObject({ assigned_user_id: 'u-e', sync: { status: 'synced' }, version: 1 });
    const patch = await t.api('PATCH', `/api/citas/${cita.id}`, { title: 'Editada' }, { 'If-Match': etag });
    expect(patch.status).toBe(200);
  });

  it('CORS: localhost origins only where npm start turns them on', async () => {
    const off = await env();
    const probe = (t: TestEnv) => t.app.request('/api/citas', { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'GET' } }, t.env);
    expect((await probe(off)).headers.get('access-control-allow-origin')).toBeNull();
    const on = await env({ CORS_ALLOW_LOCALHOST: 'true' });
    expect((await probe(on)).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});
