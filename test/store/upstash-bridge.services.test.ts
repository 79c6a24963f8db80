import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startUpstashBridge, type UpstashBridge } from "../../scripts/upstash-bridge";

const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const redisHost = redisUrl.hostname || "127.0.0.1";
const redisPort = Number(redisUrl.port || 6379);
/** Straight to Redis, bypassing the bridge; fails fast (no retry queue) if Redis is gone. */
const directRedis = () => new Redis({ host: redisHost, port: redisPort, maxRetriesPerRequest: 0 });
const token = randomUUID();
const prefix = `test:upstash-bridge:${randomUUID()}:`;

let bridge: UpstashBridge | undefined;

beforeAll(async () => {
  try {
    bridge = await startUpstashBridge({ token, redisHost, redisPort, port: 0 });
  } catch (err) {
    throw new Error(`bridge tests need a real Redis at ${redisUrl.href}: ${(err as Error).message}`);
  }
});

afterAll(async () => {
  // Without a bridge Redis was unreachable and nothing was written: the beforeAll error says it all.
  if (!bridge) return;
  await bridge.close();
  const redis = directRedis();
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
});

let keys = 0;
const key = () => `${prefix}${++keys}`;

async function post(
  path: string,
  body: unknown,
  opts: { auth?: string | null; base64?: boolean; raw?: boolean } = {},
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.auth !== null) headers.authorization = opts.auth ?? `Bearer ${token}`;
  if (opts.base64) headers["upstash-encoding"] = "base64";
  const res = await fetch(bridge!.url + path, {
    method: "POST",
    headers,
    body: opts.raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

describe("auth and routing", () => {
  it("401 without a token", async () => {
    expect(await post("/", ["PING"], { auth: null })).toEqual({ status: 401, json: { error: "Unauthorized" } });
  });

  it("401 with a wrong token, also on unknown paths", async () => {
    expect((await post("/", ["PING"], { auth: "Bearer nope" })).status).toBe(401);
    expect((await post("/", ["PING"], { auth: token })).status).toBe(401);
    expect((await post("/nowhere", ["PING"], { auth: "Bearer nope" })).status).toBe(401);
  });

  it("404 for other paths and methods", async () => {
    expect((await post("/set/k/v", [])).status).toBe(404);
    expect((await post("/pipeline/extra", [["PING"]])).status).toBe(404);
    const res = await fetch(`${bridge!.url}/`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
  });

  it("400 for bad JSON or a body that is not a command", async () => {
    const bad = await post("/", "{not json", { raw: true });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: expect.stringMatching(/JSON/) });
    expect((await post("/", [])).status).toBe(400);
    expect((await post("/", [["GET", "k"]])).status).toBe(400);
    expect((await post("/pipeline", ["GET", "k"])).status).toBe(400);
    expect((await post("/", ["SET", key(), { a: 1 }])).status).toBe(400);
  });

  it("413 for a body over 1 MiB", async () => {
    const big = await post("/", ["SET", key(), "x".repeat(1024 * 1024)]);
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ error: expect.stringMatching(/exceeds/) });
  });

  it("refuses commands that would change the shared connection's state", async () => {
    const res = await post("/", ["MULTI"]);
    expect(res.status).toBe(400);
    expect((await post("/pipeline", [["PING"], ["SELECT", 1]])).status).toBe(400);
  });
});

describe("single command", () => {
  it("answers {result}, including null for nil", async () => {
    const k = key();
    expect(await post("/", ["SET", k, "v"])).toEqual({ status: 200, json: { result: "OK" } });
    expect(await post("/", ["GET", k])).toEqual({ status: 200, json: { result: "v" } });
    expect(await post("/", ["GET", key()])).toEqual({ status: 200, json: { result: null } });
  });

  it("accepts numbers as arguments", async () => {
    const k = key();
    expect((await post("/", ["SET", k, 10, "PX", 60000])).json).toEqual({ result: "OK" });
    expect((await post("/", ["INCRBY", k, 5])).json).toEqual({ result: 15 });
  });

  it("turns a Redis error into 400 {error}", async () => {
    const k = key();
    await post("/", ["SET", k, "text"]);
    const res = await post("/", ["INCR", k]);
    expect(res).toEqual({ status: 400, json: { error: expect.stringMatching(/^ERR .*not an integer/) } });
  });

  it("runs Lua", async () => {
    const res = await post("/", ["EVAL", "return {1, 'two', {ARGV[1]}}", 0, "three"]);
    expect(res.json).toEqual({ result: [1, "two", ["three"]] });
  });
});

describe("/pipeline", () => {
  it("answers one {result} per command, in order", async () => {
    const k = key();
    const res = await post("/pipeline", [["SET", k, "1"], ["INCR", k], ["GET", k], ["GET", key()]]);
    expect(res).toEqual({
      status: 200,
      json: [{ result: "OK" }, { result: 2 }, { result: "2" }, { result: null }],
    });
  });

  it("gives {error} only to the command that failed", async () => {
    const k = key();
    const res = await post("/pipeline", [["SET", k, "x"], ["INCR", k], ["GET", k]]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ result: "OK" }, { error: expect.stringMatching(/^ERR /) }, { result: "x" }]);
  });
});

