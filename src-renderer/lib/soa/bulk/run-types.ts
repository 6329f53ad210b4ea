/** The public types of a bulk run: what goes in (items, retry policy) and what comes out (results, progress). */
import type { BulkObjectType } from './object-types';

export type BulkAction = 'transfer' | 'rollback';

export interface BulkItem {
  objectId: string;
  objectType: BulkObjectType;
  displayName?: string;
  action: BulkAction;
  /** Execution wave (group nesting order); every object of a wave is final before the next starts. */
  wave?: number;
}

export type ItemOutcome =
  /** written (now or by an earlier attempt of this run) and read back in the target state */
  | 'verified'
  /** already in the target state at the re-check; nothing written */
  | 'skipped'
  | 'failed'
  /** written (or possibly written) but no read confirmed it */
  | 'unverified'
  /** not finished because the run was cancelled (an intent may be pending for resume) */
  | 'cancelled';

export interface ItemResult {
  opId: string;
  objectId: string;
  objectType: BulkObjectType;
  displayName?: string;
  action: BulkAction;
  outcome: ItemOutcome;
  /** isCloudManaged before the write (from the re-check) and after (from the read-back). */
  before?: boolean;
  after?: boolean;
  /** true when this process sent the PATCH that was acknowledged */
  written: boolean;
  /** true when the final record came from an earlier process (resume) */
  fromJournal: boolean;
  writeStatus?: number;
  requestId?: string;
  attempts: number;
  reason?: string;
  finishedAt?: string;
}

export interface RunProgress {
  runId: string;
  total: number;
  /** objects with a final outcome (verified + skipped + failed + unverified) */
  done: number;
  verified: number;
  skipped: number;
  failed: number;
  /** written (or uncertain) and not yet read back */
  unverified: number;
  remaining: number;
  writesSent: number;
  throttled: number;
  retries: number;
  /** final objects per second over the last 10 s */
  ratePerSecond: number;
  etaSeconds: number | null;
  concurrency: number;
  writeRate: number;
  state: 'running' | 'paused' | 'cancelling' | 'finished' | 'cancelled';
  /** set while the run paused itself: what the admin must do before resuming */
  pausedFor?: { kind: 'signIn'; message: string };
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  cancelled: boolean;
  items: ItemResult[];
  progress: RunProgress;
}

export interface RetryPolicy {
  /** First backoff for 5xx / network errors without Retry-After. */
  baseMs: number;
  maxMs: number;
  /** Transient failures per object before it is given up (failed / unverified). */
  maxAttempts: number;
  /** 429s per object before it is given up. */
  maxThrottled: number;
  /**
   * After a write with an unknown outcome (5xx, dropped connection, lost response), wait at least
   * this long before the re-check read, so a request still being processed is not raced.
   */
  uncertainSettleMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseMs: 1000,
  maxMs: 30_000,
  maxAttempts: 10,
  maxThrottled: 60,
  uncertainSettleMs: 2000,
};

/** The counters a run keeps across all objects (shown in the progress). */
export interface RunCounters {
  writesSent: number;
  throttled: number;
  retries: number;
}
