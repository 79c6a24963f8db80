/**
 * `npm run postman`: writes the Postman collection and its `npm start` environment (postman/),
 * generated from the OpenAPI document: every request's method, path, parameters and description
 * come from the operation it names, so the collection cannot drift from the API without this
 * script noticing. The requests run as a story a person can follow — a cita from RV3 to GHL and
 * back, GHL-side changes through the sandbox's action API (which sends correctly signed
 * webhooks: the webhook mock), and the admin side — each with tests, so newman can check it.
 *
 *   npm run postman            regenerate
 *   npm run postman -- --check exit 1 when the committed files are stale (CI)
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { contractDocuments } from './lib/contract';

type Op = { method: string; path: string; summary?: string; description?: string };
type Item = {
  name: string;
  /** An operation of the OpenAPI document, or a request to the GHL sandbox (not part of our API). */
  op?: string;
  sandbox?: { method: 'GET' | 'POST'; path: string };
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  key?: 'api_key' | 'admin_key' | 'new_key' | null;
  pre?: string[];
  test: string[];
};

const COLLECTION = 'postman/citas-sync.postman_collection.json';
const ENVIRONMENT = 'postman/npm-start.postman_environment.json';

/** Waits, then asks again (up to 40 times, ~10 s) until `cond` holds; only then do the tests run. */
const retryUntil = (cond: string) => [
  `const tries = Number(pm.environment.get('tries') || 0);`,
  `if (!(${cond}) && tries < 40) {`,
  `  pm.environment.set('tries', tries + 1);`,
  `  postman.setNextRequest(pm.info.requestName);`,
  `  setTimeout(() => {}, 250);`,
  `  return;`,
  `}`,
  `pm.environment.unset('tries');`,
];
const status = (code: number) => `pm.test('answers ${code}', () => pm.response.to.have.status(${code}));`;

/** A free slot 20–80 days ahead, 08:00–17:45 Lima time, on a quarter hour: repeated runs do not collide. */
const pickSlot = (prefix: string) => [
  `const day = 20 + Math.floor(Math.random() * 60);`,
  `const quarter = Math.floor(Math.random() * 40);`,
  `const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + day, 13, quarter * 15));`,
  `pm.environment.set('${prefix}start', start.toISOString());`,
  `pm.environment.set('${prefix}end', new Date(start.getTime() + 30 * 60000).toISOString());`,
];

