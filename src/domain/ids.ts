import * as z from 'zod';

/**
 * An id that comes from outside (GHL location, calendar, contact, user, appointment ids): not
 * empty, bounded, trimmed. One definition, so every route and payload accepts the same ids.
 */
export const externalId = z.string().trim().min(1, 'must not be empty').max(128);
