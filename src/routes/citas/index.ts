import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { AppError } from '../../errors';
import { textProblem } from '../../domain/text';
import { createRouter, json, jsonBody, problems, security } from '../../http/openapi';
import { accessOf, callerOf } from '../../http/caller';
import { citaView, etagOf } from '../../citas/cita-view';

type CitaCreated = ReturnType<typeof citaView> & { series_citas?: ReturnType<typeof citaView>[] };
import { idempotent, requestHash, type Answer } from '../../access/idempotency';
import type { DbOrTx } from '../../db/client';
import { cancelCita, createCita, getCita, listCitasForLocation, requeueForPush, updateCitaById } from '../../citas/citas-service';
import { pushAfterWrite, pushJobUrl } from '../../sync/push-retry';
import { learnContacts } from '../../contacts/contacts-service';
import { withFreshBlocks } from '../../citas/booking-rules';
import { isAnyTag, listEtag, matchesIfNoneMatch, touchLocation } from '../../locations/location-rev';
import { assertLocation } from '../../access/access';
import { auditTrail } from '../../audit/audit';
import { citas, type CitaRow } from '../../db/schema';
import { and, eq, ne } from 'drizzle-orm';
import { createCitaSeries } from '../../citas/series-create';
import { linkCita } from '../../citas/cita-link';
import {
  auditTrailSchema,
  citaIdParams,
  citaPageSchema,
  citaChangedSchema,
  citaCreatedSchema,
  scopeParameter,
  linkCitaBody,
  citaSchema,
  createCitaBody,
  idempotencyParameter,
  ifMatchParameter,
  ifNoneMatchParameter,
  listCitasQuery,
  versionFromIfMatch,
  updateCitaBody,
} from './schemas';

const tags = ['Citas'];
const etagHeader = { ETag: { description: 'The version, for `If-Match`.', schema: { type: 'string' as const, example: '"1"' } } };
const listEtagHeader = { ETag: { description: 'Changes whenever anything in the location changes (and every 5 minutes); send it back as `If-None-Match`.', schema: { type: 'string' as const } } };
/** A write done once per `Idempotency-Key`: a retry gets the first answer again, so marked. */
const replayedHeaders = { ...etagHeader, 'Idempotent-Replayed': { description: 'A retried `Idempotency-Key`: the first answer again.', schema: { type: 'string' as const, const: 'true' } } };

const createCitaRoute = defineRoute({
  method: 'post',
  path: '/',
  operationId: 'createCita',
  summary: 'Create a cita',
  description: 'Saved at once; the push to GHL runs after the answer (see `sync`).',
  tags,
  security: security.apiKey,
  parameters: [idempotencyParameter],
  request: { body: jsonBody(createCitaBody) },
  responses: {
    201: {
      ...json(citaCreatedSchema, 'Created (or, for a retried `Idempotency-Key`, the first answer again, with `Idempotent-Replayed: true`). `Location` names it. With `repeat`, the first occurrence and `series_citas`.'),
      headers: { ...replayedHeaders, Location: { schema: { type: 'string' } } },
    },
    ...problems(400, 401, 404, 409, 413, 415, 422, 429, 503),
  },
});

const listCitasRoute = defineRoute({
  method: 'get',
  path: '/',
  operationId: 'listCitas',
  summary: "A location's citas",
  description: 'Citas intersecting [desde, hasta], ordered by start; pages of `limit` with `next_cursor`.',
  tags,
  security: security.apiKey,
  request: { query: listCitasQuery },
  parameters: [ifNoneMatchParameter],
  responses: {
    200: { ...json(citaPageSchema, 'One page of citas.'), headers: listEtagHeader },
    304: { description: 'Nothing in the location changed since the `If-None-Match` tag: no body.', headers: listEtagHeader },
    ...problems(401, 404, 422, 429, 503),
  },
});

const getCitaRoute = defineRoute({
  method: 'get',
  path: '/{id}',
  operationId: 'getCita',
  summary: 'Read a cita',
  description: 'With its GHL sync state; `ETag` is its version.',
  tags,
  security: security.apiKey,
  request: { params: citaIdParams },
  responses: { 200: { ...json(citaSchema, 'The cita.'), headers: etagHeader }, ...problems(401, 404, 429, 503) },
});

