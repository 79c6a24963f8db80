import type { Hono } from 'hono';
import { ghlUserActions } from './actions';
import { createSandboxApp } from './app';
import { createCore } from './core';
import { SimulatedNetworkFailure } from './errors';
import type { SandboxData } from './store';
import type {
  Appointment,
  Block,
  ContactView,
  FaultSpec,
  GhlUserActions,
  SandboxOptions,
  SandboxRequest,
  SandboxStats,
  SeedData,
  SeriesWebhookIds,
  WebhookConfig,
  WebhookLogEntry,
  WebhookMode,
  WebhookPublicKeys,
  WebhookScheme,
} from './types';

/**
 * The GHL sandbox: a local stand-in for the parts of GHL API v2 that appointment sync uses, with
 * in-memory state, GHL's limits and injectable faults, and GHL's signed appointment and contact
 * webhooks. Tests hand `sandbox.fetch` to our GHL client; server.ts serves the same app over HTTP.
 * Web APIs only, so it can run anywhere.
 */

export { DEMO_SEED, demoSeed } from './demo-seed';
export type { SandboxData } from './store';
export type {
  Appointment,
  AppointmentStatus,
  AppointmentWebhookPayload,
  AppointmentWebhookType,
  AppointmentWriteResult,
  AppWebhookPayload,
  AppWebhookType,
  Block,
  BlockWriteResult,
  Calendar,
  Contact,
  ContactSearchItem,
  ContactView,
  ContactWebhookPayload,
  ContactWebhookType,
  CreateAppointmentAction,
  CreateBlockAction,
  CreateContactAction,
  EditAppointmentAction,
  EditBlockAction,
  EditContactAction,
  FaultKind,
  FaultSpec,
  FreeSlots,
  GhlUserActions,
  Location,
  OpenHourSpan,
  OpenHours,
  SandboxOptions,
  SandboxRequest,
  SandboxStats,
  Scope,
  SeedBlock,
  SeedContact,
  SeedData,
  SeriesWebhookIds,
  WebhookConfig,
  WebhookLogEntry,
  WebhookMode,
  WebhookPayload,
  WebhookPublicKeys,
  WebhookScheme,
  WebhookStatus,
  WebhookType,
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
  /** The API requests received, oldest first (the last 2,000), bodies parsed; e.g. `{ call: 'POST /calendars/events/appointments' }`. */
  requests(filter?: { call?: string }): SandboxRequest[];
  /** Stored appointments: one-offs, and each series once, as its master (GET by master id). */
  appointments(filter?: { locationId?: string; calendarId?: string }): Appointment[];
  /**
   * As GET /calendars/events lists them: one-offs, and each series as its live occurrences
   * (instance ids, `masterEventId`, each one's own edits), those intersecting [from, to) when
   * given (epoch ms), by start.
   */
  occurrences(filter?: { locationId?: string; calendarId?: string; from?: number; to?: number }): Appointment[];
  /** Which id a series-wide change's webhooks carry (see SandboxOptions.seriesWebhookIds). */
  setSeriesWebhookIds(mode: SeriesWebhookIds): void;
  /** Live blocked slots as GET /calendars/blocked-slots lists them, by start. */
  blocks(filter?: { locationId?: string; calendarId?: string }): Block[];
  /** Live contacts as GET /contacts/:id shows them, oldest first (dateAdded, then id); deleted ones are left out. */
  contacts(filter?: { locationId?: string }): ContactView[];
  reset(): void;
  /** GHL's data (locations, calendars, contacts, appointments) as plain JSON-able data, e.g. to keep across restarts. */
  exportData(): SandboxData;
  /** Replaces GHL's data with what exportData gave (tokens, faults and counters are untouched). */
  importData(data: SandboxData): void;
  /** Where webhooks go; null (the start state) sends none. */
  configureWebhooks(cfg: WebhookConfig | null): void;
  /** The public halves of the sandbox's signing keys, to configure the receiver with. */
  webhookKeys(): Promise<WebhookPublicKeys>;
  /** Signature headers for any body (default scheme 'ed25519'), to hand-craft deliveries. */
  signWebhook(rawBody: string, opts?: { scheme?: WebhookScheme }): Promise<Record<string, string>>;
  webhooks: SandboxWebhooks;
  /** Changes made by a person in GHL's UI rather than through the API. */
  actions: GhlUserActions;
}

export interface SandboxWebhooks {
  log(): WebhookLogEntry[];
  setMode(mode: WebhookMode): void;
  release(order?: 'fifo' | 'reverse'): void;
  /** Resolves once nothing is queued, delayed or in flight, apart from held deliveries and retries due in 1 s or more. */
  idle(): Promise<void>;
  retryNow(): void;
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
    requests: (filter) => core.requests.list(filter),
    appointments: core.appointments,
    occurrences: core.occurrences,
    setSeriesWebhookIds: (mode) => {
      core.seriesWebhookIds = mode;
    },
    blocks: core.blocks,
    contacts: core.contacts,
    reset: core.reset,
    exportData: () => core.store.exportData(),
    importData: (data) => core.store.importData(data, core.now()),
    configureWebhooks: core.configureWebhooks,
    webhookKeys: core.webhookKeys,
    signWebhook: core.signWebhook,
    webhooks: {
      log: () => core.webhooks.log(),
      setMode: (mode) => core.webhooks.setMode(mode),
      release: (order) => core.webhooks.release(order),
      idle: () => core.webhooks.idle(),
      retryNow: () => core.webhooks.retryNow(),
    },
    actions: ghlUserActions(core),
  };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
