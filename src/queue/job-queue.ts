import { Client } from '@upstash/qstash';

/**
 * Where fan-out messages go: QStash when deployed (signed, retried, flow-controlled per
 * location), a local queue under `npm start` and in tests (same signed requests).
 */
export interface JobQueue {
  publish(msg: { url: string; body: unknown; flowKey: string }): Promise<{ messageId: string }>;
}

export function qstashQueue(opts: { token: string; baseUrl?: string }): JobQueue {
  const client = new Client({ token: opts.token, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
  return {
    async publish(msg) {
      const res = await client.publishJSON({
        url: msg.url,
        body: msg.body,
        retries: 3,
        // One job at a time per location: a slow location cannot starve the others, nor race itself.
        flowControl: { key: msg.flowKey, parallelism: 1 },
      });
      return { messageId: (res as { messageId: string }).messageId };
    },
  };
}
