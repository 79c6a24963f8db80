import { delay } from './delay';
import type { StatsRecorder } from './stats';
import { SandboxUsageError } from './store';
import type {
  ContactWebhookPayload,
  WebhookConfig,
  WebhookLogEntry,
  WebhookMode,
  WebhookPayload,
  WebhookScheme,
  WebhookStatus,
  WebhookType,
} from './types';
import type { WebhookSigner } from './webhook-signing';

/**
 * Sends webhooks (appointment and contact changes, app installs and uninstalls) the way GHL does: after the change, signed over the exact bytes,
 * re-delivered only when the receiver answers 429 (same bytes, same webhookId), any other answer
 * final. Plus the chaos tests need (duplicates, delays, drops, holding back and reordering) and a
 * way to wait until everything due has gone out.
 */

const DEFAULT_RETRY_DELAY_MS = 600_000;
const DEFAULT_MAX_RETRIES = 6;
// Only the path matters to an in-process receiver; this is the service's GHL webhook route.
const DEFAULT_DELIVER_URL = 'http://localhost/api/webhooks/ghl';
// idle() waits for retries due sooner than this; GHL's 10-minute ones would stall tests, so they need retryNow().
const IDLE_WAITS_FOR_RETRIES_UNDER_MS = 1_000;

/** Where and how one delivery goes: fixed when it is emitted, so reconfiguring never reroutes it. */
interface Target {
  url: string;
  deliver: (req: Request) => Response | Promise<Response>;
  scheme: WebhookScheme;
  retryDelayMs: number;
  maxRetries: number;
}

interface Delivery {
  target: Target;
  webhookId: string;
  type: WebhookType;
  /** null but for appointment events. */
  appointmentId: string | null;
  /** null but for contact events. */
  contactId: string | null;
  locationId: string;
  body: string;
  /** Signed once: every attempt sends the same bytes under the same signature. */
  headers?: Promise<Record<string, string>>;
  /** Requests made so far. */
  attempts: number;
}

interface ScheduledRetry {
  delivery: Delivery;
  /** Whether idle() is waiting for it. */
  awaited: boolean;
}

