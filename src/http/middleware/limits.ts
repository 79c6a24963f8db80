import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import { AppError } from '../../errors';

/** Body-size guard that answers in our problem format (413) before a large body is read. */
export function limitBody(maxBytes: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => number): MiddlewareHandler<AppEnv> {
  // One middleware per limit, not one per request: the limit comes from the config, which rarely changes.
  const byLimit = new Map<number, MiddlewareHandler>();
  return async (c, next) => {
    const max = maxBytes(c);
    let mw = byLimit.get(max);
    if (!mw) {
      mw = bodyLimit({
        maxSize: max,
        onError: () => {
          throw new AppError(413, 'payload_too_large', `The request body is larger than ${max} bytes.`);
        },
      });
      byLimit.set(max, mw);
    }
    return mw(c, next);
  };
}

/**
 * Fixed-window rate limit per client, shared by every isolate/instance through the store: each
 * counts its own requests at once and learns the others' at its write-behind flush (at most a
 * second later), so a request costs no store round trip and a flood is still stopped everywhere.
 * Answers 429 with Retry-After.
 */
export function rateLimit(opts: {
  name: string;
  limit: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => number;
  windowMs: number;
  key: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { writeBehind, clock } = c.get('deps');
    const limit = opts.limit(c);
    if (limit <= 0) return next();
    const now = clock.now().getTime();
    const window = Math.floor(now / opts.windowMs);
    const key = `ratelimit:${opts.name}:${opts.key(c)}:${window}`;
    writeBehind.windowAdd(key, 1, opts.windowMs);
    const count = writeBehind.windowCount(key);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * opts.windowMs - now) / 1000));
    c.header('RateLimit-Limit', String(limit));
    c.header('RateLimit-Remaining', String(Math.max(0, limit - count)));
    c.header('RateLimit-Reset', String(resetSeconds));
    if (count > limit) {
      throw new AppError(429, 'rate_limited', `Too many requests; retry in ${resetSeconds} s.`, {
        headers: { 'Retry-After': String(resetSeconds) },
      });
    }
    await next();
  };
}
