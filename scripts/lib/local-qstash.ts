/**
 * QStash's side, locally: requests signed exactly like QStash signs them (an HS256 JWT in
 * Upstash-Signature over the destination URL and the body's SHA-256), a queue that delivers
 * them with retries, and a scheduler that fires the same crons. Used by `npm start`, the `job`
 * command and tests; the service verifies these with @upstash/qstash's own Receiver.
 */
import { DateTime } from 'luxon';
import type { JobQueue } from '../../src/queue/job-queue';

const enc = new TextEncoder();
const b64url = (bytes: Uint8Array | string) =>
  Buffer.from(typeof bytes === 'string' ? enc.encode(bytes) : bytes).toString('base64url');

export async function signQStash(opts: { key: string; url: string; body: string; nowSec?: number; ttlSec?: number }): Promise<string> {
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const bodyHash = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(opts.body))));
  const claims = b64url(
    JSON.stringify({ iss: 'Upstash', sub: opts.url, exp: now + (opts.ttlSec ?? 300), nbf: now, iat: now, jti: `jwt_${crypto.randomUUID()}`, body: bodyHash }),
  );
  const key = await crypto.subtle.importKey('raw', enc.encode(opts.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(`${header}.${claims}`)));
  return `${header}.${claims}.${b64url(sig)}`;
}

export function randomSigningKey(): string {
  return `sig_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')}`;
}

export async function signedJobRequest(opts: { key: string; url: string; body?: unknown; messageId?: string; retried?: number }): Promise<Request> {
  const body = opts.body === undefined ? '' : JSON.stringify(opts.body);
  return new Request(opts.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Upstash-Signature': await signQStash({ key: opts.key, url: opts.url, body }),
      'Upstash-Message-Id': opts.messageId ?? `msg_${crypto.randomUUID()}`,
      'Upstash-Retried': String(opts.retried ?? 0),
      'User-Agent': 'Upstash-QStash',
    },
    body: body || undefined,
  });
}

/** A queue that delivers like QStash: signed, delayed when asked, de-duplicated by id, retried on non-2xx (not on 489), at least once. */
export function localQueue(opts: {
  signingKey: string;
  deliver: (req: Request) => Promise<Response>;
  retries?: number;
  retryDelayMs?: number;
  log?: (line: string) => void;
}): JobQueue & { idle(): Promise<void>; delivered: { messageId: string; status: number; attempt: number }[] } {
  const inflight = new Set<Promise<void>>();
  const dedup = new Map<string, string>();
  const delivered: { messageId: string; status: number; attempt: number }[] = [];
  const send = async (url: string, body: unknown, messageId: string) => {
    for (let attempt = 0; attempt <= (opts.retries ?? 3); attempt++) {
      let status = 0;
      try {
        const res = await opts.deliver(await signedJobRequest({ key: opts.signingKey, url, body, messageId, retried: attempt }));
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      delivered.push({ messageId, status, attempt });
      opts.log?.(`[local-qstash] ${messageId} → ${url} ${status}`);
      if ((status >= 200 && status < 300) || status === 489) return;
      await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 1000) * 2 ** attempt));
    }
  };
  return {
    delivered,
    async publish(msg) {
      // Like QStash: a second message with the same de-duplication id is accepted and dropped.
      if (msg.deduplicationId) {
        const seen = dedup.get(msg.deduplicationId);
        if (seen) return { messageId: seen, deduplicated: true };
      }
      const messageId = `msg_${crypto.randomUUID()}`;
      if (msg.deduplicationId) dedup.set(msg.deduplicationId, messageId);
      const delayMs = (msg.delaySeconds ?? 0) * 1000;
      const p = (delayMs > 0 ? new Promise((r) => setTimeout(r, delayMs)) : Promise.resolve())
        .then(() => send(msg.url, msg.body, messageId))
        .finally(() => inflight.delete(p));
      inflight.add(p);
      return { messageId };
    },
    async idle() {
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
  };
}

/** Does a 5-field cron (optionally `CRON_TZ=Zone …`) fire in the minute containing `at`? */
export function cronMatches(cron: string, at: Date): boolean {
  let zone = 'UTC';
  let expr = cron.trim();
  const tz = /^CRON_TZ=(\S+)\s+(.*)$/.exec(expr);
  if (tz) {
    zone = tz[1]!;
    expr = tz[2]!;
  }
  const [min, hour, dom, mon, dow] = expr.split(/\s+/);
  const t = DateTime.fromJSDate(at, { zone });
  const field = (spec: string | undefined, value: number) =>
    spec === undefined ||
    spec.split(',').some((part) => {
      const [range, step] = part.split('/');
      const [lo, hi] = range === '*' ? [-Infinity, Infinity] : range!.split('-').map(Number);
      const inRange = value >= lo! && value <= (hi ?? lo!);
      return inRange && (!step || (value - (Number.isFinite(lo) ? lo! : 0)) % Number(step) === 0);
    });
  return field(min, t.minute) && field(hour, t.hour) && field(dom, t.day) && field(mon, t.month) && field(dow, t.weekday % 7);
}

/** Fires each schedule's endpoint, signed, when its cron matches (checked every minute). */
export function startLocalScheduler(opts: {
  baseUrl: string;
  signingKey: string;
  schedules: readonly { id: string; path: string; cron: string }[];
  log?: (line: string) => void;
}): { stop(): void } {
  let last = '';
  const tick = async () => {
    const now = new Date();
    const minute = now.toISOString().slice(0, 16);
    if (minute === last) return;
    last = minute;
    for (const s of opts.schedules) {
      if (!cronMatches(s.cron, now)) continue;
      const req = await signedJobRequest({ key: opts.signingKey, url: `${opts.baseUrl}${s.path}` });
      fetch(req)
        .then((r) => opts.log?.(`[scheduler] ${s.id} → ${r.status}`))
        .catch((e) => opts.log?.(`[scheduler] ${s.id} failed: ${(e as Error).message}`));
    }
  };
  const timer = setInterval(() => void tick(), 15_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
