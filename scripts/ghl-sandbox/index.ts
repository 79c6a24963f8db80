import type { Hono } from 'hono';
import { createSandboxApp } from './app';
import { createCore } from './core';
import { SimulatedNetworkFailure } from './errors';
import type { Appointment, FaultSpec, SandboxOptions, SandboxStats, SeedData } from './types';

/**
 * The GHL sandbox: a local stand-in for the parts of GHL API v2 that appointment sync uses, with
 * in-memory state, GHL's limits and injectable faults. Tests hand `sandbox.fetch` to our GHL
 * client; server.ts serves the same app over HTTP. Web APIs only, so it can run anywhere.
 */

export { DEMO_SEED } from './demo-seed';
export type {
  Appointment,
  AppointmentStatus,
  AppointmentWriteResult,
  Calendar,
  Contact,
  FaultKind,
  FaultSpec,
  Location,
  SandboxOptions,
  SandboxStats,
  Scope,
  SeedData,
} from './types';
export { APPOINTMENT_STATUSES, SCOPES } from './types';

export interface GhlSandbox {
  app: Hono;
  /** A drop-in fetch for clients; any origin works, e.g. 'https://sandbox.ghl.test'. */
  fetch: typeof fetch;
  seed(data: SeedData): void;
  issueAuthCode(locationId: string, opts?: { scopes?: string[] }): string;
  createPrivateToken(locationId: string, opts?: { scopes?: string[] }): string;
  expireAccessTokens(locationId?: string): void;
  injectFault(f: FaultSpec): string;
  clearFaults(): void;
  stats(): SandboxStats;
  appointments(filter?: { locationId?: string; calendarId?: string }): Appointment[];
  reset(): void;
}

export function createGhlSandbox(opts: SandboxOptions = {}): GhlSandbox {
  const core = createCore(opts);
  const app = createSandboxApp(core);

  /**
   * Behaves like the platform fetch where it matters to a client: an aborted signal rejects with
   * its reason even while the sandbox is still "thinking", and an injected network fault rejects
   * with TypeError('fetch failed').
   */
  const sandboxFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const signal = request.signal;
    if (signal.aborted) throw abortReason(signal);
    const pending = Promise.resolve(app.fetch(request)).catch((err: unknown) => {
      if (err instanceof SimulatedNetworkFailure) throw new TypeError('fetch failed', { cause: err });
      throw err;
    });
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  };

  return {
    app,
    fetch: sandboxFetch as typeof fetch,
    seed: core.seed,
    issueAuthCode: core.issueAuthCode,
    createPrivateToken: core.createPrivateToken,
    expireAccessTokens: core.expireAccessTokens,
    injectFault: core.injectFault,
    clearFaults: core.clearFaults,
    stats: core.statsSnapshot,
    appointments: core.appointments,
    reset: core.reset,
  };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
