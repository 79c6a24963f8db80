/**
 * Upstash Redis REST protocol in front of a real redis-server, so the production client
 * (@upstash/redis) runs against real Redis semantics (Lua, expiry, NX) in tests and local dev.
 *
 *   UPSTASH_REDIS_REST_TOKEN=dev tsx scripts/upstash-bridge.ts
 */
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { Redis, ReplyError } from "ioredis";

export type UpstashBridgeOptions = {
  redisHost?: string;
  redisPort?: number;
  token: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
};

export type UpstashBridge = { url: string; close(): Promise<void> };

const MAX_BODY_BYTES = 1024 * 1024;
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;

/**
 * All requests share one Redis connection, so anything that changes that connection's state
 * would leak into other requests (an open MULTI would swallow them, SELECT would move them).
 * Blocking commands are out too: they would stall every request queued behind them.
 */
const CONNECTION_STATE_COMMANDS = new Set([
  "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "SWAPDB", "AUTH", "HELLO", "RESET", "QUIT",
  "CLIENT", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
  "MONITOR", "SYNC", "PSYNC", "REPLCONF", "SHUTDOWN", "DEBUG",
  "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF",
]);

/** A validated command: its name upper-cased (see toCommand), then its arguments. */
type Command = [name: string, ...args: (string | number)[]];
type Outcome = { result: unknown } | { error: string };

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startUpstashBridge(opts: UpstashBridgeOptions): Promise<UpstashBridge> {
  if (!opts.token) throw new Error("startUpstashBridge: a non-empty token is required");
  const redisHost = opts.redisHost ?? "127.0.0.1";
  const redisPort = opts.redisPort ?? 6379;
  const redis = new Redis({
    host: redisHost,
    port: redisPort,
    // connect() below reports an unreachable Redis at startup instead of the first request finding out.
    lazyConnect: true,
    connectTimeout: 5_000,
    // Fail fast: while (re)connecting a request gets a 500 at once instead of waiting in a queue…
    enableOfflineQueue: false,
    // …and a dropped connection fails the commands it carried instead of replaying them on the next
    // one (an INCR could run twice). The default retryStrategy still reconnects in the background,
    // so a restarted redis-server doesn't need a restarted bridge.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });
  // Connection errors reach the requests that hit them (as 500s); without a listener ioredis would
  // also print each one. The last one says more than ioredis's own rejections ("Connection is
  // closed.", "Stream isn't writeable…").
  let lastError: Error | undefined;
  redis.on("error", (err: Error) => {
    lastError = err;
  });
  redis.on("ready", () => {
    lastError = undefined;
  });
  const failure = (err: Error) =>
    redis.status === "ready"
      ? err.message
      : `Redis at ${redisHost}:${redisPort} is unavailable (${lastError?.message ?? "connection closed"})`;
  try {
    await redis.connect();
  } catch (err) {
    await closeRedis(redis);
    const reason = (lastError ?? (err as Error)).message;
    throw new Error(`Upstash bridge: Redis is not reachable at ${redisHost}:${redisPort} (${reason})`);
  }

  const tokenDigest = digest(opts.token);
  const server = http.createServer((req, res) => {
    handle(req, redis, tokenDigest).then(
      ({ status, body }) => sendJson(res, status, body),
      (err: unknown) => {
        if (err instanceof HttpError) sendJson(res, err.status, { error: err.message });
        else sendJson(res, 500, { error: `bridge: ${failure(err as Error)}` });
      },
    );
  });

  const host = opts.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await closeRedis(redis);
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await closeRedis(redis);
    },
  };
}

/**
 * Lets replies already asked for arrive (QUIT is answered after them), then closes for good: no
 * socket and no reconnect timer left to keep the process alive.
 */
async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "ready") await redis.quit().catch(() => undefined);
  if (redis.status === "end") return;
  // Between reconnect attempts there is no socket: disconnect() just cancels the pending attempt,
  // and ioredis emits no "end" for it.
  if (redis.status === "reconnecting") {
    redis.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => redis.once("end", () => resolve()));
  redis.disconnect();
  await ended;
}

async function handle(
  req: http.IncomingMessage,
  redis: Redis,
  tokenDigest: Buffer,
): Promise<{ status: number; body: unknown }> {
  if (!isAuthorized(req.headers.authorization, tokenDigest)) throw new HttpError(401, "Unauthorized");

  const path = new URL(req.url ?? "/", "http://bridge").pathname;
  const route = req.method === "POST" ? ROUTES[path] : undefined;
  if (!route) throw new HttpError(404, `Not found: ${req.method} ${path}`);

  const body = await readJson(req);
  const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  return route(body, redis, base64);
}

type Route = (body: unknown, redis: Redis, base64: boolean) => Promise<{ status: number; body: unknown }>;

/*
 * Every command goes through ioredis's *Buffer variants: bulk strings stay raw bytes (values need not
 * be UTF-8, and base64 must encode the exact bytes), status replies come back as bytes too.
 *
 * One connection is enough, /multi-exec included: ioredis writes a pipeline or a MULTI … EXEC batch
 * to the socket in one go, within one synchronous call, and Redis runs one connection's commands in
 * order, so no other request's command can land between MULTI and EXEC.
 */
