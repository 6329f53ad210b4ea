/**
 * A fixed "N requests per window" limit, kept on the caller's side: provisionOnDemand and the reporting API
 * (`/auditLogs/provisioning`) both allow 5 requests per 10 s (docs/reference/cloud-sync.md#provision-on-demand,
 * docs/reference/cloud-sync.md#provisioning-logs). `take()` waits until one more request fits in the sliding
 * window; `hold()` records a server's `Retry-After` so no request leaves before it has passed.
 *
 * The clock is injected (now + cancellable sleep), so tests can record every wait.
 */
export interface WindowClock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface RateLimit {
  requests: number;
  windowMs: number;
}

export const PROVISION_ON_DEMAND_LIMIT: RateLimit = { requests: 5, windowMs: 10_000 };
export const REPORTING_LIMIT: RateLimit = { requests: 5, windowMs: 10_000 };

export class RateWindow {
  private readonly sent: number[] = [];
  private heldUntil = 0;
  /** Every wait `take` made, in ms (evidence and tests). */
  readonly waits: number[] = [];

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: WindowClock,
  ) {
    if (limit.requests < 1 || limit.windowMs <= 0)
      throw new Error('A rate limit needs at least one request per window.');
  }

  /** Wait until one more request fits, then count it as sent. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      while (this.sent.length > 0 && (this.sent[0] as number) <= now - this.limit.windowMs) this.sent.shift();
      let wait = Math.max(0, this.heldUntil - now);
      if (this.sent.length >= this.limit.requests) {
        wait = Math.max(wait, (this.sent[0] as number) + this.limit.windowMs - now);
      }
      if (wait <= 0) {
        this.sent.push(now);
        return;
      }
      this.waits.push(wait);
      await this.clock.sleep(wait, signal);
    }
  }

  /** The server asked to wait (`Retry-After`, ms): nothing leaves before then. */
  hold(ms: number): void {
    const until = this.clock.now().getTime() + Math.max(0, ms);
    if (until > this.heldUntil) this.heldUntil = until;
  }
}
