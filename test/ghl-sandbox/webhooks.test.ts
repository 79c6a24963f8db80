import { Hono } from 'hono';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GhlSandbox, WebhookConfig, WebhookPublicKeys } from '../../scripts/ghl-sandbox';
import { startGhlSandboxServer } from '../../scripts/ghl-sandbox/server';
import { ANA, BASE, CAL, CAL_B, LIMA, api, appointmentBody, manualClock, seededSandbox } from './support';

const at = (hhmm: string) => `2026-03-12T${hhmm}:00-05:00`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PAYLOAD_KEYS = [
  'id',
  'address',
  'title',
  'calendarId',
  'contactId',
  'groupId',
  'appointmentStatus',
  'assignedUserId',
  'users',
  'notes',
  'source',
  'startTime',
  'endTime',
  'dateAdded',
  'dateUpdated',
];

interface Received {
  url: string;
  raw: string;
  body: any;
  headers: Headers;
}

/** An in-process receiver: records every delivery and answers what `answer` says (default 200). */
function receiver(answer: (n: number, r: Received) => number | Promise<number> = () => 200) {
  const got: Received[] = [];
  const deliver = async (req: Request) => {
    const raw = await req.text();
    const r = { url: req.url, raw, body: JSON.parse(raw), headers: req.headers };
    got.push(r);
    const status = await answer(got.length, r);
    return new Response(status === 204 ? null : 'ok', { status });
  };
  return { got, deliver };
}

async function setup(cfg: Omit<WebhookConfig, 'deliver'> = {}, answer?: Parameters<typeof receiver>[0], clock = manualClock()) {
  const sandbox = seededSandbox({ now: clock.now });
  const rx = receiver(answer);
  sandbox.configureWebhooks({ ...cfg, deliver: rx.deliver });
  const client = api(sandbox, sandbox.createPrivateToken(LIMA));
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await client.post('/calendars/events/appointments', appointmentBody(extra));
    expect(res.status).toBe(200);
    return res.body.id as string;
  };
  const book = (start = '10:30', end = '11:00') =>
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: at(start), endTime: at(end) });
  return { sandbox, client, clock, got: rx.got, create, book };
}