describe("/multi-exec", () => {
  it("answers one {result} per command", async () => {
    const k = key();
    const res = await post("/multi-exec", [["SET", k, "1"], ["INCRBY", k, 2], ["GET", k]]);
    expect(res).toEqual({ status: 200, json: [{ result: "OK" }, { result: 3 }, { result: "3" }] });
  });

  it("a runtime error fails that command only; the rest still ran", async () => {
    const k = key();
    const res = await post("/multi-exec", [["SET", k, "x"], ["INCR", k], ["APPEND", k, "y"]]);
    expect(res.json).toEqual([{ result: "OK" }, { error: expect.stringMatching(/^ERR /) }, { result: 2 }]);
  });

  it("an aborted transaction is a single 400 {error} and nothing ran", async () => {
    const k = key();
    const res = await post("/multi-exec", [["SET", k, "1"], ["NOSUCHCOMMAND"]]);
    expect(res).toEqual({ status: 400, json: { error: expect.stringMatching(/^EXECABORT/) } });
    expect((await post("/", ["GET", k])).json).toEqual({ result: null });
  });

  it("is not interleaved with concurrent requests", async () => {
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? post("/multi-exec", [["SET", k, `tx-${i}`], ["GET", k]])
          : post("/pipeline", [["SET", k, `pipe-${i}`], ["GET", k]]),
      ),
    );
    results.forEach((res, i) => {
      const label = i % 2 === 0 ? `tx-${i}` : `pipe-${i}`;
      expect(res.json).toEqual([{ result: "OK" }, { result: label }]);
    });
  });
});

describe("Upstash-Encoding: base64", () => {
  const value = "Cita – Ñandú 😀";

  it("without the header, strings are plain UTF-8", async () => {
    const k = key();
    await post("/", ["SET", k, value]);
    expect((await post("/", ["GET", k])).json).toEqual({ result: value });
    expect((await post("/", ["PING"])).json).toEqual({ result: "PONG" });
  });

  it("encodes bulk strings and leaves OK, integers and nil alone", async () => {
    const k = key();
    expect((await post("/", ["SET", k, value], { base64: true })).json).toEqual({ result: "OK" });
    expect((await post("/", ["GET", k], { base64: true })).json).toEqual({ result: b64(value) });
    expect((await post("/", ["STRLEN", k], { base64: true })).json).toEqual({ result: Buffer.byteLength(value) });
    expect((await post("/", ["GET", key()], { base64: true })).json).toEqual({ result: null });
  });

  it("a stored value that happens to be OK reads back as OK, top-level or nested", async () => {
    const k = key();
    await post("/", ["SET", k, "OK"]);
    // ioredis can't tell this bulk string from a status OK, so at the top level it stays plain, where
    // Upstash sends b64("OK"): @upstash/redis reads both as "OK". Nested, it is encoded as always.
    expect((await post("/", ["GET", k], { base64: true })).json).toEqual({ result: "OK" });
    expect((await post("/", ["MGET", k], { base64: true })).json).toEqual({ result: [b64("OK")] });
  });

  it("encodes status replies other than OK, as @upstash/redis decodes them", async () => {
    expect((await post("/", ["PING"], { base64: true })).json).toEqual({ result: b64("PONG") });
  });

  it("encodes nested array elements, leaving nil and integers", async () => {
    const k = key();
    await post("/", ["RPUSH", k, "a", "abcd"]);
    const mget = await post("/", ["MGET", k + ":none", `${prefix}absent`], { base64: true });
    expect(mget.json).toEqual({ result: [null, null] });
    const lua = await post("/", ["EVAL", "return {1, 'x', {'y', false}}", 0], { base64: true });
    expect(lua.json).toEqual({ result: [1, b64("x"), [b64("y"), null]] });
    const range = await post("/", ["LRANGE", k, 0, -1], { base64: true });
    expect(range.json).toEqual({ result: [b64("a"), b64("abcd")] });
  });

  it("applies per element in pipelines and transactions; errors stay plain", async () => {
    const k = key();
    const pipe = await post("/pipeline", [["SET", k, "v"], ["GET", k], ["INCR", k], ["GET", key()]], {
      base64: true,
    });
    expect(pipe.json).toEqual([
      { result: "OK" },
      { result: b64("v") },
      { error: expect.stringMatching(/^ERR /) },
      { result: null },
    ]);
    const tx = await post("/multi-exec", [["SET", k, "w"], ["GET", k]], { base64: true });
    expect(tx.json).toEqual([{ result: "OK" }, { result: b64("w") }]);
  });

  it("keeps an error reply plain for a single command", async () => {
    const res = await post("/", ["NOSUCHCOMMAND"], { base64: true });
    expect(res).toEqual({ status: 400, json: { error: expect.stringMatching(/^ERR unknown command/) } });
  });
});
