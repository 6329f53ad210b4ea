import { CancelledError } from '../lib/soa/ports';
import type { SyncProgress } from '../lib/soa/verify';

/** One attempt at a read-only step: whether it is running, and why it could not run (if it threw). */
export class StepAttempt {
  running = $state(false);
  crash = $state<string | undefined>();

  async run(body: () => Promise<void>): Promise<void> {
    this.running = true;
    this.crash = undefined;
    try {
      await body();
    } catch (e) {
      this.crash = e instanceof Error ? e.message : String(e);
    } finally {
      this.running = false;
    }
  }
}

/**
 * One attempt at a step that runs a sync cycle: running, the cycle's progress, Stop, and the
 * failure to show (the step's own, or the error it threw); a Stop is kept apart as `cancelled`.
 */
export class SyncStepAttempt<P = SyncProgress> {
  running = $state(false);
  progress = $state<P | undefined>();
  failure = $state<string | undefined>();
  /** Set when the admin stopped the wait (neutral, not a failure): what happens to the cycle. */
  cancelled = $state<string | undefined>();
  private ctl: AbortController | undefined;

  stop(): void {
    this.ctl?.abort();
  }

  /** `body` runs the step with these options and returns its failure, if any. */
  async run(
    body: (options: { signal: AbortSignal; onProgress: (p: P) => void }) => Promise<string | undefined>,
  ): Promise<void> {
    this.running = true;
    this.failure = undefined;
    this.cancelled = undefined;
    this.ctl = new AbortController();
    try {
      const failure = await body({ signal: this.ctl.signal, onProgress: (p) => (this.progress = p) });
      if (failure !== undefined) this.failure = failure;
    } catch (e) {
      if (e instanceof CancelledError) this.cancelled = e.message;
      else this.failure = String(e);
    } finally {
      this.running = false;
    }
  }
}
