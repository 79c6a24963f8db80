import type { Context } from 'hono';
import type * as z from 'zod/v4';
import { unsafeJsonFields } from '../domain/text';
import { AppError, fieldErrorsFromZod } from '../errors';

/**
 * Reads and validates a JSON body. Malformed JSON is a 400 (the client sent bytes we cannot read);
 * well-formed JSON with wrong fields — or text Postgres cannot store, or nesting past any sane
 * depth — is a 422 naming every failing field.
 */
export async function readJson<S extends z.ZodType>(
  c: Context,
  schema: S,
  opts: { allowEmpty?: boolean } = {},
): Promise<z.output<S>> {
  const text = await c.req.text();
  if (text.trim() === '' && opts.allowEmpty) return validate(schema, {});
  if (text.trim() === '') throw new AppError(400, 'invalid_json', 'The request body must be a JSON object.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AppError(400, 'invalid_json', `The request body is not valid JSON: ${(e as Error).message}`);
  }
  return validate(schema, value);
}

/** Validates any input (body, query, path parameter) against its schema; 422 with every failing field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const unsafe = unsafeJsonFields(value, undefined, prefix);
  if (unsafe.length) throw AppError.validation(unsafe);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw AppError.validation(fieldErrorsFromZod(parsed.error, prefix));
  return parsed.data;
}