async function verifier(keys: WebhookPublicKeys) {
  const spki = (pem: string) => Uint8Array.from(atob(pem.replace(/-----[A-Z ]+-----|\s/g, '')), (ch) => ch.charCodeAt(0));
  const ed = await crypto.subtle.importKey('spki', spki(keys.ed25519PublicKeyPem), { name: 'Ed25519' }, false, ['verify']);
  const rsa = await crypto.subtle.importKey('spki', spki(keys.rsaPublicKeyPem), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  const check = (key: CryptoKey, sig: string | null | undefined, raw: string) =>
    sig == null
      ? Promise.resolve(null)
      : crypto.subtle.verify(key.algorithm.name, key, Uint8Array.from(atob(sig), (ch) => ch.charCodeAt(0)), new TextEncoder().encode(raw));
  return async (raw: string, headers: Headers | Record<string, string>) => {
    const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
    return { ed25519: await check(ed, get('x-ghl-signature'), raw), rsa: await check(rsa, get('x-wh-signature'), raw) };
  };
}

describe('webhook signatures', () => {
  it('publishes SPKI PEM keys that verify what the sandbox sends, per scheme', async () => {
    for (const scheme of ['ed25519', 'rsa', 'both'] as const) {
      const { sandbox, got, create } = await setup({ scheme });
      const keys = await sandbox.webhookKeys();
      expect(keys.ed25519PublicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----$/);
      expect(keys.rsaPublicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      await create();
      await sandbox.webhooks.idle();
      expect(got).toHaveLength(1);
      const verify = await verifier(keys);
      expect(await verify(got[0]!.raw, got[0]!.headers)).toEqual({
        ed25519: scheme === 'rsa' ? null : true,
        rsa: scheme === 'ed25519' ? null : true,
      });
      expect(got[0]!.headers.get('content-type')).toBe('application/json');
      // The signature covers the bytes: one changed character and it no longer verifies.
      expect(Object.values(await verify(got[0]!.raw.replace('Control', 'Kontrol'), got[0]!.headers)).filter((v) => v !== null)).not.toContain(true);
    }
  });

  it('signWebhook signs any body, for hand-made deliveries (default ed25519); keys belong to the sandbox', async () => {
    const sandbox = seededSandbox();
    const verify = await verifier(await sandbox.webhookKeys());
    const raw = '{"type":"AppointmentDelete","forged":true}';
    const ed = await sandbox.signWebhook(raw);
    expect(Object.keys(ed)).toEqual(['x-ghl-signature']);
    expect(await verify(raw, ed)).toEqual({ ed25519: true, rsa: null });
    const both = await sandbox.signWebhook(raw, { scheme: 'both' });
    expect(await verify(raw, both)).toEqual({ ed25519: true, rsa: true });
    expect(await verify(raw.slice(0, -1), both)).toEqual({ ed25519: false, rsa: false });
    // Another sandbox's keys do not verify this one's signatures; reset() keeps the keys.
    const other = await verifier(await seededSandbox().webhookKeys());
    expect(await other(raw, both)).toEqual({ ed25519: false, rsa: false });
    const before = await sandbox.webhookKeys();
    sandbox.reset();
    expect(await sandbox.webhookKeys()).toEqual(before);
  });
});

describe('what emits webhooks', () => {
  it('API writes come back as Create, Update, Delete in GHL’s shape, without description', async () => {
    const { sandbox, client, got, create } = await setup();
    const id = await create({ description: 'private', address: 'Consultorio 2' });
    expect((await client.put(`/calendars/events/appointments/${id}`, { title: 'Renamed' })).status).toBe(200);
    expect((await client.del(`/calendars/events/${id}`)).status).toBe(201);
    await sandbox.webhooks.idle();

    expect(got.map((r) => r.body.type)).toEqual(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']);
    const [first, second, third] = got.map((r) => r.body);
    expect(Object.keys(first)).toEqual(['type', 'locationId', 'appointment', 'timestamp', 'webhookId']);
    expect(Object.keys(first.appointment)).toEqual(PAYLOAD_KEYS);
    expect(first).toEqual({
      type: 'AppointmentCreate',
      locationId: LIMA,
      appointment: {
        id,
        address: 'Consultorio 2',
        title: 'Control - Ana Pérez',
        calendarId: CAL,
        contactId: ANA,
        groupId: '',
        appointmentStatus: 'confirmed',
        assignedUserId: 'usr-gomez',
        users: [],
        notes: '',
        source: 'third_party',
        startTime: at('10:30'),
        endTime: at('11:00'),
        dateAdded: '2026-03-10T10:00:00-05:00',
        dateUpdated: '2026-03-10T10:00:00-05:00',
      },
      timestamp: '2026-03-10T15:00:00.000Z',
      webhookId: expect.stringMatching(UUID),
    });
    expect(second.appointment.title).toBe('Renamed');
    expect(third.appointment.id).toBe(id);
    // The clock never moved, yet each change is a second later than the one before.
    expect(got.map((r) => r.body.appointment.dateUpdated)).toEqual([
      '2026-03-10T10:00:00-05:00',
      '2026-03-10T10:00:01-05:00',
      '2026-03-10T10:00:02-05:00',
    ]);
    expect(new Set(got.map((r) => r.body.webhookId)).size).toBe(3);
    expect(got[0]!.url).toBe('http://localhost/api/webhooks/ghl');
  });

  it('delivers in-process to a Hono app: `deliver: (req) => app.request(req)`', async () => {
    const service = new Hono();
    const seen: Array<{ path: string; type: string }> = [];
    service.post('/api/webhooks/ghl', async (c) => {
      seen.push({ path: c.req.path, type: ((await c.req.json()) as any).type });
      return c.body(null, 200);
    });
    const sandbox = seededSandbox();
    sandbox.configureWebhooks({ deliver: (req) => service.request(req) });
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: at('09:00'), endTime: at('09:30') });
    await sandbox.webhooks.idle();
    expect(seen).toEqual([{ path: '/api/webhooks/ghl', type: 'AppointmentCreate' }]);
    expect(sandbox.webhooks.log().map((e) => e.status)).toEqual([200]);
  });

  it('delivers after the write’s own answer, never inside it', async () => {
    const sandbox = seededSandbox();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    sandbox.configureWebhooks({
      deliver: async (req) => {
        seen.push(((await req.json()) as any).type);
        await gate;
        return new Response(null, { status: 200 });
      },
    });
    const res = await api(sandbox, sandbox.createPrivateToken(LIMA)).post('/calendars/events/appointments', appointmentBody());
    expect(res.status).toBe(200);
    release();
    await sandbox.webhooks.idle();
    expect(seen).toEqual(['AppointmentCreate']);
  });

  it('GHL-user actions change the appointment, bump dateUpdated and emit, bypassing the API gate', async () => {
    const { sandbox, client, got, book } = await setup();
    // A person in GHL's UI meets none of the API's faults or limits.
    sandbox.injectFault({ kind: '503' });
    const created = book('10:30', '11:00');
    expect(created).toMatchObject({ calendarId: CAL, appointmentStatus: 'confirmed', assignedUserId: 'usr-gomez', title: 'Ana Pérez' });
    expect(created.createdBy.source).toBe('calendar_page');
    const moved = sandbox.actions.moveAppointment(created.id, { startTime: at('14:00') });
    expect([moved.startTime, moved.endTime]).toEqual([at('14:00'), at('14:30')]);
    const stretched = sandbox.actions.moveAppointment(created.id, { startTime: at('15:00'), endTime: at('16:00') });
    expect(stretched.endTime).toBe(at('16:00'));
    const edited = sandbox.actions.editAppointment(created.id, { title: 'Control', notes: 'trae análisis', calendarId: CAL_B, assignedUserId: 'usr-x' });
    expect(edited).toMatchObject({ title: 'Control', notes: 'trae análisis', calendarId: CAL_B, assignedUserId: 'usr-x', appointmentStatus: 'confirmed' });
    expect(sandbox.actions.cancelAppointment(created.id).appointmentStatus).toBe('cancelled');
    expect(sandbox.actions.deleteAppointment(created.id).id).toBe(created.id);
    await sandbox.webhooks.idle();

    expect(got.map((r) => r.body.type)).toEqual([
      'AppointmentCreate',
      'AppointmentUpdate',
      'AppointmentUpdate',
      'AppointmentUpdate',
      'AppointmentUpdate',
      'AppointmentDelete',
    ]);
    const payloads = got.map((r) => r.body.appointment);
    expect(payloads.every((a) => a.id === created.id && a.source === 'calendar_page' && !('description' in a))).toBe(true);
    expect(payloads[1]).toMatchObject({ startTime: at('14:00'), endTime: at('14:30') });
    expect(payloads[3]).toMatchObject({ title: 'Control', notes: 'trae análisis', calendarId: CAL_B });
    expect(payloads[4].appointmentStatus).toBe('cancelled');
    const updated = payloads.map((a) => Date.parse(a.dateUpdated));
    expect(updated.every((t, i) => i === 0 || t - updated[i - 1]! === 1000)).toBe(true);
    expect(payloads.every((a) => a.dateUpdated.endsWith('-05:00'))).toBe(true);

    // Deleted as with the API: gone from every read, and no further actions on it.
    sandbox.clearFaults();
    expect(sandbox.appointments()).toEqual([]);
    expect((await client.get(`/calendars/events/appointments/${created.id}`)).status).toBe(404);
    expect(() => sandbox.actions.cancelAppointment(created.id)).toThrow(/no live appointment/);
    expect(sandbox.stats().calls).toEqual({ 'GET /calendars/events/appointments/:id': 1 });
  });

  it('actions refuse bad input, and may double-book (staff can)', async () => {
    const { sandbox, book } = await setup();
    book('10:30', '11:00');
    expect(book('10:30', '11:00').startTime).toBe(at('10:30'));
    expect(() => book('11:00', '10:30')).toThrow(/endTime must be after startTime/);
    expect(() => sandbox.actions.createAppointment({ locationId: LIMA, calendarId: 'nope', contactId: ANA, startTime: at('10:00'), endTime: at('10:30') })).toThrow(/no calendar/);
    expect(() => sandbox.actions.moveAppointment('nope', { startTime: at('10:00') })).toThrow(/no live appointment/);
    const id = sandbox.appointments()[0]!.id;
    expect(() => sandbox.actions.moveAppointment(id, { startTime: '2026-03-12T10:00:00' })).toThrow(/offset/);
    expect(() => sandbox.actions.editAppointment(id, { appointmentStatus: 'gone' as never })).toThrow(/appointmentStatus/);
  });

  it('sends nothing until configured and after configureWebhooks(null)', async () => {
    const sandbox = seededSandbox();
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: at('09:00'), endTime: at('09:30') });
    const rx = receiver();
    sandbox.configureWebhooks({ deliver: rx.deliver });
    const id = sandbox.appointments()[0]!.id;
    sandbox.actions.cancelAppointment(id);
    await sandbox.webhooks.idle();
    sandbox.configureWebhooks(null);
    sandbox.actions.deleteAppointment(id);
    await sandbox.webhooks.idle();
    expect(rx.got.map((r) => r.body.type)).toEqual(['AppointmentUpdate']);
    expect(sandbox.webhooks.log()).toHaveLength(1);
    expect(() => sandbox.configureWebhooks({})).toThrow(/url or a deliver/);
  });

  it('keeps emission order per location even when the receiver is slow', async () => {
    const { sandbox, got, book } = await setup({}, async (n) => {
      if (n === 1) await new Promise((r) => setTimeout(r, 30));
      return 200;
    });
    const a = book('09:00', '09:30');
    sandbox.actions.moveAppointment(a.id, { startTime: at('12:00') });
    sandbox.actions.deleteAppointment(a.id);
    await sandbox.webhooks.idle();
    expect(got.map((r) => r.body.type)).toEqual(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']);
  });
});

