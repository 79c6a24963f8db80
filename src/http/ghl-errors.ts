import { GhlError } from '../ghl/errors';
import { AppError } from './errors';

/** A GHL failure met while serving a request, in our problem vocabulary. */
export function appErrorFromGhl(err: unknown): unknown {
  if (!(err instanceof GhlError)) return err;
  switch (err.kind) {
    case 'not_connected':
      return new AppError(409, 'ghl_not_connected', `${err.message}. Install the app or set a private integration token first.`);
    case 'reauth_required':
    case 'auth':
    case 'scope':
      return new AppError(409, 'ghl_reauth_required', err.message);
    case 'not_found':
      return new AppError(404, 'ghl_not_found', err.message);
    case 'validation':
    case 'slot_unavailable':
      return new AppError(422, 'ghl_rejected', err.message);
    default:
      // Rate limits, outages, open circuit: ours to retry, the caller's to try later.
      return new AppError(503, 'ghl_unavailable', `GHL is not answering well right now (${err.kind}); try again shortly.`, {
        headers: { 'Retry-After': '30' },
      });
  }
}
