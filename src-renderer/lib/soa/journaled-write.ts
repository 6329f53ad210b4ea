/**
 * One journaled, verified write:
 *
 * 1. the intent is appended to the journal (fsynced by main) BEFORE the request is sent;
 * 2. the request is sent;
 * 3. the state is read back; the result (done / failed, verified or not) is appended.
 *
 * Unknown outcomes are resolved by reading, never by sending again blindly:
 * - throttled (429 after the client's own retries): wait Retry-After, read back; send again only
 *   when the read shows the change did not happen;
 * - no response (dropped connection, "applied but the response was lost") or a 5xx: read back;
 *   if the change is there it is done (and not written twice), otherwise it is safe to send again;
 * - if the state cannot be read either, no result is written: the intent stays pending and the
 *   Journal view (or the next start) re-verifies it.
 */
import type { JournalRecordInput } from '@contract';
import type { GraphError, GraphResult } from '../graph/graph-result';
import { CancelledError, type FlowPorts, type HttpAttempt } from './ports';

export type WriteAction = Extract<JournalRecordInput, { kind: 'intent' }>['action'];

export interface WriteSpec<T> {
  runId?: string;
  action: WriteAction;
  /** The account that sends the write when it is not the signed-in admin (journaled with the intent). */
  actor?: string;
  objectId: string;
  displayName?: string;
  before?: unknown;
  request: { method: string; url: string; body?: unknown };
  send(): Promise<GraphResult<unknown>>;
  readBack(): Promise<GraphResult<T>>;
  isApplied(value: T): boolean;
}

export interface WriteOutcome<T> {
  opId: string;
  outcome: 'done' | 'failed' | 'unknown';
  verified: boolean;
  /** Request id of the last write attempt (or of the read that settled it). */
  requestId: string | null;
  status?: number;
  sends: number;
  after?: T;
  error?: GraphError;
  /** Human-readable account of what happened, in order (shown and put in the evidence). */
  log: string[];
  attempts: HttpAttempt[];
}

export interface WriteOptions {
  signal?: AbortSignal;
  onStatus?: (message: string) => void;
}

function describeError(e: GraphError): string {
  if (e.status === 0) return `no response (${e.message})`;
  return `${e.status} ${e.code || e.kind}: ${e.message}`;
}

async function readBackUntil<T>(
  ports: FlowPorts,
  spec: WriteSpec<T>,
  signal: AbortSignal | undefined,
): Promise<{ read: GraphResult<T> | null; applied: boolean }> {
  let last: GraphResult<T> | null = null;
  for (let i = 0; i < Math.max(1, ports.tuning.readBackAttempts); i++) {
    if (i > 0) await ports.clock.sleep(ports.tuning.readBackDelayMs, signal);
    last = await spec.readBack();
    if (last.ok && spec.isApplied(last.value)) return { read: last, applied: true };
    if (!last.ok && last.error.kind !== 'network' && last.error.kind !== 'server' && last.error.kind !== 'throttled') {
      break;
    }
  }
  return { read: last, applied: false };
}

