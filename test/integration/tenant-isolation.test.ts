/**
 * What a stranger learns from outside: a key limited to one clinic probing another's citas, a
 * poller guessing tags, a browser opening the public pages, anyone calling the OAuth callback.
 * Each answer must tell them no more than a random guess would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { citasAssets } from '../../src/apps/citas-assets';
import { ADMIN_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});
async function env(opts: Parameters<typeof createTestEnv>[0] = {}) {
  const t = await createTestEnv({ ...opts, env: { API_KEY_CACHE_MS: '0', ...opts.env } });
  envs.push(t);
  return t;
}
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

/** A key an admin limits to `locations`. */
async function limitedKey(t: TestEnv, locations: string[]) {
  const made = await t.api('POST', '/api/admin/api-keys', { name: 'Recepción', location_ids: locations }, admin);
  expect(made.status).toBe(201);
  return { Authorization: `Bearer ${((await made.json()) as any).key}` };
}

/** An answer as a client can compare it: the asked id and the request id put aside. */
async function seen(res: Response, id: string) {
  const text = await res.text();
  const body = JSON.parse(text.split(id).join(':id'));
  delete body.request_id;
  return { status: res.status, type: res.headers.get('content-type'), body, text };
}

describe("a key for clinic A asking for clinic B's cita", () => {
  it('gets, on every per-id route, exactly what a random id gets: same status, same body, naming only the id asked', { timeout: 60_000 }, async () => {
    const t = await env();
    const inB = (await (await t.api('POST', '/api/citas', citaBody({ location_id: 'clinic-b' }))).json()) as any;
    const A = await limitedKey(t, ['clinic-a']);
    const random = crypto.randomUUID();

    const probes: [string, (id: string) => string, unknown?, Record<string, string>?][] = [
      ['GET', (id) => `/api/citas/${id}`],
      ['GET', (id) => `/api/citas/${id}/audit`],
      ['POST', (id) => `/api/citas/${id}/push`],
      ['PATCH', (id) => `/api/citas/${id}`, { title: 'otra' }],
      ['PATCH', (id) => `/api/citas/${id}`, { title: 'otra' }, { 'If-Match': '"1"' }],
      ['POST', (id) => `/api/citas/${id}/cancel`],
      ['POST', (id) => `/api/citas/${id}/cancel`, undefined, { 'Idempotency-Key': 'probe-1', 'If-Match': '"7"' }],
    ];
    for (const [method, path, body, headers] of probes) {
      const foreign = await seen(await t.api(method, path(inB.id), body, { ...A, ...headers }), inB.id);
      const unknown = await seen(await t.api(method, path(random), body, { ...A, ...headers, 'Idempotency-Key': `${headers?.['Idempotency-Key'] ?? ''}r` }), random);
      const what = `${method} ${path(':id')} ${JSON.stringify(headers ?? {})}`;
      expect(foreign.status, what).toBe(404);
      expect({ ...foreign, text: undefined }, what).toEqual({ ...unknown, text: undefined });
      expect(foreign.body.detail, what).toBe('Cita :id does not exist.');
      expect(foreign.text, what).not.toContain('clinic-b');
    }
    // Nothing of B changed, and B's own key still reads it.
    const own = (await (await t.api('GET', `/api/citas/${inB.id}`)).json()) as any;
    expect(own).toMatchObject({ title: inB.title, status: inB.status, version: inB.version });
  });
});

