import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { DepsProvider, Lease } from '../../runtime/provider';
import { createLogger, type Logger } from '../../observability/logger';
import type { AppEnv } from '../app-env';
import { renderError } from '../render-error';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const bootLogger = createLogger();

/**
 * Outermost middleware: request id, the request's deps (leased from the runtime's provider, with
 * the request's logger in them so every line a use case writes carries the request id), work
 * deferred past the response, and exactly one structured log line per request.
 */
export function requestContext(provider: DepsProvider): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    const tasks: Promise<unknown>[] = [];
    /** Deferred work not started yet: it starts once the answer is sent (its connection handed off). */
    const later: (() => Promise<unknown>)[] = [];
    const logEvent: Record<string, unknown> = {};
    c.set('requestId', requestId);
    c.set('logEvent', logEvent);
    c.set('defer', (task) => (typeof task === 'function' ? later.push(task) : tasks.push(task)));
    c.header('X-Request-Id', requestId);
    // Every answer is what its Content-Type says: no browser may sniff a JSON body into a page.
    c.header('X-Content-Type-Options', 'nosniff');

    let lease: Lease | undefined;
    try {
      lease = await provider.acquire(c.env);
      const log = lease.deps.logger.child({ request_id: requestId });
      c.set('log', log);
      c.set('deps', { ...lease.deps, logger: log });
      await next();
    } catch (err) {
      // Only failures before routing land here (e.g. invalid configuration); handler errors go through onError.
      if (!lease) c.set('log', bootLogger.child({ request_id: requestId }));
      c.res = renderError(err, c);
    }

    const log = c.get('log');
    const status = c.res.status;
    const line = { method: c.req.method, path: c.req.path, status, duration_ms: Date.now() - started, ...logEvent };
    if (status >= 500) log.error('request', line);
    else if (status >= 400) log.warn('request', line);
    else log.info('request', line);

    if (lease) {
      lease.deps.metrics.observe('http_request_duration_seconds', line.duration_ms / 1000, {
        route: routeTemplate(c),
        method: METHODS.has(c.req.method) ? c.req.method : 'OTHER',
        status_class: `${Math.floor(status / 100)}xx`,
      });
      // The answer is ready: its database connection goes back now (Workers), while the work
      // deferred past it goes on, on a connection of its own if it needs one.
      const handedOff = lease.answered?.();
      for (const run of later) tasks.push(Promise.resolve().then(run));
      // Counts wait in this process and reach the store in one write at most once per WRITE_BEHIND_MS.
      afterResponse(c, { deferred: tasks, handedOff, flush: lease.deps.writeBehind.flushSoon() }, lease, log);
    }
  };
}

/** Label values must stay few: any token is a valid method, and a client chooses it. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The route's template (`/api/citas/:id`), a bounded label; `unmatched` when no route took it. */
function routeTemplate(c: Context<AppEnv>): string {
  const handler = matchedRoutes(c).filter((r) => !r.path.endsWith('*')).at(-1);
  return handler?.path ?? 'unmatched';
}

function afterResponse(
  c: Context<AppEnv>,
  work: { deferred: Promise<unknown>[]; handedOff: Promise<void> | undefined; flush: Promise<void> },
  lease: Lease,
  log: Logger,
): void {
  const settled = (tasks: (Promise<unknown> | undefined)[]) =>
    Promise.allSettled(tasks).then((results) => {
      for (const r of results) if (r.status === 'rejected') log.error('deferred task failed', { err: r.reason });
    });
  // The deferred work's own connection, if it opened one, goes back when that work is done. The
  // request's resources wait for nothing else: the write-behind flush (up to WRITE_BEHIND_MS away,
  // and only the request that set its timer waits for it) holds none of them.
  const deferred = settled(work.deferred).then(() => lease.answered?.());
  const done = Promise.all([deferred, settled([work.handedOff])])
    .finally(() => lease.release())
    .catch((err) => log.error('releasing request resources failed', { err }));
  try {
    c.executionCtx.waitUntil(done);
    c.executionCtx.waitUntil(settled([work.flush]));
  } catch {
    // Node: no ExecutionContext; the promises simply run on.
  }
}
