import * as z from 'zod/v4';

/**
 * An id that comes from outside (GHL location, calendar, contact, user, appointment ids): not
 * empty, bounded, trimmed. One definition, so every route and payload accepts the same ids; a
 * function, so each use can carry its own documentation (`.meta()`) without touching the others.
 */
export const externalId = () => z.string().trim().min(1, 'must not be empty').max(128);