describe('If-None-Match on the list', () => {
  it('`*` on a location that does not exist is 404, as without the header; on one that does, 304', async () => {
    const t = await env();
    const plain = await t.api('GET', '/api/citas?location_id=loc-nowhere');
    expect(plain.status).toBe(404);
    const any = await t.api('GET', '/api/citas?location_id=loc-nowhere', undefined, { 'If-None-Match': '*' });
    expect(any.status).toBe(404);
    expect(((await any.json()) as any).code).toBe('not_found');

    await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-here' }));
    const here = await t.api('GET', '/api/citas?location_id=loc-here', undefined, { 'If-None-Match': '*' });
    expect(here.status).toBe(304);
    // A limited key meets another clinic as a location that does not exist, `*` or not.
    const A = await limitedKey(t, ['clinic-a']);
    expect((await t.api('GET', '/api/citas?location_id=loc-here', undefined, { ...A, 'If-None-Match': '*' })).status).toBe(404);
    // Its own tag still spares the work.
    const first = await t.api('GET', '/api/citas?location_id=loc-here');
    const again = await t.api('GET', '/api/citas?location_id=loc-here', undefined, { 'If-None-Match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });
});

describe('headers of public answers', () => {
  it('every JSON answer, problem or not, says nosniff', async () => {
    const t = await env();
    const answers = [
      await t.api('POST', '/api/citas', citaBody({ location_id: 'loc-h' })),
      await t.api('GET', '/api/citas?location_id=loc-h'),
      await t.api('GET', `/api/citas/${crypto.randomUUID()}`),
      await t.api('GET', '/api/citas?location_id=loc-h', undefined, { Authorization: 'Bearer wrong' }),
      await t.api('POST', '/api/citas', '{not json'),
      await t.api('GET', '/api/nothing-here'),
      await t.app.request('/healthz', {}, t.env),
      await t.app.request('/readyz', {}, t.env),
      await t.app.request('/openapi.json', {}, t.env),
    ];
    for (const res of answers) {
      expect(res.headers.get('content-type'), res.url).toMatch(/json/);
      expect(res.headers.get('x-content-type-options'), `${res.status} ${res.headers.get('content-type')}`).toBe('nosniff');
    }
  });

  it('/docs: nosniff and a CSP that admits only its own <style>; the citas Worker asset carries the same headers', async () => {
    const t = await env();
    const res = await t.app.request('/docs', {}, t.env);
    expect(res.status).toBe(200);
    const page = await res.text();
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    const hash = createHash('sha256').update(css).digest('base64');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp.split('; ')).toEqual(expect.arrayContaining(["default-src 'none'", `style-src 'sha256-${hash}'`, "frame-ancestors 'none'"]));
    expect(page).not.toMatch(/<script|style="/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    const assets = await citasAssets();
    const docs = assets.find((f) => f.path === '/docs')!;
    expect(Object.keys(docs.headers).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(docs.headers)) expect(res.headers.get(name), name).toBe(value);
    expect(assets.find((f) => f.path === '/openapi.json')!.headers).toMatchObject({ 'X-Content-Type-Options': 'nosniff' });
  });
});

describe('GET /oauth/callback', () => {
  const LOC = 'loc-install';
  function sandbox() {
    const s = createGhlSandbox({ seed: 3 });
    s.seed({ locations: [{ id: LOC, name: 'Clínica Miraflores', timezone: 'America/Lima', calendars: [{ id: 'cal-1', name: 'Consultorio' }] }] });
    return s;
  }
  const BROWSER = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'CF-Connecting-IP': '198.51.100.20' };
  const callback = (t: TestEnv, code: string, headers: Record<string, string>) =>
    t.request(new Request(`http://localhost/oauth/callback?code=${encodeURIComponent(code)}`, { headers }));

  it('a person installing gets a short Spanish page; a program asking for JSON gets JSON', async () => {
    const ghl = sandbox();
    const t = await env({ ghl });
    const ok = await callback(t, ghl.issueAuthCode(LOC), BROWSER);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('referrer-policy')).toBe('no-referrer');
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await ok.text();
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    expect(ok.headers.get('content-security-policy')).toContain(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(page).toContain('<html lang="es-PE">');
    expect(page).toContain('Aplicación instalada');
    expect(page).toContain('Clínica Miraflores');
    expect(page).not.toMatch(/[{}]"|installed|access_token/);

    // The same code again: GHL refuses it; the person is told what to do next, with the same status.
    const used = await callback(t, 'used-or-unknown', BROWSER);
    expect(used.status).toBe(409);
    expect(used.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const failed = await used.text();
    expect(failed).toContain('El enlace de instalación ya no vale');
    expect(failed).toContain('Vuelva a instalar la aplicación');
    expect(failed).toContain(used.headers.get('x-request-id')!);

    const missing = await t.request(new Request('http://localhost/oauth/callback', { headers: BROWSER }));
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('Falta el código de instalación');

    const json = await callback(t, ghl.issueAuthCode(LOC), { Accept: 'application/json' });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toMatchObject({ installed: true, location_id: LOC, connected: true });
    const problem = await callback(t, 'used-or-unknown', { Accept: 'application/json' });
    expect(problem.status).toBe(409);
    expect(problem.headers.get('content-type')).toBe('application/problem+json');
    // A program that names no type keeps the JSON too.
    expect((await callback(t, 'used-or-unknown', {})).headers.get('content-type')).toBe('application/problem+json');
  });

  it('is rate-limited per client: the 11th call in a minute from one IP is a 429 that costs GHL nothing', async () => {
    const ghl = sandbox();
    const t = await env({ ghl });
    const tokenCalls = () => ghl.stats().tokenRequests;
    for (let i = 0; i < 10; i++) expect((await callback(t, `guess-${i}`, { ...BROWSER, Accept: 'application/json' })).status).toBe(409);
    expect(tokenCalls()).toBe(10);

    const limited = await callback(t, 'guess-10', { ...BROWSER, Accept: 'application/json' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as any).code).toBe('rate_limited');
    const page = await callback(t, 'guess-11', BROWSER);
    expect(page.status).toBe(429);
    expect(await page.text()).toContain('Demasiados intentos');
    expect(tokenCalls()).toBe(10);

    // Another client is not held back by this one.
    expect((await callback(t, ghl.issueAuthCode(LOC), { ...BROWSER, 'CF-Connecting-IP': '198.51.100.99' })).status).toBe(200);
  });
});
