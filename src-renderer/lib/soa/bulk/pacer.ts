/**
 * Write pacing below Graph's identity write limits (docs/reference/graph-and-identity.md#throttling): 3,000 writes per 150 s per
 * app+tenant and 18,000 per 5 min per tenant (shared with every other app, so only `tenantShare`
 * of it is ours). A token bucket refills at `safety ×` the tighter steady rate, with a small burst
 * of one batch. It slows down when `x-ms-throttle-limit-percentage` shows up (sent above 80 %),
 * halves and stops until `Retry-After` on a write 429, and recovers slowly afterwards.
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
  safety: 0.97,
  burst: 20,
};

/** Writes per second the documented (or scaled) limits allow in steady state. */
export function limitBoundRate(limits: WriteLimits): number {
  const app = limits.appWritesPerWindow / (limits.appWindowMs / 1000);
  const tenant = (limits.tenantWritesPerWindow * limits.tenantShare) / (limits.tenantWindowMs / 1000);
  return Math.min(app, tenant);
}

export class WritePacer {
  private tokens: number;
  private at: number;
  /** Multiplier on the target rate, lowered by throttle signals. */
  private factor = 1;
  private blockedUntil = 0;
  private lastCut = -Infinity;
  private lastRecovery = -Infinity;
  private holdUntil = -Infinity;
  readonly baseRate: number;

  constructor(
    private readonly limits: WriteLimits,
    now: number,
  ) {
    this.baseRate = limitBoundRate(limits) * limits.safety;
    this.tokens = limits.burst;
    this.at = now;
  }

  get rate(): number {
    return this.baseRate * this.factor;
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

  /** Give back tokens for writes that were not sent (or were rejected with 429). */
  refund(n: number): void {
    this.tokens = Math.min(this.limits.burst, this.tokens + n);
  }

  /** When the next whole token is available (ms epoch). */
  nextAt(now: number): number {
    if (now < this.blockedUntil) return this.blockedUntil;
    this.refill(now);
    if (this.tokens >= 1) return now;
    return now + ((1 - this.tokens) / this.rate) * 1000;
  }

  /**
   * `x-ms-throttle-limit-percentage` seen on a response (fraction, sent above 0.8). Close to the
   * limit (≥ 0.95) the rate is cut by 20 % (at most once a second, not below half); between 0.8 and
   * 0.95 the rate holds (no recovery) — the steady target is already below the refill rate.
   */
  observePercentage(p: number, now = Date.now()): void {
    this.holdUntil = Math.max(this.holdUntil, now + 1000);
    if (p < 0.95 || now - this.lastCut < 1000) return;
    this.lastCut = now;
    this.factor = Math.max(Math.min(this.factor, 0.5), this.factor * 0.8);
  }

  /** A write came back 429: stop until Retry-After, then continue at half speed. */
  throttled(retryAfterMs: number, now: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
    // one cut per throttle episode, not one per 429 in the same batch
    if (now - this.lastCut > 2000) {
      this.factor = Math.max(0.1, this.factor * 0.5);
      this.lastCut = now;
    }
    this.tokens = Math.min(this.tokens, 0);
  }

  /**
   * A batch of writes went through without a throttle signal (429 or limit percentage; plain 5xx do
   * not count). The rate climbs back by 10 % of the target per clean second after the last cut.
   */
  recovered(now: number): void {
    const since = Math.max(this.lastCut, this.lastRecovery, this.holdUntil);
    if (now - this.lastCut < 1000 || now < this.holdUntil) return;
    this.factor = Math.min(1, this.factor + (0.1 * Math.max(0, now - since)) / 1000);
    this.lastRecovery = now;
  }

  get throttleFactor(): number {
    return this.factor;
  }
}