describe('delivery and retries', () => {
  it('429 → the same bytes and webhookId again after retryDelayMs; the next answer is final', async () => {
    const { sandbox, got, book, clock } = await setup({ retryDelayMs: 40 }, (n) => (n === 1 ? 429 : 200));
    book();
    const started = Date.now();
    await sandbox.webhooks.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(got).toHaveLength(2);
    expect(got[1]!.raw).toBe(got[0]!.raw);
    expect(got[1]!.headers.get('x-ghl-signature')).toBe(got[0]!.headers.get('x-ghl-signature'));
    const webhookId = got[0]!.body.webhookId;
    expect(sandbox.webhooks.log()).toEqual([
      { webhookId, type: 'AppointmentCreate', appointmentId: got[0]!.body.appointment.id, contactId: null, attempt: 1, status: 429, at: new Date(clock.now()).toISOString() },
      { webhookId, type: 'AppointmentCreate', appointmentId: got[0]!.body.appointment.id, contactId: null, attempt: 2, status: 200, at: new Date(clock.now()).toISOString() },
    ]);
    expect(sandbox.stats()).toMatchObject({ webhooksSent: 2, webhooksByStatus: { '429': 1, '200': 1 } });
  });

  it('any other answer, or a network error, is final', async () => {
    for (const status of [200, 204, 400, 401, 404, 500, 503]) {
      const { sandbox, got, book } = await setup({ retryDelayMs: 1 }, () => status);
      book();
      await sandbox.webhooks.idle();
      await new Promise((r) => setTimeout(r, 10));
      expect(got).toHaveLength(1);
      expect(sandbox.webhooks.log().map((e) => e.status)).toEqual([status]);
    }
    const sandbox = seededSandbox();
    sandbox.configureWebhooks({ retryDelayMs: 1, deliver: () => Promise.reject(new TypeError('fetch failed')) });
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: at('09:00'), endTime: at('09:30') });
    await sandbox.webhooks.idle();
    expect(sandbox.webhooks.log()).toMatchObject([{ attempt: 1, status: 'network_error' }]);
    expect(sandbox.stats()).toMatchObject({ webhooksSent: 1, webhooksByStatus: { network_error: 1 } });
  });

  it('gives up after maxRetries re-deliveries (GHL: 6)', async () => {
    const two = await setup({ retryDelayMs: 1, maxRetries: 2 }, () => 429);
    two.book();
    await two.sandbox.webhooks.idle();
    expect(two.sandbox.webhooks.log().map((e) => [e.attempt, e.status])).toEqual([
      [1, 429],
      [2, 429],
      [3, 429],
    ]);

    const ghl = await setup({ retryDelayMs: 1 }, () => 429);
    ghl.book();
    await ghl.sandbox.webhooks.idle();
    expect(ghl.got).toHaveLength(7);
    expect(new Set(ghl.got.map((r) => r.raw)).size).toBe(1);
  });

  it('waits GHL’s 10 minutes by default: idle() does not, retryNow() fires the retry', async () => {
    const { sandbox, got, book } = await setup({}, (n) => (n === 1 ? 429 : 200));
    book();
    await sandbox.webhooks.idle();
    expect(sandbox.webhooks.log().map((e) => e.status)).toEqual([429]);
    sandbox.webhooks.retryNow();
    await sandbox.webhooks.idle();
    expect(sandbox.webhooks.log().map((e) => e.status)).toEqual([429, 200]);
    expect(got[1]!.body.webhookId).toBe(got[0]!.body.webhookId);
    sandbox.webhooks.retryNow(); // nothing left to retry
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(2);
  });

  it('reset() forgets the log and scheduled retries but keeps the configuration', async () => {
    const { sandbox, got, book } = await setup({}, (n) => (n === 1 ? 429 : 200));
    book();
    await sandbox.webhooks.idle();
    sandbox.reset();
    expect(sandbox.webhooks.log()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ webhooksSent: 0, webhooksByStatus: {} });
    sandbox.webhooks.retryNow();
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(1);
    sandbox.seed({ locations: [{ id: LIMA, calendars: [{ id: CAL, name: 'Dra. Gómez' }], contacts: [{ id: ANA, firstName: 'Ana' }] }] });
    book();
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(2);
  });
});

