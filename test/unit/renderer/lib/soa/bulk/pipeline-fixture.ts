/**
 * Fakes for whole bulk runs without a disk or real time: a virtual clock (time moves only by the sleeps the run
 * asks for, each sleep yields to the event loop first, and every sleep is recorded), an in-memory journal port,
 * fast retry and write limits, contacts added to the in-memory Graph, and a Graph port that records each request
 * with its virtual time and can hold a batch's answer until the test releases it.
 */
import type { JournalRecordInput, StoredJournalRecord } from '@contract';
import type { BulkItem } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type {
  BatchBody,
  BatchHttpResponse,
  Clock,
  GraphBatchPort,
  JournalPort,
} from '../../../../../../src-renderer/lib/soa/bulk/ports';
import type { FakeGraph } from './fake-graph';

export const FAST = {
  retry: { baseMs: 2, maxMs: 20, maxAttempts: 30, uncertainSettleMs: 5 },
  limits: { appWritesPerWindow: 1_000_000, tenantWritesPerWindow: 2_000_000, burst: 200 },
};

/**
 * Time moves only by the sleeps asked for; each sleep yields once to the event loop first. `onSleep` sees each
 * sleep as it is asked for (before that yield); a sleep whose signal is aborted by then takes no time.
 */
export function virtualClock(onSleep?: (ms: number) => void): Clock & { sleeps: number[] } {
  let now = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms, signal) => {
      onSleep?.(ms);
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) return;
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
    sleeps,
  };
}

export function memoryJournal(): JournalPort & { records: StoredJournalRecord[] } {
  const records: StoredJournalRecord[] = [];
  return {
    records,
    append: async (rs: JournalRecordInput[]) => {
      for (const r of rs)
        records.push({
          ...r,
          seq: records.length + 1,
          at: new Date(0).toISOString(),
          tenant: 't',
        } as StoredJournalRecord);
    },
    readRun: async (runId) => {
      const ops = new Set(records.filter((r) => r.kind === 'intent' && r.runId === runId).map((r) => r.opId));
      return records.filter((r) => ops.has(r.opId));
    },
  };
}

export function contacts(graph: FakeGraph, n: number): BulkItem[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    graph.add({ id, displayName: `Contact ${i}` });
    return { objectId: id, objectType: 'contact' as const, displayName: `Contact ${i}`, action: 'transfer' as const };
  });
}

/** One request a run sent: its method, the object id in its URL and the virtual time it left. */
export interface SentRequest {
  method: string;
  id: string;
  at: number;
}

/**
 * The in-memory Graph behind a port that records every request with the clock's time, calls `onBatch` as a batch
 * leaves, and holds the answer of each batch `holdWhen` picks until `release()`.
 */
export class RecordingGraph implements GraphBatchPort {
  readonly sent: SentRequest[] = [];
  onBatch: ((body: BatchBody) => void) | undefined;
  holdWhen: ((body: BatchBody) => boolean) | undefined;
  private held: (() => void)[] = [];

  constructor(
    readonly graph: FakeGraph,
    private readonly clock: Clock,
  ) {}

  /** Answers held now. */
  get holding(): number {
    return this.held.length;
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  /** The requests sent for one object, with one method. */
  times(method: string, id: string): number[] {
    return this.sent.filter((r) => r.method === method && r.id === id).map((r) => r.at);
  }

  async sendBatch(body: BatchBody): Promise<BatchHttpResponse> {
    for (const r of body.requests)
      this.sent.push({ method: r.method, id: r.url.split('/')[2] ?? '', at: this.clock.now() });
    this.onBatch?.(body);
    if (this.holdWhen?.(body)) await new Promise<void>((r) => this.held.push(r));
    return this.graph.sendBatch(body);
  }
}
