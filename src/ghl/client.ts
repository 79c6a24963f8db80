import ky, { type KyInstance } from 'ky';
import type * as z from 'zod/v4';
import type { PlatformDeps } from '../platform';
import { fullJitterDelay, waitAfter429 } from './backoff';
import { CircuitBreaker } from './circuit-breaker';
import { classifyResponse, errorMessageOf, GhlError } from './errors';
import { GhlRateLimiter } from './rate-limiter';
import {
  ghlAppointmentGetResponse,
  ghlAppointmentWriteResponse,
  ghlCalendarsResponse,
  ghlContactUpsertResponse,
  ghlContactGetResponse,
  ghlContactSearchResponse,
  ghlEventsResponse,
  ghlLocationResponse,
  usableAppointment,
  ghlBlockedSlot,
  ghlBlockedSlotsResponse,
  ghlDeleteEventResponse,
  ghlFreeSlotsResponse,
  type AppointmentWrite,
  type BlockSlotWrite,
  type GhlAppointment,
  type GhlBlockedSlot,
} from './schemas';
import { unsafeJsonFields } from '../domain/text';

export interface ListedEvents {
  events: GhlAppointment[];
  refused: { id: string | null; problem: string }[];
}
import type { TokenManager } from './token-manager';

/** GHL wants a Version header per API family. */
const VERSION = { calendars: '2021-04-15', contacts: '2021-07-28', locations: '2021-07-28' } as const;

export interface GhlClientDeps extends Pick<PlatformDeps, 'config' | 'store' | 'logger' | 'metrics'> {
  tokens: TokenManager;
  fetch: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface Call<S extends z.ZodType> {
  /** What the call is for: the metrics' `operation` label (paths carry ids, so they cannot be labels). */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A POST that only reads (contact search): retried like a GET. */
  idempotent?: boolean;
  path: string;
  version: string;
  query?: Record<string, string>;
  body?: unknown;
  schema: S;
}

/**
 * GHL API v2 for one location at a time. Every call goes through, in order: the circuit breaker,
 * a valid token, our shared rate limiter, then the request with a timeout. 429s are absorbed
 * (waited out and retried); 5xx and network failures are retried with backoff when repeating the
 * call is safe. A POST that may have reached GHL is never blindly repeated: it fails with
 * `maybeWritten` so the caller can look for what it created first.
 */
export class GhlClient {
  private readonly http: KyInstance;
  private readonly limiter: GhlRateLimiter;
  readonly breaker: CircuitBreaker;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly deps: GhlClientDeps) {
    const { config } = deps;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = deps.random ?? Math.random;
    this.http = ky.create({
      prefixUrl: config.GHL_API_BASE,
      fetch: deps.fetch,
      timeout: config.GHL_TIMEOUT_MS,
      retry: 0,
      throwHttpErrors: false,
    });
    this.limiter = new GhlRateLimiter(deps.store, {
      max: config.GHL_RATE_LIMIT_MAX,
      intervalMs: config.GHL_RATE_LIMIT_INTERVAL_MS + config.GHL_RATE_LIMIT_GUARD_MS,
      maxWaitMs: Math.max(30_000, config.GHL_RATE_LIMIT_INTERVAL_MS * 3),
      sleep: this.sleep,
    });
    this.breaker = new CircuitBreaker(deps.store, {
      threshold: config.GHL_BREAKER_THRESHOLD,
      cooldownMs: config.GHL_BREAKER_COOLDOWN_MS,
    });
  }

  getLocation(locationId: string) {
    return this.call(locationId, {
      operation: 'getLocation',
      method: 'GET',
      path: `locations/${encodeURIComponent(locationId)}`,
      version: VERSION.locations,
      schema: ghlLocationResponse,
    }).then((r) => r.location);
  }

  listCalendars(locationId: string) {
    return this.call(locationId, {
      operation: 'listCalendars',
      method: 'GET',
      path: 'calendars/',
      version: VERSION.calendars,
      query: { locationId },
      schema: ghlCalendarsResponse,
    }).then((r) => r.calendars);
  }