const ITEMS: [folder: string, description: string, items: Item[]][] = [
  [
    'RV3 → GHL: a cita from the front desk',
    'Choose the calendar, create a cita, see it reach GHL on that calendar, edit it with If-Match, cancel it, read its audit trail.',
    [
      { name: 'Locations this key may use', op: 'listLocations', test: [status(200), `pm.test('lists the demo clinic', () => pm.expect(pm.response.json().data.map((l) => l.location_id)).to.include(pm.environment.get('location_id')));`] },
      {
        name: "The location's GHL calendars",
        op: 'listGhlCalendars',
        query: { location_id: '{{location_id}}', refresh: '1' },
        test: [status(200), `const cals = pm.response.json().calendars;`, `pm.test('the chosen calendars are active in GHL', () => { for (const id of [pm.environment.get('calendar_id'), pm.environment.get('second_calendar_id')]) pm.expect(cals.find((c) => c.id === id).active).to.eql(true); });`],
      },
      {
        name: 'Choose the default and synced calendars',
        op: 'putLocationSettings',
        path: { locationId: '{{location_id}}' },
        body: { default_calendar_id: '{{calendar_id}}', synced_calendar_ids: ['{{calendar_id}}', '{{second_calendar_id}}'] },
        test: [status(200), `pm.test('saved', () => pm.expect(pm.response.json().default_calendar_id).to.eql(pm.environment.get('calendar_id')));`],
      },
      {
        name: 'Create a cita',
        op: 'createCita',
        headers: { 'Idempotency-Key': '{{idempotency_key}}' },
        pre: [...pickSlot(''), `pm.environment.set('idempotency_key', 'postman-' + Date.now() + '-' + Math.random().toString(36).slice(2));`],
        body: { location_id: '{{location_id}}', title: 'Control - Ana Pérez', contact_id: '{{contact_id}}', start_time: '{{start}}', end_time: '{{end}}', notes: 'Trae sus análisis' },
        test: [status(201), `const cita = pm.response.json();`, `pm.environment.set('cita_id', cita.id);`, `pm.environment.set('etag', pm.response.headers.get('ETag'));`, `pm.test('on the default calendar, in Lima time', () => { pm.expect(cita.calendar_id).to.eql(pm.environment.get('calendar_id')); pm.expect(cita.start_time).to.match(/-05:00$/); });`],
      },
      {
        name: 'Retry the create with the same Idempotency-Key',
        op: 'createCita',
        headers: { 'Idempotency-Key': '{{idempotency_key}}' },
        body: { location_id: '{{location_id}}', title: 'Control - Ana Pérez', contact_id: '{{contact_id}}', start_time: '{{start}}', end_time: '{{end}}', notes: 'Trae sus análisis' },
        test: [status(201), `pm.test('the same cita, replayed', () => { pm.expect(pm.response.json().id).to.eql(pm.environment.get('cita_id')); pm.expect(pm.response.headers.get('Idempotent-Replayed')).to.eql('true'); });`],
      },
      {
        name: 'Wait until the cita reached GHL',
        op: 'getCita',
        path: { id: '{{cita_id}}' },
        test: [...retryUntil(`pm.response.json().sync.status === 'synced'`), status(200), `pm.test('synced, with its GHL id', () => pm.expect(pm.response.json().ghl_appointment_id).to.be.a('string'));`, `pm.environment.set('ghl_id', pm.response.json().ghl_appointment_id);`, `pm.environment.set('etag', pm.response.headers.get('ETag'));`],
      },
      {
        name: 'GHL has it, on the chosen calendar',
        sandbox: { method: 'GET', path: '/_sandbox/appointments' },
        query: { locationId: '{{location_id}}' },
        test: [status(200), `const a = pm.response.json().appointments.find((x) => x.id === pm.environment.get('ghl_id'));`, `pm.test('on the calendar chosen in RV3, same instant', () => { pm.expect(a.calendarId).to.eql(pm.environment.get('calendar_id')); pm.expect(Date.parse(a.startTime)).to.eql(Date.parse(pm.environment.get('start'))); });`],
      },
      {
        name: 'List the citas around it',
        op: 'listCitas',
        query: { location_id: '{{location_id}}', desde: '{{start}}', hasta: '{{end}}', status: 'new,confirmed' },
        test: [status(200), `pm.test('it is listed', () => pm.expect(pm.response.json().data.map((c) => c.id)).to.include(pm.environment.get('cita_id')));`],
      },
      {
        name: 'Edit it (If-Match)',
        op: 'updateCita',
        path: { id: '{{cita_id}}' },
        headers: { 'If-Match': '{{etag}}' },
        body: { title: 'Control - Ana Pérez (con resultados)' },
        test: [status(200), `pm.environment.set('old_etag', pm.environment.get('etag'));`, `pm.environment.set('etag', pm.response.headers.get('ETag'));`],
      },
      {
        name: 'A stale If-Match is refused, not overwritten',
        op: 'updateCita',
        path: { id: '{{cita_id}}' },
        headers: { 'If-Match': '{{old_etag}}' },
        body: { title: 'Lost update' },
        test: [status(412), `pm.test('version_mismatch problem', () => pm.expect(pm.response.json().code).to.eql('version_mismatch'));`],
      },
      {
        name: 'The same slot again is refused (no double booking)',
        op: 'createCita',
        body: { location_id: '{{location_id}}', title: 'Otra', contact_id: '{{contact_id}}', start_time: '{{start}}', end_time: '{{end}}' },
        test: [status(409), `pm.test('slot_taken names the cita holding it', () => pm.expect(pm.response.json().conflicting_cita.id).to.eql(pm.environment.get('cita_id')));`],
      },
      { name: 'Cancel it', op: 'cancelCita', path: { id: '{{cita_id}}' }, test: [status(200), `pm.test('cancelled, the row kept', () => pm.expect(pm.response.json().status).to.eql('cancelled'));`] },
      {
        name: 'Its audit trail',
        op: 'getCitaAudit',
        path: { id: '{{cita_id}}' },
        test: [status(200), `pm.test('create, update, cancel', () => pm.expect(pm.response.json().entries.map((e) => e.action)).to.include.members(['create', 'update', 'cancel']));`],
      },
    ],
  ],
  [
    'GHL → RV3: changes made in GHL (the webhook mock)',
    "The sandbox's action API plays a person using GHL: each action changes the appointment there and sends GHL's correctly signed webhook to the service.",
    [
      {
        name: 'Create a cita on the second calendar',
        op: 'createCita',
        pre: pickSlot('g_'),
        body: { location_id: '{{location_id}}', calendar_id: '{{second_calendar_id}}', title: 'Limpieza dental', contact_id: '{{contact_id}}', start_time: '{{g_start}}', end_time: '{{g_end}}' },
        test: [status(201), `pm.environment.set('cita2_id', pm.response.json().id);`],
      },
      { name: 'Wait until it reached GHL', op: 'getCita', path: { id: '{{cita2_id}}' }, test: [...retryUntil(`pm.response.json().sync.status === 'synced'`), status(200), `pm.environment.set('ghl2_id', pm.response.json().ghl_appointment_id);`, `pm.test('on the second calendar', () => pm.expect(pm.response.json().calendar_id).to.eql(pm.environment.get('second_calendar_id')));`] },
      {
        name: 'GHL: move it one hour later',
        sandbox: { method: 'POST', path: '/_sandbox/actions/move' },
        pre: [`pm.environment.set('moved_start', new Date(Date.parse(pm.environment.get('g_start')) + 3600000).toISOString());`],
        body: { id: '{{ghl2_id}}', startTime: '{{moved_start}}' },
        test: [status(200)],
      },
      { name: 'RV3 shows the move (same cita, by GHL id)', op: 'getCita', path: { id: '{{cita2_id}}' }, test: [...retryUntil(`Date.parse(pm.response.json().start_time_utc) === Date.parse(pm.environment.get('moved_start'))`), status(200), `pm.test('moved, duration kept', () => { const c = pm.response.json(); pm.expect(Date.parse(c.start_time_utc)).to.eql(Date.parse(pm.environment.get('moved_start'))); pm.expect(Date.parse(c.end_time_utc) - Date.parse(c.start_time_utc)).to.eql(30 * 60000); });`] },
      { name: 'GHL: cancel it', sandbox: { method: 'POST', path: '/_sandbox/actions/cancel' }, body: { id: '{{ghl2_id}}' }, test: [status(200)] },
      { name: 'RV3 shows it cancelled, the row kept', op: 'getCita', path: { id: '{{cita2_id}}' }, test: [...retryUntil(`pm.response.json().status === 'cancelled'`), status(200), `pm.test('cancelled', () => pm.expect(pm.response.json().status).to.eql('cancelled'));`] },
      {
        name: 'GHL: a booking made in GHL',
        sandbox: { method: 'POST', path: '/_sandbox/actions/create' },
        pre: pickSlot('b_'),
        body: { locationId: '{{location_id}}', calendarId: '{{calendar_id}}', contactId: '{{contact_id}}', title: 'Reservado en GHL', startTime: '{{b_start}}', endTime: '{{b_end}}' },
        test: [status(200), `pm.environment.set('ghl3_id', pm.response.json().appointment.id);`],
      },
      {
        name: 'RV3 has it (source ghl)',
        op: 'listCitas',
        query: { location_id: '{{location_id}}', desde: '{{b_start}}', hasta: '{{b_end}}' },
        test: [...retryUntil(`pm.response.json().data.some((c) => c.ghl_appointment_id === pm.environment.get('ghl3_id'))`), status(200), `const c = pm.response.json().data.find((x) => x.ghl_appointment_id === pm.environment.get('ghl3_id'));`, `pm.test('a cita from GHL', () => pm.expect(c.source).to.eql('ghl'));`, `pm.environment.set('cita3_id', c.id);`],
      },
      { name: 'GHL: delete it', sandbox: { method: 'POST', path: '/_sandbox/actions/delete' }, body: { id: '{{ghl3_id}}' }, test: [status(200)] },
      { name: 'RV3 cancelled it (a delete is never a hard delete)', op: 'getCita', path: { id: '{{cita3_id}}' }, test: [...retryUntil(`pm.response.json().status === 'cancelled'`), status(200), `pm.test('cancelled', () => pm.expect(pm.response.json().status).to.eql('cancelled'));`] },
    ],
  ],
  [
    'Admin and operations',
    'Health, the contract, sync status, metrics, keys limited to a location. Admin routes use the admin key.',
    [
      { name: 'Health', op: 'health', key: null, test: [status(200), `pm.test('the database answers', () => pm.expect(pm.response.json().checks.database.ok).to.eql(true));`] },
      { name: 'The OpenAPI document', op: '@openapi', key: null, test: [status(200), `pm.test('OpenAPI 3.1', () => pm.expect(pm.response.json().openapi).to.eql('3.1.0'));`] },
      { name: 'Sync status', op: 'getSyncStatus', key: 'admin_key', test: [status(200), `pm.test('lists the demo clinic', () => pm.expect(pm.response.json().locations.map((l) => l.location_id)).to.include(pm.environment.get('location_id')));`] },
      { name: 'Metrics (JSON)', op: 'getMetricsJson', key: 'admin_key', test: [status(200), `pm.test('counts GHL calls', () => pm.expect(pm.response.json().counters['ghl.calls']).to.be.above(0));`] },
      { name: 'Webhook stats', op: 'getWebhookStats', key: 'admin_key', test: [status(200), `pm.test('webhooks were received', () => pm.expect(pm.response.json().counters.received).to.be.above(0));`] },
      { name: 'GHL connection', op: 'getConnection', key: 'admin_key', path: { locationId: '{{location_id}}' }, test: [status(200), `pm.test('connected', () => pm.expect(pm.response.json().connected).to.eql(true));`] },
      { name: 'Held sweeps', op: 'listHeldSweeps', key: 'admin_key', query: { status: 'held' }, test: [status(200)] },
      { name: 'Push what is pending', op: 'pushPending', key: 'admin_key', body: { location_id: '{{location_id}}' }, test: [status(200)] },
      {
        name: 'Make a key limited to the demo clinic',
        op: 'createApiKey',
        key: 'admin_key',
        body: { name: 'Recepción (Postman)', location_ids: ['{{location_id}}'] },
        test: [status(201), `pm.environment.set('new_key', pm.response.json().key);`, `pm.environment.set('new_key_id', pm.response.json().id);`],
      },
      { name: 'That key sees only its clinic', op: 'listLocations', key: 'new_key', test: [status(200), `pm.test('one location', () => pm.expect(pm.response.json().data.map((l) => l.location_id)).to.eql([pm.environment.get('location_id')]));`] },
      { name: '…and another clinic does not exist for it', op: 'listCitas', key: 'new_key', query: { location_id: 'another-clinic' }, test: [status(404)] },
      { name: 'The keys admins made', op: 'listApiKeys', key: 'admin_key', test: [status(200), `pm.test('keys are listed without their secret', () => pm.expect(JSON.stringify(pm.response.json())).not.to.include(pm.environment.get('new_key')));`] },
      { name: 'Revoke it', op: 'revokeApiKey', key: 'admin_key', path: { id: '{{new_key_id}}' }, test: [status(200), `pm.test('revoked', () => pm.expect(pm.response.json().revoked_at).to.be.a('string'));`] },
    ],
  ],
];

