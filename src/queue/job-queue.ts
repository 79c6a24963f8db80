/**
 * Where job messages go: QStash when deployed (signed, retried, flow-controlled, delayed,
 * de-duplicated), a local queue that signs and delivers the same way under `npm start` and in
 * tests (scripts/lib/local-qstash.ts).
 */
export interface JobMessage {
  url: string;
  body: unknown;
  /** One message at a time per key (e.g. a location): a slow one cannot starve the others, nor race itself. */
  flowKey?: string;
  /** Deliver no sooner than this. */
  delaySeconds?: number;
  /** QStash drops a second message with the same id (within its de-duplication window). */
  deduplicationId?: string;
  /** Deliveries after the first (QStash's default is the plan's maximum). */
  retries?: number;
}

export interface JobQueue {
  publish(msg: JobMessage): Promise<{ messageId: string; deduplicated?: boolean }>;
}

/**
 * QStash's publish API (POST /v2/publish/<destination>) called directly: one request, a few
 * headers. The SDK's client would carry 30 KB into every Worker that publishes; the jobs Worker
 * still uses its Receiver to verify what QStash sends.
 */
export function qstashQueue(opts: { token: string; baseUrl?: string; fetch?: typeof fetch }): JobQueue {
  const base = (opts.baseUrl ?? 'https://qstash.upstash.io').replace(/\/$/, '');
  const send = opts.fetch ?? fetch.bind(globalThis);
  return {
    async publish(msg) {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${opts.token}`,
        'Content-Type': 'application/json',
        'Upstash-Retries': String(msg.retries ?? 3),
      };
      if (msg.flowKey) {
        headers['Upstash-Flow-Control-Key'] = msg.flowKey;
        headers['Upstash-Flow-Control-Value'] = 'parallelism=1';
      }
      if (msg.delaySeconds) headers['Upstash-Delay'] = `${Math.ceil(msg.delaySeconds)}s`;
      if (msg.deduplicationId) headers['Upstash-Deduplication-Id'] = msg.deduplicationId;
      const res = await send(`${base}/v2/publish/${msg.url}`, { method: 'POST', headers, body: JSON.stringify(msg.body) });
      const answer = (await res.json().catch(() => null)) as { messageId?: string; deduplicated?: boolean; error?: string } | null;
      if (!res.ok || !answer?.messageId) throw new Error(`QStash refused the message (${res.status}): ${answer?.error ?? 'no message id'}`);
      return { messageId: answer.messageId, ...(answer.deduplicated ? { deduplicated: true } : {}) };
    },
  };
}

/** Where the queue delivers a job message: the jobs function (JOBS_BASE_URL, else this service's public URL or origin) + path. */
export function jobUrl(config: { JOBS_BASE_URL?: string; PUBLIC_BASE_URL?: string }, requestUrl: string, path: string): string {
  const base = config.JOBS_BASE_URL ?? config.PUBLIC_BASE_URL ?? new URL(requestUrl).origin;
  return `${base.replace(/\/$/, '')}${path}`;
}
