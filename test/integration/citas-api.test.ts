import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, API_KEY, citaBody, createTestEnv, RV3_ORIGIN, type TestEnv } from '../support/harness';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
});
afterAll(async () => t?.close());

async function create(overrides: Record<string, unknown> = {}) {
  const res = await t.api('POST', '/api/citas', citaBody(overrides));
  const body = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

describe('POST /api/citas', () => {
  it('creates a cita: 201, Location, ETag, times in zone and UTC, pending_sync', async () => {
    const res = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-create', notes: 'primera vez', extras: { sede: 'Miraflores' } }));
    expect(res.status).toBe(201);
    const cita = (await res.json()) as any;
    expect(res.headers.get('location')).toBe(`/api/citas/${cita.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(cita).toMatchObject({
      location_id: 'loc-create',
      calendar_id: 'cal-1',
      title: 'Control - Ana Pérez',
      start_time: '2025-11-14T10:00:00-05:00',
      end_time: '2025-11-14T10:30:00-05:00',
      start_time_utc: '2025-11-14T15:00:00Z',
      end_time_utc: '2025-11-14T15:30:00Z',
      time_zone: 'America/Lima',
      status: 'new',
      source: 'rv3',
      notes: 'primera vez',
      extras: { sede: 'Miraflores' },
      ghl_appointment_id: null,
      sync: { status: 'pending_sync', retries: 0, error: null },
      version: 1,
    });
    const again = await t.api('GET', `/api/citas/${cita.id}`);
    expect(again.status).toBe(200);
    const read = (await again.json()) as any;
    expect({ ...read, sync: undefined }).toEqual({ ...cita, sync: undefined });
    // With no GHL connection no push is even tried: it waits, pending, for the connection (or the sweep).
    expect(read.sync).toMatchObject({ status: 'pending_sync', retries: 0, error: null });
  });

  it('falls back to the location default calendar, and 422 when there is none', async () => {
    const missing = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-nodefault', calendar_id: undefined }));
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as any).fields).toEqual([
      { field: 'calendar_id', message: expect.stringMatching(/no default calendar/) },
    ]);

    const put = await t.api('PUT', '/api/locations/loc-default/settings', { default_calendar_id: 'cal-default' });
    expect(put.status).toBe(200);
    const cita = await create({ location_id: 'loc-default', calendar_id: undefined });
    expect(cita.calendar_id).toBe('cal-default');
  });

  it('uses the location time zone from settings for wall times and output', async () => {
    await t.api('PUT', '/api/locations/loc-scl/settings', { time_zone: 'America/Santiago' });
    const cita = await create({ location_id: 'loc-scl', start_time: '2025-11-14T10:00', end_time: '2025-11-14T11:00' });
    expect(cita.time_zone).toBe('America/Santiago');
    expect(cita.start_time).toBe('2025-11-14T10:00:00-03:00');
    expect(cita.start_time_utc).toBe('2025-11-14T13:00:00Z');
  });

  it('names every failing field in one 422 problem', async () => {
    const res = await t.api('POST', '/api/citas', {
      location_id: 'loc-1',
      calendarId: 'oops',
      title: '',
      start_time: '2025-11-14T10:00',
      end_time: 'later',
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const p = (await res.json()) as any;
    expect(p).toMatchObject({ status: 422, code: 'validation_failed', request_id: expect.any(String) });
    const fields = p.fields.map((f: any) => f.field).sort();
    expect(fields).toEqual(['calendarId', 'contact_id', 'title'].sort());
  });

  it('checks times after the shape: bad times, order, duration limits', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ end_time: 'later' }, 'end_time', /ISO-8601/],
      [{ end_time: '2025-11-14T09:00:00-05:00' }, 'end_time', /after start_time/],
      [{ end_time: '2025-11-14T10:04:00-05:00' }, 'end_time', /at least 5 minutes/],
      [{ end_time: '2025-11-14T22:30:00-05:00' }, 'end_time', /at most 12 hours/],
      [{ title: 'x'.repeat(201) }, 'title', /200/],
      [{ status: 'cancelled' }, 'status', /cancel/],
      [{ status: 'done' }, 'status', /.+/],
    ];
    for (const [overrides, field, message] of cases) {
      const res = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-rules', ...overrides }));
      expect(res.status, JSON.stringify(overrides)).toBe(422);
      const p = (await res.json()) as any;
      expect(p.fields, JSON.stringify(overrides)).toContainEqual({ field, message: expect.stringMatching(message) });
    }
    // Known (configured), so the list answers; an unknown location would be a 404.
    await t.api('PUT', '/api/locations/loc-rules/settings', { time_zone: 'America/Lima' });
    const list = await t.api('GET', '/api/citas?location_id=loc-rules');
    expect(((await list.json()) as any).data).toEqual([]);
  });

  it('400 for malformed JSON, 413 for an oversize body, nothing stored', async () => {
    const bad = await t.api('POST', '/api/citas', '{"location_id": "loc-bad",');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).code).toBe('invalid_json');
    const empty = await t.api('POST', '/api/citas', '');
    expect(empty.status).toBe(400);

    const big = await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-bad', notes: 'x'.repeat(70_000) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).code).toBe('payload_too_large');
    await t.api('PUT', '/api/locations/loc-bad/settings', { time_zone: 'America/Lima' });
    const list = await t.api('GET', '/api/citas?location_id=loc-bad');
    expect(((await list.json()) as any).data).toEqual([]);
  });
});

describe('GET /api/citas', () => {
  beforeAll(async () => {
    const base = { location_id: 'loc-list' };
    await create({ ...base, title: 'A', start_time: '2025-11-14T08:00', end_time: '2025-11-14T08:30' });
    await create({ ...base, title: 'B', start_time: '2025-11-14T09:00', end_time: '2025-11-14T09:30', calendar_id: 'cal-2' });
    const c = await create({ ...base, title: 'C', start_time: '2025-11-15T09:00', end_time: '2025-11-15T09:30' });
    await create({ ...base, title: 'D', start_time: '2025-11-16T09:00', end_time: '2025-11-16T09:30', status: 'confirmed' });
    await t.api('POST', `/api/citas/${c.id}/cancel`);
  });

  const titles = async (qs: string) => {
    const res = await t.api('GET', `/api/citas?location_id=loc-list&${qs}`);
    expect(res.status, qs).toBe(200);
    return ((await res.json()) as any).data.map((x: any) => x.title);
  };

  it('filters by day range (inclusive), estado and calendar_id, ordered by start', async () => {
    expect(await titles('')).toEqual(['A', 'B', 'C', 'D']);
    expect(await titles('desde=2025-11-14&hasta=2025-11-14')).toEqual(['A', 'B']);
    expect(await titles('desde=2025-11-15')).toEqual(['C', 'D']);
    expect(await titles('hasta=2025-11-15')).toEqual(['A', 'B', 'C']);
    expect(await titles('estado=cancelled')).toEqual(['C']);
    expect(await titles('estado=new,confirmed')).toEqual(['A', 'B', 'D']);
    expect(await titles('calendar_id=cal-2')).toEqual(['B']);
    expect(await titles('desde=2025-11-14T08:15:00-05:00&hasta=2025-11-14T08:20:00-05:00')).toEqual(['A']);
  });

  it('pages with an opaque cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.api('GET', `/api/citas?location_id=loc-list&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as any;
      seen.push(...body.data.map((x: any) => x.title));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['A', 'B', 'C', 'D']);
    expect(pages).toBe(4);
  });

  it('422 for bad query parameters', async () => {
    for (const qs of ['', 'location_id=loc-list&estado=finished', 'location_id=loc-list&limit=501', 'location_id=loc-list&desde=2025-02-30', 'location_id=loc-list&desde=2025-11-15&hasta=2025-11-14', 'location_id=loc-list&cursor=zzz', 'location_id=loc-list&desd=2025-11-14']) {
      const res = await t.api('GET', `/api/citas?${qs}`);
      expect(res.status, qs).toBe(422);
      expect(((await res.json()) as any).fields.length, qs).toBeGreaterThan(0);
    }
  });
});

describe('PATCH and cancel', () => {
  it('reschedules keeping the duration, bumps the version, honours If-Match', async () => {
    const cita = await create({ location_id: 'loc-patch' });
    const res = await t.api('PATCH', `/api/citas/${cita.id}`, { start_time: '2025-11-14T11:00' }, { 'If-Match': '"1"' });
    expect(res.status).toBe(200);
    const moved = (await res.json()) as any;
    expect(moved).toMatchObject({ start_time: '2025-11-14T11:00:00-05:00', end_time: '2025-11-14T11:30:00-05:00', version: 2 });
    expect(res.headers.get('etag')).toBe('"2"');

    const stale = await t.api('PATCH', `/api/citas/${cita.id}`, { title: 'Stale edit' }, { 'If-Match': '"1"' });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ code: 'version_mismatch', current_version: 2 });
    const after = (await (await t.api('GET', `/api/citas/${cita.id}`)).json()) as any;
    expect(after.title).toBe('Control - Ana Pérez');

    const noop = await t.api('PATCH', `/api/citas/${cita.id}`, { title: 'Control - Ana Pérez' });
    expect(((await noop.json()) as any).version).toBe(2);

    // One audit line per real change, with the fields before and after and the request id.
    const trail = (await (await t.api('GET', `/api/citas/${cita.id}/audit`, undefined, { 'X-Request-Id': 'audit-read' })).json()) as any;
    expect(trail.entries.map((e: any) => e.action)).toEqual(['create', 'update']);
    expect(trail.entries[1]).toMatchObject({
      actor: 'api',
      changes: {
        start_time: { before: '2025-11-14T15:00:00.000Z', after: '2025-11-14T16:00:00.000Z' },
        end_time: { before: '2025-11-14T15:30:00.000Z', after: '2025-11-14T16:30:00.000Z' },
      },
      request_id: expect.any(String),
    });
    expect(Object.keys(trail.entries[1].changes).sort()).toEqual(['end_time', 'start_time']);
  });

  it('validates patches like creates', async () => {
    const cita = await create({ location_id: 'loc-patch2' });
    const cases: [unknown, number][] = [
      [{}, 422],
      [{ end_time: '2025-11-14T09:00:00-05:00' }, 422],
      [{ unknown_field: 1 }, 422],
      [{ title: '' }, 422],
    ];
    for (const [body, status] of cases) {
      const res = await t.api('PATCH', `/api/citas/${cita.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
    }
    expect((await t.api('PATCH', `/api/citas/${cita.id}`, { title: 'x' }, { 'If-Match': 'soon' })).status).toBe(400);
  });

  it('cancel is idempotent and keeps the row', async () => {
    const cita = await create({ location_id: 'loc-cancel' });
    const first = await t.api('POST', `/api/citas/${cita.id}/cancel`);
    expect(first.status).toBe(200);
    const cancelled = (await first.json()) as any;
    expect(cancelled).toMatchObject({ status: 'cancelled', version: 2, cancelled_at: expect.any(String) });
    const second = (await (await t.api('POST', `/api/citas/${cita.id}/cancel`)).json()) as any;
    expect({ ...second, sync: undefined }).toEqual({ ...cancelled, sync: undefined });
    const listed = (await (await t.api('GET', '/api/citas?location_id=loc-cancel')).json()) as any;
    expect(listed.data.map((c: any) => c.status)).toEqual(['cancelled']);
  });

  it('404 for unknown and malformed ids', async () => {
    for (const [method, path] of [
      ['GET', '/api/citas/7d3f1c1e-0000-4000-8000-000000000000'],
      ['GET', '/api/citas/not-a-uuid'],
      ['POST', '/api/citas/7d3f1c1e-0000-4000-8000-000000000000/cancel'],
    ] as const) {
      const res = await t.api(method, path, method === 'POST' ? undefined : undefined);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as any).code).toBe('not_found');
    }
    const patch = await t.api('PATCH', '/api/citas/7d3f1c1e-0000-4000-8000-000000000000', { title: 'x' });
    expect(patch.status).toBe(404);
  });
});

describe('auth, CORS, request ids, logs', () => {
  it('401 without or with a wrong key; admin keys also work', async () => {
    await t.api('PUT', '/api/locations/x/settings', { time_zone: 'America/Lima' });
    const none = await t.app.request('/api/citas?location_id=x', {}, t.env);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await t.api('GET', '/api/citas?location_id=x', undefined, { Authorization: `Bearer ${API_KEY}x` })).status).toBe(401);
    expect((await t.api('GET', '/api/citas?location_id=x', undefined, { Authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(200);
  });

  it('answers CORS preflight for allowed origins only', async () => {
    const ok = await t.app.request('/api/citas', { method: 'OPTIONS', headers: { Origin: RV3_ORIGIN, 'Access-Control-Request-Method': 'POST' } }, t.env);
    expect(ok.headers.get('access-control-allow-origin')).toBe(RV3_ORIGIN);
    const evil = await t.app.request('/api/citas', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } }, t.env);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('takes or makes a request id, returns it, and logs one line per request', async () => {
    await t.api('PUT', '/api/locations/loc-log/settings', { time_zone: 'America/Lima' });
    const res = await t.api('GET', '/api/citas?location_id=loc-log', undefined, { 'X-Request-Id': 'front-desk-42' });
    expect(res.headers.get('x-request-id')).toBe('front-desk-42');
    const lines = t.logs.filter((l) => l.request_id === 'front-desk-42' && l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/api/citas', status: 200, duration_ms: expect.any(Number) });

    const generated = await t.api('GET', '/api/citas/not-a-uuid', undefined, { 'X-Request-Id': 'bad id with spaces' });
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await generated.json()) as any).request_id).toBe(id);
  });

  it('404 problem for unknown routes', async () => {
    const res = await t.api('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).code).toBe('route_not_found');
  });
});
