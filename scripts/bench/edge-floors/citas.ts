/**
 * The create and list floors as a Worker, for scripts/bench/edge.ts: the floors of
 * scripts/bench/api.ts (keep them in step), on the driver the citas Worker deploys with.
 *
 *   POST /floor/create: one transaction: read location_settings, insert the cita, insert its audit row;
 *   GET  /floor/list?location_id&from&to: listCitas's range query (src/citas/citas-repo.ts), LIMIT 50,
 *        bounds as instants (the Node floor computes them once, outside the measured op, too).
 *
 * The request's pool is ended after the answer (waitUntil).
 */
import { DateTime } from 'luxon';
import { json, requestPool, type FloorEnv } from './shared';
import { INSERT_AUDIT, INSERT_CITA, LIST, READ_SETTINGS } from '../floor-sql';


async function create(request: Request, env: FloorEnv, ctx: ExecutionContext): Promise<Response> {
  const input = (await request.json()) as { location_id: string; title: string; contact_id: string; start_time: string; end_time: string };
  const pool = requestPool(env);
  try {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const { rows: settings } = await client.query<{ default_calendar_id: string | null; zone: string | null }>(READ_SETTINGS, [input.location_id]);
      const zone = settings[0]?.zone ?? env.APP_TIMEZONE;
      const calendar = settings[0]?.default_calendar_id;
      if (!calendar) throw new Error('no default calendar');
      const start = DateTime.fromISO(input.start_time, { zone }).toJSDate();
      const end = DateTime.fromISO(input.end_time, { zone }).toJSDate();
      const now = new Date();
      const { rows } = await client.query<{ id: string }>(INSERT_CITA, [input.location_id, calendar, input.title, input.contact_id, start, end, zone, now]);
      const row = rows[0]!;
      const changes = {
        ghl_calendar_id: { before: null, after: calendar },
        title: { before: null, after: input.title },
        contact_id: { before: null, after: input.contact_id },
        start_time: { before: null, after: start },
        end_time: { before: null, after: end },
        status: { before: null, after: 'new' },
      };
      await client.query(INSERT_AUDIT, [row.id, JSON.stringify(changes), crypto.randomUUID(), now]);
      await client.query('commit');
      return json(row, 201);
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  } finally {
    ctx.waitUntil(pool.end());
  }
}

async function list(url: URL, env: FloorEnv, ctx: ExecutionContext): Promise<Response> {
  const q = url.searchParams;
  const pool = requestPool(env);
  try {
    const { rows } = await pool.query(LIST, [q.get('location_id'), new Date(q.get('to')!), new Date(q.get('from')!)]);
    return json({ data: rows });
  } finally {
    ctx.waitUntil(pool.end());
  }
}

export default {
  async fetch(request: Request, env: FloorEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/floor/create') return create(request, env, ctx);
    if (request.method === 'GET' && url.pathname === '/floor/list') return list(url, env, ctx);
    return json({ error: 'not found' }, 404);
  },
};
