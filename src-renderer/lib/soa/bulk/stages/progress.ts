/** The progress of a run: counts per outcome, the finishing rate over the last 10 s, and an ETA. */
import type { RunCounters, RunProgress } from '../run-types';
import type { Slot } from './slot';

export interface ProgressContext {
  counters: RunCounters;
  concurrency: number;
  /** the pacer's current write rate (writes/s) */
  writeRate: number;
  state: RunProgress['state'];
}

const RATE_WINDOW_MS = 10_000;

export class ProgressMeter {
  private readonly samples: { t: number; done: number }[] = [];

  constructor(
    private readonly runId: string,
    private readonly slots: readonly Slot[],
  ) {}

  /** Measure now (`now` ms epoch); every call is also a sample for the rate. */
  measure(now: number, ctx: ProgressContext): RunProgress {
    let verified = 0,
      skipped = 0,
      failed = 0,
      unverifiedFinal = 0,
      inWriteOrVerify = 0;
    for (const s of this.slots) {
      if (s.phase === 'final') {
        const o = s.result?.outcome;
        if (o === 'verified') verified++;
        else if (o === 'skipped') skipped++;
        else if (o === 'failed') failed++;
        else if (o === 'unverified') unverifiedFinal++;
      } else if (s.phase === 'verify' || s.uncertain) inWriteOrVerify++;
    }
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
