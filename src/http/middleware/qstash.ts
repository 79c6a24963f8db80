import type { MiddlewareHandler } from 'hono';
import { Receiver } from '@upstash/qstash';
import { ConfigError } from '../../config/config';
import type { AppEnv } from '../app-env';
import { AppError } from '../../errors';

/**
 * Only QStash may call the job endpoints: `Upstash-Signature` is a JWT signed with our current or
 * next signing key, whose `sub` must be exactly this endpoint's public URL and whose `body` claim
 * is the hash of the raw body. Never dev-mode keys. The verified body is left in `jobBody`.
 */
export function requireQStash(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { config, logger } = c.get('deps');
    if (!config.QSTASH_CURRENT_SIGNING_KEY || !config.QSTASH_NEXT_SIGNING_KEY) {
      throw new ConfigError([{ variable: 'QSTASH_CURRENT_SIGNING_KEY', message: 'both QStash signing keys are needed to accept job calls' }]);
    }
    const signature = c.req.header('upstash-signature');
    const body = await c.req.text();
    const url = publicUrl(config.PUBLIC_BASE_URL, c.req.url);
    const messageId = c.req.header('upstash-message-id') ?? null;
    const retried = c.req.header('upstash-retried') ?? '0';
    Object.assign(c.get('logEvent'), { qstash_message_id: messageId, qstash_retried: Number(retried) });
    if (!signature) throw new AppError(401, 'invalid_signature', 'Missing Upstash-Signature.');
    const receiver = new Receiver({
      currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
      devMode: false,
    } as ConstructorParameters<typeof Receiver>[0]);
    const ok = await receiver.verify({ signature, body, url }).catch(() => false);
    if (!ok) {
      logger.warn('job call rejected: signature', { url, message_id: messageId });
      throw new AppError(401, 'invalid_signature', 'The Upstash-Signature does not verify for this URL and body.');
    }
    c.set('jobBody', body);
    await next();
  };
}

/** The URL QStash was told to call: PUBLIC_BASE_URL + path (+ query), else the request's own. */
export function publicUrl(base: string | undefined, requestUrl: string): string {
  const u = new URL(requestUrl);
  return base ? `${base.replace(/\/$/, '')}${u.pathname}${u.search}` : u.toString();
}
