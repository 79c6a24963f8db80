import type { Context, MiddlewareHandler, Next } from 'hono';
import type { SandboxCore } from './core';
import { delay } from './delay';
import { setAuth } from './request-auth';
import { GhlError, SimulatedNetworkFailure } from './errors';

/** The /_sandbox control plane is not GHL: no auth, no counting, no faults. */
export function isControlPath(path: string): boolean {
  return path === '/_sandbox' || path.startsWith('/_sandbox/');
}

/** Every API request is counted and recorded (with its body) before anything can refuse it. */
export function countCalls(core: SandboxCore): MiddlewareHandler {
  return async (c, next) => {
    if (!isControlPath(c.req.path)) {
      core.stats.countCall(c.req.method, c.req.path);
      await core.requests.record(c.req.raw, c.req.path);
    }
    await next();
  };
}

/**
 * Bearer token, then the location's rate budget (so every authenticated request is counted, as
 * GHL counts them), then injected faults, then the handler.
 */
export function apiGate(core: SandboxCore): MiddlewareHandler {
  return async (c, next) => {
    if (isControlPath(c.req.path) || c.req.path === '/oauth/token') return next();
    const auth = core.tokens.authenticate(bearer(c.req.header('authorization')));
    // Unknown and expired tokens answer alike in GHL ("Invalid JWT"); the client has to try a refresh.
    if (!auth.ok) throw GhlError.invalidJwt();
    setAuth(c, auth.token);
    const rate = core.limiter.hit(auth.token.locationId);
    for (const [name, value] of Object.entries(rate.headers)) c.header(name, value);
    if (rate.limited) {
      core.stats.rateLimited += 1;
      // No Retry-After: whether GHL sends one is unconfirmed, so clients must cope without it.
      throw GhlError.tooManyRequests();
    }
    return runWithFaults(core, c, next, false);
  };
}

export function requireVersion(): MiddlewareHandler {
  return async (c, next) => {
    if (!isControlPath(c.req.path) && c.req.path !== '/oauth/token' && !c.req.header('version')) {
      throw GhlError.badRequest('Version header is required');
    }
    await next();
  };
}

/** Token requests are not rate-limited API calls, but a fault that names their path does hit them. */
export function tokenEndpointFaults(core: SandboxCore): MiddlewareHandler {
  return (c, next) => runWithFaults(core, c, next, true);
}

async function runWithFaults(core: SandboxCore, c: Context, next: Next, explicitOnly: boolean): Promise<Response | void> {
  const decision = core.faults.decide(c.req.method, c.req.path, explicitOnly);
  for (const f of decision.fired) core.stats.countInjected(f.kind);
  const signal = c.req.raw.signal;
  if (decision.latencyMs > 0 && !(await delay(decision.latencyMs, signal))) return abandoned(c);
  const fault = decision.terminal;
  if (!fault) return next();
  switch (fault.kind) {
    case 'network':
      throw new SimulatedNetworkFailure();
    case '429':
      if (fault.retryAfterSeconds !== undefined) c.header('Retry-After', String(fault.retryAfterSeconds));
      return c.json({ statusCode: 429, message: 'Too many requests' }, 429);
    case '500':
      return c.json({ statusCode: 500, message: 'Internal server error' }, 500);
    case '502':
      // What a proxy in front of GHL answers: HTML, not JSON. Clients must not choke on the body.
      return c.html('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>', 502);
    case '503':
      return c.json({ statusCode: 503, message: 'Service Unavailable' }, 503);
    case 'timeout_after_write':
      // The write lands; only the answer is lost. This is the case idempotent clients must survive.
      await next();
      if (!(await delay(fault.latencyMs ?? 30_000, signal))) c.res = abandoned(c);
      return;
    case 'latency':
      return next();
  }
}

/** The caller went away; nobody reads this, it only lets the request finish. */
function abandoned(c: Context): Response {
  return c.body(null, 499 as never);
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
