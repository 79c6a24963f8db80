import { FaultInjector } from './faults';
import { RateLimiter } from './rate-limiter';
import { RequestLog } from './request-log';
import { StatsRecorder } from './stats';
import { contactView } from './contact-model';
import { GhlStore, SandboxUsageError, type AppointmentRecord } from './store';
import { TokenStore } from './tokens';
import {
  SCOPES,
  type Appointment,
  type AppointmentWebhookType,
  type AppWebhookPayload,
  type Block,
  type Contact,
  type ContactView,
  type ContactWebhookType,
  type FaultSpec,
  type SandboxOptions,
  type SandboxStats,
  type SeedData,
  type SeriesWebhookIds,
  type WebhookConfig,
  type WebhookPublicKeys,
  type WebhookScheme,
} from './types';
import { appointmentWebhookPayload, contactWebhookPayload, installWebhookPayload, uninstallWebhookPayload } from './webhook-payload';
import { WebhookSigner } from './webhook-signing';
import { WebhookDispatcher } from './webhooks';

/**
 * All of the sandbox's state and the control operations on it. The Hono routes and the in-process
 * GhlSandbox methods both go through this, so the two control paths cannot drift apart.
 */
export interface SandboxCore {
  readonly options: ResolvedOptions;
  readonly now: () => number;
  readonly store: GhlStore;
  readonly tokens: TokenStore;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly stats: StatsRecorder;
  readonly webhooks: WebhookDispatcher;
  readonly requests: RequestLog;
  seed(data: SeedData): void;
  issueAuthCode(locationId: string, opts?: { scopes?: string[] }): string;
  createPrivateToken(locationId: string, opts?: { scopes?: string[] }): string;
  expireAccessTokens(locationId?: string): void;
  injectFault(f: FaultSpec): string;
  clearFaults(): void;
  statsSnapshot(): SandboxStats;
  appointments(filter?: { locationId?: string; calendarId?: string }): Appointment[];
  /** Live blocks as GET blocked-slots lists them, by start. */
  blocks(filter?: { locationId?: string; calendarId?: string }): Block[];
  /** Live contacts, oldest first; of one location, or of all. */
  contacts(filter?: { locationId?: string }): ContactView[];
  reset(): void;
  configureWebhooks(cfg: WebhookConfig | null): void;
  webhookKeys(): Promise<WebhookPublicKeys>;
  signWebhook(rawBody: string, opts?: { scheme?: WebhookScheme }): Promise<Record<string, string>>;
  /** Every appointment change, API or GHL-user action, reports here right after it is stored (an occurrence's too). */
  appointmentChanged(type: AppointmentWebhookType, rec: AppointmentRecord): void;
  /**
   * A change to a whole series (created, edited, deleted), with what the listing showed of it
   * before and shows after: one webhook naming the master, or one per occurrence that changed,
   * per `seriesWebhookIds`.
   */
  seriesChanged(kind: 'create' | 'update' | 'delete', master: AppointmentRecord, before: AppointmentRecord[], after: AppointmentRecord[]): void;
  seriesWebhookIds: SeriesWebhookIds;
  /** Appointments and series' occurrences as GET /calendars/events lists them, by start. */
  occurrences(filter?: { locationId?: string; calendarId?: string; from?: number; to?: number }): Appointment[];
  /** Every contact change (upsert or GHL-user action) reports here with the record as stored. */
  contactChanged(type: ContactWebhookType, contact: Contact): void;
  /** A location installed the app (its OAuth code exchanged, or the install action): INSTALL. */
  appInstalled(locationId: string): AppWebhookPayload;
  /** A location removed the app: its OAuth tokens are revoked, UNINSTALL. */
  appUninstalled(locationId: string): AppWebhookPayload;
}

export interface ResolvedOptions {
  accessTokenTtlSeconds: number;
  rateLimit: { max: number; intervalMs: number };
  dailyLimit: number;
  clientId: string;
  clientSecret: string;
  appId: string;
  appVersionId: string;
  seed: number;
}