export class WebhookDispatcher {
  private target: Target | null = null;
  private mode: WebhookMode = {};
  private entries: WebhookLogEntry[] = [];
  private held: Delivery[] = [];
  // Per location, the tail of its delivery chain: first attempts go out in emission order.
  private chains = new Map<string, Promise<void>>();
  private retries = new Map<ReturnType<typeof setTimeout>, ScheduledRetry>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly signer: WebhookSigner,
    private readonly stats: StatsRecorder,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.target !== null;
  }

  /** null turns webhooks off for changes from now on; deliveries already emitted still go out. */
  configure(cfg: WebhookConfig | null): void {
    if (cfg === null) {
      this.target = null;
      return;
    }
    if (!cfg.deliver && !cfg.url) throw new SandboxUsageError('webhooks: give a url or a deliver function');
    const url = cfg.url ?? DEFAULT_DELIVER_URL;
    if (!URL.canParse(url)) throw new SandboxUsageError(`webhooks: ${url} is not a URL`);
    const retryDelayMs = cfg.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    const maxRetries = cfg.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!(retryDelayMs >= 0)) throw new SandboxUsageError('webhooks: retryDelayMs must be >= 0');
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new SandboxUsageError('webhooks: maxRetries must be an integer >= 0');
    this.target = {
      url,
      deliver: cfg.deliver ?? ((req) => fetch(req)),
      scheme: cfg.scheme ?? 'ed25519',
      retryDelayMs,
      maxRetries,
    };
  }

  /** Called synchronously by the change; the sending happens later, off the request that made it. */
  emit(payload: WebhookPayload): void {
    if (!this.target) return;
    const mode = this.mode;
    const copies = mode.duplicate ? 2 : 1;
    const body = JSON.stringify(payload);
    for (let i = 0; i < copies; i++) {
      const d: Delivery = {
        target: this.target,
        webhookId: payload.webhookId,
        type: payload.type,
        appointmentId: 'appointment' in payload ? payload.appointment.id : null,
        contactId: isContactPayload(payload) ? payload.id : null,
        locationId: payload.locationId,
        body,
        attempts: 0,
      };
      if (mode.drop) this.record(d, 'dropped');
      else if (mode.hold) {
        this.held.push(d);
        this.record(d, 'held');
      } else this.enqueue(d, mode.delayMs ?? 0);
    }
  }

  /** Replaces the whole mode; `setMode({})` is normal delivery. Held deliveries stay held until release(). */
  setMode(mode: WebhookMode): void {
    this.mode = { ...mode };
  }

  /** Sends what hold kept back, in emission order or (reverse) newest first. */
  release(order: 'fifo' | 'reverse' = 'fifo'): void {
    const batch = this.held.splice(0);
    if (order === 'reverse') batch.reverse();
    for (const d of batch) this.enqueue(d, 0);
  }

  /** Resolves once nothing is queued, delayed or in flight; held deliveries and long retry waits do not count. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fires every scheduled 429 retry now instead of after retryDelayMs. */
  retryNow(): void {
    for (const [timer, retry] of [...this.retries]) {
      clearTimeout(timer);
      this.retries.delete(timer);
      this.fireRetry(retry);
    }
  }

  log(): WebhookLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Forgets the log, held deliveries, scheduled retries and the mode; configuration stays. */
  reset(): void {
    this.entries = [];
    this.held = [];
    this.mode = {};
    for (const [timer, retry] of this.retries) {
      clearTimeout(timer);
      if (retry.awaited) this.settle();
    }
    this.retries.clear();
  }

  private enqueue(d: Delivery, delayMs: number): void {
    this.pending += 1;
    const previous = this.chains.get(d.locationId) ?? Promise.resolve();
    const next: Promise<void> = previous
      .then(async () => {
        // Even with no delay, a timer: the delivery must not run inside the request that caused it.
        await delay(delayMs);
        await this.send(d);
      })
      .catch((err: unknown) => console.error('ghl-sandbox: webhook delivery failed', err))
      .finally(() => {
        if (this.chains.get(d.locationId) === next) this.chains.delete(d.locationId);
        this.settle();
      });
    this.chains.set(d.locationId, next);
  }

  private async send(d: Delivery): Promise<void> {
    d.headers ??= this.signer.sign(d.body, d.target.scheme);
    const headers = { 'Content-Type': 'application/json', ...(await d.headers) };
    d.attempts += 1;
    let status: number | 'network_error';
    try {
      const res = await d.target.deliver(new Request(d.target.url, { method: 'POST', headers, body: d.body }));
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch {
      status = 'network_error';
    }
    this.stats.countWebhook(status);
    this.record(d, status);
    if (status === 429 && d.attempts <= d.target.maxRetries) this.scheduleRetry(d);
  }

  private scheduleRetry(d: Delivery): void {
    const retry: ScheduledRetry = { delivery: d, awaited: d.target.retryDelayMs < IDLE_WAITS_FOR_RETRIES_UNDER_MS };
    if (retry.awaited) this.pending += 1;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.fireRetry(retry);
    }, d.target.retryDelayMs);
    (timer as { unref?: () => void }).unref?.();
    this.retries.set(timer, retry);
  }

  /** A retry goes out on its own, not behind the location's queue: GHL keeps no order for re-deliveries. */
  private fireRetry(retry: ScheduledRetry): void {
    // The wait's pending count, if idle() was waiting for it, carries over to the request.
    if (!retry.awaited) this.pending += 1;
    this.send(retry.delivery)
      .catch((err: unknown) => console.error('ghl-sandbox: webhook delivery failed', err))
      .finally(() => this.settle());
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private record(d: Delivery, status: WebhookStatus): void {
    this.entries.push({
      webhookId: d.webhookId,
      type: d.type,
      appointmentId: d.appointmentId,
      contactId: d.contactId,
      attempt: typeof status === 'number' || status === 'network_error' ? d.attempts : 0,
      status,
      at: new Date(this.now()).toISOString(),
    });
  }
}

function isContactPayload(payload: WebhookPayload): payload is ContactWebhookPayload {
  return payload.type === 'ContactCreate' || payload.type === 'ContactUpdate' || payload.type === 'ContactDelete';
}
