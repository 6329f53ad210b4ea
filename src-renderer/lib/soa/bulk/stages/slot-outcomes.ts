/**
 * How a slot moves after a failure, and how it becomes final: the retry policy of a bulk run.
 * A transient failure (5xx, network, bad body) backs off and, for a write, goes back to "check" (an
 * uncertain write is never re-sent blindly); a 429 re-queues after Retry-After; either gives up
 * after the policy's limit. `finalize` queues the journal result and reports the item.
 */
import { throttleBackoffMs } from '../pacer';
import type { Clock } from '../ports';
import type { ItemOutcome, ItemResult, RetryPolicy, RunCounters } from '../run-types';
import type { RunJournalWriter } from './journal-writer';
import { baseResult, type RequestKind, type Slot } from './slot';

export interface SlotOutcomesOptions {
  clock: Clock;
  retry: RetryPolicy;
  counters: RunCounters;
  journal: Pick<RunJournalWriter, 'queueResult'>;
  /** Random source for backoff jitter (tests may fix it). */
  random: () => number;
  onItem?: (result: ItemResult) => void;
}

export class SlotOutcomes {
  constructor(private readonly o: SlotOutcomesOptions) {}

  /** Exponential backoff with jitter (50–100 %) for the n-th attempt. */
  backoff(attempts: number): number {
    const { retry } = this.o;
    const exp = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempts - 1));
    return exp * (0.5 + this.o.random() / 2);
  }

  /**
   * The wait after the n-th throttle of a request whose Retry-After could not be read: the throttle backoff
   * (first ≥ 5 s, exponential, jittered; docs/reference/graph-and-identity.md#throttling).
   */
  throttleBackoff(n: number): number {
    return throttleBackoffMs(n, this.o.random);
  }

  finalize(slot: Slot, outcome: ItemOutcome, extra: Partial<ItemResult> = {}): void {
    slot.phase = 'final';
    slot.result = { ...baseResult(slot), outcome, ...extra, finishedAt: new Date(this.o.clock.now()).toISOString() };
    this.o.journal.queueResult(slot, outcome, extra);
    this.o.onItem?.(slot.result);
  }

  /** A transient failure (5xx, network, bad body) of the request this slot sent. */
  transient(slot: Slot, kind: RequestKind, reason: string, now: number, delayMs?: number): void {
    const { retry, counters } = this.o;
    slot.attempts++;
    counters.retries++;
    if (kind === 'write') slot.uncertain = true;
    if (slot.attempts >= retry.maxAttempts) {
      const outcome = slot.uncertain || kind === 'verify' ? 'unverified' : 'failed';
      this.finalize(slot, outcome, { reason: `Gave up after ${slot.attempts} attempts: ${reason}` });
      return;
    }
    // an uncertain write is never retried blindly: read first
    slot.phase = kind === 'write' ? 'check' : kind;
    const wait = delayMs ?? this.backoff(slot.attempts);
    slot.notBefore = now + (kind === 'write' ? Math.max(wait, retry.uncertainSettleMs) : wait);
  }

  /**
   * The request got no token, or Graph refused its token (401) after a forced refresh: it was not
   * processed. It waits for a new sign-in without using an attempt; a write goes back to "check" when
   * its batch may have left the process, so a read decides whether it is still needed.
   */
  awaitSignIn(slot: Slot, kind: RequestKind, mayHaveBeenSent: boolean): void {
    if (kind === 'write' && mayHaveBeenSent) {
      slot.uncertain = true;
      slot.phase = 'check';
    } else slot.phase = kind;
    slot.notBefore = 0;
  }

  /** The request was throttled (429): re-queue it after `delayMs`, or give up after too many. */
  throttled(slot: Slot, kind: RequestKind, delayMs: number, now: number): void {
    slot.throttles++;
    this.o.counters.throttled++;
    if (slot.throttles >= this.o.retry.maxThrottled) {
      const outcome = slot.uncertain || kind === 'verify' ? 'unverified' : 'failed';
      this.finalize(slot, outcome, { reason: 'Throttled too many times' });
      return;
    }
    slot.phase = kind;
    slot.notBefore = now + delayMs;
  }
}
