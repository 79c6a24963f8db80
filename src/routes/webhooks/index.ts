import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { limitBody, rateLimit } from '../../http/middleware/limits';
import { createWebhookVerifier, type WebhookVerifier } from '../../webhooks/signature';
import { receiveGhlWebhook } from '../../webhooks/receive';
import type { AppConfig } from '../../config/config';

/**
 * /api/webhooks/ghl (also /api/webhooks/ghl/appointments): GHL's signed webhooks. Public: the
 * signature is the authentication. Guarded by a per-IP limit and a body limit before anything
 * is read.
 */
const verifiers = new WeakMap<AppConfig, WebhookVerifier>();
function verifierFor(config: AppConfig): WebhookVerifier {
  let v = verifiers.get(config);
  if (!v) {
    v = createWebhookVerifier({ ed25519: config.GHL_WEBHOOK_ED25519_PUBLIC_KEY, rsa: config.GHL_WEBHOOK_RSA_PUBLIC_KEY });
    verifiers.set(config, v);
  }
  return v;
}

function clientIp(c: { req: { header(name: string): string | undefined } }): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'unknown';
}

export const webhookRoutes = new Hono<AppEnv>();
webhookRoutes.use('*', limitBody((c) => c.var.deps.config.WEBHOOK_MAX_BODY_BYTES));
webhookRoutes.use(
  '*',
  rateLimit({ name: 'webhooks', windowMs: 60_000, limit: (c) => c.var.deps.config.WEBHOOK_RATE_LIMIT_PER_MINUTE, key: clientIp }),
);
for (const path of ['/ghl', '/ghl/appointments']) {
  webhookRoutes.post(path, async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const started = Date.now();
    const result = await receiveGhlWebhook(c.var.deps, verifierFor(c.var.deps.config), {
      raw,
      headers: c.req.raw.headers,
      requestId: c.var.requestId,
    });
    c.set('logFields', { ...c.var.logFields, webhook_id: result.body.webhook_id, outcome: result.body.outcome, handle_ms: Date.now() - started });
    return c.json(result.body, 200);
  });
}
