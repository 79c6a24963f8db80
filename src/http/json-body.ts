import type { Context } from 'hono';
import type * as z from 'zod';
import { AppError, fieldErrorsFromZod } from '../errors';

/**
 * Reads and validates a JSON body. Malformed JSON is a 400 (the client sent bytes we cannot read);
 * well-formed JSON with wrong fields is a 422 naming every failing field.
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

export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw AppError.validation(fieldErrorsFromZod(parsed.error, prefix));
  return parsed.data;
}
