/**
 * What the tests do or check behind the page's back: the service's API (the typed client, with
 * the local admin key) and the GHL sandbox's control API (what GHL holds; changes "made in GHL"
 * that come back as signed webhooks; injected faults).
 */
import { inject } from 'vitest';
import { fullClient, type CitaView } from '../../../src/client';

export const ADMIN_KEY = 'dev-local-key';
export const DEMO_LOCATION = 'demo-location';
export const CAL_GOMEZ = { id: 'demo-cal-dra-gomez', name: 'Dra. Gómez' };
export const CAL_SALA_2 = { id: 'demo-cal-sala-2', name: 'Sala 2' };
export const CAL_INACTIVE = { id: 'demo-cal-old', name: 'Antiguo' };
export const DEMO_CONTACT = 'demo-contact-ana';
/** DEMO_CONTACT's name in the demo seed (scripts/ghl-sandbox/demo-seed.ts). */
export const DEMO_PATIENT = 'Ana Pérez Quispe';

export function service() {
  return fullClient(inject('baseUrl'), { apiKey: ADMIN_KEY });
}

export async function cita(id: string): Promise<CitaView> {
  const res = await service().api.citas[':id'].$get({ param: { id } });
  if (res.status !== 200) throw new Error(`GET /api/citas/${id} answered ${res.status}`);
  return (await res.json()) as CitaView;
}

export async function setCalendars(locationId: string, defaultId: string, synced: string[]): Promise<void> {
  const res = await service().api.locations[':locationId'].settings.$put({ param: { locationId }, json: { default_calendar_id: defaultId, synced_calendar_ids: synced } });
  if (res.status !== 200) throw new Error(`PUT settings answered ${res.status}: ${await res.text()}`);
}

export async function createCitaViaApi(body: { location_id: string; calendar_id: string; title: string; start_time: string; end_time: string }): Promise<CitaView> {
  const res = await service().api.citas.$post({ json: { ...body, contact_id: DEMO_CONTACT } });
  if (res.status !== 201) throw new Error(`POST /api/citas answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CitaView;
}

/** Asks until `ok` holds (every 250 ms, up to 20 s). */
export async function eventually<T>(what: string, ask: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await ask();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface GhlAppointment {
  id: string;
  calendarId: string;
  contactId: string;
  title: string;
  startTime: string;
  endTime: string;
  appointmentStatus: string;
}

export interface GhlContact {
  id: string;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  email?: string | null;
}

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${inject('sandboxUrl')}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export const ghl = {
  async appointments(locationId: string): Promise<GhlAppointment[]> {
    return ((await control('GET', `/appointments?locationId=${encodeURIComponent(locationId)}`)) as { appointments: GhlAppointment[] }).appointments;
  },
  /** A person in GHL's calendar moves, cancels or books: GHL then sends its signed webhook. */
  move: (id: string, startTime: string) => control('POST', '/actions/move', { id, startTime }),
  cancel: (id: string) => control('POST', '/actions/cancel', { id }),
  create: (a: { locationId: string; calendarId: string; contactId: string; startTime: string; endTime: string; title: string }) =>
    control('POST', '/actions/create', a) as Promise<{ appointment: GhlAppointment }>,
  /** A staff member adds, edits or deletes a patient in GHL: GHL then sends ContactCreate / ContactUpdate / ContactDelete. */
  addContact: async (c: { locationId: string; firstName?: string; lastName?: string; phone?: string; email?: string }) =>
    ((await control('POST', '/actions/contact', c)) as { contact: GhlContact }).contact,
  editContact: async (c: { id: string; firstName?: string; lastName?: string; name?: string; phone?: string; email?: string }) =>
    ((await control('POST', '/actions/contact-edit', c)) as { contact: GhlContact }).contact,
  deleteContact: (id: string) => control('POST', '/actions/contact-delete', { id }),
  async contacts(locationId: string): Promise<GhlContact[]> {
    return ((await control('GET', `/contacts?locationId=${encodeURIComponent(locationId)}`)) as { contacts: GhlContact[] }).contacts;
  },
  /** Every matching GHL API request fails with this status until cleared. */
  fail: (status: '500' | '503', match: { path: string; method?: string }) => control('POST', '/faults', { kind: status, match }),
  clearFaults: () => control('DELETE', '/faults'),
  seed: (data: unknown) => control('POST', '/seed', data),
  privateToken: async (locationId: string) => ((await control('POST', '/private-token', { locationId })) as { token: string }).token,
};

/** A location of GHL connected to the service (as an admin would, with a Private Integration token). */
export async function connectLocation(locationId: string): Promise<void> {
  const token = await ghl.privateToken(locationId);
  const res = await service().api.admin.locations[':locationId'].connection.$put({ param: { locationId }, json: { private_integration_token: token } });
  if (res.status !== 200) throw new Error(`connecting ${locationId} answered ${res.status}: ${await res.text()}`);
}
