import { afterEach, describe, expect, it } from "vitest";
import type { KvStore } from "../../src/store/kv-store";

export type KvStoreHarness = {
  store: KvStore;
  /** Moves a fake clock; without it the contract waits in real time (keep TTLs short). */
  advance?: (ms: number) => void;
  close?: () => Promise<void>;
};

/**
 * The behaviour every KvStore adapter must share. `make` must return a store with a fresh key
 * prefix on every call: tests then never see each other's keys, and the prefix-isolation test
 * gets two stores on the same backend by calling it twice.
 */
export function runKvStoreContract(name: string, make: () => Promise<KvStoreHarness>): void {
  describe(`KvStore contract: ${name}`, () => {
    const opened: KvStoreHarness[] = [];

    async function open(): Promise<KvStoreHarness & { elapse: (ms: number) => Promise<void> }> {
      const harness = await make();
      opened.push(harness);
      const elapse = async (ms: number) => {
        if (harness.advance) harness.advance(ms);
        else await new Promise((resolve) => setTimeout(resolve, ms));
      };
      return { ...harness, elapse };
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((h) => h.close?.()));
    });

    describe("get / set", () => {
      it("returns null for a missing key", async () => {
        const { store } = await open();
        expect(await store.get("missing")).toBeNull();
      });

      it("reads back what was written and overwrites", async () => {
        const { store } = await open();
        await store.set("k", "one");
        expect(await store.get("k")).toBe("one");
        await store.set("k", "two");
        expect(await store.get("k")).toBe("two");
      });

      it("expires a key after its ttl", async () => {
        const { store, elapse } = await open();
        await store.set("k", "v", 100);
        expect(await store.get("k")).toBe("v");
        await elapse(160);
        expect(await store.get("k")).toBeNull();
      });

      it("drops an earlier ttl when overwritten without one", async () => {
        const { store, elapse } = await open();
        await store.set("k", "v", 100);
        await store.set("k", "w");
        await elapse(160);
        expect(await store.get("k")).toBe("w");
      });

      it("rejects a ttl that is not a positive integer", async () => {
        const { store } = await open();
        await expect(store.set("k", "v", 0)).rejects.toThrow(RangeError);
        await expect(store.setIfAbsent("k", "v", 1.5)).rejects.toThrow(RangeError);
        await expect(store.increment("k", 1, -5)).rejects.toThrow(RangeError);
        expect(await store.get("k")).toBeNull();
      });
    });

    describe("values round-trip unchanged", () => {
      const values = [
        "abcd", // valid base64: must not be decoded
        "123", // must not become a number
        '{"a":1}', // must not become an object
        "Cita – Ñandú 😀",
        "OK",
        "PONG",
        "",
        "null",
        "true",
        "  padded\r\nlines\t",
      ];
      for (const value of values) {
        it(`round-trips ${JSON.stringify(value)}`, async () => {
          const { store } = await open();
          await store.set("v", value);
          expect(await store.get("v")).toBe(value);
          expect(await store.setIfAbsent("w", value, 5000)).toBe(true);
          expect(await store.get("w")).toBe(value);
          expect(await store.compareAndDelete("w", value)).toBe(true);
        });
      }

      it("accepts unicode keys", async () => {
        const { store } = await open();
        await store.set("clé:Ñandú:😀", "v");
        expect(await store.get("clé:Ñandú:😀")).toBe("v");
      });
    });

    describe("setIfAbsent", () => {
      it("creates once, then refuses while the key lives", async () => {
        const { store } = await open();
        expect(await store.setIfAbsent("lock", "a", 5000)).toBe(true);
        expect(await store.setIfAbsent("lock", "b", 5000)).toBe(false);
        expect(await store.get("lock")).toBe("a");
      });

      it("creates again after the key expired", async () => {
        const { store, elapse } = await open();
        expect(await store.setIfAbsent("lock", "a", 100)).toBe(true);
        await elapse(160);
        expect(await store.setIfAbsent("lock", "b", 100)).toBe(true);
        expect(await store.get("lock")).toBe("b");
      });

      it("lets exactly one of 20 concurrent callers win", async () => {
        const { store } = await open();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.setIfAbsent("race", `owner-${i}`, 5000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.get("race")).toBe(`owner-${results.indexOf(true)}`);
      });
    });

    describe("setIfAbsentOrGet", () => {
      it("creates once and answers null; later calls get the value held and change nothing", async () => {
        const { store } = await open();
        expect(await store.setIfAbsentOrGet("claim", "a", 5000)).toBeNull();
        expect(await store.setIfAbsentOrGet("claim", "b", 5000)).toBe("a");
        expect(await store.get("claim")).toBe("a");
        await store.set("claim", "failed:2", 5000);
        expect(await store.setIfAbsentOrGet("claim", "c", 5000)).toBe("failed:2");
      });

      it("creates again after the key expired, and one of 20 concurrent callers wins", async () => {
        const { store, elapse } = await open();
        expect(await store.setIfAbsentOrGet("claim", "a", 100)).toBeNull();
        await elapse(160);
        expect(await store.setIfAbsentOrGet("claim", "b", 100)).toBeNull();
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsentOrGet("race", `owner-${i}`, 5000)));
        const winner = results.indexOf(null);
        expect(results.filter((r) => r === null)).toHaveLength(1);
        expect(results.filter((r) => r !== null).every((r) => r === `owner-${winner}`)).toBe(true);
      });
    });

    describe("delete / compareAndDelete", () => {
      it("delete says whether a key was removed", async () => {
        const { store } = await open();
        await store.set("k", "v");
        expect(await store.delete("k")).toBe(true);
        expect(await store.get("k")).toBeNull();
        expect(await store.delete("k")).toBe(false);
      });

      it("delete treats an expired key as absent", async () => {
        const { store, elapse } = await open();
        await store.set("k", "v", 100);
        await elapse(160);
        expect(await store.delete("k")).toBe(false);
      });

      it("compareAndDelete removes only while the value matches", async () => {
        const { store } = await open();
        await store.set("lock", "owner-a");
        expect(await store.compareAndDelete("lock", "owner-b")).toBe(false);
        expect(await store.get("lock")).toBe("owner-a");
        expect(await store.compareAndDelete("lock", "owner-a")).toBe(true);
        expect(await store.get("lock")).toBeNull();
        expect(await store.compareAndDelete("lock", "owner-a")).toBe(false);
      });
    });

    describe("increment", () => {
      it("starts from zero and adds", async () => {
        const { store } = await open();
        expect(await store.increment("n")).toBe(1);
        expect(await store.increment("n")).toBe(2);
        expect(await store.increment("n", 5)).toBe(7);
        expect(await store.increment("n", -10)).toBe(-3);
        expect(await store.get("n")).toBe("-3");
      });

      it("starts from an absent key with N", async () => {
        const { store } = await open();
        expect(await store.increment("n", 4)).toBe(4);
      });

      it("keeps a counter without ttl forever", async () => {
        const { store, elapse } = await open();
        await store.increment("n", 1);
        await elapse(160);
        expect(await store.get("n")).toBe("1");
      });

      it("sets the expiry on creation and never extends it", async () => {
        const { store, elapse } = await open();
        expect(await store.increment("window", 1, 200)).toBe(1);
        await elapse(120);
        expect(await store.increment("window", 1, 200)).toBe(2);
        // 250 ms after creation: gone, though an extended expiry would still have 70 ms left.
        await elapse(130);
        expect(await store.get("window")).toBeNull();
        expect(await store.increment("window", 1, 200)).toBe(1);
      });

      it("does not add an expiry to an existing counter", async () => {
        const { store, elapse } = await open();
        await store.increment("n", 1);
        await store.increment("n", 1, 100);
        await elapse(160);
        expect(await store.get("n")).toBe("2");
      });

      it("fails on a value that is not an integer", async () => {
        const { store } = await open();
        await store.set("n", "abc");
        await expect(store.increment("n")).rejects.toThrow(/not an integer/);
      });
    });

    describe("slidingWindowHit", () => {
      it("allows up to the limit inside a window, then says how long to wait", async () => {
        const { store } = await open();
        const hits = [];
        for (let i = 0; i < 5; i++) hits.push(await store.slidingWindowHit("w", 3, 1000));
        expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false, false]);
        expect(hits.map((h) => h.count)).toEqual([1, 2, 3, 3, 3]);
        expect(hits[3]!.retryAfterMs).toBeGreaterThan(0);
        expect(hits[3]!.retryAfterMs).toBeLessThanOrEqual(1000);
      });

      it("lets hits through again as old ones leave the window (sliding, not fixed)", async () => {
        const { store, elapse } = await open();
        expect((await store.slidingWindowHit("w", 2, 300)).allowed).toBe(true);
        await elapse(150);
        expect((await store.slidingWindowHit("w", 2, 300)).allowed).toBe(true);
        expect((await store.slidingWindowHit("w", 2, 300)).allowed).toBe(false);
        await elapse(170); // the first hit has left; the second is still inside
        expect((await store.slidingWindowHit("w", 2, 300)).allowed).toBe(true);
        expect((await store.slidingWindowHit("w", 2, 300)).allowed).toBe(false);
      });

      it("admits exactly the limit out of 30 concurrent hits", async () => {
        const { store } = await open();
        const hits = await Promise.all(Array.from({ length: 30 }, () => store.slidingWindowHit("w", 10, 5000)));
        expect(hits.filter((h) => h.allowed)).toHaveLength(10);
      });
    });

    describe("batch / hashGetAll", () => {
      it("applies hash adds, window counts and sets in one call, in order", async () => {
        const { store } = await open();
        const out = await store.batch([
          { op: "hashAdd", key: "h", field: "a", by: 1 },
          { op: "hashAdd", key: "h", field: "a", by: 2.5 },
          { op: "windowAdd", key: "w", by: 3, ttlMs: 5000 },
          { op: "hashAdd", key: "h", field: "b{x=\"1\"}", by: 1 },
          { op: "windowAdd", key: "w", by: 2, ttlMs: 5000 },
          { op: "set", key: "s", value: "v", ttlMs: 5000 },
        ]);
        expect(out).toEqual([null, null, 3, null, 5, null]);
        expect(await store.hashGetAll("h")).toEqual({ a: "3.5", 'b{x="1"}': "1" });
        expect(await store.get("s")).toBe("v");
        expect(await store.get("w")).toBe("5");
        expect(await store.batch([])).toEqual([]);
      });

      it("a window's expiry is set by its first count and not pushed back by later ones", async () => {
        const { store, elapse } = await open();
        await store.batch([{ op: "windowAdd", key: "w", by: 1, ttlMs: 150 }]);
        await elapse(90);
        await store.batch([{ op: "windowAdd", key: "w", by: 1, ttlMs: 150 }]);
        await elapse(90);
        expect(await store.get("w")).toBeNull();
        expect(await store.batch([{ op: "windowAdd", key: "w", by: 1, ttlMs: 150 }])).toEqual([1]);
      });

      it("an empty hash reads as {}", async () => {
        const { store } = await open();
        expect(await store.hashGetAll("nothing")).toEqual({});
      });
    });

    describe("isolation and health", () => {
      it("stores with different prefixes don't see each other's keys", async () => {
        const a = await open();
        const b = await open();
        await a.store.set("shared", "from-a");
        expect(await b.store.get("shared")).toBeNull();
        expect(await b.store.setIfAbsent("shared", "from-b", 5000)).toBe(true);
        expect(await b.store.increment("counter")).toBe(1);
        expect(await a.store.get("counter")).toBeNull();
        expect(await a.store.delete("shared")).toBe(true);
        expect(await b.store.get("shared")).toBe("from-b");
      });

      it("ping resolves", async () => {
        const { store } = await open();
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
