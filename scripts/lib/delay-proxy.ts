/**
 * A TCP proxy that adds a one-way delay to every chunk in each direction, in order: a network
 * with a round-trip time of 2 × delay between a client on this machine and a server on it. The
 * delay can be changed while it runs (a benchmark measures one route at several delays).
 *
 * It also records what crossed it, per connection: when it opened and closed (as seen here, on
 * the client's side) and its turns, a turn being the client speaking again after the server
 * spoke (or first): each is one request→response exchange the client had to wait a round trip
 * for. An optional inspector labels what each turn carried (scripts/lib/neon-ws-turns.ts for
 * Neon's WebSocket → Postgres, httpRequestLine for HTTP).
 *
 * What it does not model: the TCP (and TLS) handshakes themselves are not delayed, only the
 * bytes after them. Node-only; loopback only.
 */
import net from 'node:net';

export interface Turn {
  /** performance.now() when the client's first bytes of this turn reached the proxy. */
  at: number;
  /** What the inspector saw start in it ("ws upgrade", "Q", "X", "POST /pipeline", …); empty without one. */
  labels: string[];
}

export interface ConnectionRecord {
  id: number;
  /** performance.now() when the client connected. */
  openedAt: number;
  /** performance.now() of the first end or close from either side; null while open. */
  closedAt: number | null;
  turns: Turn[];
  bytesUp: number;
  bytesDown: number;
}

/** A stream parser for one connection's client → server bytes: the labels of what starts in each chunk. */
export type Inspector = (chunk: Buffer) => string[];

export interface DelayProxy {
  host: string;
  port: number;
  /** The one-way delay in ms (each direction); settable at any time, order is kept either way. */
  delayMs: number;
  /** Every connection since the start (or the last `forget`), oldest first. */
  readonly connections: readonly ConnectionRecord[];
  /** Connections not closed yet. */
  openCount(): number;
  /**
   * Chunks forwarded so far and the time they actually spent here (arrival to write, summed):
   * timers fire late, so the delay a client met is a little over `delayMs`.
   */
  forwarded(): { chunks: number; heldMs: number };
  /** Drops the records of closed connections (long runs). */
  forget(): void;
  close(): Promise<void>;
}

export interface DelayProxyOptions {
  targetHost?: string;
  targetPort: number;
  delayMs?: number;
  /** One inspector per connection, for the client → server direction. */
  inspect?: () => Inspector;
}

/**
 * Writes chunks to a socket no earlier than `delay` ms after they arrived, never out of order
 * (a shorter delay set meanwhile waits behind what is already queued).
 */
class DelayedPipe {
  private queue: { arrived: number; due: number; chunk: Buffer | 'end' }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastDue = 0;

  constructor(
    private readonly to: net.Socket,
    private readonly delay: () => number,
    private readonly onForward: (heldMs: number) => void,
  ) {}

  push(chunk: Buffer | 'end') {
    const arrived = performance.now();
    const due = Math.max(arrived + this.delay(), this.lastDue);
    this.lastDue = due;
    this.queue.push({ arrived, due, chunk });
    this.schedule();
  }

  private schedule() {
    if (this.timer || !this.queue.length) return;
    const wait = this.queue[0]!.due - performance.now();
    if (wait <= 0) {
      this.drain();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.drain();
    }, wait);
  }

  private drain() {
    const now = performance.now();
    // Timers fire up to a millisecond early or late; within half a millisecond counts as due.
    while (this.queue.length && this.queue[0]!.due <= now + 0.5) {
      const { arrived, chunk } = this.queue.shift()!;
      if (this.to.destroyed) continue;
      if (chunk === 'end') {
        this.to.end();
      } else {
        this.to.write(chunk);
        this.onForward(now - arrived);
      }
    }
    this.schedule();
  }

  cancel() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

export async function startDelayProxy(opts: DelayProxyOptions): Promise<DelayProxy> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  let delayMs = opts.delayMs ?? 0;
  let records: ConnectionRecord[] = [];
  const live = new Set<net.Socket>();
  let nextId = 1;
  const totals = { chunks: 0, heldMs: 0 };
  const onForward = (heldMs: number) => {
    totals.chunks++;
    totals.heldMs += heldMs;
  };

  // Half-open allowed: a FIN is passed on (late, like the bytes before it), not answered at once.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const record: ConnectionRecord = { id: nextId++, openedAt: performance.now(), closedAt: null, turns: [], bytesUp: 0, bytesDown: 0 };
    records.push(record);
    const inspect = opts.inspect?.();
    const upstream = net.connect({ host: targetHost, port: opts.targetPort, allowHalfOpen: true });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    live.add(client);
    live.add(upstream);
    const up = new DelayedPipe(upstream, () => delayMs, onForward);
    const down = new DelayedPipe(client, () => delayMs, onForward);
    let lastSpoke: 'client' | 'server' | null = null;
    const ended = () => {
      record.closedAt ??= performance.now();
    };

    client.on('data', (chunk: Buffer) => {
      record.bytesUp += chunk.length;
      if (lastSpoke !== 'client') record.turns.push({ at: performance.now(), labels: [] });
      lastSpoke = 'client';
      if (inspect) record.turns.at(-1)!.labels.push(...inspect(chunk));
      up.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      record.bytesDown += chunk.length;
      lastSpoke = 'server';
      down.push(chunk);
    });
    // A FIN travels as late as the bytes before it.
    client.on('end', () => {
      ended();
      up.push('end');
    });
    upstream.on('end', () => {
      ended();
      down.push('end');
    });
    const destroyBoth = () => {
      ended();
      up.cancel();
      down.cancel();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    // Whichever side closes first, the other follows once what was queued for it has gone out.
    const closeLater = (other: net.Socket) => setTimeout(() => other.destroy(), delayMs + 50).unref();
    client.on('close', () => {
      ended();
      live.delete(client);
      closeLater(upstream);
    });
    upstream.on('close', () => {
      ended();
      live.delete(upstream);
      closeLater(client);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    get delayMs() {
      return delayMs;
    },
    set delayMs(ms: number) {
      delayMs = Math.max(0, ms);
    },
    get connections() {
      return records;
    },
    openCount: () => records.filter((r) => r.closedAt === null).length,
    forwarded: () => ({ ...totals }),
    forget() {
      records = records.filter((r) => r.closedAt === null);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of live) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An inspector for HTTP/1.1 clients: each turn labelled by its request line ("POST /pipeline"). */
export function httpRequestLine(): Inspector {
  return (chunk) => {
    const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r\n/.exec(chunk.subarray(0, 512).toString('latin1'));
    return m ? [`${m[1]} ${m[2]!.split('?')[0]}`] : [];
  };
}
