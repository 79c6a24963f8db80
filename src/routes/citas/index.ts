import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { AppError } from '../../errors';
import { readJson, validate } from '../../http/json-body';
import { citaView, etagOf } from '../../citas/cita-view';
import {
  cancelCita,
  createCita,
  getCita,
  listCitasForLocation,
  updateCitaById,
} from '../../citas/citas-service';
import { pushCita } from '../../sync/outbound';
import { auditTrail } from '../../audit/audit';
import type { Context } from 'hono';
import type { CitaRow } from '../../db/schema';
import { citaIdParam, createCitaBody, listCitasQuery, parseIfMatch, updateCitaBody } from './schemas';

/** /api/citas: the RV3 front desk's view of appointments. */
export const citasRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = await readJson(c, createCitaBody);
    const row = await createCita(c.var.deps, input, { actor: 'api', requestId: c.var.requestId });
    c.var.logEvent.cita_id = row.id;
    pushAfterResponse(c, row);
    c.header('Location', `/api/citas/${row.id}`);
    c.header('ETag', etagOf(row));
    return c.json(citaView(row), 201);
  })
  .get('/', async (c) => {
    const query = validate(listCitasQuery, c.req.query());
    return c.json(await listCitasForLocation(c.var.deps, query));
  })
  .get('/:id', async (c) => {
    const row = await getCita(c.var.deps, citaId(c.req.param('id')));
    c.header('ETag', etagOf(row));
    return c.json(citaView(row));
  })
  .patch('/:id', async (c) => {
    const id = citaId(c.req.param('id'));
    const expected = ifMatch(c.req.header('if-match'));
    const input = await readJson(c, updateCitaBody);
    const { row, changed } = await updateCitaById(c.var.deps, id, input, expected, { actor: 'api', requestId: c.var.requestId });
    if (changed) pushAfterResponse(c, row);
    c.header('ETag', etagOf(row));
    return c.json(citaView(row));
  })
  /** Who changed what, oldest first. */
  .get('/:id/audit', async (c) => {
    const row = await getCita(c.var.deps, citaId(c.req.param('id')));
    const trail = await auditTrail(c.var.deps.db, row.id);
    return c.json({
      cita_id: row.id,
      entries: trail.map((e) => ({ at: e.at.toISOString(), actor: e.actor, action: e.action, changes: e.changes, request_id: e.requestId })),
    });
  })
  .post('/:id/cancel', async (c) => {
    const id = citaId(c.req.param('id'));
    const { row, changed } = await cancelCita(c.var.deps, id, ifMatch(c.req.header('if-match')), { actor: 'api', requestId: c.var.requestId });
    if (changed) pushAfterResponse(c, row);
    c.header('ETag', etagOf(row));
    return c.json(citaView(row));
  });

/** The caller never waits on GHL: the push runs after the response (waitUntil on Workers). */
function pushAfterResponse(c: Context<AppEnv>, row: CitaRow) {
  if (row.syncStatus !== 'pending_sync') return;
  c.var.defer(pushCita(c.var.deps, row.id));
}

// A malformed id cannot name an existing cita, so it is a 404 like any other unknown id.
function citaId(raw: string): string {
  if (!citaIdParam.safeParse(raw).success) throw AppError.notFound('Cita', raw);
  return raw;
}

function ifMatch(header: string | undefined): number | undefined {
  const v = parseIfMatch(header);
  if (v === null) {
    throw new AppError(400, 'invalid_if_match', 'If-Match must carry the version as an ETag, e.g. If-Match: "3".');
  }
  return v;
}