export function buildCollection() {
  const doc = contractDocuments().find((d) => d.name === 'full')!.document as unknown as { paths: Record<string, Record<string, { operationId?: string; summary?: string; description?: string }>> };
  const ops = new Map<string, Op>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, o] of Object.entries(item)) if (o.operationId) ops.set(o.operationId, { method: method.toUpperCase(), path, summary: o.summary, description: o.description });
  }
  ops.set('@openapi', { method: 'GET', path: '/openapi.json', summary: 'This API’s OpenAPI 3.1 document' });

  const toItem = (it: Item) => {
    let method: string;
    let base: string;
    let path: string;
    let description: string;
    if (it.sandbox) {
      ({ method, path } = it.sandbox);
      base = '{{sandbox_url}}';
      description = "The GHL sandbox's action API (not part of this service): it changes the appointment in 'GHL' and sends the signed webhook.";
    } else {
      const op = ops.get(it.op!);
      if (!op) throw new Error(`the collection names an operation the API does not have: ${it.op}`);
      ({ method, path } = op);
      base = '{{base_url}}';
      description = [op.summary, op.description, `Operation \`${it.op}\` (see /docs).`].filter(Boolean).join('\n\n');
    }
    for (const [name, value] of Object.entries(it.path ?? {})) path = path.replace(`{${name}}`, value);
    if (/\{[^}]+\}/.test(path.replace(/\{\{[^}]+\}\}/g, ''))) throw new Error(`${it.name}: path parameters left in ${path}`);
    const query = Object.entries(it.query ?? {}).map(([key, value]) => ({ key, value }));
    const key = it.sandbox ? null : it.key === undefined ? 'api_key' : it.key;
    const header = [
      ...(key ? [{ key: 'Authorization', value: `Bearer {{${key}}}` }] : []),
      ...(it.body !== undefined ? [{ key: 'Content-Type', value: 'application/json' }] : []),
      ...Object.entries(it.headers ?? {}).map(([k, value]) => ({ key: k, value })),
    ];
    const raw = `${base}${path}${query.length ? `?${query.map((q) => `${q.key}=${q.value}`).join('&')}` : ''}`;
    return {
      name: it.name,
      event: [
        ...(it.pre ? [{ listen: 'prerequest', script: { type: 'text/javascript', exec: it.pre } }] : []),
        { listen: 'test', script: { type: 'text/javascript', exec: it.test } },
      ],
      request: {
        method,
        header,
        url: { raw, host: [base], path: path.split('/').filter(Boolean), ...(query.length ? { query } : {}) },
        ...(it.body !== undefined ? { body: { mode: 'raw', raw: JSON.stringify(it.body, null, 2), options: { raw: { language: 'json' } } } } : {}),
        description,
      },
    };
  };

  return {
    info: {
      name: 'citas-sync',
      description:
        'Generated from the OpenAPI document by `npm run postman` (do not edit by hand). Run it against `npm start` with the `npm-start` environment: `npx newman run postman/citas-sync.postman_collection.json -e postman/npm-start.postman_environment.json`.',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: ITEMS.map(([name, description, items]) => ({ name, description, item: items.map(toItem) })),
  };
}

