import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * A GHL error answer: status plus the exact body GHL sends. Handlers throw it; the app's onError
 * renders it, with whatever headers (rate limits) the request has gathered by then.
 */
export class GhlError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : `GHL ${status}`);
    this.name = 'GhlError';
  }

  static invalidJwt(): GhlError {
    return new GhlError(401, { statusCode: 401, message: 'Invalid JWT', error: 'Unauthorized' });
  }

  // Distinct from invalidJwt on purpose: a client must not answer a missing scope with a refresh.
  static missingScope(): GhlError {
    return new GhlError(401, { statusCode: 401, message: 'The token is not authorized for this scope.', error: 'Unauthorized' });
  }

  static wrongLocation(): GhlError {
    return new GhlError(403, { statusCode: 403, message: 'The token does not have access to this location.' });
  }

  static badRequest(message: string): GhlError {
    return new GhlError(400, { statusCode: 400, message });
  }

  static notFound(message: string): GhlError {
    return new GhlError(404, { statusCode: 404, message });
  }

  /**
   * A request the calendars API refuses as invalid. calendars.json declares 400 BadRequestDTO
   * (`message` a string) and no 422 for its operations, so the failing fields are one message.
   */
  static invalidCalendarsRequest(messages: string[]): GhlError {
    return new GhlError(400, { statusCode: 400, message: messages.join('; '), error: 'Bad Request' });
  }

  /**
   * A contact search GHL refuses: contacts.json declares 400 (no schema, so BadRequestDTO's shape,
   * `message` a string) and no 422 for `POST /contacts/search`, so the failing fields are one message.
   */
  static invalidSearchRequest(messages: string[]): GhlError {
    return new GhlError(400, { statusCode: 400, message: messages.join('; '), error: 'Bad Request' });
  }

  /** NestJS-style validation failure: one message per failing field (D:err schema; contacts, locations, OAuth). */
  static unprocessable(messages: string[]): GhlError {
    return new GhlError(422, { statusCode: 422, message: messages, error: 'Unprocessable Entity' });
  }

  static tooManyRequests(): GhlError {
    return new GhlError(429, { statusCode: 429, message: 'Too many requests' });
  }
}

/**
 * Thrown for an injected 'network' fault. It escapes app.fetch on purpose: sandbox.fetch turns it
 * into TypeError('fetch failed') and the Node server destroys the socket, as a connection reset would.
 */
export class SimulatedNetworkFailure extends Error {
  constructor() {
    super('simulated connection reset');
    this.name = 'SimulatedNetworkFailure';
  }
}

export function traceId(): string {
  return crypto.randomUUID();
}

export function renderGhlError(err: Error, c: Context): Response {
  if (err instanceof SimulatedNetworkFailure) throw err;
  if (err instanceof GhlError) return c.json(err.body, err.status);
  console.error('ghl-sandbox: unexpected error', err);
  return c.json({ statusCode: 500, message: 'Internal server error' }, 500);
}
