import { utcDay } from './ghl-time';

/**
 * GHL's per-location budget: `max` requests in any sliding `intervalMs`, plus a daily cap. Every
 * authenticated request counts, refused ones included, so a client that keeps hammering stays
 * refused; that is also what makes maxInWindow expose a client that overran the limit.
 */

export interface RateDecision {
  limited: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly daily = new Map<string, { day: string; count: number }>();
  private highWater = 0;

  constructor(
    private readonly opts: { max: number; intervalMs: number; dailyLimit: number },
    private readonly now: () => number,
  ) {}

  get maxInWindow(): number {
    return this.highWater;
  }

  clear(): void {
    this.windows.clear();
    this.daily.clear();
    this.highWater = 0;
  }

  hit(locationId: string): RateDecision {
    const now = this.now();
    const cutoff = now - this.opts.intervalMs;
    const window = (this.windows.get(locationId) ?? []).filter((t) => t > cutoff);
    window.push(now);
    this.windows.set(locationId, window);
    this.highWater = Math.max(this.highWater, window.length);

    const day = utcDay(now);
    const prev = this.daily.get(locationId);
    const today = prev && prev.day === day ? prev : { day, count: 0 };
    today.count += 1;
    this.daily.set(locationId, today);

    const limited = window.length > this.opts.max || today.count > this.opts.dailyLimit;
    return {
      limited,
      headers: {
        'X-RateLimit-Max': String(this.opts.max),
        'X-RateLimit-Remaining': String(limited ? 0 : Math.max(0, this.opts.max - window.length)),
        'X-RateLimit-Interval-Milliseconds': String(this.opts.intervalMs),
        'X-RateLimit-Limit-Daily': String(this.opts.dailyLimit),
        'X-RateLimit-Daily-Remaining': String(Math.max(0, this.opts.dailyLimit - today.count)),
      },
    };
  }
}
