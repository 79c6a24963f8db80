/**
 * The write-behind buffer's timing: one flush per interval, and only the request that set the
 * timer waits for it (on Workers its waitUntil keeps the isolate alive; the others' requests end
 * at once), while that one flush carries every request's counts.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store';
import { WriteBehind } from '../../src/store/write-behind';

function setup(intervalMs: number) {
  const store = new MemoryStore();
  let batches = 0;
  const batch = store.batch.bind(store);
  store.batch = (ops) => {
    batches++;
    return batch(ops);
  };
  return { store, wb: new WriteBehind(store, { intervalMs }), batches: () => batches };
}

const settledYet = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 0));
  return done;
};

describe('WriteBehind.flushSoon', () => {
  it('writes at once when the interval has passed, then sets one timer the first caller alone waits for', async () => {
    const { store, wb, batches } = setup(80);
    wb.hashAdd('h', 'a', 1);
    await wb.flushSoon();
    expect(batches()).toBe(1);
    expect(await store.hashGetAll('h')).toEqual({ a: '1' });

    wb.hashAdd('h', 'a', 1);
    const first = wb.flushSoon();
    wb.hashAdd('h', 'b', 2);
    const second = wb.flushSoon();
    wb.windowAdd('w', 3, 60_000);
    const third = wb.flushSoon();
    // The later callers are not held for the interval; the first is.
    expect(await settledYet(second)).toBe(true);
    expect(await settledYet(third)).toBe(true);
    expect(await settledYet(first)).toBe(false);
    expect(batches()).toBe(1);

    await first;
    // One write carried all three requests' counts.
    expect(batches()).toBe(2);
    expect(await store.hashGetAll('h')).toEqual({ a: '2', b: '2' });
    expect(wb.sharedOf('w')).toBe(3);
    expect(wb.pendingOf('w')).toBe(0);
  });

  it('counts added after the timer fired wait for a timer of their own, never for nothing', async () => {
    const { store, wb, batches } = setup(40);
    wb.hashAdd('h', 'a', 1);
    await wb.flushSoon();
    wb.hashAdd('h', 'a', 1);
    await wb.flushSoon();
    expect(batches()).toBe(2);
    wb.hashAdd('h', 'a', 1);
    const next = wb.flushSoon();
    expect(await settledYet(next)).toBe(false);
    await next;
    expect(batches()).toBe(3);
    expect(await store.hashGetAll('h')).toEqual({ a: '3' });
    // Nothing pending: nothing to wait for, no write.
    await wb.flushSoon();
    expect(batches()).toBe(3);
  });
});
