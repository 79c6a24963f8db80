/**
 * The typed client (src/client.ts) against the real app: what the front end (and the agenda page)
 * uses. Its types are checked by test/types/client.types.ts; here, that it works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citasClient, fullClient } from '../../src/client';
import { ADMIN_KEY, API_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
});
afterAll(async () => {
  await t?.close();
});

const viaApp = (input: RequestInfo | URL, init?: RequestInit) => Promise.resolve(t.app.request(input instanceof Request ? input : String(input), init, t.env));

describe('the typed client', () => {
  it('creates, reads, edits with If-Match, lists and cancels a cita', async () => {
    const api = citasClient('http://localhost', { apiKey: API_KEY, fetch: viaApp as typeof fetch });
    const created = await api.api.citas.$post({ json: citaBody({ location_id: 'loc-client' }) as never });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const cita = await created.json();
    expect(cita.time_zone).toBe('America/Lima');

    const read = await api.api.citas[':id'].$get({ param: { id: cita.id } });
    const etag = read.headers.get('etag')!;
    const edited = await api.api.citas[':id'].$patch({ param: { id: cita.id }, json: { title: 'Editada' } }, { headers: { 'If-Match': etag } });
    expect(edited.status).toBe(200);
    const stale = await api.api.citas[':id'].$patch({ param: { id: cita.id }, json: { title: 'Otra' } }, { headers: { 'If-Match': etag } });
    expect(stale.status).toBe(412);

    const listed = await api.api.citas.$get({ query: { location_id: 'loc-client', status: 'new' } });
    if (listed.status !== 200) throw new Error(`list answered ${listed.status}`);
    const page = await listed.json();
    expect('data' in page && page.data.map((c) => c.title)).toEqual(['Editada']);
    // Polling: the same list with its ETag is a 304 until something in the location changes.
    const again = await api.api.citas.$get({ query: { location_id: 'loc-client', status: 'new' } }, { headers: { 'If-None-Match': listed.headers.get('etag')! } });
    expect(again.status).toBe(304);

    const cancelled = await api.api.citas[':id'].cancel.$post({ param: { id: cita.id } });
    expect(((await cancelled.json()) as { status: string }).status).toBe('cancelled');
  });

  it("finds a location's patients by typing (none yet, and GHL not connected: ours alone answers)", async () => {
    const api = citasClient('http://localhost', { apiKey: API_KEY, fetch: viaApp as typeof fetch });
    await api.api.citas.$post({ json: citaBody({ location_id: 'loc-client-pac' }) as never });
    const found = await api.api.contacts.$get({ query: { location_id: 'loc-client-pac', q: 'ana' } });
    expect(found.status).toBe(200);
    if (found.status !== 200) return;
    expect(await found.json()).toEqual({ data: [], ghl_search: 'unavailable' });
  });

  it('the full client reaches the admin routes with an admin key', async () => {
    const admin = fullClient('http://localhost', { apiKey: ADMIN_KEY, fetch: viaApp as typeof fetch });
    const status = await admin.api.admin['sync-status'].$get();
    expect(status.status).toBe(200);
  });
});
