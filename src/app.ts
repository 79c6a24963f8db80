import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Hono, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from './http/app-env';
import type { AppConfig } from './config/config';
import { AppError } from './errors';
import { requireApiKey } from './http/middleware/auth';
import { limitBody, rateLimit } from './http/middleware/limits';
import { requestContext } from './http/middleware/request-context';
import { renderError } from './http/render-error';
import { problemHook, problems, SECURITY_SCHEMES, security } from './http/openapi';
import { renderDocsPage } from './http/docs-page';
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

export const API_VERSION = '1.0.0';

const LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;
function allowedOrigin(config: AppConfig, origin: string): boolean {
  return config.CORS_ORIGINS.includes(origin) || (config.CORS_ALLOW_LOCALHOST && LOCALHOST.test(origin));
}

/**
 * The shell every function shares: request context, errors, CORS, limits, auth, health, metrics.
 * Each deployable function mounts the resources it serves on top (see functions/), and serves
 * its own contract at /openapi.json and /docs.
 */
export function createBaseApp(provider: DepsProvider) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: problemHook });
  app.use('*', requestContext(provider));
  app.onError(renderError);
  app.notFound((c) => renderError(new AppError(404, 'route_not_found', `No route for ${c.req.method} ${c.req.path}.`), c));

  app.use('/api/*', (c, next) =>
    cors({
      origin: (origin) => (allowedOrigin(c.var.deps.config, origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
      allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['ETag', 'Location', 'X-Request-Id', 'Retry-After', 'Idempotent-Replayed'],
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
      key: (c) => c.var.client?.clientId ?? 'anonymous',
    })),
  );
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);

  app.use('/metrics', requireApiKey('admin'));
  app.openapi(prometheusRoute, async function prometheusMetrics(c) {
    return c.text(prometheusText(await metricsReport(c.var.deps)), 200, { 'Content-Type': 'text/plain; version=0.0.4' });
  });
  return app.route('/', healthRoutes);
}

// Prometheus scrapes with the admin key as a bearer token.
const prometheusRoute = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'prometheusMetrics',
  summary: 'Metrics in the Prometheus text format',
  tags: ['Operations'],
  security: security.apiKey,
  responses: { 200: { description: 'Prometheus exposition.', content: { 'text/plain': { schema: z.string() } } }, ...problems(401, 403) },
});

/** /openapi.json (OpenAPI 3.1, this function's routes) and /docs (the reference page rendered from it). */
function withContract<A extends Hono<AppEnv, any, any>>(typed: A, title: string): A {
  // Every app here is an OpenAPIHono at run time; `route()` is only typed as returning a Hono.
  const app = typed as unknown as OpenAPIHono<AppEnv>;
  const config = contractInfo(title);
  app.doc31('/openapi.json', config);
  app.get('/docs', (c) => c.html(renderDocsPage(app.getOpenAPI31Document(config) as unknown as Record<string, unknown>)));
  return typed;
}

function contractInfo(title: string) {
  return {
    openapi: '3.1.0',
    info: {
      title,
      version: API_VERSION,
      description:
        'Appointments ("citas") kept in sync both ways between RV3 and GoHighLevel calendars. Errors are `application/problem+json` with a stable `code`; every answer carries `X-Request-Id`.',
    },
  };
}

/** The full app's OpenAPI document, without serving anything (the Postman generator uses it). */
export function fullApiDocument() {
  const unused: DepsProvider = { acquire: () => Promise.reject(new Error('the contract needs no deps')) };
  return (createFullApp(unused) as unknown as OpenAPIHono<AppEnv>).getOpenAPI31Document(contractInfo('citas-sync'));
}

/** Citas, location settings and calendar discovery: what the RV3 front end calls. */
export function createCitasApp(provider: DepsProvider) {
  return withContract(mountCitas(createBaseApp(provider)), 'citas-sync — citas');
}

function mountCitas(app: ReturnType<typeof createBaseApp>) {
  return app.route('/api/citas', citasRoutes).route('/api/locations', locationsRoutes).route('/api/ghl', ghlRoutes);
}

/** GHL's webhooks, as their own function. */
export function createWebhooksApp(provider: DepsProvider) {
  return withContract(createBaseApp(provider).route('/api/webhooks', webhookRoutes), 'citas-sync — webhooks');
}

/** The scheduled sync jobs (QStash-signed), as their own function. */
export function createJobsApp(provider: DepsProvider) {
  return withContract(createBaseApp(provider).route('/api/jobs', jobRoutes), 'citas-sync — jobs');
}

/** Every route in one worker (the simplest deployment, and what `npm start` serves). */
export function createFullApp(provider: DepsProvider) {
  const app = mountCitas(createBaseApp(provider))
    .route('/api/webhooks', webhookRoutes)
    .route('/api/jobs', jobRoutes)
    .route('/oauth', oauthRoutes)
    .route('/api/admin', adminRoutes);
  return withContract(app, 'citas-sync');
}

/** The apps' types, for `hono/client` (see src/client.ts). */
export type CitasApp = ReturnType<typeof createCitasApp>;
export type FullApp = ReturnType<typeof createFullApp>;
export type WebhooksApp = ReturnType<typeof createWebhooksApp>;
export type JobsApp = ReturnType<typeof createJobsApp>;