  /**
   * Appointments of one calendar intersecting [from, to). Each item is checked on its own: the
   * ones we could not store come back in `refused` (with their id when they have one), so a
   * caller can still count them as present in GHL instead of losing the whole listing.
   */
  async listEvents(locationId: string, calendarId: string, from: Date, to: Date): Promise<ListedEvents> {
    const r = await this.call(locationId, {
      operation: 'listEvents',
      method: 'GET',
      path: 'calendars/events',
      version: VERSION.calendars,
      query: { locationId, calendarId, startTime: String(from.getTime()), endTime: String(to.getTime()) },
      schema: ghlEventsResponse,
    });
    const listed: ListedEvents = { events: [], refused: [] };
    for (const item of r.events) {
      const parsed = usableAppointment.safeParse(item);
      const unsafe = parsed.success ? unsafeJsonFields(item) : [];
      if (parsed.success && !unsafe.length) {
        listed.events.push(parsed.data);
        continue;
      }
      const id = (item as { id?: unknown } | null)?.id;
      const problem = parsed.success ? unsafe.map((f) => `${f.field}: ${f.message}`).join('; ') : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      listed.refused.push({ id: typeof id === 'string' ? id : null, problem });
    }
    if (listed.refused.length) this.deps.logger.warn('ghl listed appointments we cannot store', { location_id: locationId, calendar_id: calendarId, refused: listed.refused.slice(0, 5) });
    return listed;
  }

  getAppointment(locationId: string, appointmentId: string): Promise<GhlAppointment> {
    return this.call(locationId, {
      operation: 'getAppointment',
      method: 'GET',
      path: `calendars/events/appointments/${encodeURIComponent(appointmentId)}`,
      version: VERSION.calendars,
      schema: ghlAppointmentGetResponse,
    }).then((r) => r.event);
  }

  createAppointment(locationId: string, body: AppointmentWrite): Promise<GhlAppointment> {
    return this.call(locationId, {
      operation: 'createAppointment',
      method: 'POST',
      path: 'calendars/events/appointments',
      version: VERSION.calendars,
      body,
      schema: ghlAppointmentWriteResponse,
    });
  }

  updateAppointment(locationId: string, appointmentId: string, body: Partial<AppointmentWrite>): Promise<GhlAppointment> {
    return this.call(locationId, {
      operation: 'updateAppointment',
      method: 'PUT',
      path: `calendars/events/appointments/${encodeURIComponent(appointmentId)}`,
      version: VERSION.calendars,
      body,
      schema: ghlAppointmentWriteResponse,
    });
  }

  /**
   * A calendar's blocked slots intersecting [from, to). Read item by item like listEvents: a block
   * we cannot read is logged and left out (a scan then keeps what we had of it: see blocks-scan.ts).
   */
  async listBlockedSlots(locationId: string, calendarId: string, from: Date, to: Date): Promise<{ blocks: GhlBlockedSlot[]; refused: number }> {
    const r = await this.call(locationId, {
      operation: 'listBlockedSlots',
      method: 'GET',
      path: 'calendars/blocked-slots',
      version: VERSION.calendars,
      query: { locationId, calendarId, startTime: String(from.getTime()), endTime: String(to.getTime()) },
      schema: ghlBlockedSlotsResponse,
    });
    const blocks: GhlBlockedSlot[] = [];
    let refused = 0;
    for (const item of r.events) {
      const parsed = ghlBlockedSlot.safeParse(item);
      if (parsed.success && Date.parse(parsed.data.endTime) > Date.parse(parsed.data.startTime)) blocks.push(parsed.data);
      else refused++;
    }
    if (refused) this.deps.logger.warn('ghl listed blocked slots we cannot read', { location_id: locationId, calendar_id: calendarId, refused });
    return { blocks, refused };
  }

  createBlockSlot(locationId: string, body: BlockSlotWrite): Promise<GhlBlockedSlot> {
    return this.call(locationId, {
      operation: 'createBlockSlot',
      method: 'POST',
      path: 'calendars/events/block-slots',
      version: VERSION.calendars,
      body,
      schema: ghlBlockedSlot,
    });
  }

