/**
 * The webhook floor as a Worker, for scripts/bench/edge.ts: the floor of scripts/bench/webhooks.ts
 * (keep the two in step), on the same drivers the webhooks Worker deploys with. Ed25519 over the
 * raw bytes (WebCrypto) + one SET NX (@upstash/redis, the client src/store/upstash-store.ts
 * builds) + one transaction inserting the appointment into citas and the webhook_events row.
 * The request's pool is ended after the answer (waitUntil).
 */
import { createUpstashRedis } from '../../../src/store/upstash-store';
import { json, requestPool, type FloorEnv } from './shared';
import { INSERT_EVENT, STATUSES, UPSERT_CITA, type GhlEvent } from '../floor-sql';


// Per isolate, as the service keeps its verifier key and store client.
let key: Promise<CryptoKey> | undefined;
let redis: ReturnType<typeof createUpstashRedis> | undefined;

async function deliver(request: Request, env: FloorEnv, ctx: ExecutionContext): Promise<Response> {
  key ??= crypto.subtle.importKey('spki', Uint8Array.from(atob(env.GHL_WEBHOOK_ED25519_PUBLIC_KEY!), (c) => c.charCodeAt(0)), { name: 'Ed25519' }, false, ['verify']);
  redis ??= createUpstashRedis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
  const raw = new Uint8Array(await request.arrayBuffer());
  const sig = Uint8Array.from(atob(request.headers.get('x-ghl-signature') ?? ''), (c) => c.charCodeAt(0));
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, await key, sig, raw))) return json({ error: 'bad signature' }, 401);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  const e = JSON.parse(text) as GhlEvent;
  const now = new Date();
  if (Math.abs(now.getTime() - Date.parse(e.timestamp)) > 2 * 3600_000) return json({ error: 'stale' }, 401);

  const claimed = await redis.set(`${env.STORE_PREFIX ?? ''}webhook:${e.webhookId}`, '1', { nx: true, px: Number(env.IDEMPOTENCY_TTL_MS) });
  if (claimed !== 'OK') return json({ outcome: 'duplicate' });

  const a = e.appointment;
  const deleted = e.type === 'AppointmentDelete';
  const status = deleted ? 'cancelled' : STATUSES.has(a.appointmentStatus ?? '') ? a.appointmentStatus! : 'new';
  const pool = requestPool(env);
  try {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string; inserted: boolean }>(UPSERT_CITA, [
        e.locationId, a.calendarId, a.id, a.title ?? 'Cita', a.contactId ?? null, a.assignedUserId ?? null, a.startTime, a.endTime,
        env.APP_TIMEZONE, status, a.dateUpdated ?? null, now, status === 'cancelled' ? now : null,
      ]);
      const outcome = !rows[0] ? 'stale' : rows[0].inserted ? 'created' : deleted ? 'cancelled' : 'applied';
      await client.query(INSERT_EVENT, [e.webhookId, e.type, e.locationId, a.id, rows[0]?.id ?? null, text, now, outcome, crypto.randomUUID()]);
      await client.query('commit');
      return json({ outcome });
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

export default {
  async fetch(request: Request, env: FloorEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/floor/webhook') return deliver(request, env, ctx);
    return json({ error: 'not found' }, 404);
  },
};