describe('chaos modes', () => {
  it('duplicate: every webhook twice, same id and bytes', async () => {
    const { sandbox, got, book } = await setup();
    sandbox.webhooks.setMode({ duplicate: true });
    book();
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(2);
    expect(got[1]!.raw).toBe(got[0]!.raw);
    expect(sandbox.webhooks.log().map((e) => e.attempt)).toEqual([1, 1]);
  });

  it('delayMs: the first attempt waits, and idle() waits for it', async () => {
    const { sandbox, got, book } = await setup();
    sandbox.webhooks.setMode({ delayMs: 50 });
    book();
    await new Promise((r) => setTimeout(r, 15));
    expect(got).toHaveLength(0);
    await sandbox.webhooks.idle();
    expect(got).toHaveLength(1);
  });

  it('drop: nothing is sent, the log says dropped', async () => {
    const { sandbox, got, book } = await setup();
    sandbox.webhooks.setMode({ drop: true });
    book();
    await sandbox.webhooks.idle();
    expect(got).toEqual([]);
    expect(sandbox.webhooks.log()).toMatchObject([{ type: 'AppointmentCreate', attempt: 0, status: 'dropped' }]);
    expect(sandbox.stats().webhooksSent).toBe(0);
  });

  it('hold + release(reverse): out of order on purpose; release() alone keeps emission order', async () => {
    const { sandbox, got, book } = await setup();
    sandbox.webhooks.setMode({ hold: true });
    const a = book('09:00', '09:30');
    sandbox.actions.moveAppointment(a.id, { startTime: at('12:00') });
    sandbox.actions.cancelAppointment(a.id);
    await sandbox.webhooks.idle();
    expect(got).toEqual([]);
    expect(sandbox.webhooks.log().map((e) => e.status)).toEqual(['held', 'held', 'held']);
    sandbox.webhooks.setMode({});
    sandbox.webhooks.release('reverse');
    await sandbox.webhooks.idle();
    expect(got.map((r) => r.body.appointment.dateUpdated.slice(11))).toEqual(['10:00:02-05:00', '10:00:01-05:00', '10:00:00-05:00']);
    expect(got.map((r) => r.body.type)).toEqual(['AppointmentUpdate', 'AppointmentUpdate', 'AppointmentCreate']);

    sandbox.webhooks.setMode({ hold: true });
    sandbox.actions.editAppointment(a.id, { title: 'one' });
    sandbox.actions.editAppointment(a.id, { title: 'two' });
    sandbox.webhooks.release();
    await sandbox.webhooks.idle();
    expect(got.slice(3).map((r) => r.body.appointment.title)).toEqual(['one', 'two']);
  });
});

