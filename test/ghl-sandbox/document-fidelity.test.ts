/**
 * The sandbox answers as GHL's own documents say. Each route our service calls is exercised the
 * way the service calls it, and every answer's status must be one the document declares for that
 * operation, its body valid against the schema declared for that status. So is every webhook it
 * sends, against the schema on GHL's webhook page. The documents are read from
 * ../shared/reference/ghl-openapi/ at test time (never copied here), $refs resolved across files
 * (common-schemas.json included), and checked by an independent JSON-schema validator (Ajv), not
 * by our own zod schemas.
 *
 * Where the documents are known to be wrong (their README and ../shared/reference/ghl-api.md list
 * the cases), the correction is spelled out below, each with the reason, and checked to still be
 * needed. Statuses GHL sends that the documents do not declare are listed the same way.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv, { type ValidateFunction } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import type { GhlSandbox } from '../../scripts/ghl-sandbox';
import { ANA, BOGOTA, CAL, LIMA, OTHER_CONTACT, api, appointmentBody, manualClock, seededSandbox, tokenRequest } from './support';

/** What an answer must show: its status and parsed body. */
interface ApiResult {
  status: number;
  body: any;
}

const DOCS_DIR = fileURLToPath(new URL('../../../shared/reference/ghl-openapi/', import.meta.url));
const FILES = ['calendars.json', 'contacts.json', 'locations.json', 'oauth.json', 'common-schemas.json'] as const;
type DocFile = (typeof FILES)[number];

type Json = Record<string, any>;
const docs = Object.fromEntries(FILES.map((f) => [f, JSON.parse(readFileSync(DOCS_DIR + f, 'utf8'))])) as Record<DocFile, Json>;

// ── Known errors in the documents, corrected on purpose ───────────────────────────────────────
const CORRECTIONS: { where: string; why: string; apply(): void }[] = [
  {
    where: 'calendars.json CalendarEventDTO startTime, endTime, dateAdded, dateUpdated',
    why: "typed `object`, but GHL sends ISO-8601 strings with an offset (the document's own examples; ghl-api.md §3; the README of ghl-openapi/)",
    apply() {
      const props = docs['calendars.json'].components.schemas.CalendarEventDTO.properties;
      for (const field of ['startTime', 'endTime', 'dateAdded', 'dateUpdated']) {
        expect(props[field].type, `CalendarEventDTO.${field} is no longer typed object: drop this correction`).toBe('object');
        props[field].type = 'string';
      }
    },
  },
  {
    where: 'calendars.json BlockedSlotSuccessfulResponseDto startTime, endTime',
    why: 'typed `object` as in CalendarEventDTO, with ISO-8601 strings as examples: the same error',
    apply() {
      const props = docs['calendars.json'].components.schemas.BlockedSlotSuccessfulResponseDto.properties;
      for (const field of ['startTime', 'endTime']) {
        expect(props[field].type, `BlockedSlotSuccessfulResponseDto.${field} is no longer typed object: drop this correction`).toBe('object');
        props[field].type = 'string';
      }
    },
  },
];

/** Statuses GHL answers that an operation's document does not declare, and why the sandbox keeps them. */
const UNDECLARED: Record<string, { status: number; why: string }[]> = {
  'GET /calendars/events/appointments/{eventId}': [{ status: 404, why: 'an unknown or deleted appointment: our push reads 404 as "deleted in GHL" (src/sync/outbound.ts)' }],
  'PUT /calendars/events/appointments/{eventId}': [{ status: 404, why: 'as for GET' }],
  'PUT /calendars/events/block-slots/{eventId}': [{ status: 404, why: 'an unknown or deleted block, as for appointments: 404 reads as "gone in GHL"' }],
  'DELETE /calendars/events/{eventId}': [{ status: 404, why: 'an unknown or already deleted event (appointment or block)' }],
  'GET /contacts/{contactId}': [{ status: 404, why: 'an unknown or deleted contact: the service reads 404 as "deleted in GHL" (issue 22)' }],
  '*': [
    { status: 403, why: "another location's token (GHL's access check; sandbox README)" },
    { status: 429, why: 'the rate limit (ghl-api.md §6: 100 / 10 s per location)' },
  ],
};

/**
 * An OpenAPI 3.0 document as JSON Schema: `nullable` becomes a null type, the common schemas are
 * referred to by the name they are loaded under (the documents say `../common/common-schemas.json`).
 */
function asJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace(/^\.\.\/common\/common-schemas\.json/, 'common-schemas.json');
    else if (k === 'nullable') continue;
    else out[k] = asJsonSchema(v);
  }
  if ((node as Json).nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/**
 * Statuses an operation declares without a body schema, and the schema the sandbox's answer is
 * held to instead, with where it comes from. Error statuses use the common error schema of that
 * status (ERROR_SCHEMA_BY_STATUS).
 */
const BODY_NOT_DECLARED: Record<string, { why: string; schema: Json }> = {
  'POST /contacts/search → 200': {
    why: "contacts.json says only 'Success' (its request body, SearchBodyV2DTO, is empty too); the shape is ghl-api.md §4's `{contacts: […], total}`, each item contacts.json's own ContactsSearchSchema",
    schema: {
      type: 'object',
      required: ['contacts', 'total'],
      properties: { contacts: { type: 'array', items: { $ref: 'contacts.json#/components/schemas/ContactsSearchSchema' } }, total: { type: 'number' } },
    },
  },
};
const ERROR_SCHEMA_BY_STATUS: Record<number, string> = { 400: 'BadRequestDTO', 401: 'UnauthorizedDTO', 422: 'UnprocessableDTO' };

for (const c of CORRECTIONS) c.apply();
// strict: false — the documents carry OpenAPI's `example`, unknown to JSON Schema.
const ajv = new Ajv({ strict: false, allErrors: true });
for (const f of FILES) ajv.addSchema(asJsonSchema(docs[f]) as Json, f);

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

interface Operation {
  doc: DocFile;
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
}

function declared(op: Operation): Record<string, Json> {
  const responses = docs[op.doc].paths?.[op.path]?.[op.method]?.responses;
  if (!responses) throw new Error(`${op.doc} has no ${op.method.toUpperCase()} ${op.path}`);
  return responses;
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(op: Operation, status: number): ValidateFunction {
  const key = `${op.doc} ${op.method} ${op.path} ${status}`;
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile({ $ref: `${op.doc}#/${pointer('paths', op.path, op.method, 'responses', String(status), 'content', 'application/json', 'schema')}` });
    validators.set(key, v);
  }
  return v;
}

const covered: string[] = [];

/** The answer's status is declared for the operation (or a listed exception) and its body matches the declared schema. */
function expectDocumented(op: Operation, res: ApiResult, expectedStatus: number) {
  const name = `${op.method.toUpperCase()} ${op.path}`;
  expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(expectedStatus);
  covered.push(`${name} → ${res.status}`);
  const responses = declared(op);
  const response = responses[String(res.status)];
  if (response && !response.content?.['application/json']?.schema) {
    if (res.status >= 400) {
      const schemaName = ERROR_SCHEMA_BY_STATUS[res.status];
      expect(schemaName, `${name} → ${res.status}: no common error schema for this status`).toBeDefined();
      expectErrorShape(name, res, schemaName!);
      return;
    }
    const substitute = BODY_NOT_DECLARED[`${name} → ${res.status}`];
    expect(substitute, `${name} → ${res.status}: ${op.doc} declares no body schema and BODY_NOT_DECLARED has none`).toBeDefined();
    const validate = ajv.compile(substitute!.schema);
    expect(validate(res.body), `${name} → ${res.status} against BODY_NOT_DECLARED: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`).toBe(true);
    return;
  }
  if (response) {
    const validate = validatorFor(op, res.status);
    expect(validate(res.body), `${name} → ${res.status} against ${op.doc}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`).toBe(true);
    if (res.status >= 400) expectErrorShape(name, res, errorSchemaName(responses[String(res.status)]!));
    return;
  }
  const exception = [...(UNDECLARED[name] ?? []), ...UNDECLARED['*']!].find((u) => u.status === res.status);
  expect(exception, `${name} answered ${res.status}, which ${op.doc} does not declare (${Object.keys(responses).join(', ')})`).toBeDefined();
  // Undeclared, but still in the documents' error shape.
  expectErrorShape(name, res, 'BadRequestDTO');
}

/** The common error schema a declared error answer refers to. */
function errorSchemaName(response: Json): string {
  const ref = String(response.content?.['application/json']?.schema?.$ref ?? '');
  const name = /^\.\.\/common\/common-schemas\.json#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
  if (!name) throw new Error(`not a common error schema: ${ref}`);
  return name;
}

/**
 * The common error schemas require nothing, so any object passes them — `{error: "invalid_grant"}`
 * too. An error answer in GHL's shape has every field its schema declares, its statusCode the status.
 */
function expectErrorShape(name: string, res: ApiResult, schemaName: string) {
  const schema = docs['common-schemas.json'].components.schemas[schemaName];
  const validate = ajv.compile({ allOf: [{ $ref: `common-schemas.json#/components/schemas/${schemaName}` }], required: Object.keys(schema.properties) });
  expect(validate(res.body), `${name} → ${res.status} in ${schemaName}'s shape: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`).toBe(true);
  expect(res.body.statusCode, name).toBe(res.status);
}

const OPS = {
  token: { doc: 'oauth.json', method: 'post', path: '/oauth/token' },
  location: { doc: 'locations.json', method: 'get', path: '/locations/{locationId}' },
  calendars: { doc: 'calendars.json', method: 'get', path: '/calendars/' },
  events: { doc: 'calendars.json', method: 'get', path: '/calendars/events' },
  getAppointment: { doc: 'calendars.json', method: 'get', path: '/calendars/events/appointments/{eventId}' },
  createAppointment: { doc: 'calendars.json', method: 'post', path: '/calendars/events/appointments' },
  updateAppointment: { doc: 'calendars.json', method: 'put', path: '/calendars/events/appointments/{eventId}' },
  upsertContact: { doc: 'contacts.json', method: 'post', path: '/contacts/upsert' },
  getContact: { doc: 'contacts.json', method: 'get', path: '/contacts/{contactId}' },
  searchContacts: { doc: 'contacts.json', method: 'post', path: '/contacts/search' },
  getCalendar: { doc: 'calendars.json', method: 'get', path: '/calendars/{calendarId}' },
  blockedSlots: { doc: 'calendars.json', method: 'get', path: '/calendars/blocked-slots' },
  createBlock: { doc: 'calendars.json', method: 'post', path: '/calendars/events/block-slots' },
  editBlock: { doc: 'calendars.json', method: 'put', path: '/calendars/events/block-slots/{eventId}' },
  deleteEvent: { doc: 'calendars.json', method: 'delete', path: '/calendars/events/{eventId}' },
  freeSlots: { doc: 'calendars.json', method: 'get', path: '/calendars/{calendarId}/free-slots' },
} satisfies Record<string, Operation>;

function setup(): { sandbox: GhlSandbox; calendars: ReturnType<typeof api>; contacts: ReturnType<typeof api>; locations: ReturnType<typeof api> } {
  const sandbox = seededSandbox({ now: manualClock().now });
  const token = sandbox.createPrivateToken(LIMA);
  return {
    sandbox,
    calendars: api(sandbox, token, { version: '2021-04-15' }),
    contacts: api(sandbox, token, { version: '2021-07-28' }),
    locations: api(sandbox, token, { version: '2021-07-28' }),
  };
}

const DAY_MS = { from: String(Date.parse('2026-03-12T00:00:00-05:00')), to: String(Date.parse('2026-03-13T00:00:00-05:00')) };

describe("the sandbox's answers, against GHL's documents", () => {
  afterAll(() => {
    // Each operation the service uses had its success answer (the 2xx its document declares) checked.
    for (const op of Object.values(OPS)) {
      const success = Object.keys(declared(op)).find((status) => status.startsWith('2'));
      expect(covered.some((c) => c.startsWith(`${op.method.toUpperCase()} ${op.path} → ${success}`)), `${op.path} ${success}`).toBe(true);
    }
  });

  it('POST /oauth/token: the grants, and each refusal in the declared error shapes', async () => {
    const { sandbox } = setup();
    const code = sandbox.issueAuthCode(LIMA);
    const granted = await tokenRequest(sandbox, { grant_type: 'authorization_code', code, user_type: 'Location', redirect_uri: 'https://rv3.example/oauth/callback' });
    expectDocumented(OPS.token, granted, 200);
    expectDocumented(OPS.token, await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token, user_type: 'Location' }), 200);
    // Refused: a spent code, a spent refresh token, a wrong client, a malformed request.
    expectDocumented(OPS.token, await tokenRequest(sandbox, { grant_type: 'authorization_code', code, user_type: 'Location' }), 400);
    expectDocumented(OPS.token, await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token, user_type: 'Location' }), 400);
    expectDocumented(OPS.token, await tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: 'x', client_secret: 'wrong' }), 401);
    expectDocumented(OPS.token, await tokenRequest(sandbox, { grant_type: 'password' }), 422);
  });

  it('GET /locations/{locationId}', async () => {
    const { sandbox, locations } = setup();
    expectDocumented(OPS.location, await locations.get(`/locations/${LIMA}`), 200);
    expectDocumented(OPS.location, await api(sandbox, 'not-a-token', { version: '2021-07-28' }).get(`/locations/${LIMA}`), 401);
    expectDocumented(OPS.location, await locations.get(`/locations/${BOGOTA}`), 403);
  });

  it('GET /calendars/ and GET /calendars/events', async () => {
    const { calendars, sandbox } = setup();
    // An inactive calendar too: the list shows drafts.
    sandbox.seed({ locations: [{ id: LIMA, calendars: [{ id: 'cal-draft', name: 'Borrador', isActive: false }] }] });
    expectDocumented(OPS.calendars, await calendars.get(`/calendars/?locationId=${LIMA}`), 200);
    expectDocumented(OPS.calendars, await calendars.get('/calendars/'), 400);

    await calendars.post('/calendars/events/appointments', appointmentBody());
    sandbox.actions.createAppointment({ locationId: LIMA, calendarId: CAL, contactId: ANA, startTime: '2026-03-12T15:00:00-05:00', endTime: '2026-03-12T15:30:00-05:00', notes: 'desde GHL' });
    const listed = await calendars.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=${DAY_MS.from}&endTime=${DAY_MS.to}`);
    expect(listed.body.events).toHaveLength(2);
    expectDocumented(OPS.events, listed, 200);
    expectDocumented(OPS.events, await calendars.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}`), 400);
    expectDocumented(OPS.events, await calendars.get(`/calendars/events?locationId=${LIMA}&calendarId=nope&startTime=0&endTime=1`), 400);
  });

  it('appointments: create (200, not 201), read, update, cancel, and their refusals', async () => {
    const { calendars } = setup();
    const created = await calendars.post('/calendars/events/appointments', appointmentBody({ description: 'ayuno\n\n[rv3:00000000-0000-4000-8000-000000000000]', ignoreFreeSlotValidation: true, ignoreDateRange: true, toNotify: false }));
    expectDocumented(OPS.createAppointment, created, 200);
    const id = created.body.id as string;
    expectDocumented(OPS.getAppointment, await calendars.get(`/calendars/events/appointments/${id}`), 200);
    expectDocumented(OPS.updateAppointment, await calendars.put(`/calendars/events/appointments/${id}`, { calendarId: CAL, startTime: '2026-03-12T11:00:00-05:00', endTime: '2026-03-12T11:30:00-05:00', title: 'Control 2', appointmentStatus: 'confirmed', toNotify: false }), 200);
    expectDocumented(OPS.updateAppointment, await calendars.put(`/calendars/events/appointments/${id}`, { appointmentStatus: 'cancelled', toNotify: true }), 200);

    // Refusals: the slot taken, a bad field, an unknown calendar; unknown ids; a dead token.
    expectDocumented(OPS.createAppointment, await calendars.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T16:00:00-05:00', endTime: '2026-03-12T16:30:00-05:00' })), 200);
    expectDocumented(OPS.createAppointment, await calendars.post('/calendars/events/appointments', appointmentBody({ startTime: '2026-03-12T16:00:00-05:00', endTime: '2026-03-12T16:30:00-05:00' })), 400);
    expectDocumented(OPS.createAppointment, await calendars.post('/calendars/events/appointments', appointmentBody({ startTime: 'noon' })), 400);
    expectDocumented(OPS.createAppointment, await calendars.post('/calendars/events/appointments', appointmentBody({ calendarId: 'nope' })), 400);
    expectDocumented(OPS.updateAppointment, await calendars.put(`/calendars/events/appointments/${id}`, { appointmentStatus: 'maybe' }), 400);
    expectDocumented(OPS.getAppointment, await calendars.get('/calendars/events/appointments/nope'), 404);
    expectDocumented(OPS.updateAppointment, await calendars.put('/calendars/events/appointments/nope', { title: 'x' }), 404);
  });

  it('recurring appointments: create with rrule, the listing of instances, GET/PUT/DELETE by master and instance id, and the refusals', async () => {
    const { calendars } = setup();
    const series = appointmentBody({ startTime: '2026-03-17T10:30:00-05:00', endTime: '2026-03-17T11:00:00-05:00', rrule: 'RRULE:FREQ=WEEKLY;COUNT=4', ignoreFreeSlotValidation: true });
    const created = await calendars.post('/calendars/events/appointments', series);
    expectDocumented(OPS.createAppointment, created, 200);
    expect(created.body).toMatchObject({ isRecurring: true, rrule: 'RRULE:FREQ=WEEKLY;COUNT=4' });
    const master = created.body.id as string;
    const from = Date.parse('2026-03-16T00:00:00-05:00');
    const listed = await calendars.get(`/calendars/events?locationId=${LIMA}&calendarId=${CAL}&startTime=${from}&endTime=${from + 30 * 86_400_000}`);
    expectDocumented(OPS.events, listed, 200);
    expect(listed.body.events).toHaveLength(4);
    const instance = listed.body.events[1].id as string;
    // calendars.json's own example of an instance id: `<masterId>_<startMillis>_<durationSeconds>`.
    expect(instance).toMatch(/^[A-Za-z0-9]{20}_\d{13}_\d+$/);
    expect(listed.body.events[1]).toMatchObject({ masterEventId: master, isRecurring: true });

    expectDocumented(OPS.getAppointment, await calendars.get(`/calendars/events/appointments/${master}`), 200);
    expectDocumented(OPS.getAppointment, await calendars.get(`/calendars/events/appointments/${instance}`), 200);
    expectDocumented(OPS.updateAppointment, await calendars.put(`/calendars/events/appointments/${instance}`, { startTime: '2026-03-24T15:00:00-05:00', title: 'Sola' }), 200);
    expectDocumented(OPS.updateAppointment, await calendars.put(`/calendars/events/appointments/${master}`, { title: 'Serie', rrule: 'RRULE:FREQ=WEEKLY;COUNT=5', ignoreFreeSlotValidation: true }), 200);
    expectDocumented(OPS.deleteEvent, await calendars.del(`/calendars/events/${instance}`), 201);
    expectDocumented(OPS.getAppointment, await calendars.get(`/calendars/events/appointments/${instance}`), 404);
    expectDocumented(OPS.deleteEvent, await calendars.del(`/calendars/events/${master}`), 201);
    expectDocumented(OPS.deleteEvent, await calendars.del(`/calendars/events/${master}`), 404);

    // rrule without ignoreFreeSlotValidation (calendars.json: only applied with it), over 24 occurrences, on an instance.
    expectDocumented(OPS.createAppointment, await calendars.post('/calendars/events/appointments', { ...series, ignoreFreeSlotValidation: undefined }), 400);
    expectDocumented(OPS.createAppointment, await calendars.post('/calendars/events/appointments', { ...series, rrule: 'RRULE:FREQ=DAILY;COUNT=25' }), 400);
    const again = (await calendars.post('/calendars/events/appointments', series)).body.id as string;
    const first = `${again}_${Date.parse('2026-03-17T10:30:00-05:00')}_1800`;
    expectDocumented(OPS.updateAppointment, await calendars.put(`/calendars/events/appointments/${first}`, { rrule: 'RRULE:FREQ=DAILY;COUNT=2', ignoreFreeSlotValidation: true }), 400);
  });

  it('POST /contacts/upsert: strings where GHL documents strings (never null), refusals', async () => {
    const { contacts } = setup();
    // Only an email: the names nobody gave are left out, not null.
    const emailOnly = await contacts.post('/contacts/upsert', { locationId: LIMA, email: 'solo@example.com' });
    expectDocumented(OPS.upsertContact, emailOnly, 200);
    expect(emailOnly.body.contact).not.toHaveProperty('firstName');
    expectDocumented(OPS.upsertContact, await contacts.post('/contacts/upsert', { locationId: LIMA, firstName: 'Luis', phone: '+51988777666' }), 200);
    expectDocumented(OPS.upsertContact, await contacts.post('/contacts/upsert', { locationId: LIMA, email: 'ana@example.com', lastName: 'Pérez Soto' }), 200);
    expectDocumented(OPS.upsertContact, await contacts.post('/contacts/upsert', { email: 'x@example.com' }), 422);
    expectDocumented(OPS.upsertContact, await contacts.post('/contacts/upsert', { locationId: BOGOTA, email: 'x@example.com' }), 403);
  });

  it('GET /contacts/{contactId}: the contact (strings, never null), an unknown or deleted one, refusals', async () => {
    const { sandbox, contacts } = setup();
    expectDocumented(OPS.getContact, await contacts.get(`/contacts/${ANA}`), 200);
    const phoneOnly = sandbox.actions.createContact({ locationId: LIMA, phone: '+51912873465' });
    const got = await contacts.get(`/contacts/${phoneOnly.id}`);
    expectDocumented(OPS.getContact, got, 200);
    expect(got.body.contact).not.toHaveProperty('email');
    expectDocumented(OPS.getContact, await contacts.get('/contacts/nope'), 404);
    sandbox.actions.deleteContact(phoneOnly.id);
    expectDocumented(OPS.getContact, await contacts.get(`/contacts/${phoneOnly.id}`), 404);
    expectDocumented(OPS.getContact, await api(sandbox, 'not-a-token', { version: '2021-07-28' }).get(`/contacts/${ANA}`), 401);
    expectDocumented(OPS.getContact, await contacts.get(`/contacts/${OTHER_CONTACT}`), 403);
  });

  it('POST /contacts/search: pages with and without a query, and its refusals (400 only, as declared)', async () => {
    const { sandbox, contacts } = setup();
    sandbox.actions.createContact({ locationId: LIMA, firstName: 'José', lastName: 'Huamán Flores', phone: '+51987654321' });
    sandbox.actions.createContact({ locationId: LIMA, name: 'Rosa Mamani' });
    const all = await contacts.post('/contacts/search', { locationId: LIMA, pageLimit: 100 });
    expectDocumented(OPS.searchContacts, all, 200);
    expect(all.body.contacts).toHaveLength(3);
    expectDocumented(OPS.searchContacts, await contacts.post('/contacts/search', { locationId: LIMA, pageLimit: 1, page: 2, query: 'huaman' }), 200);
    expectDocumented(OPS.searchContacts, await contacts.post('/contacts/search', { locationId: LIMA, pageLimit: 501 }), 400);
    expectDocumented(OPS.searchContacts, await contacts.post('/contacts/search', { pageLimit: 10 }), 400);
    expectDocumented(OPS.searchContacts, await api(sandbox, 'not-a-token', { version: '2021-07-28' }).post('/contacts/search', { locationId: LIMA, pageLimit: 10 }), 401);
    expectDocumented(OPS.searchContacts, await contacts.post('/contacts/search', { locationId: BOGOTA, pageLimit: 10 }), 403);
  });

  it('GET /calendars/{calendarId} with and without working hours', async () => {
    const { calendars, sandbox } = setup();
    expectDocumented(OPS.getCalendar, await calendars.get(`/calendars/${CAL}`), 200);
    sandbox.actions.setOpenHours(CAL, [{ daysOfTheWeek: [1, 2, 3, 4, 5], hours: [{ openHour: 9, openMinute: 0, closeHour: 13, closeMinute: 0 }, { openHour: 14, openMinute: 0, closeHour: 18, closeMinute: 0 }] }]);
    const withHours = await calendars.get(`/calendars/${CAL}`);
    expectDocumented(OPS.getCalendar, withHours, 200);
    expect(withHours.body.calendar.openHours).toHaveLength(1);
    expectDocumented(OPS.calendars, await calendars.get(`/calendars/?locationId=${LIMA}`), 200);
  });

  it('blocked slots: create (201), list, edit (201), delete (201), and their refusals', async () => {
    const { calendars, sandbox } = setup();
    const body = { locationId: LIMA, calendarId: CAL, title: 'Almuerzo', startTime: '2026-03-12T13:00:00-05:00', endTime: '2026-03-12T14:00:00-05:00' };
    const created = await calendars.post('/calendars/events/block-slots', body);
    expectDocumented(OPS.createBlock, created, 201);
    const id = created.body.id as string;
    sandbox.actions.createBlock({ locationId: LIMA, calendarId: CAL, startTime: '2026-03-12T08:00:00-05:00', endTime: '2026-03-12T09:00:00-05:00' });
    const listed = await calendars.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL}&startTime=${DAY_MS.from}&endTime=${DAY_MS.to}`);
    expect(listed.body.events).toHaveLength(2);
    expectDocumented(OPS.blockedSlots, listed, 200);
    expectDocumented(OPS.editBlock, await calendars.put(`/calendars/events/block-slots/${id}`, { ...body, title: 'Reunión', endTime: '2026-03-12T14:30:00-05:00' }), 201);
    expectDocumented(OPS.deleteEvent, await calendars.del(`/calendars/events/${id}`), 201);

    expectDocumented(OPS.blockedSlots, await calendars.get(`/calendars/blocked-slots?locationId=${LIMA}&calendarId=${CAL}`), 400);
    expectDocumented(OPS.blockedSlots, await calendars.get(`/calendars/blocked-slots?locationId=${BOGOTA}&userId=u&startTime=0&endTime=1`), 403);
    expectDocumented(OPS.createBlock, await calendars.post('/calendars/events/block-slots', { ...body, endTime: body.startTime }), 400);
    expectDocumented(OPS.createBlock, await calendars.post('/calendars/events/block-slots', { ...body, calendarId: 'nope' }), 400);
    expectDocumented(OPS.createBlock, await calendars.post('/calendars/events/block-slots', { ...body, startTime: 'noon' }), 400);
    expectDocumented(OPS.createBlock, await api(sandbox, 'not-a-token').post('/calendars/events/block-slots', body), 401);
    expectDocumented(OPS.editBlock, await calendars.put(`/calendars/events/block-slots/${id}`, body), 404);
    expectDocumented(OPS.deleteEvent, await calendars.del(`/calendars/events/${id}`), 404);
  });

  it('GET /calendars/{calendarId}/free-slots: a date map, with and without slots, and its refusals', async () => {
    const { calendars, sandbox } = setup();
    const range = `startDate=${DAY_MS.from}&endDate=${DAY_MS.to}`;
    const none = await calendars.get(`/calendars/${CAL}/free-slots?${range}`);
    expectDocumented(OPS.freeSlots, none, 200);
    expect(none.body).toEqual({});
    sandbox.actions.setOpenHours(CAL, [{ daysOfTheWeek: [4], hours: [{ openHour: 9, openMinute: 0, closeHour: 12, closeMinute: 0 }] }]);
    sandbox.actions.createBlock({ locationId: LIMA, calendarId: CAL, startTime: '2026-03-12T10:00:00-05:00', endTime: '2026-03-12T11:00:00-05:00' });
    const some = await calendars.get(`/calendars/${CAL}/free-slots?${range}&timezone=America/Lima`);
    expectDocumented(OPS.freeSlots, some, 200);
    expect(some.body['2026-03-12'].slots).toEqual(['2026-03-12T09:00:00-05:00', '2026-03-12T09:30:00-05:00', '2026-03-12T11:00:00-05:00', '2026-03-12T11:30:00-05:00']);
    expectDocumented(OPS.freeSlots, await calendars.get(`/calendars/${CAL}/free-slots?startDate=0&endDate=${40 * 86_400_000}`), 400);
    expectDocumented(OPS.freeSlots, await calendars.get(`/calendars/nope/free-slots?${range}`), 400);
    expectDocumented(OPS.freeSlots, await api(sandbox, 'not-a-token').get(`/calendars/${CAL}/free-slots?${range}`), 401);
  });

  it('a 429 from the rate limit is in the documents’ error shape', async () => {
    const sandbox = seededSandbox({ rateLimit: { max: 1, intervalMs: 60_000 } });
    const calendars = api(sandbox, sandbox.createPrivateToken(LIMA));
    await calendars.get(`/calendars/?locationId=${LIMA}`);
    expectDocumented(OPS.calendars, await calendars.get(`/calendars/?locationId=${LIMA}`), 429);
  });
});

// ── Webhooks, against the schemas on GHL's webhook pages ──────────────────────────────────────

/** The `json json_schema` block of a webhook page, as JSON Schema (the pages type trial dates "Date"). */
function pageSchema(page: string): Json {
  const text = readFileSync(DOCS_DIR + page, 'utf8');
  const block = /```json json_schema\n([\s\S]*?)\n```/.exec(text)?.[1];
  if (!block) throw new Error(`${page} has no json_schema block`);
  // AppInstall.md types trialStartDate "Date", not a JSON type; its example is an ISO string.
  return JSON.parse(block.replace(/"type":\s*"Date"/g, '"type": "string"')) as Json;
}

describe("the sandbox's webhooks, against GHL's webhook pages", () => {
  it('AppointmentCreate/Update/Delete, INSTALL and UNINSTALL match their pages', async () => {
    const sandbox = seededSandbox();
    const bodies: Json[] = [];
    sandbox.configureWebhooks({ deliver: async (req) => (bodies.push(await req.json()), new Response('ok')) });
    const client = api(sandbox, sandbox.createPrivateToken(LIMA));
    const id = (await client.post('/calendars/events/appointments', appointmentBody())).body.id as string;
    sandbox.actions.moveAppointment(id, { startTime: '2026-03-12T12:00:00-05:00' });
    sandbox.actions.deleteAppointment(id);
    await tokenRequest(sandbox, { grant_type: 'authorization_code', code: sandbox.issueAuthCode(LIMA) });
    sandbox.actions.uninstallApp(LIMA);
    await sandbox.webhooks.idle();

    const page: Record<string, string> = {
      AppointmentCreate: 'AppointmentCreate.md',
      AppointmentUpdate: 'AppointmentUpdate.md',
      AppointmentDelete: 'AppointmentDelete.md',
      INSTALL: 'AppInstall.md',
      UNINSTALL: 'AppUninstall.md',
    };
    expect(bodies.map((b) => b.type)).toEqual(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete', 'INSTALL', 'UNINSTALL']);
    for (const body of bodies) {
      const validate = ajv.compile(pageSchema(page[body.type]!));
      expect(validate(body), `${body.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      // Every delivery carries these, though the pages leave them out (WebhookAuthentication.md).
      expect(body).toMatchObject({ timestamp: expect.any(String), webhookId: expect.any(String) });
    }
  });

  it('series webhooks, by instance id and by master id, match the Appointment pages and carry the series field their id needs', async () => {
    for (const mode of ['instance', 'master'] as const) {
      const sandbox = seededSandbox({ seriesWebhookIds: mode });
      const bodies: Json[] = [];
      sandbox.configureWebhooks({ deliver: async (req) => (bodies.push(await req.json()), new Response('ok')) });
      const client = api(sandbox, sandbox.createPrivateToken(LIMA));
      const master = (await client.post('/calendars/events/appointments', appointmentBody({ rrule: 'RRULE:FREQ=DAILY;COUNT=3', ignoreFreeSlotValidation: true }))).body.id as string;
      const second = `${master}_${Date.parse('2026-03-13T10:30:00-05:00')}_1800`;
      sandbox.actions.moveAppointment(second, { startTime: '2026-03-13T12:00:00-05:00' });
      await client.put(`/calendars/events/appointments/${master}`, { title: 'Serie' });
      await client.del(`/calendars/events/${second}`);
      await client.del(`/calendars/events/${master}`);
      await sandbox.webhooks.idle();

      // instance: 3 creates, 1 update, 3 updates, 1 delete, 2 deletes; master: 1 create, 1 update, 1 update, 1 delete, 1 delete.
      expect(bodies.length, mode).toBe(mode === 'instance' ? 10 : 5);
      for (const body of bodies) {
        const page = pageSchema(`${body.type}.md`);
        const validate = ajv.compile(page);
        expect(validate(body), `${mode} ${body.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        // Beyond the page: the one series field its id needs, nothing else.
        const strict = ajv.compile({
          ...page,
          properties: {
            ...page.properties,
            appointment: { ...page.properties.appointment, properties: { ...page.properties.appointment.properties, masterEventId: { type: 'string' }, rrule: { type: 'string' } }, additionalProperties: false },
            timestamp: { type: 'string' },
            webhookId: { type: 'string' },
          },
          additionalProperties: false,
        });
        expect(strict(body), `${mode} ${body.type}, strictly: ${ajv.errorsText(strict.errors)}`).toBe(true);
        const a = body.appointment;
        if (a.id === master) expect([a.rrule, a.masterEventId], mode).toEqual([expect.stringMatching(/^RRULE:FREQ=DAILY;COUNT=3/), undefined]);
        else expect([a.id.startsWith(`${master}_`), a.masterEventId, a.rrule], mode).toEqual([true, master, undefined]);
      }
    }
  });

  it('ContactCreate/Update/Delete match their pages: every field one the page declares, the contact’s own fields present', async () => {
    const sandbox = seededSandbox();
    const bodies: Json[] = [];
    sandbox.configureWebhooks({ deliver: async (req) => (bodies.push(await req.json()), new Response('ok')) });
    const contacts = api(sandbox, sandbox.createPrivateToken(LIMA), { version: '2021-07-28' });
    const luis = sandbox.actions.createContact({ locationId: LIMA, firstName: 'Luis', lastName: 'Quispe Ramos', phone: '+51944332211', email: 'luis.quispe@example.com' });
    sandbox.actions.editContact(luis.id, { lastName: 'Quispe Rojas' });
    await contacts.post('/contacts/upsert', { locationId: LIMA, email: 'luis.quispe@example.com', phone: '+51944332212' });
    await contacts.post('/contacts/upsert', { locationId: LIMA, firstName: 'Carmen', lastName: 'Rojas Vargas', email: 'carmen.rojas@example.com', phone: '+51998877665' });
    sandbox.actions.deleteContact(luis.id);
    await sandbox.webhooks.idle();

    expect(bodies.map((b) => b.type)).toEqual(['ContactCreate', 'ContactUpdate', 'ContactUpdate', 'ContactCreate', 'ContactDelete']);
    for (const body of bodies) {
      const page = pageSchema(`${body.type}.md`);
      const validate = ajv.compile(page);
      expect(validate(body), `${body.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      // The page's schema requires nothing, so any object passes it: hold the sandbox to more.
      const strict = ajv.compile({
        ...page,
        properties: { ...page.properties, timestamp: { type: 'string' }, webhookId: { type: 'string' } },
        required: ['type', 'locationId', 'id', 'firstName', 'lastName', 'name', 'email', 'phone', 'dateAdded', 'timestamp', 'webhookId'],
        additionalProperties: false,
      });
      expect(strict(body), `${body.type}, strictly: ${ajv.errorsText(strict.errors)}\n${JSON.stringify(body)}`).toBe(true);
      expect(Number.isNaN(Date.parse(body.dateAdded)), body.type).toBe(false);
    }
  });
});
