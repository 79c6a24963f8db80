import * as z from 'zod';

/**
 * An id that comes from outside (GHL location, calendar, contact, user, appointment ids): not
 * empty, bounded, trimmed. One definition, so every route and payload accepts the same ids.
 *
 * A function, not a shared schema: route modules decorate it for OpenAPI (`.openapi()`), which
 * only schemas made after @hono/zod-openapi has extended zod can take — a schema made here at
 * import time would depend on which module happened to load first.
 */
export const externalId = () => z.string().trim().min(1, 'must not be empty').max(128);
