import type { Deps } from '../deps';
import type { Logger } from '../observability/logger';
import type { Access } from '../access/access';

/**
 * Hono's typing for our context. Read it with `c.get('deps')`, not `c.var.deps`: Hono builds `c.var`
 * as a fresh copy of every variable on each access, which showed in the webhook path's profile.
 */
export interface AppEnv {
  Bindings: Record<string, unknown>;
  Variables: {
    /** The request's deps; their logger is the request's (it carries the request id). */
    deps: Deps;
    requestId: string;
    /** The request's logger (carries the request id); the same as `deps.logger`. */
    log: Logger;
    /**
     * Work that must finish after the response (outbound pushes, learning a patient); the request's
     * deps live until it does. Give it as a function: it starts once the answer is sent, so its
     * database work runs on a connection of its own, opened only if it needs one (Workers), never
     * on the request's. A promise (work already started) keeps whatever it began on.
     */
    defer: (task: Promise<unknown> | (() => Promise<unknown>)) => void;
    /**
     * The request's one "wide" log event: handlers and middleware add fields to it
     * (`Object.assign(c.get('logEvent'), {...})`) and it is written once, when the response is ready.
     */
    logEvent: Record<string, unknown>;
    /** Who called, once authenticated: role, a digest-derived id (never the key), the locations it may use. */
    client?: Access;
    /** A QStash-signed job call's body, verified against its signature (jobs routes only). */
    jobBody?: string;
  };
}
