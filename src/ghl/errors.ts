/**
 * Everything that can go wrong talking to GHL, reduced to the few kinds callers decide on.
 * - auth: the token is not accepted (expired/revoked) — refresh once, then re-authorise.
 * - scope: the token lacks a scope — refreshing cannot help, never loop.
 * - reauth_required: the connection is dead until someone reinstalls / sets a new token.
 * - not_connected: no connection stored for the location.
 * - rate_limited, server, network: transient — retry with backoff.
 * - circuit_open: we stopped calling this location for a while; work stays pending.
 * - store_unavailable: our shared store is down, and this call needs it to stay safe (a token
 *   refresh must hold the cross-process lock); work stays pending.
 * - not_found, slot_unavailable, validation: the request itself is wrong for GHL.
 */
export type GhlErrorKind =
  | 'auth'
  | 'scope'
  | 'reauth_required'
  | 'not_connected'
  | 'rate_limited'
  | 'not_found'
  | 'slot_unavailable'
  | 'validation'
  | 'server'
  | 'network'
  | 'circuit_open'
  | 'store_unavailable';

const TRANSIENT: ReadonlySet<GhlErrorKind> = new Set(['rate_limited', 'server', 'network', 'store_unavailable']);
/** Nothing but a person can fix these: a new install or token. Retrying only burns attempts. */
const RECONNECT: ReadonlySet<GhlErrorKind> = new Set(['reauth_required', 'not_connected', 'scope']);

export class GhlError extends Error {
  constructor(
    readonly kind: GhlErrorKind,
    message: string,
    readonly details: {
      status?: number;
      /** The request may have been processed by GHL (timeout/5xx after sending a write). */
      maybeWritten?: boolean;
      body?: unknown;
      cause?: unknown;
    } = {},
  ) {
    super(message);
    this.name = 'GhlError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }

  get needsReconnect(): boolean {
    return RECONNECT.has(this.kind);
  }
}

/** A GHL failure that only reconnecting the location can fix. */
export function needsReconnect(err: unknown): err is GhlError {
  return err instanceof GhlError && err.needsReconnect;
}

/** GHL's error bodies: `{statusCode, message: string | string[], error?}`; OAuth: `{error, error_description}`. */
export function errorMessageOf(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; error?: unknown; error_description?: unknown };
    if (Array.isArray(b.message)) return b.message.map(String).join('; ');
    if (typeof b.message === 'string') return b.message;
    if (typeof b.error_description === 'string') return b.error_description;
    if (typeof b.error === 'string') return b.error;
  }
  return typeof body === 'string' && body ? body.slice(0, 300) : 'no message';
}

/** Maps an HTTP answer from GHL to an error kind. */
export function classifyResponse(status: number, body: unknown): GhlErrorKind {
  const message = errorMessageOf(body).toLowerCase();
  if (status === 401) return message.includes('scope') ? 'scope' : 'auth';
  if (status === 403) return 'scope';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  if (message.includes('slot') && message.includes('no longer available')) return 'slot_unavailable';
  return 'validation';
}