const updateCitaRoute = defineRoute({
  method: 'patch',
  path: '/{id}',
  operationId: 'updateCita',
  summary: 'Edit a cita',
  description: 'Any of the fields; moving only `start_time` keeps the duration. Send `If-Match` to never overwrite someone else’s edit.',
  tags,
  security: security.apiKey,
  parameters: [ifMatchParameter],
  request: { params: citaIdParams, body: jsonBody(updateCitaBody) },
  responses: { 200: { ...json(citaChangedSchema, 'The cita as saved.'), headers: etagHeader }, ...problems(400, 401, 404, 409, 412, 413, 415, 422, 429, 503) },
});

const cancelCitaRoute = defineRoute({
  method: 'post',
  path: '/{id}/cancel',
  operationId: 'cancelCita',
  summary: 'Cancel a cita',
  description: 'Idempotent: the row stays, `status: cancelled`, `cancelled_at` set; GHL is told after the answer. `?scope=following|all` cancels more of its series.',
  tags,
  security: security.apiKey,
  parameters: [ifMatchParameter, idempotencyParameter, scopeParameter],
  request: { params: citaIdParams },
  responses: { 200: { ...json(citaChangedSchema, 'The cancelled cita.'), headers: replayedHeaders }, ...problems(400, 401, 404, 412, 422, 429, 503) },
});

const pushCitaRoute = defineRoute({
  method: 'post',
  path: '/{id}/push',
  operationId: 'pushCita',
  summary: 'Push a cita to GHL again',
  description:
    'For a cita in `sync_failed` (its attempts start over) or still `pending_sync`: the push runs after the answer (202), ' +
    'with the usual retries. A cita already synced answers 200 unchanged.',
  tags,
  security: security.apiKey,
  request: { params: citaIdParams },
  responses: {
    200: { ...json(citaSchema, 'Already in GHL: nothing to push.'), headers: etagHeader },
    202: { ...json(citaSchema, 'Pending; the push is on its way.'), headers: etagHeader },
    ...problems(401, 404, 429, 503),
  },
});

const linkCitaRoute = defineRoute({
  method: 'post',
  path: '/{id}/link',
  operationId: 'linkCita',
  summary: 'Link a cita to the GHL appointment it is',
  description:
    'For a cita GHL held more than once when its location connected (`match_candidates`): the chosen appointment becomes this cita (synced, nothing pushed). ' +
    'Answers 422 for an id that is not one of its candidates, 409 `already_linked` when another cita already is that appointment.',
  tags,
  security: security.apiKey,
  request: { params: citaIdParams, body: jsonBody(linkCitaBody) },
  responses: { 200: { ...json(citaSchema, 'The linked cita.'), headers: etagHeader }, ...problems(400, 401, 404, 409, 413, 415, 422, 429, 503) },
});

const auditCitaRoute = defineRoute({
  method: 'get',
  path: '/{id}/audit',
  operationId: 'getCitaAudit',
  summary: 'Who changed what on a cita',
  description: 'Every state change, oldest first: actor (api, webhook, job), changed fields before and after, request id.',
  tags,
  security: security.apiKey,
  request: { params: citaIdParams },
  responses: { 200: json(auditTrailSchema, 'The audit trail.'), ...problems(401, 404, 429, 503) },
});

const createCitaHandler: RouteHandler<typeof createCitaRoute, AppEnv> = async (c) => {
  const input = c.req.valid('json');
  const deps = c.get('deps');
  const answer = await withFreshBlocks(deps, (fresh) => once(c, 'POST /api/citas', input, async (db) => {
    if (input.repeat) {
      // A series: every occurrence judged, then written together (series-create.ts).
      const { rows, skipped, ghlConnected } = await createCitaSeries({ ...deps, ...fresh, db }, { ...input, repeat: input.repeat }, callerOf(c));
      const first = rows[0]!;
      const body = { ...citaView(first), series_citas: rows.map(citaView), ...(input.on_conflict === 'skip' ? { skipped } : {}) };
      return { row: first, more: rows.slice(1), ghlConnected, status: 201 as const, body, headers: { Location: `/api/citas/${first.id}`, ETag: etagOf(first) } };
    }
    const { row, ghlConnected } = await createCita({ ...deps, ...fresh, db }, input, callerOf(c));
    return { row, ghlConnected, status: 201 as const, body: citaView(row), headers: { Location: `/api/citas/${row.id}`, ETag: etagOf(row) } };
  }));
  return c.json(answer.body as CitaCreated, 201, answer.headers);
};

