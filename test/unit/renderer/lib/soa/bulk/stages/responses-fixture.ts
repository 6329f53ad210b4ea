/**
 * A response handler wired to recording fakes, shared by the response handler's tests: every pacer signal is
 * written to `pacerCalls` (an acknowledged PATCH only when `recordAccepted` is set), every finished object to
 * `items`; the clock never waits. The pacer's throttle wait is the Retry-After it was given, or `throttledFor`.
 */
import { ResponseHandler, type PacerSignals } from '../../../../../../../src-renderer/lib/soa/bulk/stages/responses';
import { BatchConcurrency } from '../../../../../../../src-renderer/lib/soa/bulk/stages/scheduler';
import { SlotOutcomes } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot-outcomes';
import { DEFAULT_RETRY, type ItemResult } from '../../../../../../../src-renderer/lib/soa/bulk/run-types';
import type { BatchOutcome } from '../../../../../../../src-renderer/lib/soa/bulk/stages/sender';

export function recordingHandler(
  options: { cancelled?: boolean; recordAccepted?: boolean; throttledFor?: number } = {},
) {
  const pacerCalls: string[] = [];
  const pacer: PacerSignals = {
    observePercentage: (p) => void pacerCalls.push(`pct ${p}`),
    throttled: (ms) => {
      pacerCalls.push(`throttled ${ms}`);
      return options.throttledFor ?? ms ?? 0;
    },
    recovered: () => void pacerCalls.push('recovered'),
    accepted: () => {
      if (options.recordAccepted) pacerCalls.push('accepted');
    },
  };
  const items: ItemResult[] = [];
  const outcomes = new SlotOutcomes({
    clock: { now: () => 0, sleep: () => Promise.resolve() },
    retry: { ...DEFAULT_RETRY, baseMs: 100 },
    counters: { writesSent: 0, throttled: 0, retries: 0 },
    journal: { queueResult: () => undefined },
    random: () => 1,
    onItem: (r) => items.push(r),
  });
  const concurrency = new BatchConcurrency({ initial: 4, max: 8 });
  const cancelled = options.cancelled ?? false;
  const handler = new ResponseHandler({ outcomes, pacer, concurrency, cancelled: () => cancelled });
  return { handler, pacerCalls, items, concurrency };
}

/** A `$batch` whose inner answers all arrived. */
export const answered = (
  ...responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[]
): BatchOutcome => ({ ok: true, byId: new Map(responses.map((r) => [r.id, r])) });
