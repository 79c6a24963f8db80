import type { Context, Hono, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import * as z from 'zod/v4';
import type { AppConfig } from '../config/config';
import type { AppEnv } from '../http/app-env';
import { AppError } from '../errors';
import { requireApiKey } from '../http/middleware/auth';
import { limitBody, rateLimit } from '../http/middleware/limits';
import { requestContext } from '../http/middleware/request-context';
import { renderError } from '../http/render-error';
import { createRouter, problems, security } from '../http/openapi';
import { defineRoute } from '../http/router';
import { docsFile } from '../http/docs-page';
import type { StaticFile } from '../http/static-file';
import { healthRoutes } from '../routes/health';
import type { DepsProvider } from '../runtime/provider';
import { prometheusText } from '../ops/metrics-report';

const LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;
function allowedOrigin(config: AppConfig, origin: string): boolean {
  return config.CORS_ORIGINS.includes(origin) || (config.CORS_ALLOW_LOCALHOST && LOCALHOST.test(origin));
}

// Prometheus scrapes with the admin key as a bearer token. Made only when served (withOperatorPages,
// the all-in-one app), so the functions' bundles leave the definition out.
const prometheusRoute = () =>
  defineRoute({
    method: 'get',
    path: '/metrics',
    operationId: 'prometheusMetrics',
    summary: 'Metrics in the Prometheus text format',
    description: 'The scrape target, with the admin key as bearer token: one for the whole service, since every function shares these totals.',
    tags: ['Operations'],
    security: security.apiKey,
    responses: { 200: { description: 'Prometheus exposition.', content: { 'text/plain': { schema: z.string() } } }, ...problems(401, 403) },
  });

/**
 * Webhooks and jobs authenticate by signature (GHL's, QStash's), not key, and bring their own
 * limits: the rest of /api/* is behind the API key, the body limit and the per-key rate limit.
 * The document builder declares what those answer by the same test.
 */
export const signedPath = (path: string) => path.startsWith('/api/webhooks/') || path.startsWith('/api/jobs/');

/**
 * The shell every function shares: request context, errors, CORS, limits, auth, health.
 * Each deployable function (src/apps/<function>.ts) mounts the resources it serves on top, and
 * only those: its bundle carries its own routes and packages.
 */
export function createBaseApp(provider: DepsProvider) {
  const app = createRouter();
  app.use('*', requestContext(provider));
  app.onError(renderError);
  app.notFound((c) => renderError(new AppError(404, 'route_not_found', `No route for ${c.req.method} ${c.req.path}.`), c));

  // Only browsers send Origin; a server-to-server call skips the CORS work altogether.
  const corsHeaders = cors({
      origin: (origin, c: Context<AppEnv>) => (allowedOrigin(c.get('deps').config, origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
      allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['ETag', 'Location', 'X-Request-Id', 'Retry-After', 'Idempotent-Replayed'],
      maxAge: 600,
    });
  app.use('/api/*', (c, next) => (c.req.header('origin') === undefined ? next() : corsHeaders(c, next)));
  const keyed = (mw: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> => (c, next) => (signedPath(c.req.path) ? next() : mw(c, next));
  app.use('/api/*', keyed(limitBody((c) => c.get('deps').config.MAX_BODY_BYTES)));
  app.use('/api/*', keyed(requireApiKey()));
  app.use('/api/admin/*', requireApiKey('admin'));
  app.use(
    '/api/*',
    keyed(rateLimit({
      name: 'api',
      binding: 'API_LIMITER',
      windowMs: 60_000,
      limit: (c) => c.get('deps').config.API_RATE_LIMIT_PER_MINUTE,
      // Per key: the front desk of one clinic must not starve another's.
      key: (c) => c.get('client')?.clientId ?? 'anonymous',
    })),
  );
  return app.route('/', healthRoutes);
}

/**
 * What operators and Prometheus open: `GET /docs`, the reference page, and `GET /metrics`, on the
 * all-in-one app, beside /api/admin. Every function would answer /metrics with the same shared
 * totals, so one scrape target is right; the functions GHL, QStash and the front desk call keep
 * their bundles to their own routes.
 */
export function withOperatorPages<A extends ReturnType<typeof createBaseApp>>(app: A, document: object): A {
  let page: StaticFile | undefined;
  app.get('/docs', (c) => {
    page ??= docsFile(document as Record<string, unknown>);
    return c.body(page.body, 200, { ...page.headers, 'Content-Type': page.type });
  });
  app.use('/metrics', requireApiKey('admin'));
  app.openapi(prometheusRoute(), async function prometheusMetrics(c) {
    return c.text(await prometheusText(c.get('deps')), 200, { 'Content-Type': 'text/plain; version=0.0.4' });
  });
  return withContract(app, document);
}

/**
 * /openapi.json: this function's contract, generated from its routes by `npm run openapi`
 * (src/contract/; a test fails when it is stale).
 */
export function withContract<A extends Hono<AppEnv, any, any>>(app: A, document: object): A {
  app.get('/openapi.json', (c) => c.json(document));
  return app;
}
