import type { Deps } from '../deps';
import { sha256, toHex } from '../lib/hex';

/**
 * A location's change counter: every write that can change what the citas list shows (API,
 * webhook, job, push result, settings) bumps it, after its transaction committed. The list's ETag
 * is made of it, so a front end polling with `If-None-Match` gets a 304 for one store read and no
 * database work.
 *
 * Bumps ride the write-behind buffer (no store round trip on the write path): this process sees
 * its own at once, other isolates' within WRITE_BEHIND_MS, and the counter read from the store is
 * kept for as long again — so a busy isolate reads it once per interval, not once per poll, and a
 * change anywhere shows in every isolate's lists within two intervals (two seconds by default).
 * The ETag also names a 5-minute period, so even a bump that never reached the store (the store
 * down, an isolate gone) delays fresh data by five minutes at most.
 */

const key = (locationId: string) => `location-rev:${locationId}`;
const KEEP_MS = 30 * 24 * 3600_000;
const PERIOD_MS = 5 * 60_000;
/** Bumped when the list's shape changes, so no client keeps a body from an older release. */
const FORMAT = 1;

export function touchLocation(deps: Pick<Deps, 'writeBehind'>, locationId: string | null | undefined): void {
  if (locationId) deps.writeBehind.windowAdd(key(locationId), 1, KEEP_MS);
}

/** What this process last read of each counter, and when (per store: tests run several side by side). */
const reads = new WeakMap<object, { known: Map<string, { shared: number; at: number }>; inflight: Map<string, Promise<number | null>> }>();

/** The list's ETag for this location and query, or null when the store cannot say (no ETag then). */
export async function listEtag(deps: Pick<Deps, 'store' | 'writeBehind' | 'clock' | 'logger' | 'config'>, locationId: string, query: string): Promise<string | null> {
  const k = key(locationId);
  const now = Date.now();
  let cache = reads.get(deps.store);
  if (!cache) reads.set(deps.store, (cache = { known: new Map(), inflight: new Map() }));
  const { known: read, inflight } = cache;
  let known = read.get(k);
  if (!known || now - known.at >= deps.config.WRITE_BEHIND_MS) {
    // One read per counter at a time: the polls arriving meanwhile wait for it instead of adding theirs.
    let pending = inflight.get(k);
    if (!pending) {
      pending = deps.store
        .get(k)
        .then((v) => Number(v ?? 0))
        .catch((err: unknown) => {
          deps.logger.warn('list served without an ETag: the store is unavailable', { err });
          return null;
        })
        .finally(() => inflight.delete(k));
      inflight.set(k, pending);
    }
    const shared = await pending;
    if (shared === null) return null;
    if (read.size >= 10_000) read.clear();
    read.set(k, (known = { shared, at: now }));
  }
  // Our own flushes learn the store's total too: whichever is newer, plus what is not written yet.
  const rev = Math.max(known.shared, deps.writeBehind.sharedOf(k)) + deps.writeBehind.pendingOf(k);
  const period = Math.floor(deps.clock.now().getTime() / PERIOD_MS);
  // The query is part of the tag: one URL's tag never validates another's body.
  const q = toHex(sha256(query).slice(0, 6));
  return `W/"${FORMAT}.${rev}.${period}.${q}"`;
}

/**
 * Whether an If-None-Match header names this tag (weak comparison, lists accepted). `*` is not
 * answered here: it matches only a representation that exists, which the tag alone cannot tell
 * (an unknown location has a tag too), so the list route answers it after reading the location.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header || isAnyTag(header)) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}

/** `If-None-Match: *`: "any current representation". */
export function isAnyTag(header: string | undefined): boolean {
  return header?.trim() === '*';
}
