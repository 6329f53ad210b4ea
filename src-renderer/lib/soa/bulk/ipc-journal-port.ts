/** The app's journal port: the main-process journal through the typed bridge (`journal.append`, `journal.read`). */
import type {
  IpcResult,
  JournalRecordInput,
  OpInput,
  OpOutput,
  StoredJournalRecord,
} from '../../../../src-main/ipc/contract';
import type { JournalPort } from './ports';

export interface JournalBridge {
  journalAppend(input: OpInput<'journal.append'>): Promise<IpcResult<OpOutput<'journal.append'>>>;
  journalRead(input: OpInput<'journal.read'>): Promise<IpcResult<OpOutput<'journal.read'>>>;
}

export function createIpcJournalPort(bridge: JournalBridge): JournalPort {
  return {
    async append(records: JournalRecordInput[]): Promise<void> {
      // each call is fsynced by main before it answers; concurrent calls are group-committed there
      const results = await Promise.all(records.map((record) => bridge.journalAppend({ record })));
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) throw new Error(`Journal append failed: ${failed.error.message}`);
    },
    async readRun(runId: string): Promise<StoredJournalRecord[]> {
      const r = await bridge.journalRead({ runId, limit: 100000 });
      if (!r.ok) throw new Error(`Journal read failed: ${r.error.message}`);
      return r.value.records;
    },
  };
}