export function buildEnvironment() {
  const values: Record<string, string> = {
    base_url: 'http://127.0.0.1:8787',
    sandbox_url: 'http://127.0.0.1:8790',
    api_key: 'dev-local-key',
    admin_key: 'dev-local-key',
    location_id: 'demo-location',
    calendar_id: 'demo-cal-dra-gomez',
    second_calendar_id: 'demo-cal-sala-2',
    contact_id: 'demo-contact-ana',
  };
  return { name: 'npm start (local)', values: Object.entries(values).map(([key, value]) => ({ key, value, enabled: true })) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files: [string, unknown][] = [
    [COLLECTION, buildCollection()],
    [ENVIRONMENT, buildEnvironment()],
  ];
  if (process.argv.includes('--check')) {
    const stale = files.filter(([path, value]) => {
      try {
        return readFileSync(path, 'utf8') !== `${JSON.stringify(value, null, 2)}\n`;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      console.error(`stale: ${stale.map(([p]) => p).join(', ')} — run npm run postman and commit the result`);
      process.exit(1);
    }
    console.log('postman/: up to date with the OpenAPI document');
  } else {
    mkdirSync('postman', { recursive: true });
    for (const [path, value] of files) writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
    console.log(`wrote ${files.map(([p]) => p).join(', ')}`);
  }
}
