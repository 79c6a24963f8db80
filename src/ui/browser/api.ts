/**
 * The page's calls to the service, through the typed client (src/client.ts: hono/client over the
 * citas function's own types), so a wrong body or a misread answer does not compile. Every failed
 * call becomes an ApiProblem; a call that never got an answer is one with status 0.
 */
import { citasClient } from '../../client';
import { ApiProblem, problemFrom } from './problems';

type Answer = { ok: boolean; status: number; headers: Headers; text(): Promise<string>; json(): Promise<unknown> };
/** What a call answers when it succeeds (the typed client knows the body of each status). */
type Success<R> = R extends { ok: true; json(): Promise<infer T> } ? T : never;

async function send<R extends Answer>(call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (err) {
    throw new ApiProblem(0, 'network', err instanceof Error ? err.message : String(err));
  }
}

async function ok<R extends Answer>(call: () => Promise<R>): Promise<{ body: Success<R>; headers: Headers; status: number }> {
  const res = await send(call);
  if (!res.ok) throw await problemFrom(res);
  return { body: (await res.json()) as Success<R>, headers: res.headers, status: res.status };
}

const etag = (version: number) => `"${version}"`;

export interface ListQuery {
  location_id: string;
  desde: string;
  hasta: string;
  status?: string;
  calendar_id?: string;
  conflict?: 'true';
  cursor?: string;
}

