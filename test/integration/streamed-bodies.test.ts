/**
 * Bodies sent without a Content-Length (chunked): the body limit reads them itself, refuses the
 * first byte past the limit, and leaves what it read for the route — the webhook's signature is
 * checked over exactly those bytes, a JSON route validates them, a body with no type is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGhlSandbox, type GhlSandbox } from '../../scripts/ghl-sandbox';
import { API_KEY, citaBody, createTestEnv, type TestEnv } from '../support/harness';

let t: TestEnv;
let sandbox: GhlSandbox;
const LOC = 'loc-streamed';

beforeAll(async () => {
  sandbox = createGhlSandbox({ seed: 11 });
  sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: [{ id: 'cal-streamed', name: 'Dr. Paz' }], contacts: [] }] });
  const keys = await sandbox.webhookKeys();
  t = await createTestEnv({ ghl: sandbox, env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, MAX_BODY_BYTES: '4096', WEBHOOK_MAX_BODY_BYTES: '4096' } });
  await t.api('PUT', `/api/locations/${LOC}/settings`, { time_zone: 'America/Lima' });
});
afterAll(() => t?.close());

/** A body in chunks of `size` bytes, counting how many bytes the server pulled. */
function chunked(text: string, size: number) {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return { stream, pulled: () => Math.min(at, bytes.length) };
}

function streamedRequest(path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) {
  return new Request(`http://localhost${path}`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
}

describe('streamed (chunked) bodies', () => {
  it('a cita created from a body in many chunks is read whole', async () => {
    const body = chunked(JSON.stringify(citaBody({ location_id: LOC, title: 'Control en trozos', start_time: '2027-03-02T09:00', end_time: '2027-03-02T09:30' })), 7);
    const res = await t.request(streamedRequest('/api/citas', body.stream, { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }));
    const answer = (await res.json()) as any;
    expect(res.status, JSON.stringify(answer)).toBe(201);
    expect(answer.title).toBe('Control en trozos');
  });

  it('a body past the limit is refused at the limit with 413, unread beyond it, and nothing is stored', async () => {
    const big = citaBody({ location_id: LOC, title: 'Demasiado', notes: 'x'.repeat(20_000), start_time: '2027-03-03T09:00', end_time: '2027-03-03T09:30' });
    const body = chunked(JSON.stringify(big), 1024);
    const res = await t.request(streamedRequest('/api/citas', body.stream, { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    // The limit (4096) is reached in the fifth chunk; a few more may be buffered ahead, never the whole.
    expect(body.pulled()).toBeLessThan(10 * 1024);
    const list = (await (await t.api('GET', `/api/citas?location_id=${LOC}&desde=2027-03-03&hasta=2027-03-03`)).json()) as any;
    expect(list.data).toEqual([]);
  });

  it('a body with no Content-Type on a JSON route is refused 415, not taken for {}', async () => {
    const body = chunked('{"title":"sin tipo"}', 5);
    const res = await t.request(streamedRequest('/api/citas', body.stream, { Authorization: `Bearer ${API_KEY}` }));
    expect(res.status).toBe(415);
  });

  it('a webhook in chunks is verified over the bytes as sent and stored; one past the limit gets 413', async () => {
    const payload = JSON.stringify({
      type: 'AppointmentCreate',
      locationId: LOC,
      timestamp: new Date().toISOString(),
      webhookId: crypto.randomUUID(),
      appointment: {
        id: 'apt-streamed-1', title: 'Reservada en trozos', calendarId: 'cal-streamed', appointmentStatus: 'confirmed',
        startTime: '2027-03-04T10:00:00-05:00', endTime: '2027-03-04T10:30:00-05:00', dateUpdated: new Date().toISOString(),
      },
    });
    const sig = await sandbox.signWebhook(payload, { scheme: 'ed25519' });
    const res = await t.request(streamedRequest('/api/webhooks/ghl', chunked(payload, 13).stream, { 'Content-Type': 'application/json', ...sig }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'created' });

    // One byte changed in transit: the bytes the limit read are the ones verified.
    const tampered = payload.replace('en trozos', 'en troZos');
    const bad = await t.request(streamedRequest('/api/webhooks/ghl', chunked(tampered, 13).stream, { 'Content-Type': 'application/json', ...sig }));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'invalid_signature' });

    const huge = JSON.stringify({ ...JSON.parse(payload), webhookId: crypto.randomUUID(), padding: 'y'.repeat(10_000) });
    const sig2 = await sandbox.signWebhook(huge, { scheme: 'ed25519' });
    const tooBig = await t.request(streamedRequest('/api/webhooks/ghl', chunked(huge, 2048).stream, { 'Content-Type': 'application/json', ...sig2 }));
    expect(tooBig.status).toBe(413);
  });
});
