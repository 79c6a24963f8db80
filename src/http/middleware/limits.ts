import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { AppError } from '../../errors';

/**
 * Body-size guard that answers in our problem format (413) before a large body is read. A body
 * whose length is declared is judged by its Content-Length alone (the runtime holds the body to
 * it). A streamed one (chunked) is read here, chunk by chunk, and refused at the first byte past
 * the limit; what was read is left in Hono's body cache, where `c.req.arrayBuffer()`, `text()`
 * and `json()` find it. Hono's own bodyLimit copies it into a new Request instead, which in a
 * workerd profile was the costliest step of a webhook's middleware.
 */
export function limitBody(maxBytes: (c: Context<AppEnv>) => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const max = maxBytes(c);
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding')) {
      if (Number(declared) > max) throw tooLarge(max);
      return next();
    }
    const body = await readUpTo(raw.body, max);
    if (!body) throw tooLarge(max);
    (c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer = Promise.resolve(body);
    return next();
  };
}

const tooLarge = (max: number) => new AppError(413, 'payload_too_large', `The request body is larger than ${max} bytes.`);

/** The stream's bytes, or null as soon as they pass `max` (the rest is never read). */
async function readUpTo(stream: ReadableStream<Uint8Array>, max: number): Promise<ArrayBuffer | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return only.byteOffset === 0 && only.byteLength === only.buffer.byteLength ? (only.buffer as ArrayBuffer) : only.slice().buffer;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out.buffer;
}

/**
 * Cloudflare's Rate Limiting binding (wrangler.toml `[[ratelimits]]`): counted by the platform in
 * the Cloudflare location that runs the request, its limit and period set in wrangler.toml.
 */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export function isRateLimitBinding(value: unknown): value is RateLimitBinding {
  return typeof value === 'object' && value !== null && typeof (value as { limit?: unknown }).limit === 'function';
}

/**
 * Fixed-window rate limit per client. On Workers with the limiter's binding (`binding`, the name
 * wrangler.toml gives it), Cloudflare counts: no store command at all, where a window in the
 * store cost a lone request one or two (INCRBY, PEXPIRE). The binding answers only yes or no, so
 * its answers carry no RateLimit-* headers, and its limit is wrangler.toml's. Elsewhere (Node, or a
 * Worker deployed without the binding) the window is shared by every isolate/instance through the
 * store: each counts its own requests at once and learns the others' at its write-behind flush (at
 * most a second later), so a request costs no store round trip and a flood is still stopped
 * everywhere. A limit of 0 turns either off. Answers 429 with Retry-After.
 */
export function rateLimit(opts: {
  name: string;
  limit: (c: Context<AppEnv>) => number;
  windowMs: number;
  key: (c: Context<AppEnv>) => string;
  binding: string;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { writeBehind, clock } = c.get('deps');
    const limit = opts.limit(c);
    if (limit <= 0) return next();
    const now = clock.now().getTime();
    const window = Math.floor(now / opts.windowMs);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * opts.windowMs - now) / 1000));
    const bound = (c.env as Record<string, unknown> | undefined)?.[opts.binding];
    if (isRateLimitBinding(bound)) {
      // Fails open, as the store's windows do when the store is down: a limiter never refuses work it cannot count.
      const verdict = await Promise.resolve()
        .then(() => bound.limit({ key: opts.key(c) }))
        .catch((err: unknown) => {
          c.get('log').warn('rate limit not checked: the binding failed', { limiter: opts.name, err });
          return { success: true };
        });
      if (!verdict.success) throw rateLimited(resetSeconds);
      return next();
    }
    const key = `ratelimit:${opts.name}:${opts.key(c)}:${window}`;
    writeBehind.windowAdd(key, 1, opts.windowMs);
    const count = writeBehind.windowCount(key);
    c.header('RateLimit-Limit', String(limit));
    c.header('RateLimit-Remaining', String(Math.max(0, limit - count)));
    c.header('RateLimit-Reset', String(resetSeconds));
    if (count > limit) throw rateLimited(resetSeconds);
    await next();
  };
}

const rateLimited = (resetSeconds: number) =>
  new AppError(429, 'rate_limited', `Too many requests; retry in ${resetSeconds} s.`, { headers: { 'Retry-After': String(resetSeconds) } });
