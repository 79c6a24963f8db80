import type { SandboxStats } from './types';

// Path segments that are part of GHL's routes; any other segment is an id.
const LITERAL_SEGMENTS = new Set([
  'oauth',
  'token',
  'locationToken',
  'locations',
  'calendars',
  'events',
  'appointments',
  'block-slots',
  'blocked-slots',
  'free-slots',
  'groups',
  'contacts',
  'upsert',
  'search',
  'duplicate',
]);

/** `PUT /calendars/events/appointments/:id`: the call as written, ids replaced, trailing slash kept. */
export function callKey(method: string, path: string): string {
  const normalized = path
    .split('/')
    .map((seg) => (seg === '' || LITERAL_SEGMENTS.has(seg) ? seg : ':id'))
    .join('/');
  return `${method.toUpperCase()} ${normalized}`;
}

export class StatsRecorder {
  calls: Record<string, number> = {};
  tokenRequests = 0;
  refreshes = 0;
  reusedRefreshTokens = 0;
  rateLimited = 0;
  injected: Record<string, number> = {};
  creates = 0;
  webhooksSent = 0;
  webhooksByStatus: Record<string, number> = {};

  countCall(method: string, path: string): void {
    const key = callKey(method, path);
    this.calls[key] = (this.calls[key] ?? 0) + 1;
  }

  countInjected(kind: string): void {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
  }

  countWebhook(status: number | 'network_error'): void {
    this.webhooksSent += 1;
    const key = String(status);
    this.webhooksByStatus[key] = (this.webhooksByStatus[key] ?? 0) + 1;
  }

  clear(): void {
    this.calls = {};
    this.tokenRequests = 0;
    this.refreshes = 0;
    this.reusedRefreshTokens = 0;
    this.rateLimited = 0;
    this.injected = {};
    this.creates = 0;
    this.webhooksSent = 0;
    this.webhooksByStatus = {};
  }

  snapshot(extra: { maxInWindow: number; appointments: number }): SandboxStats {
    return {
      calls: { ...this.calls },
      tokenRequests: this.tokenRequests,
      refreshes: this.refreshes,
      reusedRefreshTokens: this.reusedRefreshTokens,
      rateLimited: this.rateLimited,
      maxInWindow: extra.maxInWindow,
      injected: { ...this.injected },
      appointments: extra.appointments,
      creates: this.creates,
      webhooksSent: this.webhooksSent,
      webhooksByStatus: { ...this.webhooksByStatus },
    };
  }
}
