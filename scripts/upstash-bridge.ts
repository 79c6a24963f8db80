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
import { RespClient, RespError, RespStatus, type RespArg, type RespReply } from "./lib/resp-client";

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

type Command = RespArg[];
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
  const redis = new RespClient({ host: redisHost, port: redisPort });
  try {
    await redis.command("PING");
  } catch (err) {
    await redis.close();
    throw new Error(`Upstash bridge: Redis is not reachable at ${redisHost}:${redisPort} (${(err as Error).message})`);
  }

  const tokenDigest = digest(opts.token);
  const server = http.createServer((req, res) => {
    handle(req, redis, tokenDigest).then(
      ({ status, body }) => sendJson(res, status, body),
      (err: unknown) => {
        if (err instanceof HttpError) sendJson(res, err.status, { error: err.message });
        else sendJson(res, 500, { error: `ERR bridge: ${(err as Error).message}` });
      },
    );
  });

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await redis.close();
    },
  };
}

async function handle(
  req: http.IncomingMessage,
  redis: RespClient,
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

type Route = (body: unknown, redis: RespClient, base64: boolean) => Promise<{ status: number; body: unknown }>;

const ROUTES: Record<string, Route> = {
  "/": async (body, redis, base64) => {
    const [reply] = await redis.send([toCommand(body)]);
    const outcome = toOutcome(reply ?? null, base64);
    return { status: "error" in outcome ? 400 : 200, body: outcome };
  },

  "/pipeline": async (body, redis, base64) => {
    const replies = await redis.send(toCommands(body));
    return { status: 200, body: replies.map((r) => toOutcome(r, base64)) };
  },

  "/multi-exec": async (body, redis, base64) => {
    const commands = toCommands(body);
    const replies = await redis.send([["MULTI"], ...commands, ["EXEC"]]);
    const exec = replies[replies.length - 1];
    // A queue-time error (unknown command, wrong arity) makes EXEC answer EXECABORT: nothing ran.
    if (exec instanceof RespError) return { status: 400, body: { error: exec.message } };
    if (!Array.isArray(exec)) return { status: 400, body: { error: "ERR transaction aborted" } };
    return { status: 200, body: exec.map((r) => toOutcome(r, base64)) };
  },
};

function toOutcome(reply: RespReply, base64: boolean): Outcome {
  if (reply instanceof RespError) return { error: reply.message };
  return { result: toJson(reply, base64, true) };
}

/**
 * Upstash's base64 rule as @upstash/redis decodes it: it leaves a top-level "OK" alone and
 * base64-decodes every other string, nested ones included. So status replies other than a
 * top-level OK (PONG, QUEUED, TYPE's "string") must be encoded too, or the client would
 * "decode" them into garbage.
 */
function toJson(reply: RespReply, base64: boolean, topLevel: boolean): unknown {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((r) => toJson(r, base64, false));
  if (reply instanceof RespError) return reply.message;
  if (reply instanceof RespStatus) {
    if (!base64 || (topLevel && reply.value === "OK")) return reply.value;
    return Buffer.from(reply.value, "utf8").toString("base64");
  }
  return base64 ? reply.toString("base64") : reply.toString("utf8");
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
  return value as Command;
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
