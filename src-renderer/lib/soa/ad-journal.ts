/**
 * Journal records around a PowerShell change to the contact's AD object: the intent before the
 * command runs, the result after it (the AD write is its own verification, so `verified: true`).
 */
import type { IpcResult } from '@contract';
import type { WriteAction } from './journaled-write';
import type { FlowPorts } from './ports';
import type { ContactTarget } from './verify';

export async function journalAdIntent(
  ports: FlowPorts,
  opId: string,
  target: ContactTarget,
  intent: {
    runId?: string | undefined;
    action: WriteAction;
    before?: unknown;
    request: { url: string; body: unknown };
  },
): Promise<void> {
  await ports.ipc.invoke('journal.append', {
    record: {
      kind: 'intent',
      opId,
      ...(intent.runId ? { runId: intent.runId } : {}),
      objectType: 'contact',
      objectId: target.id,
      displayName: target.displayName,
      action: intent.action,
      ...('before' in intent ? { before: intent.before } : {}),
      request: { method: 'POWERSHELL', url: intent.request.url, body: intent.request.body },
    },
  });
}

export async function journalAdResult(ports: FlowPorts, opId: string, r: IpcResult<unknown>): Promise<void> {
  await ports.ipc.invoke('journal.append', {
    record: r.ok
      ? { kind: 'result', opId, outcome: 'done', verified: true, after: r.value }
      : { kind: 'result', opId, outcome: 'failed', verified: true, reason: r.error.message.slice(0, 2000) },
  });
}
