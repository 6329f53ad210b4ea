/** The progress of a run: counts per outcome, the finishing rate over the last 10 s, and an ETA. */
import type { ItemOutcome, RunCounters, RunProgress } from '../run-types';
import type { Slot } from './slot';

export interface ProgressContext {
  counters: RunCounters;
  concurrency: number;
  /** the pacer's current write rate (writes/s) */
  writeRate: number;
  state: RunProgress['state'];
}

const RATE_WINDOW_MS = 10_000;

/**
 * Counts per outcome are kept as objects become final (`finished`), not re-counted over every object at each
 * measure (a run has up to 50,000 objects and is measured every 250 ms); only the objects in progress are looked at.
 */
export class ProgressMeter {
  private readonly samples: { t: number; done: number }[] = [];
  private verified = 0;
  private skipped = 0;
  private failed = 0;
  private unverifiedFinal = 0;

  constructor(
    private readonly runId: string,
    private readonly slots: readonly Slot[],
    /**
     * The objects that may be in progress (every slot that is neither final nor untouched); the scheduler's window
     * over the slots it has claimed. Default: every slot.
     */
    private readonly inProgress: () => Iterable<Slot> = () => slots,
  ) {
    for (const s of slots) if (s.phase === 'final' && s.result) this.finished(s.result.outcome);
  }

  /** An object became final with this outcome (once per object; a cancelled one is not done). */
  finished(outcome: ItemOutcome): void {
    if (outcome === 'verified') this.verified++;
    else if (outcome === 'skipped') this.skipped++;
    else if (outcome === 'failed') this.failed++;
    else if (outcome === 'unverified') this.unverifiedFinal++;
  }

  /** Measure now (`now` ms epoch); every call is also a sample for the rate. */
  measure(now: number, ctx: ProgressContext): RunProgress {
    const { verified, skipped, failed, unverifiedFinal } = this;
    let inWriteOrVerify = 0;
    for (const s of this.inProgress())
      if (s.phase !== 'final' && (s.phase === 'verify' || s.uncertain)) inWriteOrVerify++;
    const done = verified + skipped + failed + unverifiedFinal;
    const samples = this.samples;
    samples.push({ t: now, done });
    while (samples.length > 2 && (samples[0]?.t ?? now) < now - RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    const span = first ? (now - first.t) / 1000 : 0;
    const rate = first && span > 0.2 ? (done - first.done) / span : 0;
    const total = this.slots.length;
    const remaining = total - done;
    return {
      runId: this.runId,
      total,
      done,
      verified,
      skipped,
      failed,
      unverified: inWriteOrVerify + unverifiedFinal,
      remaining,
      writesSent: ctx.counters.writesSent,
      throttled: ctx.counters.throttled,
      retries: ctx.counters.retries,
      ratePerSecond: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 ? Math.round(remaining / rate) : remaining === 0 ? 0 : null,
      concurrency: ctx.concurrency,
      writeRate: Math.round(ctx.writeRate * 10) / 10,
      state: ctx.state,
    };
  }
}
