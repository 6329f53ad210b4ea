/**
 * The ports the single-object flows (transfer, rollback, reconcile, state) run over. Everything is
 * injected so the same code runs in the wizard, in Node tests against the lab, and in the bench.
 *
 * - `ipc`: the typed bridge client (server.*, journal.*, report.save, app.cancel).
 * - `graph`: a GraphSession (lib/graph) — every Graph call starts in the renderer.
 * - `clock`: time and cancellable sleeps (tests pass a fast one).
 * - `tuning`: poll intervals and bounds (tests shorten them; the wizard reads them from settings).
 * - `attempts`: optional log of every HTTP attempt the Graph client made (retries included), so the
 *   evidence can show a 429 that the RetryHandler absorbed.
 */
import type { SoaClient } from '../soa-client';
import type { GraphSession } from '../graph/graph-client';

export type Ipc = Pick<SoaClient, 'call' | 'invoke' | 'onProgress'>;

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects with a `CancelledError` when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface FlowTuning {
  /** Time between audit-log reads (the reports API allows 5 reads per 10 s per app). */
  auditPollIntervalMs: number;
  /** Give up polling the audit log after this long (default 30 min); "not yet visible" is not a failure. */
  auditPollBoundMs: number;
  /** Bound for one sync cycle wait (seconds). */
  syncTimeoutSeconds: number;
  /** Attempts for one journaled write (throttling and lost responses). */
  maxWriteAttempts: number;
  /** Read-backs after a write before calling it unverified (replication lag). */
  readBackAttempts: number;
  readBackDelayMs: number;
}

export const DEFAULT_TUNING: FlowTuning = {
  auditPollIntervalMs: 20_000,
  auditPollBoundMs: 30 * 60_000,
  syncTimeoutSeconds: 1800,
  maxWriteAttempts: 5,
  readBackAttempts: 4,
  readBackDelayMs: 1500,
};

/** One HTTP attempt as the transport saw it (below the RetryHandler, so every retry shows). */
export interface HttpAttempt {
  seq: number;
  at: string;
  method: string;
  url: string;
  /** 0 when no response arrived (dropped connection). */
  status: number;
  requestId: string | null;
  retryAfter: string | null;
  error?: string;
}

export interface AttemptLog {
  /** Position marker: attempts after it are returned by `since`. */
  mark(): number;
  since(mark: number): HttpAttempt[];
}

export interface FlowPorts {
  ipc: Ipc;
  graph: GraphSession;
  clock: Clock;
  tuning: FlowTuning;
  newId(): string;
  attempts?: AttemptLog;
}

export class CancelledError extends Error {
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

export const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError());
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(t);
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A fetch wrapper that records every attempt into a log (used as the GraphSession transport). */
export function recordingFetch(inner: (input: string | Request, init?: RequestInit) => Promise<Response>): {
  fetch: (input: string | Request, init?: RequestInit) => Promise<Response>;
  log: AttemptLog;
  all(): HttpAttempt[];
} {
  const items: HttpAttempt[] = [];
  let seq = 0;
  const wrapped = async (input: string | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input.url;
    const method = (init?.method ?? (typeof input === 'string' ? 'GET' : input.method) ?? 'GET').toUpperCase();
    const at = new Date().toISOString();
    try {
      const res = await inner(input, init);
      items.push({
        seq: ++seq,
        at,
        method,
        url,
        status: res.status,
        requestId: res.headers.get('request-id'),
        retryAfter: res.headers.get('retry-after'),
      });
      return res;
    } catch (e) {
      items.push({
        seq: ++seq,
        at,
        method,
        url,
        status: 0,
        requestId: null,
        retryAfter: null,
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  };
  return {
    fetch: wrapped,
    log: { mark: () => seq, since: (m) => items.filter((a) => a.seq > m) },
    all: () => [...items],
  };
}
