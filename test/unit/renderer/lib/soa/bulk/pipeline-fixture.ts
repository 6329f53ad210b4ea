/**
 * Fakes for whole bulk runs without a disk or real time: a virtual clock (time moves only by the sleeps the run
 * asks for, each sleep yields to the event loop first, and every sleep is recorded), an in-memory journal port,
 * fast retry and write limits, and contacts added to the in-memory Graph.
 */
import type { JournalRecordInput, StoredJournalRecord } from '@contract';
import type { BulkItem } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type { Clock, JournalPort } from '../../../../../../src-renderer/lib/soa/bulk/ports';
import type { FakeGraph } from './fake-graph';

export const FAST = {
  retry: { baseMs: 2, maxMs: 20, maxAttempts: 30, uncertainSettleMs: 5 },
  limits: { appWritesPerWindow: 1_000_000, tenantWritesPerWindow: 2_000_000, burst: 200 },
};

/** Time moves only by the sleeps asked for; each sleep yields once to the event loop first. */
export function virtualClock(): Clock & { sleeps: number[] } {
  let now = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms, signal) => {
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