export async function journaledWrite<T>(
  ports: FlowPorts,
  spec: WriteSpec<T>,
  options: WriteOptions = {},
): Promise<WriteOutcome<T>> {
  const { signal, onStatus } = options;
  const log: string[] = [];
  const say = (m: string): void => {
    log.push(m);
    onStatus?.(m);
  };
  const mark = ports.attempts?.mark() ?? 0;
  const opId = ports.newId();
  const intent: JournalRecordInput = {
    kind: 'intent',
    opId,
    ...(spec.runId ? { runId: spec.runId } : {}),
    objectType: 'contact',
    objectId: spec.objectId,
    ...(spec.displayName !== undefined ? { displayName: spec.displayName } : {}),
    action: spec.action,
    ...(spec.actor ? { actor: spec.actor } : {}),
    ...(spec.before !== undefined ? { before: spec.before } : {}),
    request: spec.request,
  };
  // Durable before the request: if this fails, nothing is sent.
  await ports.ipc.invoke('journal.append', { record: intent });
  say(`Journaled the intent (${opId}) before sending.`);

  const outcome = (o: Omit<WriteOutcome<T>, 'opId' | 'log' | 'attempts'>): WriteOutcome<T> => ({
    ...o,
    opId,
    log,
    attempts: ports.attempts?.since(mark) ?? [],
  });
  const appendResult = async (
    r: Omit<Extract<JournalRecordInput, { kind: 'result' }>, 'kind' | 'opId'>,
  ): Promise<void> => {
    await ports.ipc.invoke('journal.append', { record: { kind: 'result', opId, ...r } });
  };

  let sends = 0;
  let lastError: GraphError | undefined;
  let lastRequestId: string | null = null;
  for (let attempt = 1; attempt <= ports.tuning.maxWriteAttempts; attempt++) {
    if (signal?.aborted) throw new CancelledError();
    sends++;
    const r = await spec.send();
    lastRequestId = r.requestId;
    if (r.ok) {
      say(`${spec.request.method} answered ${r.status}${r.requestId ? ` (request-id ${r.requestId})` : ''}.`);
      const { read, applied } = await readBackUntil(ports, spec, signal);
      if (applied && read?.ok) {
        say('Read back: the change is in place.');
        await appendResult({
          outcome: 'done',
          verified: true,
          status: r.status,
          ...(r.requestId ? { requestId: r.requestId } : {}),
          after: read.value,
        });
        return outcome({
          outcome: 'done',
          verified: true,
          requestId: r.requestId,
          status: r.status,
          sends,
          after: read.value,
        });
      }
      const why =
        read && !read.ok ? `the read-back failed (${describeError(read.error)})` : 'the read-back does not show it yet';
      say(`Accepted, but ${why}.`);
      await appendResult({
        outcome: 'done',
        verified: false,
        status: r.status,
        ...(r.requestId ? { requestId: r.requestId } : {}),
        reason: `Accepted by Graph, but ${why}.`,
      });
      return outcome({
        outcome: 'done',
        verified: false,
        requestId: r.requestId,
        status: r.status,
        sends,
        ...(read?.ok ? { after: read.value } : {}),
      });
    }

    const e = r.error;
    lastError = e;
    const uncertain = e.kind === 'network' || e.kind === 'server' || e.kind === 'throttled';
    if (!uncertain) {
      say(`Refused: ${describeError(e)}.`);
      await appendResult({
        outcome: 'failed',
        verified: true,
        status: e.status,
        ...(r.requestId ? { requestId: r.requestId } : {}),
        reason: `${describeError(e)}${'fix' in e ? ` Fix: ${e.fix}` : ''}`.slice(0, 2000),
      });
      return outcome({ outcome: 'failed', verified: true, requestId: r.requestId, status: e.status, sends, error: e });
    }

    if (e.kind === 'throttled') {
      say(
        `Throttled (429) after the client's own retries; waiting ${e.waitSeconds} s (Retry-After) before reading the state.`,
      );
      await ports.clock.sleep(Math.max(0, e.waitSeconds) * 1000, signal);
    } else if (e.kind === 'network') {
      say(
        `No response (${e.message}). The request may or may not have been applied: reading the state back instead of sending again.`,
      );
    } else {
      say(`Server error ${describeError(e)}: reading the state back before any retry.`);
    }
    const { read, applied } = await readBackUntil(ports, spec, signal);
    if (applied && read?.ok) {
      say('Read back: the change IS in place. Not sending it again.');
      await appendResult({
        outcome: 'done',
        verified: true,
        ...(read.requestId ? { requestId: read.requestId } : {}),
        after: read.value,
        reason: `The write's response was not received (${describeError(e)}); the read-back shows it applied.`,
      });
      return outcome({ outcome: 'done', verified: true, requestId: read.requestId, sends, after: read.value });
    }
    if (!read || !read.ok) {
      say(
        'The state cannot be read either. The operation stays pending in the journal: re-verify it from the Journal view.',
      );
      return outcome({ outcome: 'unknown', verified: false, requestId: lastRequestId, sends, error: e });
    }
    say(`Read back: not applied. Sending again (attempt ${attempt + 1} of ${ports.tuning.maxWriteAttempts}).`);
  }
  say('Gave up after the maximum number of attempts; the change is not in place.');
  await appendResult({
    outcome: 'failed',
    verified: true,
    ...(lastRequestId ? { requestId: lastRequestId } : {}),
    reason: `Not applied after ${sends} attempts${lastError ? ` (last: ${describeError(lastError)})` : ''}.`,
  });
  return outcome({
    outcome: 'failed',
    verified: true,
    requestId: lastRequestId,
    sends,
    ...(lastError ? { error: lastError } : {}),
  });
}