const listCitasHandler: RouteHandler<typeof listCitasRoute, AppEnv> = async (c) => {
  const { estado, status, ...query } = c.req.valid('query');
  const deps = c.get('deps');
  const access = accessOf(c);
  assertLocation(access, query.location_id);
  // Polling front ends: nothing changed in the location since their copy → 304, no database work.
  const ifNoneMatch = c.req.header('if-none-match');
  // Without a tag to compare, the page is read whatever the tag: the connection opens (Workers)
  // while the tag's counter is read from the store, instead of after it.
  if (ifNoneMatch === undefined) deps.connectDb();
  const etag = await listEtag(deps, query.location_id, new URL(c.req.url).search);
  if (etag) {
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, no-cache');
    if (matchesIfNoneMatch(ifNoneMatch, etag)) return c.body(null, 304);
  }
  const page = await listCitasForLocation(deps, { ...query, estado: status ?? estado }, access);
  // `*` matches any page that exists: only now, the location read (an unknown one is 404), is that known.
  if (isAnyTag(ifNoneMatch)) return c.body(null, 304);
  return c.json(page, 200);
};

const getCitaHandler: RouteHandler<typeof getCitaRoute, AppEnv> = async (c) => {
  const row = await getCita(c.get('deps'), c.req.valid('param').id, accessOf(c));
  c.header('ETag', etagOf(row));
  return c.json(citaView(row), 200);
};

const updateCitaHandler: RouteHandler<typeof updateCitaRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const expected = versionFromIfMatch(c.req.header('if-match'));
  const deps = c.get('deps');
  const { scope, ...input } = c.req.valid('json');
  const { row, changed, seriesUpdated, touched } = await withFreshBlocks(deps, async (fresh) => {
    // The series' other occurrences an edit reached are pushed too: read after the write.
    const r = await updateCitaById({ ...deps, ...fresh }, id, input, expected, callerOf(c), scope ?? 'this');
    return { ...r, touched: r.seriesUpdated ? await seriesRows(deps.db, r.row) : [] };
  });
  if (changed || seriesUpdated) {
    touchLocation(c.get('deps'), row.locationId);
    for (const r of [row, ...touched]) pushAfterResponse(c, r);
  }
  c.header('ETag', etagOf(row));
  return c.json({ ...citaView(row), ...(scope && scope !== 'this' ? { series_updated: seriesUpdated } : {}) }, 200);
};

const cancelCitaHandler: RouteHandler<typeof cancelCitaRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const expected = versionFromIfMatch(c.req.header('if-match'));
  const scope = scopeOf(c.req.query('scope'));
  const answer = await once(c, `POST /api/citas/${id}/cancel`, { if_match: expected ?? null, scope }, async (db) => {
    const { row, changed, seriesUpdated } = await cancelCita({ ...c.get('deps'), db }, id, expected, callerOf(c), scope);
    // The other occurrences the scope reached are pushed too (those with nothing to push are skipped there).
    const more = seriesUpdated ? await seriesRows(db, row) : [];
    const body = { ...citaView(row), ...(scope !== 'this' ? { series_updated: seriesUpdated } : {}) };
    return { row: changed ? row : null, more, status: 200 as const, body, headers: { ETag: etagOf(row) } };
  });
  return c.json(answer.body as ReturnType<typeof citaView>, 200, answer.headers);
};

const pushCitaHandler: RouteHandler<typeof pushCitaRoute, AppEnv> = async (c) => {
  const { row, push } = await requeueForPush(c.get('deps'), c.req.valid('param').id, accessOf(c));
  c.header('ETag', etagOf(row));
  if (!push) return c.json(citaView(row), 200);
  touchLocation(c.get('deps'), row.locationId);
  pushAfterResponse(c, row);
  return c.json(citaView(row), 202);
};

const linkCitaHandler: RouteHandler<typeof linkCitaRoute, AppEnv> = async (c) => {
  const row = await linkCita(c.get('deps'), c.req.valid('param').id, c.req.valid('json').ghl_appointment_id, accessOf(c), callerOf(c));
  touchLocation(c.get('deps'), row.locationId);
  c.header('ETag', etagOf(row));
  return c.json(citaView(row), 200);
};