export function createCore(opts: SandboxOptions = {}): SandboxCore {
  const options: ResolvedOptions = {
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 86_399,
    rateLimit: opts.rateLimit ?? { max: 100, intervalMs: 10_000 },
    dailyLimit: opts.dailyLimit ?? 200_000,
    clientId: opts.clientId ?? 'sandbox-client-id',
    clientSecret: opts.clientSecret ?? 'sandbox-client-secret',
    appId: opts.appId ?? 'sandboxApp0000000001',
    appVersionId: opts.appVersionId ?? 'sandboxAppVersion001',
    seed: opts.seed ?? 1,
  };
  const now = opts.now ?? Date.now;
  const store = new GhlStore();
  const tokens = new TokenStore(now, options.accessTokenTtlSeconds);
  const limiter = new RateLimiter({ ...options.rateLimit, dailyLimit: options.dailyLimit }, now);
  const faults = new FaultInjector(options.seed);
  const stats = new StatsRecorder();
  const signer = new WebhookSigner();
  const webhooks = new WebhookDispatcher(signer, stats, now);
  const requests = new RequestLog(now);

  const app = { appId: options.appId, versionId: options.appVersionId };
  const series = { webhookIds: opts.seriesWebhookIds ?? ('instance' as SeriesWebhookIds) };
  if (series.webhookIds !== 'master' && series.webhookIds !== 'instance') throw new SandboxUsageError(`seriesWebhookIds must be 'master' or 'instance'`);

  const locationOf = (locationId: string) => {
    const loc = store.locations.get(locationId);
    if (!loc) throw new SandboxUsageError(`unknown location ${locationId}: seed it first`);
    return loc;
  };

  return {
    options,
    now,
    store,
    tokens,
    limiter,
    faults,
    stats,
    webhooks,
    requests,
    seed: (data) => store.seed(data, now()),
    issueAuthCode: (locationId, o) => tokens.issueCode(locationId, locationOf(locationId).companyId, o?.scopes ?? [...SCOPES]),
    createPrivateToken: (locationId, o) => tokens.createPit(locationId, locationOf(locationId).companyId, o?.scopes ?? [...SCOPES]),
    expireAccessTokens: (locationId) => tokens.expireAccessTokens(locationId),
    injectFault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    statsSnapshot: () => stats.snapshot({ maxInWindow: limiter.maxInWindow, appointments: store.liveAppointments().length }),
    appointments: (filter = {}) =>
      store
        .liveAppointments()
        .filter((a) => (filter.locationId === undefined || a.locationId === filter.locationId) && (filter.calendarId === undefined || a.calendarId === filter.calendarId))
        .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id))
        .map((a) => store.eventView(a)),
    blocks: (filter = {}) =>
      store
        .liveBlocks()
        .filter((b) => (filter.locationId === undefined || b.locationId === filter.locationId) && (filter.calendarId === undefined || b.calendarId === filter.calendarId))
        .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id))
        .map((b) => store.blockView(b)),
    contacts: (filter = {}) => {
      const locationIds = filter.locationId !== undefined ? [filter.locationId] : [...store.locations.keys()];
      return locationIds.flatMap((id) => store.liveContacts(id)).map(contactView);
    },
    reset: () => {
      store.clear();
      tokens.clear();
      limiter.clear();
      faults.reset();
      stats.clear();
      webhooks.reset();
      requests.clear();
    },
    configureWebhooks: (cfg) => webhooks.configure(cfg),
    webhookKeys: () => signer.publicKeys(),
    signWebhook: (rawBody, o) => signer.sign(rawBody, o?.scheme),
    appointmentChanged: (type, rec) => {
      if (webhooks.enabled) webhooks.emit(appointmentWebhookPayload(store, rec, type, now()));
    },
    seriesChanged(kind, master, before, after) {
      if (!webhooks.enabled) return;
      if (series.webhookIds === 'master') {
        const type = kind === 'create' ? 'AppointmentCreate' : kind === 'delete' ? 'AppointmentDelete' : 'AppointmentUpdate';
        webhooks.emit(appointmentWebhookPayload(store, master, type, now()));
        return;
      }
      // By instance id: what disappeared from the listing is deleted, what appeared is created,
      // and what stayed is updated when anything but its dateUpdated changed.
      const content = (r: AppointmentRecord) => JSON.stringify({ ...store.eventView(r), dateUpdated: '' });
      const was = new Map(before.map((r) => [r.id, r]));
      const is = new Set(after.map((r) => r.id));
      for (const r of before) if (!is.has(r.id)) webhooks.emit(appointmentWebhookPayload(store, r, 'AppointmentDelete', now()));
      for (const r of after) {
        const old = was.get(r.id);
        if (!old) webhooks.emit(appointmentWebhookPayload(store, r, 'AppointmentCreate', now()));
        else if (content(old) !== content(r)) webhooks.emit(appointmentWebhookPayload(store, r, 'AppointmentUpdate', now()));
      }
    },
    get seriesWebhookIds() {
      return series.webhookIds;
    },
    set seriesWebhookIds(value) {
      if (value !== 'master' && value !== 'instance') throw new SandboxUsageError(`seriesWebhookIds must be 'master' or 'instance', not ${String(value)}`);
      series.webhookIds = value;
    },
    occurrences: (filter = {}) =>
      store
        .liveEvents()
        .filter(
          (a) =>
            (filter.locationId === undefined || a.locationId === filter.locationId) &&
            (filter.calendarId === undefined || a.calendarId === filter.calendarId) &&
            (filter.from === undefined || a.endMs > filter.from) &&
            (filter.to === undefined || a.startMs < filter.to),
        )
        .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id))
        .map((a) => store.eventView(a)),
    contactChanged: (type, contact) => {
      if (webhooks.enabled) webhooks.emit(contactWebhookPayload(contact, type));
    },
    appInstalled: (locationId) => {
      const payload = installWebhookPayload(app, locationOf(locationId), now());
      webhooks.emit(payload);
      return payload;
    },
    appUninstalled: (locationId) => {
      const payload = uninstallWebhookPayload(app, locationOf(locationId), now());
      tokens.revokeApp(locationId);
      webhooks.emit(payload);
      return payload;
    },
  };
}