const ROUTES: Record<string, Route> = {
  "/": async (body, redis, base64) => {
    const [name, ...args] = toCommand(body);
    try {
      return { status: 200, body: { result: toJson(await redis.callBuffer(name, args), base64, true) } };
    } catch (err) {
      if (isReplyError(err)) return { status: 400, body: { error: err.message } };
      throw err;
    }
  },

  "/pipeline": async (body, redis, base64) => {
    const pipeline = redis.pipeline();
    for (const [name, ...args] of toCommands(body)) pipeline.callBuffer(name, args);
    return { status: 200, body: toOutcomes(await pipeline.exec(), base64) };
  },

  "/multi-exec": async (body, redis, base64) => {
    const tx = redis.multi();
    for (const [name, ...args] of toCommands(body)) tx.callBuffer(name, args);
    let results: Awaited<ReturnType<typeof tx.exec>>;
    try {
      results = await tx.exec();
    } catch (err) {
      // A queue-time error (unknown command, wrong arity) makes EXEC answer EXECABORT: nothing ran.
      if (isReplyError(err)) return { status: 400, body: { error: err.message } };
      throw err;
    }
    if (!results) return { status: 400, body: { error: "ERR transaction aborted" } };
    return { status: 200, body: toOutcomes(results, base64) };
  },
};

/** A `-` reply from Redis, as opposed to a connection failure (closed socket, Redis down). */
function isReplyError(err: unknown): err is Error {
  return err instanceof ReplyError;
}

/**
 * A Redis error fails only its own command ({error}); a connection failure fails the request (500),
 * as nothing says which of the commands ran.
 */
function toOutcomes(results: [error: Error | null, result: unknown][] | null, base64: boolean): Outcome[] {
  if (!results) throw new Error("Redis returned no replies");
  return results.map(([err, reply]) => {
    if (!err) return { result: toJson(reply, base64, true) };
    if (isReplyError(err)) return { error: err.message };
    throw err;
  });
}

const OK = Buffer.from("OK");

/**
 * Upstash's base64 rule as @upstash/redis decodes it: it leaves a top-level "OK" alone and
 * base64-decodes every other string, nested ones included. So status replies other than a
 * top-level OK (PONG, QUEUED, TYPE's "string") must be encoded too, or the client would
 * "decode" them into garbage.
 *
 * ioredis hands status replies and bulk strings over alike (both as bytes), so the rule here is
 * "encode every string except a top-level reply that is exactly OK". That also leaves a bulk
 * string "OK" (GET of a stored "OK") plain, where Upstash would send "T0s=": harmless, since
 * @upstash/redis reads a top-level "OK" as "OK" and "T0s=" decodes to "OK" too.
 */
function toJson(reply: unknown, base64: boolean, topLevel: boolean): unknown {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((r) => toJson(r, base64, false));
  // An error nested in a reply (a Lua table holding one) is a value like any other.
  if (reply instanceof Error) return reply.message;
  if (typeof reply === "string") return toJson(Buffer.from(reply, "utf8"), base64, topLevel);
  if (Buffer.isBuffer(reply)) {
    if (!base64 || (topLevel && reply.equals(OK))) return reply.toString("utf8");
    return reply.toString("base64");
  }
  throw new Error(`unexpected reply from Redis: ${String(reply)}`);
}

function toCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, "ERR a command must be a non-empty JSON array");
  }
  for (const arg of value) {
    if (typeof arg !== "string" && !(typeof arg === "number" && Number.isFinite(arg))) {
      throw new HttpError(400, `ERR command arguments must be strings or numbers, got ${JSON.stringify(arg)}`);
    }
  }
  const name = String(value[0]).toUpperCase();
  if (CONNECTION_STATE_COMMANDS.has(name)) {
    throw new HttpError(400, `ERR ${name} is not supported by the bridge (it would affect other requests)`);
  }
  // Upper-cased because ioredis keys its reply/argument rewrites by lower-case name ("hgetall"
  // would come back as an object, not Redis's flat array); Redis itself ignores the case.
  return [name, ...(value.slice(1) as (string | number)[])];
}

function toCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, "ERR the body must be a non-empty JSON array of commands");
  }
  return value.map(toCommand);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Draining an oversized body (up to a point) lets the client read the 413 instead of a reset socket.
    if (size > DRAIN_LIMIT_BYTES) {
      req.destroy();
      break;
    }
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new HttpError(413, `ERR request body exceeds ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "ERR the request body is not valid JSON");
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function isAuthorized(header: string | undefined, tokenDigest: Buffer): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? "");
  // Comparing fixed-size digests keeps the check constant-time whatever the token length.
  return match !== null && timingSafeEqual(digest(match[1]!), tokenDigest);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res
    .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) })
    .end(payload);
}

async function main(): Promise<void> {
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!token) {
    console.error("UPSTASH_REDIS_REST_TOKEN is required (clients must send it as a Bearer token)");
    process.exit(1);
  }
  const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const bridge = await startUpstashBridge({
    token,
    redisHost: redisUrl.hostname || "127.0.0.1",
    redisPort: Number(redisUrl.port || 6379),
    port: Number(process.env.BRIDGE_PORT ?? 8079),
  });
  console.log(bridge.url);
  const stop = () => void bridge.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
