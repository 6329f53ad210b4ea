/**
 * Write pacing below Graph's identity write limits (docs/reference/graph-and-identity.md#throttling): 3,000 writes per 150 s per
 * app+tenant and 18,000 per 5 min per tenant. The tenant budget is shared with every other app, and how much of it
 * they use is invisible until Graph pushes back, so the pacer starts just below the tighter steady rate (with
 * `tenantShare` of the tenant budget; `pacedRate`) and then follows the signals Graph sends:
 *
 * - `x-ms-throttle-limit-percentage` (a fraction from 0.8 to 1.8; 1.0 = throttling starts): from 0.8 the rate
 *   climbs only slowly past the rate the last throttle came at, and above 1.0 it is cut to `1/p` of itself
 *   (1.6 → 62 %);
 * - a write 429 (inner, or the whole `$batch`) and an outer 424 (`concepts/throttling.md`: "the batch itself fails
 *   with 424" when inner requests are throttled): every write stops until `Retry-After`, and the rate is cut once per
 *   episode. When no `Retry-After` can be read — browser code never sees it on the outer response
 *   (docs/reference/graph-and-identity.md#cors) — the wait is an exponential backoff with jitter, the first at
 *   least 5 s (`throttleBackoffMs`);
 * - a clean batch: the rate climbs back, quickly up to just below the rate at which the last throttle came, then
 *   slowly (probing whether the other apps have eased off).
 */
export interface WriteLimits {
  appWritesPerWindow: number;
  appWindowMs: number;
  tenantWritesPerWindow: number;
  tenantWindowMs: number;
  /** The share of the tenant-wide budget this app may use (other apps write too). */
  tenantShare: number;
  /** Fraction of the steady limit-bound rate to aim at. */
  safety: number;
  /** Burst (tokens) allowed at once. */
  burst: number;
}

export const DOCUMENTED_LIMITS: WriteLimits = {
  appWritesPerWindow: 3000,
  appWindowMs: 150_000,
  tenantWritesPerWindow: 18000,
  tenantWindowMs: 300_000,
  tenantShare: 1,
  safety: 0.995,
  burst: 20,
};

/** Writes per second the documented (or scaled) limits allow in steady state. */
export function limitBoundRate(limits: WriteLimits): number {
  const app = limits.appWritesPerWindow / (limits.appWindowMs / 1000);
  const tenant = (limits.tenantWritesPerWindow * limits.tenantShare) / (limits.tenantWindowMs / 1000);
  return Math.min(app, tenant);
}

/**
 * The steady rate the pacer aims at: the tighter of the two windows after the burst is taken off each window's budget,
 * times `safety`. A token bucket sends at most `burst + rate × window` writes in any window, so at this rate no
 * window (app or tenant) ever holds more than its limit, even when the run starts with a full burst; `safety` (0.5 %)
 * leaves room for requests that arrive at Graph closer together than they were sent
 * (docs/reference/graph-and-identity.md#throttling).
 */
export function pacedRate(limits: WriteLimits): number {
  const app = Math.max(0, limits.appWritesPerWindow - limits.burst) / (limits.appWindowMs / 1000);
  const tenant =
    Math.max(0, limits.tenantWritesPerWindow * limits.tenantShare - limits.burst) / (limits.tenantWindowMs / 1000);
  return Math.min(app, tenant) * limits.safety;
}

/** First wait after a throttle without a readable Retry-After (Entra resilience guidance: at least 5 s). */
export const THROTTLE_BACKOFF_FIRST_MS = 5_000;
/** Longest wait after a throttle without a readable Retry-After. */
export const THROTTLE_BACKOFF_MAX_MS = 120_000;
/** Throttles less than this apart belong to one episode (one rate cut). */
const EPISODE_MS = 2_000;
/** A throttle-free stretch this long resets the backoff's exponent. */
const CALM_RESET_MS = 30_000;
/** After this long without a throttle the rate may probe past the last throttled rate quickly again. */
const CEILING_FORGET_MS = 60_000;

/**
 * Exponential backoff with jitter for the `n`-th throttle in a row (1-based) when Graph's Retry-After cannot be
 * read: 5 s, 10 s, 20 s … capped at 120 s, each stretched by up to +50 % at random so that clients throttled
 * together do not retry together. Never below 5 s.
 */
