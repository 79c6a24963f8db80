/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)). */
export function fullJitterDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait after a 429: GHL's Retry-After when it sends one (seconds or an HTTP date);
 * else, when the window is used up, the interval it announces; else backoff. The longest wait of
 * the ones that apply wins (several limits may be in play).
 */
export function waitAfter429(
  headers: Headers,
  backoffMs: number,
  nowMs: number,
  maxMs: number,
): number {
  const waits = [backoffMs];
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) waits.push(seconds * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) waits.push(at - nowMs);
    }
  } else if (headers.get('x-ratelimit-remaining') === '0') {
    const interval = Number(headers.get('x-ratelimit-interval-milliseconds'));
    if (Number.isFinite(interval) && interval > 0) waits.push(interval);
  }
  return Math.min(maxMs, Math.max(0, ...waits));
}
