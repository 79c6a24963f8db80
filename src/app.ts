import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from './http/app-env';
import { AppError } from './errors';
import { requireApiKey } from './http/middleware/auth';
import { limitBody, rateLimit } from './http/middleware/limits';
import { requestContext } from './http/middleware/request-context';
import { renderError } from './http/render-error';
import { healthRoutes } from './routes/health';
import { citasRoutes } from './routes/citas';
import { locationsRoutes } from './routes/locations';
import { ghlRoutes } from './routes/ghl';
import { adminRoutes } from './routes/admin';
import { oauthRoutes } from './routes/oauth';
import { webhookRoutes } from './routes/webhooks';
import { jobRoutes } from './routes/jobs';
import type { DepsProvider } from './runtime/provider';
import { metricsReport, prometheusText } from './ops/metrics-report';

/**
 * The shell every function shares: request context, errors, CORS, limits, auth and health.
 * Each deployable function mounts the resources it serves on top (see functions/).
 */
export function createBaseApp(provider: DepsProvider) {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext(provider));
  app.onError(renderError);
  app.notFound((c) => renderError(new AppError(404, 'route_not_found', `No route for ${c.req.method} ${c.req.path}.`), c));

  app.use('/api/*', (c, next) =>
    cors({
      origin: (origin) => (c.var.deps.config.CORS_ORIGINS.includes(origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
      allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'OPTIONS'],
      exposeHeaders: ['ETag', 'Location', 'X-Request-Id', 'Retry-After'],
      maxAge: 600,
    })(c, next),
  );
  // Webhooks and jobs authenticate by signature (GHL's, QStash's), not key; webhooks bring their own body limit.
  const keyed = (mw: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> => (c, next) =>
    c.req.path.startsWith('/api/webhooks/') || c.req.path.startsWith('/api/jobs/') ? next() : mw(c, next);
  app.use('/api/*', keyed(limitBody((c) => c.var.deps.config.MAX_BODY_BYTES)));
  app.use('/api/*', keyed(requireApiKey()));
  app.use('/api/admin/*', requireApiKey('admin'));
  app.use(
    '/api/*',
    keyed(rateLimit({
      name: 'api',
      windowMs: 60_000,
      limit: (c) => c.var.deps.config.API_RATE_LIMIT_PER_MINUTE,
      // Per key: the front desk of one clinic must not starve another's.
      key: (c) => c.var.client?.id ?? 'anonymous',
    })),
  );

  app.route('/', healthRoutes);
  // Prometheus scrapes with the admin key as a bearer token.
  app.get('/metrics', requireApiKey('admin'), async (c) =>
    c.text(prometheusText(await metricsReport(c.var.deps)), 200, { 'Content-Type': 'text/plain; version=0.0.4' }),
  );
  return app;
}

/** Citas, location settings and calendar discovery: what the RV3 front end calls. */
export function createCitasApp(provider: DepsProvider) {
  const app = createBaseApp(provider);
  app.route('/api/citas', citasRoutes);
  app.route('/api/locations', locationsRoutes);
  app.route('/api/ghl', ghlRoutes);
  return app;
}

/** GHL's webhooks, as their own function. */
export function createWebhooksApp(provider: DepsProvider) {
  const app = createBaseApp(provider);
  app.route('/api/webhooks', webhookRoutes);
  return app;
}

/** The scheduled sync jobs (QStash-signed), as their own function. */
export function createJobsApp(provider: DepsProvider) {
  const app = createBaseApp(provider);
  app.route('/api/jobs', jobRoutes);
  return app;
}

/** Every route in one worker (the simplest deployment, and what `npm start` serves). */
export function createFullApp(provider: DepsProvider) {
  const app = createCitasApp(provider);
  app.route('/api/webhooks', webhookRoutes);
  app.route('/api/jobs', jobRoutes);
  app.route('/oauth', oauthRoutes);
  app.route('/api/admin', adminRoutes);
  return app;
}
