/**
 * Fakes for the bulk view's model tests: a bridge client that answers from a table and records every call in
 * order (an operation without an answer fails the test), and small builders of a plan and a run summary.
 */
import type {
  AppInfo,
  IpcResult,
  JournalRecordInput,
  OperationName,
  OpInput,
  OpOutput,
  StoredJournalRecord,
} from '@contract';
import type { SoaClient } from '../../../../src-renderer/lib/bridge';
import {
  ALL_ACTIONS,
  type ItemResult,
  type Plan,
  type PlanEntry,
  type RunSummary,
} from '../../../../src-renderer/lib/soa/bulk';

type Answer<N extends OperationName> = (input: OpInput<N>) => IpcResult<OpOutput<N>> | Promise<IpcResult<OpOutput<N>>>;
export type Answers = { [N in OperationName]?: Answer<N> };

export interface RecordingClient extends SoaClient {
  /** every call, in the order it was made */
  readonly calls: { name: OperationName; input: unknown }[];
}

export function recordingClient(answers: Answers): RecordingClient {
  const calls: { name: OperationName; input: unknown }[] = [];
  const call = async (name: OperationName, input: unknown): Promise<IpcResult<unknown>> => {
    calls.push({ name, input });
    const answer = answers[name] as ((input: unknown) => IpcResult<unknown> | Promise<IpcResult<unknown>>) | undefined;
    if (!answer) throw new Error(`unexpected bridge call ${name}`);
    return answer(input);
  };
  return {
    transport: 'browser',
    calls,
    call: call as SoaClient['call'],
    invoke: (async (name: OperationName, input: unknown) => {
      const r = await call(name, input);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    }) as SoaClient['invoke'],
    onProgress: () => () => undefined,
  };
}

export const ok = <T>(value: T): IpcResult<T> => ({ ok: true, value });
export const failed = (message: string): IpcResult<never> => ({ ok: false, error: { code: 'unavailable', message } });

export const APP_INFO: AppInfo = {
  name: 'soa-pilot',
  version: '0.0.0-test',
  transport: 'browser',
  platform: 'linux',
  graphBaseUrl: 'https://graph.test',
  graphCustomHosts: [],
  lab: true,
  dataDir: '/tmp/soa-pilot-test',
};

export function planEntry(objectId: string, over: Partial<PlanEntry> = {}): PlanEntry {
  return {
    objectId,
    objectType: 'contact',
    displayName: `Contact ${objectId}`,
    mail: `${objectId}@contoso.com`,
    isCloudManaged: true,
    onPremisesSyncEnabled: null,
    state: 'transferred',
    stateCertain: true,
    action: 'rollback',
    reason: 'Transferred: rolls back.',
    cloudReferences: [],
    wave: 0,
    source: 'test',
    ...over,
  };
}

export function plan(entries: PlanEntry[], over: Partial<Plan> = {}): Plan {
  const counts = Object.fromEntries(
    ALL_ACTIONS.map((a) => [a, entries.filter((e) => e.action === a).length]),
  ) as Plan['counts'];
  return {
    version: 1,
    planId: 'plan-1',
    kind: 'rollback',
    objectType: 'contact',
    createdAt: '2026-12-01T10:00:00.000Z',
    scope: { kind: 'tenant' },
    entries,
    counts,
    ...over,
  };
}

export function item(objectId: string, over: Partial<ItemResult> = {}): ItemResult {
  return {
    opId: `op-${objectId}`,
    objectId,
    objectType: 'contact',
    displayName: `Contact ${objectId}`,
    action: 'transfer',
    outcome: 'verified',
    before: false,
    after: true,
    written: true,
    fromJournal: false,
    attempts: 1,
    ...over,
  };
}

export function summary(runId: string, items: ItemResult[]): RunSummary {
  const verified = items.filter((i) => i.outcome === 'verified').length;
  return {
    runId,
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:05:00.000Z',
    cancelled: false,
    items,
    progress: {
      runId,
      total: items.length,
      done: items.length,
      verified,
      skipped: 0,
      failed: items.length - verified,
      unverified: 0,
      remaining: 0,
      writesSent: verified,
      throttled: 0,
      retries: 0,
      ratePerSecond: 0,
      etaSeconds: null,
      concurrency: 1,
      writeRate: 0,
      state: 'finished',
    },
  };
}

/** Journal records as `journal.read` returns them (seq, time and tenant added). */
export function stored(records: readonly JournalRecordInput[]): StoredJournalRecord[] {
  return records.map(
    (r, i) => ({ ...r, seq: i + 1, at: '2026-12-01T10:06:00.000Z', tenant: 'contoso' }) as StoredJournalRecord,
  );
}