const auditCitaHandler: RouteHandler<typeof auditCitaRoute, AppEnv> = async (c) => {
  const row = await getCita(c.get('deps'), c.req.valid('param').id, accessOf(c));
  const trail = await auditTrail(c.get('deps').db, row.id);
  return c.json(
    { cita_id: row.id, entries: trail.map((e) => ({ at: e.at.toISOString(), actor: e.actor, action: e.action, changes: e.changes, request_id: e.requestId })) },
    200,
  );
};

/** /api/citas: the RV3 front desk's view of appointments. */
export const citasRoutes = createRouter()
  .openapi(createCitaRoute, createCitaHandler)
  .openapi(listCitasRoute, listCitasHandler)
  .openapi(getCitaRoute, getCitaHandler)
  .openapi(updateCitaRoute, updateCitaHandler)
  .openapi(cancelCitaRoute, cancelCitaHandler)
  .openapi(pushCitaRoute, pushCitaHandler)
  .openapi(linkCitaRoute, linkCitaHandler)
  .openapi(auditCitaRoute, auditCitaHandler);

/**
 * Does a write once per `Idempotency-Key` (when the request has one): a retry gets the first
 * answer, marked `Idempotent-Replayed: true`. What the write changed is pushed to GHL after the
 * answer, and only the first time.
 */
async function once(
  c: Context<AppEnv>,
  operation: string,
  input: unknown,
  write: (db: DbOrTx) => Promise<Answer & { row: CitaRow | null; more?: CitaRow[]; ghlConnected?: boolean }>,
): Promise<Answer> {
  const key = c.req.header('idempotency-key');
  if (key !== undefined && (key.length === 0 || key.length > 255 || textProblem(key))) {
    throw AppError.validation([{ field: 'Idempotency-Key', message: 'between 1 and 255 characters of text' }]);
  }
  let changed: CitaRow | null = null;
  let others: CitaRow[] = [];
  let ghlConnected: boolean | undefined;
  const run = async (db: DbOrTx) => {
    const { row, more, ghlConnected: connected, ...answer } = await write(db);
    changed = row;
    others = more ?? [];
    ghlConnected = connected;
    return answer;
  };
  let answer: Answer;
  if (!key) answer = await run(c.get('deps').db);
  else {
    const r = await idempotent(c.get('deps'), { clientId: accessOf(c).clientId, key, operation, requestHash: await requestHash(input) }, run);
    answer = r.answer;
    if (r.replayed) c.header('Idempotent-Replayed', 'true');
  }
  const written: CitaRow[] = changed ? [changed, ...others] : others;
  if (changed) c.get('logEvent').cita_id = (changed as CitaRow).id;
  if (written[0]) touchLocation(c.get('deps'), written[0].locationId);
  for (const row of written) pushAfterResponse(c, row, ghlConnected);
  return answer;
}

/** The occurrences of a cita's series as they are now (to push what a scoped change reached). */
async function seriesRows(db: DbOrTx, row: CitaRow): Promise<CitaRow[]> {
  if (!row.seriesId) return [];
  return db.select().from(citas).where(and(eq(citas.locationId, row.locationId), eq(citas.seriesId, row.seriesId), ne(citas.id, row.id)));
}

/**
 * The caller never waits on GHL: the push runs after the response (waitUntil on Workers).
 * `ghlConnected`, when the write already knows it, spares the push its look at the connection.
 */
/** After an API write, past the answer: its push to GHL, and its patient's details when we never learnt them. */
function pushAfterResponse(c: Context<AppEnv>, row: CitaRow, ghlConnected?: boolean) {
  const deps = c.get('deps');
  // A patient id we hold no details of (the database fills them in when it knows them): asked of GHL.
  const contactId = row.contactId;
  if (contactId && !row.contact && ghlConnected !== false) c.get('defer')(() => learnContacts(deps, row.locationId, [contactId], { throttle: true }));
  if (row.syncStatus !== 'pending_sync' || ghlConnected === false) return;
  c.get('defer')(() => pushAfterWrite(deps, row.id, row.locationId, pushJobUrl(deps.config, c.req.url), ghlConnected));
}

/** `?scope=` of a cancel: documented as a parameter (the typed client then needs no `query: {}`), read here. */
function scopeOf(raw: string | undefined): 'this' | 'following' | 'all' {
  if (raw === undefined) return 'this';
  if (raw === 'this' || raw === 'following' || raw === 'all') return raw;
  throw AppError.validation([{ field: 'scope', message: 'one of this, following, all' }]);
}

