/**
 * Small in-memory ports for the single-contact flows: an IPC client that keeps the journal in an
 * array, a Graph session that answers from a table, and a clock that never sleeps for real (the recording
 * clock notes each sleep, so a test can assert that a wait happened and how long it was).
 */
import type { JournalRecordInput, StoredJournalRecord } from '@contract';
import type { GraphCall, GraphSession } from '../../../../../src-renderer/lib/graph/graph-client';
import { failure, ok, type GraphError, type GraphResult } from '../../../../../src-renderer/lib/graph/graph-result';
import { DEFAULT_TUNING, type FlowPorts, type Ipc } from '../../../../../src-renderer/lib/soa/ports';

export interface FakeIpc {
  ipc: Ipc;
  journal: StoredJournalRecord[];
  /** Order of events: 'journal:intent', 'journal:result', and whatever the test pushes. */
  events: string[];
}

export function fakeIpc(extra: Record<string, (input: unknown) => unknown> = {}, events: string[] = []): FakeIpc {
  const journal: StoredJournalRecord[] = [];
  let seq = 0;
  const handle = (name: string, input: unknown): unknown => {
    if (name === 'journal.append') {
      const record = (input as { record: JournalRecordInput }).record;
      events.push(`journal:${record.kind}`);
      const stored = { ...record, seq: ++seq, at: new Date(1_700_000_000_000 + seq).toISOString(), tenant: 't' };
      journal.push(stored as StoredJournalRecord);
      return { seq, at: stored.at };
    }
    if (name === 'journal.read') return { records: journal, path: '/j' };
    const h = extra[name];
    if (!h) throw new Error(`unexpected ipc ${name}`);
    return h(input);
  };
  const ipc = {
    call: async (name: string, input: unknown) => {
      try {
        return { ok: true, value: handle(name, input) };
      } catch (e) {
        return { ok: false, error: { code: 'internal', message: String(e) } };
      }
    },
    invoke: async (name: string, input: unknown) => handle(name, input),
    onProgress: () => () => undefined,
  } as unknown as Ipc;
  return { ipc, journal, events };
}

export type Route = (call: GraphCall) => { status: number; body?: unknown; requestId?: string } | GraphError;

/** A GraphSession stand-in: `route` answers each call; parse runs as in the real session. */
export function fakeGraph(route: Route, calls: GraphCall[] = []): GraphSession {
  const session = {
    baseUrl: 'https://graph.test',
    async call<T>(c: GraphCall, parse: (body: unknown, status: number) => T): Promise<GraphResult<T>> {
      calls.push(c);
      const r = route(c);
      if ('kind' in r) return failure(r, `rid-${calls.length}`);
      return ok(parse(r.body, r.status), r.status, r.requestId ?? `rid-${calls.length}`);
    },
  };
  return session as unknown as GraphSession;
}

export interface RecordingClock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Every sleep asked for, in milliseconds, in order. */
  sleeps: number[];
}

/**
 * A clock that never waits but records each sleep and moves its time on by it; `events` (when given) gets
 * `sleep:<ms>` so a test can check the wait came before the next call.
 */
export function recordingClock(events?: string[], start = 1_700_000_000_000): RecordingClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      sleeps.push(ms);
      events?.push(`sleep:${ms}`);
      now += ms;
    },
    sleeps,
  };
}

export function ports(ipc: Ipc, graph: GraphSession, clock: FlowPorts['clock'] = recordingClock()): FlowPorts {
  let n = 0;
  return {
    ipc,
    graph,
    clock,
    tuning: { ...DEFAULT_TUNING, readBackAttempts: 2, readBackDelayMs: 0, maxWriteAttempts: 3 },
    newId: () => `op-${++n}`,
  };
}

export const networkError: GraphError = {
  kind: 'network',
  status: 0,
  code: 'network',
  message: 'socket hang up',
  fix: 'x',
};
export const throttled: GraphError = {
  kind: 'throttled',
  status: 429,
  code: 'TooManyRequests',
  message: 'slow down',
  waitSeconds: 2,
  fix: 'wait',
};
export const forbidden: GraphError = {
  kind: 'forbidden',
  status: 403,
  code: 'Authorization_RequestDenied',
  message: 'Insufficient privileges to complete the operation.',
  missingScopes: [],
  missingRole: 'Hybrid Administrator',
  fix: 'assign the role',
};
