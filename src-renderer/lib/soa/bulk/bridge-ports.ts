/**
 * App-side ports over the typed bridge client (`SoaClient.call` from lib/bridge.ts, structurally):
 * the journal in main (`journal.append`, `journal.read`) and the Connect Sync operations.
 */
import type { IpcResult, JournalRecordInput, OperationName, OpInput, OpOutput, StoredJournalRecord } from '@contract';
import { JournalRefusedError, type JournalPort } from './ports';
import type { BulkServerPort } from './server-follow-up';

/** The part of `SoaClient` the bulk ports need. */
export interface BridgeCall {
  call<N extends OperationName>(name: N, input: OpInput<N>): Promise<IpcResult<OpOutput<N>>>;
}

async function value<N extends OperationName>(bridge: BridgeCall, name: N, input: OpInput<N>): Promise<OpOutput<N>> {
  const r = await bridge.call(name, input);
  if (!r.ok) throw new Error(`${name} failed: ${r.error.message}`);
  return r.value;
}

const READ_PAGE = 10_000;

export function createIpcJournalPort(bridge: BridgeCall): JournalPort {
  return {
    async append(records: JournalRecordInput[]): Promise<void> {
      // main fsyncs each record before it answers; concurrent calls are group-committed there
      const answers = await Promise.all(records.map((record) => bridge.call('journal.append', { record })));
      const refused: { opId: string; message: string }[] = [];
      answers.forEach((r, i) => {
        if (r.ok) return;
        const opId = records[i]?.opId ?? '';
        if (r.error.code !== 'refused') throw new Error(`journal.append failed for ${opId}: ${r.error.message}`);
        refused.push({ opId, message: r.error.message });
      });
      if (refused.length > 0) throw new JournalRefusedError(refused);
    },
    async readRun(runId: string): Promise<StoredJournalRecord[]> {
      // paged, so a run of any size comes back whole (one page is at most 10,000 records over IPC)
      const out: StoredJournalRecord[] = [];
      let afterSeq = 0;
      for (;;) {
        const { records } = await value(bridge, 'journal.read', { runId, afterSeq, limit: READ_PAGE });
        out.push(...records);
        const last = records.at(-1);
        if (records.length < READ_PAGE || !last) return out;
        afterSeq = last.seq;
      }
    },
  };
}

export function createIpcServerPort(bridge: BridgeCall): BulkServerPort {
  return {
    runSyncCycle: (input) => value(bridge, 'server.runSyncCycle', { ...input, operationId: crypto.randomUUID() }),
    events6956: (input) => value(bridge, 'server.events6956', input),
    traceObjects: (input) => value(bridge, 'server.traceObjects', input),
  };
}