export function agendaApi(apiKey: string, baseUrl: string = location.origin) {
  const api = citasClient(baseUrl, { apiKey });
  const blocks = api.api.blocks;
  const citas = api.api.citas;
  const locations = api.api.locations;
  const contacts = api.api.contacts;

  return {
    locations: () => ok(() => locations.$get()).then((r) => r.body.data),
    settings: (locationId: string) => ok(() => locations[':locationId'].settings.$get({ param: { locationId } })).then((r) => r.body),
    saveSettings: (locationId: string, json: { default_calendar_id: string | null; synced_calendar_ids: string[] }) =>
      ok(() => locations[':locationId'].settings.$put({ param: { locationId }, json })).then((r) => r.body),
    calendars: (locationId: string) => ok(() => api.api.ghl.calendars.$get({ query: { location_id: locationId } })).then((r) => r.body.calendars),

    /**
     * One page of the agenda. With the ETag of the last answer, an unchanged agenda costs a 304
     * and no body: what makes polling every few seconds cheap.
     */
    async listCitas(query: ListQuery, ifNoneMatch?: string | null) {
      const res = await send(() =>
        citas.$get({ query: { ...query, limit: '500' } }, ifNoneMatch ? { headers: { 'If-None-Match': ifNoneMatch } } : undefined),
      );
      if ((res.status as number) === 304) return { changed: false as const };
      if (!res.ok) throw await problemFrom(res);
      return { changed: true as const, page: (await res.json()) as CitaPage, etag: res.headers.get('ETag') };
    },
    getCita: (id: string) => ok(() => citas[':id'].$get({ param: { id } })).then((r) => r.body),
    /** The same Idempotency-Key for the same form sent twice (a double click, a retry) makes one cita. */
    createCita: (json: Parameters<typeof citas.$post>[0]['json'], idempotencyKey: string) =>
      ok(() => citas.$post({ json }, { headers: { 'Idempotency-Key': idempotencyKey } })).then((r) => r.body),
    /** If-Match: someone else's edit in between is a 412, never silently overwritten. */
    updateCita: (id: string, version: number, json: Parameters<(typeof citas)[':id']['$patch']>[0]['json']) =>
      ok(() => citas[':id'].$patch({ param: { id }, json }, { headers: { 'If-Match': etag(version) } })).then((r) => r.body),
    /** `scope`: for a session of a series, which sessions to cancel (issue 24). */
    cancelCita: (id: string, version: number, scope: 'this' | 'following' | 'all' = 'this') => {
      // `?scope=` is documented on the route but read by its handler, so the client's input type
      // has no `query`; hono/client sends one given all the same (the input is not a fresh literal).
      const input = { param: { id }, ...(scope === 'this' ? {} : { query: { scope } }) };
      return ok(() => citas[':id'].cancel.$post(input, { headers: { 'If-Match': etag(version) } })).then((r) => r.body);
    },
    /** Links a cita left ambiguous when the clinic connected to one of its GHL candidates (issue 24). */
    linkCita: (id: string, ghlAppointmentId: string) => ok(() => citas[':id'].link.$post({ param: { id }, json: { ghl_appointment_id: ghlAppointmentId } })).then((r) => r.body),
    /** Resent after the person confirmed booking into a block or outside working hours (issue 23). */
    createCitaForced: (json: Parameters<typeof citas.$post>[0]['json'], idempotencyKey: string) =>
      ok(() => citas.$post({ json: { ...json, force: true } }, { headers: { 'Idempotency-Key': idempotencyKey } })).then((r) => r.body),
    updateCitaForced: (id: string, version: number, json: Parameters<(typeof citas)[':id']['$patch']>[0]['json']) =>
      ok(() => citas[':id'].$patch({ param: { id }, json: { ...json, force: true } }, { headers: { 'If-Match': etag(version) } })).then((r) => r.body),
    /** Push a pending or failed cita to GHL again (202: on its way; 200: already there). */
    pushCita: (id: string) => ok(() => citas[':id'].push.$post({ param: { id } })).then((r) => r.body),
    audit: (id: string) => ok(() => citas[':id'].audit.$get({ param: { id } })).then((r) => r.body.entries),

    /** Live blocks touching the days (both included), on the given calendars (issue 23). */
    blocks: (locationId: string, desde: string, hasta: string, calendarIds: string[]) =>
      ok(() => blocks.$get({ query: { location_id: locationId, desde, hasta, ...(calendarIds.length ? { calendar_id: calendarIds.join(',') } : {}) } })).then((r) => r.body.data),
    /** Also answers the active citas already in that time (`overlapping_citas`). */
    createBlock: (json: Parameters<typeof blocks.$post>[0]['json'], idempotencyKey: string) =>
      ok(() => blocks.$post({ json }, { headers: { 'Idempotency-Key': idempotencyKey } })).then((r) => r.body),
    updateBlock: (id: string, version: number, json: Parameters<(typeof blocks)[':id']['$patch']>[0]['json']) =>
      ok(() => blocks[':id'].$patch({ param: { id }, json }, { headers: { 'If-Match': etag(version) } })).then((r) => r.body),
    /** GHL is told after the answer. */
    deleteBlock: (id: string) => ok(() => blocks[':id'].$delete({ param: { id } })).then((r) => r.body),
    /** GHL's free slots of a calendar on a day (its slot length, buffers and limits applied). */
    freeSlots: (locationId: string, calendarId: string, fecha: string) =>
      ok(() => api.api.ghl.calendars[':calendarId']['free-slots'].$get({ param: { calendarId }, query: { location_id: locationId, fecha } })).then((r) => r.body),

    /** Patients matching what was typed (ours, then GHL's search); `signal` drops a search overtaken by more typing. */
    searchContacts: (locationId: string, q: string, signal?: AbortSignal) =>
      ok(() => contacts.$get({ query: { location_id: locationId, q, limit: '8' } }, signal ? { init: { signal } } : undefined)).then((r) => r.body),
    getContact: (locationId: string, id: string) => ok(() => contacts[':id'].$get({ param: { id }, query: { location_id: locationId } })).then((r) => r.body),
    /** Created in GHL (201), or the patient GHL already had with that email or phone (200). */
    createContact: (json: Parameters<typeof contacts.$post>[0]['json']) =>
      ok(() => contacts.$post({ json })).then((r) => ({ contact: r.body, created: r.status === 201 })),
  };
}

export type AgendaApi = ReturnType<typeof agendaApi>;
export type Cita = Awaited<ReturnType<AgendaApi['getCita']>>;
export interface CitaPage {
  /** The location's zone: the agenda is drawn in it. */
  time_zone: string;
  data: Cita[];
  next_cursor: string | null;
}
export type Calendar = Awaited<ReturnType<AgendaApi['calendars']>>[number];
export type LocationInfo = Awaited<ReturnType<AgendaApi['locations']>>[number];
export type Settings = Awaited<ReturnType<AgendaApi['settings']>>;
export type AuditEntry = Awaited<ReturnType<AgendaApi['audit']>>[number];
export type Contact = Awaited<ReturnType<AgendaApi['getContact']>>;
export type ContactSearch = Awaited<ReturnType<AgendaApi['searchContacts']>>;

export type Block = Awaited<ReturnType<AgendaApi['blocks']>>[number];
/** A saved block, and the active citas already in its time (flagged as conflicts: the desk should look at them). */
export type SavedBlock = Awaited<ReturnType<AgendaApi['createBlock']>>;
export type FreeSlots = Awaited<ReturnType<AgendaApi['freeSlots']>>;
