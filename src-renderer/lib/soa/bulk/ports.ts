/**
 * The ports the bulk flows run over. The core never touches the DOM, Node or the network directly:
 * the app injects a fetch-based Graph port and the IPC journal; tests and the benchmark inject a
 * Node HTTPS Graph port and the main-process `Journal` class itself.
 */
import type { JournalRecordInput, StoredJournalRecord } from '../../../../src-main/ipc/contract';

/** One request inside a JSON `$batch` body (url relative to the version root, e.g. `/contacts/{id}`). */
export interface BatchRequest {
  id: string;
  method: 'GET' | 'PATCH' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchBody {
  requests: BatchRequest[];
}

/** The outer HTTP response of one `POST /$batch`. `body` is the parsed JSON (or undefined). */
export interface BatchHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface GraphBatchPort {
  /**
   * Send one `$batch` body (≤ 20 requests). Resolves with the outer response; rejects on a network
   * error (connection dropped, TLS failure, timeout). `scopes` tells the token provider what to ask for.
   */
  sendBatch(body: BatchBody, options: { scopes: readonly string[]; signal?: AbortSignal }): Promise<BatchHttpResponse>;
}

export interface JournalPort {
  /** Append records; resolves only when every record is durable (fsynced). */
  append(records: JournalRecordInput[]): Promise<void>;
  /** All records of one run (its intents and their results), oldest first. */
  readRun(runId: string): Promise<StoredJournalRecord[]>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};
