import { callKey } from './stats';
import type { SandboxRequest } from './types';

/** Enough for any test's story; older requests are dropped first. */
const KEEP = 2_000;

/**
 * The API requests the sandbox received, bodies included, so a test can check what a client
 * actually sent (e.g. `toNotify` on every push) rather than only the state it left behind. Control
 * calls are not recorded; neither is any header (tokens stay out).
 */
export class RequestLog {
  private entries: SandboxRequest[] = [];

  constructor(private readonly now: () => number) {}

  async record(req: Request, path: string): Promise<void> {
    const url = new URL(req.url);
    const text = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.clone().text();
    this.entries.push({
      at: new Date(this.now()).toISOString(),
      method: req.method,
      path,
      call: callKey(req.method, path),
      query: Object.fromEntries(url.searchParams),
      body: parseBody(text, req.headers.get('content-type') ?? ''),
    });
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
  }

  /** Oldest first; `call` is the stats key, e.g. 'PUT /calendars/events/appointments/:id'. */
  list(filter: { call?: string } = {}): SandboxRequest[] {
    return this.entries.filter((e) => filter.call === undefined || e.call === filter.call).map((e) => structuredClone(e));
  }

  clear(): void {
    this.entries = [];
  }
}

function parseBody(text: string, type: string): unknown {
  if (text === '') return null;
  if (type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(text));
    // The client secret is a credential even here.
    if ('client_secret' in form) form.client_secret = '(redacted)';
    return form;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
