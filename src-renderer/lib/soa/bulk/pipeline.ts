/**
 * The bulk execution pipeline: runs exactly a saved plan's writes through JSON `$batch`.
 *
 * Per object: check (GET state, just before the write) → write (PATCH onPremisesSyncBehavior)
 * → verify (GET read-back). Requests for different objects share batches of ≤ 20 (no dependsOn;
 * batches are fully parallel). The intent of every write is journaled and fsynced before the batch
 * that carries the write is sent — ahead, as soon as the check finds the write needed, so that batch
 * does not wait for the journal — and the final record is journaled after the read-back.
 *
 * Safety rules (no object written twice, none left without a final record):
 * - a write whose outcome is uncertain (5xx, dropped connection, lost response) is never retried
 *   blindly: the object goes back to "check", and a read decides whether the write is still needed;
 * - an inner 429 is certain "not applied": the write is re-queued after Retry-After;
 * - on resume, a journaled intent without a result is "uncertain" and is re-read first;
 * - an object stays "unverified" until a read shows the target state.
 *
 * `runBulk` only composes the stages in `./stages/` (docs/architecture.md#bulk-pipeline-stages):
 * plan reader → scheduler (with the write pacer) → journal writer (intents) → sender → response
 * handler (verifier for reads) → journal writer (results).
 */
import type { Clock, GraphBatchPort, JournalPort } from './ports';
import { systemClock } from './ports';
import { DOCUMENTED_LIMITS, WritePacer, type WriteLimits } from './pacer';
import { RunControl } from './run-control';
import {
  DEFAULT_RETRY,
  type BulkItem,
  type ItemResult,
  type RetryPolicy,
  type RunCounters,
  type RunProgress,
  type RunSummary,
} from './run-types';
import { readPlanSlots } from './stages/plan-reader';
import { RunJournalWriter } from './stages/journal-writer';
import { ProgressMeter } from './stages/progress';
import { ResponseHandler } from './stages/responses';
import { BatchConcurrency, BatchScheduler } from './stages/scheduler';
import { sendMembers } from './stages/sender';
import { baseResult, type Member } from './stages/slot';
import { SlotOutcomes } from './stages/slot-outcomes';

export * from './run-types';
export { RunControl, type PauseReason } from './run-control';
export { opIdFor, targetOf } from './stages/plan-reader';

export interface RunOptions {
  runId: string;
  items: BulkItem[];
  graph: GraphBatchPort;
  journal: JournalPort;
  clock?: Clock;
  limits?: Partial<WriteLimits>;
  retry?: Partial<RetryPolicy>;
  concurrency?: { initial?: number; max?: number };
  /** Re-check before writing when the last read is older than this. */
  staleCheckMs?: number;
  control?: RunControl;
  onProgress?: (progress: RunProgress) => void;
  /**
   * Report progress at most this often (ms), and whenever the run's state changes (default: after every batch up
   * to 2,000 objects, every 250 ms above: each report re-renders the run view).
   */
  progressEveryMs?: number;
  onItem?: (result: ItemResult) => void;
  /** Random source for backoff jitter (tests may fix it). */
  random?: () => number;
}

/** Runs with more objects than this measure their progress at most every PROGRESS_EVERY_MS. */
const PROGRESS_THROTTLE_FROM = 2_000;
const PROGRESS_EVERY_MS = 250;