  updateBlockSlot(locationId: string, blockId: string, body: BlockSlotWrite): Promise<GhlBlockedSlot> {
    return this.call(locationId, {
      operation: 'updateBlockSlot',
      method: 'PUT',
      path: `calendars/events/block-slots/${encodeURIComponent(blockId)}`,
      version: VERSION.calendars,
      body,
      schema: ghlBlockedSlot,
    });
  }

  /** DELETE /calendars/events/:id: an appointment or a block slot (GHL's one delete for events). */
  deleteEvent(locationId: string, eventId: string) {
    return this.call(locationId, {
      operation: 'deleteEvent',
      method: 'DELETE',
      path: `calendars/events/${encodeURIComponent(eventId)}`,
      version: VERSION.calendars,
      body: {},
      schema: ghlDeleteEventResponse,
    });
  }

  /** GHL's free slots of a calendar, per day of `timeZone`: `{ "YYYY-MM-DD": ["…-05:00", …] }`. */
  async freeSlots(locationId: string, calendarId: string, from: Date, to: Date, timeZone: string): Promise<Record<string, string[]>> {
    const r = await this.call(locationId, {
      operation: 'freeSlots',
      method: 'GET',
      path: `calendars/${encodeURIComponent(calendarId)}/free-slots`,
      version: VERSION.calendars,
      query: { startDate: String(from.getTime()), endDate: String(to.getTime()), timezone: timeZone },
      schema: ghlFreeSlotsResponse,
    });
    // Parsed defensively (ghl-api.md): days are keys of the answer, next to others such as traceId.
    const days: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(r)) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(key)) continue;
      const slots = (value as { slots?: unknown } | null)?.slots;
      if (Array.isArray(slots)) days[key] = slots.filter((x): x is string => typeof x === 'string' && !Number.isNaN(Date.parse(x)));
    }
    return days;
  }

  upsertContact(locationId: string, contact: { firstName?: string; lastName?: string; name?: string; email?: string; phone?: string }) {
    return this.call(locationId, {
      operation: 'upsertContact',
      method: 'POST',
      path: 'contacts/upsert',
      version: VERSION.contacts,
      body: { locationId, ...contact },
      schema: ghlContactUpsertResponse,
    });
  }

  /** One contact; GHL answers 404 for a deleted one. */
  getContact(locationId: string, contactId: string) {
    return this.call(locationId, {
      operation: 'getContact',
      method: 'GET',
      path: `contacts/${encodeURIComponent(contactId)}`,
      version: VERSION.contacts,
      schema: ghlContactGetResponse,
    }).then((r) => r.contact);
  }

  /**
   * POST /contacts/search (reads, though a POST: safe to repeat). `query` matches GHL's own way
   * (names, email, phone); without it, a page of the location's contacts (`page` from 1).
   */
  searchContacts(locationId: string, opts: { query?: string; pageLimit: number; page?: number }) {
    return this.call(locationId, {
      operation: 'searchContacts',
      method: 'POST',
      path: 'contacts/search',
      version: VERSION.contacts,
      body: { locationId, pageLimit: opts.pageLimit, ...(opts.page ? { page: opts.page } : {}), ...(opts.query ? { query: opts.query } : {}) },
      schema: ghlContactSearchResponse,
      idempotent: true,
    });
  }

  private async call<S extends z.ZodType>(locationId: string, req: Call<S>): Promise<z.output<S>> {
    const { config, logger } = this.deps;
    const idempotent = req.idempotent ?? req.method !== 'POST';
    let rejected: string | undefined;
    let refreshed = false;
    let lastError: GhlError | undefined;

    for (let attempt = 0; attempt < config.GHL_MAX_ATTEMPTS; attempt++) {
      await this.breaker.assertClosed(locationId);
      const token = await this.deps.tokens.accessToken(locationId, { rejected });
      // Last step before sending: the slot is taken when the request really leaves, so a slow
      // token read cannot bunch requests up at GHL beyond what the window allowed.
      await this.limiter.acquire(locationId);
      const started = Date.now();
      let res: Response;
      try {
        res = await this.http(req.path, {
          method: req.method,
          headers: { Authorization: `Bearer ${token}`, Version: req.version, Accept: 'application/json' },
          ...(req.query ? { searchParams: req.query } : {}),
          ...(req.body !== undefined ? { json: req.body } : {}),
        });
      } catch (cause) {
        this.record(req, 'network', Date.now() - started);
        await this.breaker.recordFailure(locationId);
        lastError = new GhlError('network', `${req.method} ${req.path}: ${(cause as Error).message}`, {
          maybeWritten: !idempotent,
          cause,
        });
        logger.warn('ghl call failed', { location_id: locationId, method: req.method, path: req.path, err: lastError.message });
        if (!idempotent) throw lastError;
        await this.sleep(fullJitterDelay(attempt, config.GHL_BACKOFF_BASE_MS, config.GHL_BACKOFF_CAP_MS, this.random));
        continue;
      }

      const body: unknown = await res.json().catch(() => null);
      this.observe(locationId, req, res, Date.now() - started);
      if (res.ok) {
        await this.breaker.recordSuccess(locationId);
        const parsed = req.schema.safeParse(body);
        if (!parsed.success) {
          throw new GhlError('server', `unexpected GHL answer to ${req.method} ${req.path}: ${parsed.error.issues[0]?.message}`, {
            status: res.status,
            body,
          });
        }
        return parsed.data;
      }

      const kind = classifyResponse(res.status, body);
      lastError = new GhlError(kind, `${req.method} ${req.path} → ${res.status}: ${errorMessageOf(body)}`, {
        status: res.status,
        body,
        maybeWritten: kind === 'server' && !idempotent,
      });
      if (kind === 'auth' && !refreshed) {
        // One refresh on a 401, then the call again; a second 401 is final (no refresh loops).
        rejected = token;
        refreshed = true;
        continue;
      }
      if (kind === 'rate_limited') {
        const backoff = fullJitterDelay(attempt, config.GHL_BACKOFF_BASE_MS, config.GHL_BACKOFF_CAP_MS, this.random);
        await this.sleep(waitAfter429(res.headers, backoff, Date.now(), config.GHL_BACKOFF_CAP_MS * 2));
        continue; // a 429 was not processed, so even a POST may be sent again
      }
      if (kind === 'server') {
        await this.breaker.recordFailure(locationId);
        if (!idempotent) throw lastError;
        await this.sleep(fullJitterDelay(attempt, config.GHL_BACKOFF_BASE_MS, config.GHL_BACKOFF_CAP_MS, this.random));
        continue;
      }
      throw lastError;
    }
    throw lastError ?? new GhlError('server', `${req.method} ${req.path}: no attempt made`);
  }

  /** The answer's outcome and the rate-limit headers GHL reports, for metrics and logs. */
  private observe(locationId: string, req: Call<z.ZodType>, res: Response, ms: number) {
    const outcome = res.status >= 500 ? '5xx' : [401, 403, 404, 429].includes(res.status) ? String(res.status) : `${Math.floor(res.status / 100)}xx`;
    const limits = {
      max: res.headers.get('x-ratelimit-max'),
      remaining: res.headers.get('x-ratelimit-remaining'),
      interval_ms: res.headers.get('x-ratelimit-interval-milliseconds'),
      daily_limit: res.headers.get('x-ratelimit-limit-daily'),
      daily_remaining: res.headers.get('x-ratelimit-daily-remaining'),
    };
    this.deps.logger.debug('ghl call', { location_id: locationId, method: req.method, path: req.path, status: res.status, ms, rate_limit: limits });
    this.record(req, outcome, ms);
    if (limits.remaining !== null) this.deps.metrics.report(`ghl.ratelimit.${locationId}`, limits);
  }

  private record(req: Call<z.ZodType>, outcome: string, ms: number) {
    this.deps.metrics.observe('ghl_request_duration_seconds', ms / 1000, { operation: req.operation, outcome });
    if (['401', '403', '429', '5xx', 'network'].includes(outcome)) this.deps.metrics.count('ghl_errors_total', { type: outcome });
  }
}
