import type { Context } from 'hono';
import * as z from 'zod';

/** A control request the sandbox cannot act on; the app answers it 400 `{error}`. */
export class ControlRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlRequestError';
  }
}

/** An empty body reads as `{}`, so `curl -X POST .../reset` works without `-d`. */
export async function parseControlBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ControlRequestError('body must be JSON');
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ControlRequestError(result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  }
  return result.data;
}
