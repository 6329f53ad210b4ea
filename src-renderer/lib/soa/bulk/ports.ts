/**
 * The ports the bulk flows run over. The core never touches the DOM, Node or the network directly:
 * the app injects a fetch-based Graph port and the IPC journal; tests and the benchmark inject a
 * Node HTTPS Graph port and the main-process `Journal` class itself.
 */
import type { JournalRecordInput, StoredJournalRecord } from '@contract';

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
  /**
   * Append records; resolves only when every record is durable (fsynced). When the journal refuses
   * some records (one carries a credential), it rejects with a `JournalRefusal`: the records it
   * lists were not written, every other record of the call IS durable.
   */
  append(records: JournalRecordInput[]): Promise<void>;
  /** All records of one run (its intents and their results), oldest first. */
  readRun(runId: string): Promise<StoredJournalRecord[]>;
}

/** What `JournalPort.append` rejects with when it refused some records and wrote the others. */
export interface JournalRefusal {
  code: 'refused';
  refused: { opId: string; message: string }[];
}

/** The refusal carried by an error from `JournalPort.append`, or null for any other failure. */
export function journalRefusalOf(e: unknown): JournalRefusal | null {
  if (typeof e !== 'object' || e === null) return null;
  const { code, refused } = e as { code?: unknown; refused?: unknown };
  if (code !== 'refused' || !Array.isArray(refused)) return null;
  const list: JournalRefusal['refused'] = [];
  for (const r of refused as unknown[]) {
    if (typeof r !== 'object' || r === null) return null;
    const { opId, message } = r as { opId?: unknown; message?: unknown };
    if (typeof opId !== 'string' || typeof message !== 'string') return null;
    list.push({ opId, message });
  }
  return { code, refused: list };
}

/** A `JournalRefusal` as an Error (thrown by journal ports). */
export class JournalRefusedError extends Error implements JournalRefusal {
  readonly code = 'refused' as const;
  constructor(readonly refused: { opId: string; message: string }[]) {
    super(refused.map((r) => `${r.opId}: ${r.message}`).join('; '));
    this.name = 'JournalRefusedError';
  }
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
