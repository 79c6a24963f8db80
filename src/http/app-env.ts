import type { Deps } from '../runtime/deps';
import type { Logger } from '../observability/logger';

/** Hono's typing for our context: `c.var.deps`, `c.var.logger`, … */
export interface AppEnv {
  Bindings: Record<string, unknown>;
  Variables: {
    deps: Deps;
    requestId: string;
    /** The request's logger (carries the request id). */
    log: Logger;
    /** Work that must finish after the response (outbound pushes); the request's deps live until it does. */
    defer: (task: Promise<unknown>) => void;
    /** Fields handlers add to the request's one log line. */
    logFields: Record<string, unknown>;
    /** Who called, once authenticated: role and a digest-derived id (never the key). */
    client?: { role: 'api' | 'admin'; id: string };
  };
}
