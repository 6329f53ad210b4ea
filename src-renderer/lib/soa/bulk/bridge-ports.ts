/**
 * App-side ports over the typed bridge client (`SoaClient.call` from lib/bridge.ts, structurally):
 * the journal in main (`journal.appendMany`, `journal.read`) and the Connect Sync operations.
 */
import {
  JOURNAL_APPEND_MANY_MAX,
  type IpcResult,
  type JournalRecordInput,
  type OperationName,
  type OpInput,
  type OpOutput,
  type StoredJournalRecord,
} from '@contract';
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

/** Records per `journal.read` page (the contract allows up to 100,000; a page this size stays small over IPC). */
export const JOURNAL_PAGE = 10_000;

/**
 * The journal (or one run of it) page by page, oldest first, paging forward by `afterSeq`. Callers fold
 * each page into what they need, so memory holds one page, never the whole journal. A failed read
 * throws an Error that names the operation and main's message.
 */
export async function* journalPages(
  bridge: BridgeCall,
  filter: { runId?: string } = {},
  pageSize = JOURNAL_PAGE,
): AsyncGenerator<StoredJournalRecord[]> {
  let afterSeq = 0;
  for (;;) {
    const { records } = await value(bridge, 'journal.read', {
      ...(filter.runId !== undefined ? { runId: filter.runId } : {}),
      afterSeq,
      limit: pageSize,
    });
    if (records.length > 0) yield records;
    const last = records.at(-1);
    if (records.length < pageSize || !last) return;
    afterSeq = last.seq;
  }
}

export function createIpcJournalPort(bridge: BridgeCall): JournalPort {
  return {
    async append(records: JournalRecordInput[]): Promise<void> {
      // one call (one write, one fsync in main) per chunk, not one bridge round trip per record: in browser mode
      // each call is an HTTP request, and the browser opens only a few connections per host
      const refused: { opId: string; message: string }[] = [];
      for (let i = 0; i < records.length; i += JOURNAL_APPEND_MANY_MAX) {
        const chunk = records.slice(i, i + JOURNAL_APPEND_MANY_MAX);
        const r = await bridge.call('journal.appendMany', { records: chunk });
        if (!r.ok) throw new Error(`journal.appendMany failed for ${chunk.length} record(s): ${r.error.message}`);
        refused.push(...r.value.refused);
      }
      if (refused.length > 0) throw new JournalRefusedError(refused);
    },
    async readRun(runId: string): Promise<StoredJournalRecord[]> {
      // paged, so a run of any size comes back whole (one page is at most JOURNAL_PAGE records over IPC)
      const out: StoredJournalRecord[] = [];
      for await (const page of journalPages(bridge, { runId })) out.push(...page);
      return out;
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
