import type { ZodError } from 'zod/v4';

/** A field that failed, as clients see it: the JSON path and what was wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one error type of the service. Everything a client can be told is an AppError with a
 * stable `code`; anything else is a bug and is rendered as 500 `internal` (see render-error.ts).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { fields?: FieldError[]; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  static validation(fields: FieldError[], message = 'The request has invalid fields.'): AppError {
    return new AppError(422, 'validation_failed', message, { fields });
  }

  static notFound(what: string, id: string): AppError {
    return new AppError(404, 'not_found', `${what} ${id} does not exist.`);
  }
}

export function fieldErrorsFromZod(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // Name each unknown key as the failing field, so a typo like `calendarId` is obvious.
      return issue.keys.map((k) => ({ field: [...path, k].join('.'), message: 'unknown field' }));
    }
    return [{ field: [prefix, ...path].filter(Boolean).join('.') || '(body)', message: issue.message }];
  }).flat();
}
