/** What a journaled Graph write puts into its step's evidence: the request, the outcome, the log. */
import type { StepEvidence } from './evidence';
import type { WriteOptions, WriteOutcome } from './journaled-write';
import type { HttpAttempt } from './ports';

/** Say so when the Graph client retried a write below us (429/503/504 with Retry-After). */
export function retriedNotes(attempts: readonly HttpAttempt[]): string[] {
  const writes = attempts.filter((a) => a.method !== 'GET');
  const refused = writes.filter((a) => a.status === 429 || a.status === 503 || a.status === 504);
  if (refused.length === 0) return [];
  return [
    `Graph answered ${refused.map((a) => `${a.status}${a.retryAfter ? ` (Retry-After ${a.retryAfter} s)` : ''}`).join(', ')}; the Graph client waited and retried (${writes.length} HTTP attempts for one journaled request).`,
  ];
}

/** The write options a step passes on to `journaledWrite` (only those that are set). */
export function writeOptions(options: WriteOptions): WriteOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  };
}

/** Record the PATCH, its outcome and the write's log (with any retries) in `step`. */
export function recordPatch(
  step: StepEvidence,
  url: string,
  body: unknown,
  at: string,
  write: WriteOutcome<unknown>,
): void {
  step.requests.push({
    kind: 'graph',
    label: `PATCH ${url}`,
    body,
    at,
    status: write.status ?? write.error?.status ?? write.outcome,
    requestId: write.requestId,
    response: { outcome: write.outcome, verified: write.verified, after: write.after ?? null },
    attempts: write.attempts,
  });
  step.notes.push(...write.log, ...retriedNotes(write.attempts));
}