describe('over HTTP', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  /** A real HTTP receiver, so the url + global fetch path is exercised. */
  async function httpReceiver(status = 200) {
    const got: Array<{ path: string; raw: string; headers: IncomingHttpHeaders }> = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        got.push({ path: req.url ?? '', raw, headers: req.headers });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/ghl`, got };
  }

  function control(sandbox: GhlSandbox) {
    return async (method: string, path: string, body?: unknown) => {
      const res = await sandbox.fetch(`${BASE}/_sandbox${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
  }

  it('configures webhooks, serves the keys, and runs GHL-user actions', async () => {
    const sandbox = seededSandbox();
    const ctl = control(sandbox);
    const rx = await httpReceiver();
    expect(await ctl('POST', '/webhooks/config', { url: rx.url, scheme: 'both', maxRetries: 1 })).toEqual({ status: 200, body: { ok: true } });
    const keys = await ctl('GET', '/webhooks/keys');
    expect(keys.body).toEqual(await sandbox.webhookKeys());

    const created = await ctl('POST', '/actions/create', {
      locationId: LIMA,
      calendarId: CAL,
      contactId: ANA,
      startTime: at('10:00'),
      endTime: at('10:30'),
      notes: 'primera vez',
    });
    expect(created.status).toBe(200);
    const { id } = created.body.appointment;
    expect(created.body.appointment).toMatchObject({ notes: 'primera vez', startTime: at('10:00') });
    expect((await ctl('POST', '/actions/move', { id, startTime: at('11:00') })).body.appointment.endTime).toBe(at('11:30'));
    expect((await ctl('POST', '/actions/edit', { id, title: 'Control', appointmentStatus: 'showed' })).body.appointment).toMatchObject({
      title: 'Control',
      appointmentStatus: 'showed',
    });
    expect((await ctl('POST', '/actions/cancel', { id })).body.appointment.appointmentStatus).toBe('cancelled');
    expect((await ctl('POST', '/actions/delete', { id })).body.appointment.id).toBe(id);
    await sandbox.webhooks.idle();

    expect(rx.got.map((r) => JSON.parse(r.raw).type)).toEqual([
      'AppointmentCreate',
      'AppointmentUpdate',
      'AppointmentUpdate',
      'AppointmentUpdate',
      'AppointmentDelete',
    ]);
    expect(rx.got[0]!.path).toBe('/api/webhooks/ghl');
    expect(rx.got[0]!.headers['content-type']).toBe('application/json');
    const verify = await verifier(keys.body);
    const first = rx.got[0]!;
    expect(await verify(first.raw, first.headers as Record<string, string>)).toEqual({ ed25519: true, rsa: true });
    expect((await ctl('GET', '/webhooks/log')).body.log).toHaveLength(5);

    expect(await ctl('POST', '/webhooks/config', { url: null })).toEqual({ status: 200, body: { ok: true } });
    await ctl('POST', '/actions/create', { locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: at('12:00'), endTime: at('12:30') });
    await sandbox.webhooks.idle();
    expect(rx.got).toHaveLength(5);
  });

  it('says what is wrong with a bad control request', async () => {
    const ctl = control(seededSandbox());
    expect((await ctl('POST', '/webhooks/config', { url: 'not a url' })).status).toBe(400);
    expect((await ctl('POST', '/webhooks/config', { url: 'http://x.test', scheme: 'hmac' })).status).toBe(400);
    expect(await ctl('POST', '/actions/cancel', { id: 'nope' })).toEqual({ status: 400, body: { error: 'action: no live appointment nope' } });
    expect((await ctl('POST', '/actions/create', { locationId: LIMA })).status).toBe(400);
    expect((await ctl('POST', '/actions/edit', { id: 'x', appointmentStatus: 'gone' })).status).toBe(400);
    expect((await ctl('POST', '/actions/teleport', {})).status).toBe(404);
  });

  it('retry-now re-delivers a 429 over HTTP at once', async () => {
    const sandbox = seededSandbox();
    const ctl = control(sandbox);
    const rx = await httpReceiver(429);
    await ctl('POST', '/webhooks/config', { url: rx.url });
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: at('09:00'), endTime: at('09:30') });
    await sandbox.webhooks.idle();
    expect(await ctl('POST', '/webhooks/retry-now')).toEqual({ status: 200, body: { ok: true } });
    await sandbox.webhooks.idle();
    expect(rx.got).toHaveLength(2);
    expect(rx.got[1]!.raw).toBe(rx.got[0]!.raw);
  });

  it('startGhlSandboxServer({ webhookUrl }) sends the sandbox’s webhooks there', async () => {
    const rx = await httpReceiver();
    const server = await startGhlSandboxServer({ webhookUrl: rx.url });
    closers.push(server.close);
    server.sandbox.seed({ locations: [{ id: LIMA, calendars: [{ id: CAL, name: 'Dra. Gómez' }], contacts: [{ id: ANA, firstName: 'Ana' }] }] });
    const token = server.sandbox.createPrivateToken(LIMA);
    const res = await fetch(`${server.url}/calendars/events/appointments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, Version: '2021-04-15', 'Content-Type': 'application/json' },
      body: JSON.stringify(appointmentBody()),
    });
    expect(res.status).toBe(200);
    await server.sandbox.webhooks.idle();
    expect(rx.got.map((r) => JSON.parse(r.raw).type)).toEqual(['AppointmentCreate']);
    expect(rx.got[0]!.headers['x-ghl-signature']).toEqual(expect.any(String));
  });
});
