/**
 * Minimal RESP2 client over one TCP connection, for Node-side tooling (the Upstash bridge, test cleanup).
 * Replies come back in request order, so a FIFO of pending batches is enough to match them up.
 */
import net from "node:net";

export type RespArg = string | number;

/** A `+` reply. Kept apart from bulk strings because Upstash's base64 rule treats them differently. */
export class RespStatus {
  constructor(readonly value: string) {}
}

/** A `-` reply. Returned as a value, not thrown, so one failing command in a batch doesn't hide the others. */
export class RespError extends Error {
  override name = "RespError";
}

/** Bulk strings stay raw bytes: values need not be UTF-8, and base64 must encode the exact bytes. */
export type RespReply = RespStatus | RespError | Buffer | number | null | RespReply[];

const CRLF = "\r\n";

export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), "utf8");
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

type Parsed = { value: RespReply; next: number };

/** Parses one reply starting at `start`; undefined means the buffer doesn't hold all of it yet. */
export function parseReply(buf: Buffer, start: number): Parsed | undefined {
  const lineEnd = buf.indexOf(CRLF, start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buf[start]!);
  const line = buf.toString("utf8", start + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: new RespStatus(line), next: afterLine };
    case "-":
      return { value: new RespError(line), next: afterLine };
    case ":":
      return { value: Number(line), next: afterLine };
    case "$": {
      const len = Number(line);
      if (len < 0) return { value: null, next: afterLine };
      const end = afterLine + len;
      if (buf.length < end + 2) return undefined;
      return { value: Buffer.from(buf.subarray(afterLine, end)), next: end + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`Unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

type Pending = {
  remaining: number;
  replies: RespReply[];
  resolve: (replies: RespReply[]) => void;
  reject: (err: Error) => void;
};

/** One socket with its own reply queue, so a dropped socket fails exactly the batches it carried. */
class Connection {
  readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];

  constructor(host: string, port: number, connectTimeoutMs: number) {
    const socket = net.createConnection({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(connectTimeoutMs, () => {
      socket.destroy(new Error(`Timed out connecting to Redis at ${host}:${port}`));
    });
    socket.once("connect", () => socket.setTimeout(0));
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.failAll(err));
    socket.on("close", () => this.failAll(new Error("Redis connection closed")));
  }

  get usable(): boolean {
    return !this.socket.destroyed && !this.socket.writableEnded;
  }

  send(payload: Buffer, count: number): Promise<RespReply[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ remaining: count, replies: [], resolve, reject });
      this.socket.write(payload);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    for (;;) {
      let parsed: Parsed | undefined;
      try {
        parsed = parseReply(this.buffer, offset);
      } catch (err) {
        this.socket.destroy(err as Error);
        return;
      }
      if (!parsed) break;
      offset = parsed.next;
      const head = this.pending[0];
      if (!head) {
        this.socket.destroy(new Error("Redis sent a reply nobody asked for"));
        return;
      }
      head.replies.push(parsed.value);
      if (--head.remaining === 0) {
        this.pending.shift();
        head.resolve(head.replies);
      }
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.splice(0)) p.reject(err);
  }
}

export type RespClientOptions = { host?: string; port?: number; connectTimeoutMs?: number };

export class RespClient {
  private conn: Connection | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly connectTimeoutMs: number;

  constructor(opts: RespClientOptions = {}) {
    this.host = opts.host ?? "127.0.0.1";
    this.port = opts.port ?? 6379;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  }

  /**
   * Sends the commands in a single socket write. Redis runs one connection's commands in order,
   * so a batch (e.g. MULTI … EXEC) is never interleaved with another caller's batch.
   */
  send(commands: readonly (readonly RespArg[])[]): Promise<RespReply[]> {
    if (commands.length === 0) return Promise.resolve([]);
    // Lazy, and again after a drop, so a restarted redis-server doesn't need a restarted bridge.
    if (!this.conn?.usable) this.conn = new Connection(this.host, this.port, this.connectTimeoutMs);
    return this.conn.send(Buffer.concat(commands.map(encodeCommand)), commands.length);
  }

  /** One command; a Redis error reply is thrown. */
  async command(...args: RespArg[]): Promise<RespReply> {
    const [reply] = await this.send([args]);
    if (reply instanceof RespError) throw reply;
    return reply ?? null;
  }

  /** Waits for replies already asked for (replies arrive in order, so a PING marks the end), then closes. */
  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (!conn?.usable) return;
    await conn.send(encodeCommand(["PING"]), 1).catch(() => undefined);
    if (conn.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      conn.socket.once("close", () => resolve());
      conn.socket.end();
    });
  }
}
