import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startUpstashBridge, type UpstashBridge } from "../../scripts/upstash-bridge";
import { diffCommandStats, startPrivateRedis } from "../../scripts/lib/private-redis";
import { createUpstashRedis, UpstashStore } from "../../src/store/upstash-store";
import { runKvStoreContract } from "./kv-store.contract";

const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const redisHost = redisUrl.hostname || "127.0.0.1";
const redisPort = Number(redisUrl.port || 6379);
/** Straight to Redis, bypassing the bridge; fails fast (no retry queue) if Redis is gone. */
const directRedis = () => new Redis({ host: redisHost, port: redisPort, maxRetriesPerRequest: 0 });
const token = randomUUID();
// Real Redis is shared with other runs and suites: everything this file writes lives under this prefix.
const runPrefix = `test:upstash-store:${randomUUID()}:`;

let bridge: UpstashBridge | undefined;
let stores = 0;

beforeAll(async () => {
  try {
    bridge = await startUpstashBridge({ token, redisHost, redisPort, port: 0 });
  } catch (err) {
    throw new Error(
      `UpstashStore tests need a real Redis at ${redisUrl.href} (set REDIS_URL to override): ${(err as Error).message}`,
    );
  }
});

afterAll(async () => {
  // Without a bridge Redis was unreachable and nothing was written: the beforeAll error says it all.
  if (!bridge) return;
  await bridge.close();
  const redis = directRedis();
  try {
    // KEYS is fine here: a test database, and it reads far fewer lines than a SCAN loop.
    const keys = await redis.keys(`${runPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
});

function storeWithFreshPrefix(): UpstashStore {
  if (!bridge) throw new Error("the Upstash bridge did not start (see the beforeAll error)");
  const redis = createUpstashRedis({ url: bridge.url, token });
  return new UpstashStore(redis, { prefix: `${runPrefix}${++stores}:` });
}

runKvStoreContract("UpstashStore via bridge to real Redis", async () => ({ store: storeWithFreshPrefix() }));

describe("UpstashStore specifics", () => {
  it("writes under its prefix in Redis", async () => {
    const store = storeWithFreshPrefix();
    await store.set("k", "v", 10_000);
    const redis = directRedis();
    try {
      const keys = await redis.keys(`${runPrefix}${stores}:*`);
      expect(keys).toEqual([`${runPrefix}${stores}:k`]);
      const pttl = await redis.pttl(`${runPrefix}${stores}:k`);
      expect(pttl).toBeGreaterThan(9_000);
    } finally {
      await redis.quit();
    }
  });

  it("a window costs one command per count: its expiry goes to Redis once, after the count that created it", async () => {
    // A redis-server of our own: every command it counts is this test's.
    const redis = await startPrivateRedis();
    const own = await startUpstashBridge({ token, redisHost: redis.host, redisPort: redis.port, port: 0 });
    try {
      const store = new UpstashStore(createUpstashRedis({ url: own.url, token }));
      const commands = async (work: () => Promise<unknown>) => {
        const before = await redis.commandStats();
        await work();
        return diffCommandStats(before, await redis.commandStats()).byCommand;
      };
      const add = (key: string) => store.batch([{ op: "windowAdd", key, by: 2, ttlMs: 60_000 }, { op: "hashAdd", key: "h", field: "f", by: 1 }]);
      expect(await commands(() => add("w"))).toEqual({ incrby: 1, pexpire: 1, hincrbyfloat: 1 });
      expect(await commands(() => add("w"))).toEqual({ incrby: 1, hincrbyfloat: 1 });
      expect(await commands(() => add("w2"))).toEqual({ incrby: 1, pexpire: 1, hincrbyfloat: 1 });
      const direct = new Redis({ host: redis.host, port: redis.port, maxRetriesPerRequest: 0 });
      try {
        expect(await direct.get("w")).toBe("4");
        expect(await direct.pttl("w")).toBeGreaterThan(50_000);
      } finally {
        await direct.quit();
      }
    } finally {
      await own.close();
      await redis.close();
    }
  });

  it("surfaces a bad token as an error", async () => {
    const redis = createUpstashRedis({ url: bridge!.url, token: "wrong" });
    await expect(new UpstashStore(redis).ping()).rejects.toThrow(/Unauthorized/);
  });
});