export function throttleBackoffMs(n: number, random: () => number): number {
  const base = Math.min(THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_FIRST_MS * 2 ** Math.max(0, n - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base * (1 + r / 2));
}

export class WritePacer {
  private tokens: number;
  private at: number;
  /** Multiplier on the target rate, lowered by throttle signals. */
  private factor = 1;
  private blockedUntil = 0;
  private lastCut = -Infinity;
  private lastThrottle = -Infinity;
  private lastRecovery = -Infinity;
  private lastPercentageCut = -Infinity;
  /** Until then a limit percentage from 0.8 up was seen lately: the rate climbs only slowly. */
  private nearLimitUntil = -Infinity;
  /**
   * Throttles without a readable Retry-After in a row (reset when Graph accepts a write, or after a calm stretch);
   * the exponent of the backoff.
   */
  private streak = 0;
  /** The factor in force when the last throttle came (the rate climbs quickly only below it). */
  private ceiling = 1;
  readonly baseRate: number;

  constructor(
    private readonly limits: WriteLimits,
    now: number,
    private readonly random: () => number = Math.random,
  ) {
    this.baseRate = pacedRate(limits);
    this.tokens = limits.burst;
    this.at = now;
  }

  get rate(): number {
    return this.baseRate * this.factor;
  }

  get throttleFactor(): number {
    return this.factor;
  }

  /** Until when every write waits (ms epoch; 0 or a past time when nothing blocks). */
  get blockedUntilMs(): number {
    return this.blockedUntil;
  }

  private refill(now: number): void {
    const dt = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.limits.burst, this.tokens + dt * this.rate);
    this.at = now;
  }

  /** Whole writes that may be sent now. */
  available(now: number): number {
    if (now < this.blockedUntil) return 0;
    this.refill(now);
    return Math.floor(this.tokens);
  }

  take(n: number, now: number): void {
    this.refill(now);
    this.tokens -= n;
  }

  /** When the next whole token is available (ms epoch). */
  nextAt(now: number): number {
    if (now < this.blockedUntil) return this.blockedUntil;
    this.refill(now);
    if (this.tokens >= 1) return now;
    return now + ((1 - this.tokens) / this.rate) * 1000;
  }

  /** Lower the factor; the first cut of an episode remembers the factor it started from (the ceiling). */
  private cut(to: number, now: number): void {
    if (now - this.lastCut > EPISODE_MS) this.ceiling = this.factor;
    this.factor = Math.max(0.05, Math.min(this.factor, to));
    this.lastCut = now;
  }

  /**
   * `x-ms-throttle-limit-percentage` seen on a response: a fraction, 0.8 to 1.8 (never a 0–100 figure). From 0.8 up
   * to 1.0 the usage is near or at the limit but not over it: the rate climbs only slowly, and is not cut (a tenant
   * whose other apps keep it at its limit reports about 1.0 on every answer; cutting on that starves the run).
   * Above 1.0 (over the limit) it is cut to `1/p` of itself (1.6 → 62 %), at most once a second.
   */
  observePercentage(p: number, now: number): void {
    if (!Number.isFinite(p) || p < 0.8) return;
    this.nearLimitUntil = Math.max(this.nearLimitUntil, now + 1000);
    if (p <= 1 || now - this.lastPercentageCut < 1000) return;
    this.lastPercentageCut = now;
    this.cut(this.factor / p, now);
  }

  /**
   * A write was throttled (inner 429, outer 429, or an outer 424 for throttled inner requests). Every write waits
   * `retryAfterMs` — or, when Graph's Retry-After could not be read, the jittered exponential backoff — and the rate
   * is cut once per episode. Returns the wait it applied (ms), so the caller can hold the refused writes as long.
   */
  throttled(retryAfterMs: number | undefined, now: number): number {
    if (now - this.lastThrottle > CALM_RESET_MS) this.streak = 0;
    const newEpisode = now - this.lastThrottle > EPISODE_MS;
    // the exponent counts throttles without a readable Retry-After, in a row (no write accepted in between)
    if (retryAfterMs === undefined && (newEpisode || this.streak === 0)) this.streak++;
    this.lastThrottle = now;
    const wait = retryAfterMs ?? throttleBackoffMs(this.streak, this.random);
    this.blockedUntil = Math.max(this.blockedUntil, now + wait);
    // one cut per episode: none when the percentage on this same answer has just cut it
    if (newEpisode && now - this.lastCut > EPISODE_MS) this.cut(this.factor * 0.5, now);
    this.tokens = Math.min(this.tokens, 0);
    return wait;
  }

  /**
   * A batch of writes went through without a throttle (429 or 424; plain 5xx do not count). Below 90 % of the rate
   * the last throttle came at, the rate climbs by 10 % of the target per clean second; above it by 1 % (the
   * tenant's other apps may still be writing). After a minute without throttles it climbs quickly to the full
   * target again, unless the answers report a limit percentage from 0.8 up.
   */
  /** Graph accepted a write: the next throttle is the first in a row again. */
  accepted(): void {
    this.streak = 0;
  }

  recovered(now: number): void {
    this.streak = 0; // writes go through again: the next throttle is the first in a row
    if (now - this.lastCut < 1000) return;
    const since = Math.max(this.lastCut, this.lastRecovery);
    const seconds = Math.max(0, now - since) / 1000;
    const calm = now - this.lastThrottle > CEILING_FORGET_MS;
    const nearLimit = now < this.nearLimitUntil;
    // quickly back to just below the rate the last throttle came at; past that (or past the full rate after a calm
    // minute) only slowly while the tenant reports usage near its limit
    const knee = calm && !nearLimit ? 1 : this.ceiling * 0.9;
    let f = this.factor;
    if (f < knee) f = Math.min(knee, f + 0.1 * seconds);
    // at or past the knee only slowly (a knee of 1, after a calm minute, is the full rate already)
    else f = f + 0.01 * seconds;
    this.factor = Math.min(1, f);
    this.lastRecovery = now;
  }
}