/** Run (or resume) a bulk run. Resolves when every object is final or the run was cancelled. */
export async function runBulk(options: RunOptions): Promise<RunSummary> {
  if (options.runId.length === 0 || options.runId.length > 60) throw new Error('runId must be 1–60 characters');
  const clock = options.clock ?? systemClock;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const limits: WriteLimits = { ...DOCUMENTED_LIMITS, ...options.limits };
  const control = options.control ?? new RunControl();
  const concurrency = new BatchConcurrency(options.concurrency);
  const startedAt = new Date(clock.now()).toISOString();
  const pacer = new WritePacer(limits, clock.now(), options.random ?? Math.random);
  const counters: RunCounters = { writesSent: 0, throttled: 0, retries: 0 };

  // ---- the stages ---------------------------------------------------------------------------------
  const slots = await readPlanSlots(options.runId, options.items, options.journal);
  // the intents appended ahead: a refused one fails its object; a durable one wakes the loop to send its write
  let kick: AbortController = new AbortController();
  const journal = new RunJournalWriter(options.journal, options.runId, {
    refused: (slot, why) => {
      if (slot.phase !== 'final') outcomes.finalize(slot, 'failed', { reason: `Not written: ${why}` });
    },
    settled: () => kick.abort(),
  });
  const scheduler = new BatchScheduler(slots, pacer, options.staleCheckMs ?? 15_000);
  // the counts are kept as objects become final; a measure looks only at the scheduler's objects in progress
  const meter = new ProgressMeter(options.runId, slots, () => scheduler.started());
  const outcomes = new SlotOutcomes({
    clock,
    retry,
    counters,
    journal,
    random: options.random ?? Math.random,
    onItem: (result) => {
      meter.finished(result.outcome);
      options.onItem?.(result);
    },
  });
  const responses = new ResponseHandler({ outcomes, pacer, concurrency, cancelled: () => control.cancelled });
  let state: RunProgress['state'] = 'running';
  const progress = (): RunProgress => {
    const p = meter.measure(clock.now(), { counters, concurrency: concurrency.value, writeRate: pacer.rate, state });
    const reason = control.pauseReason;
    return reason && state === 'paused' ? { ...p, pausedFor: { kind: reason.kind, message: reason.message } } : p;
  };
  // Each report re-renders the run view: in a large run progress is reported at most every PROGRESS_EVERY_MS (and
  // whenever the state changes), not after each of dozens of batches a second.
  const everyMs = options.progressEveryMs ?? (slots.length > PROGRESS_THROTTLE_FROM ? PROGRESS_EVERY_MS : 0);
  let emitted: { at: number; state: RunProgress['state'] } | undefined;
  let unsent = false;
  const emit = (): void => {
    const now = clock.now();
    if (emitted && emitted.state === state && now - emitted.at < everyMs) {
      unsent = true;
      return;
    }
    emitted = { at: now, state };
    unsent = false;
    options.onProgress?.(progress());
  };

  // ---- one batch: intents → send → apply the answer → results -------------------------------------
  const sendBatch = async (members: Member[]): Promise<void> => {
    const sentAt = clock.now();
    // The loop claims a batch only while the run is not paused, a write only while the pacer allows writes and only
    // once its intent is durable (appended ahead, below), and sends the batch at once. A write without a durable
    // intent would break the run's safety rule (docs/architecture.md#bulk-pipeline-stages): stop instead of sending.
    const unjournaled = members.find((m) => m.kind === 'write' && !m.slot.intentWritten);
    if (unjournaled)
      throw new Error(
        `Bulk run stopped: the write of ${unjournaled.slot.opId} was due before its intent was journaled.`,
      );
    const writes = members.filter((m) => m.kind === 'write').length;
    counters.writesSent += writes;
    const outcome = await sendMembers(options.graph, members, clock);
    const wait = responses.applyBatch(members, outcome, sentAt, clock.now(), writes);
    if (wait) {
      // nothing of this batch was processed; the run waits for a new sign-in, then resume goes on
      // (docs/reference/token-lifetime.md#revoked-refresh-tokens)
      if (!outcome.ok) counters.writesSent -= writes;
      if (!control.cancelled)
        control.pause({ kind: 'signIn', message: `Sign in again to resume the run. ${wait.signIn}` });
    }
    // the intents of the writes this batch's re-checks found needed are appended ahead, and its results, both in
    // the background: this batch's slot is free for the next one, and the batch that carries those writes does
    // not wait for the journal
    for (const m of members) if (m.slot.phase === 'write') journal.queueIntent(m.slot);
    journal.startFlush();
  };

  // ---- the scheduler loop ---------------------------------------------------------------------------
  const inFlight = new Set<Promise<void>>();
  const unsubscribe = control.onChange(() => kick.abort());
  let fatal: unknown;
  emit();
  try {
    for (;;) {
      fatal ??= journal.failure;
      if (fatal) throw fatal;
      kick = new AbortController();
      const wave = scheduler.currentWave();
      if (wave === Infinity) break;
      if (control.cancelled) {
        state = 'cancelling';
        // unsent work ends here; only reads that settle an uncertain or written object continue
        for (const s of slots) {
          if (s.phase === 'final' || s.inFlight) continue;
          if (s.phase === 'verify' || (s.phase === 'check' && s.intentWritten)) continue;
          outcomes.finalize(s, 'cancelled', {
            // an intent being appended ahead becomes durable: a resume re-reads the object
            reason:
              s.intentWritten || s.intentPending
                ? 'Cancelled before the write (intent pending; a resume finishes it).'
                : 'Cancelled before the write.',
          });
        }
        await journal.flushResults();
        if (scheduler.currentWave() === Infinity && inFlight.size === 0) break;
      } else {
        state = control.paused ? 'paused' : 'running';
      }
      if (unsent || emitted?.state !== state) emit();
      const now = clock.now();
      if (!control.paused || control.cancelled) {
        while (inFlight.size < concurrency.value) {
          const members = scheduler.claim(now, wave, control.cancelled);
          if (members.length === 0) break;
          const p: Promise<void> = sendBatch(members)
            .catch((e: unknown) => {
              fatal ??= e;
            })
            .finally(() => {
              scheduler.release(members);
              inFlight.delete(p);
              emit();
              kick.abort();
            });
          inFlight.add(p);
        }
      }
      // sleep until a batch completes, a control changes, or the next slot/token is due
      if (inFlight.size >= concurrency.value || (control.paused && !control.cancelled)) {
        await clock.sleep(1000, kick.signal);
      } else {
        const wake = scheduler.wakeAt(now, wave, control.cancelled);
        await clock.sleep(Math.max(2, wake - now), kick.signal);
      }
    }
    await Promise.all(inFlight);
    if (fatal) throw fatal;
    await journal.flushResults();
  } finally {
    unsubscribe();
    await Promise.allSettled(inFlight);
    // no append of this run is left running when it returns (a resume reads the journal right after)
    await journal.idle();
  }
  state = control.cancelled ? 'cancelled' : 'finished';
  const finalProgress = progress();
  options.onProgress?.(finalProgress);
  return {
    runId: options.runId,
    startedAt,
    finishedAt: new Date(clock.now()).toISOString(),
    cancelled: control.cancelled,
    items: slots.map((s) => s.result ?? { ...baseResult(s), outcome: 'cancelled', reason: 'Not finished.' }),
    progress: finalProgress,
  };
}
