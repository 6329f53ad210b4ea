/**
 * Journal records around a PowerShell change to the contact's AD object: the intent before the
 * command runs, the result after it (the AD write is its own verification, so `verified: true`).
 */
import type { IpcResult, OpOutput } from '@contract';
import type { StepEvidence } from './evidence';
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

/**
 * The harmless AD change of the "AD changes are blocked" steps, journaled: the intent, `server.touchOnPremObject`
 * (one attribute that flows to Entra ID gets `description`), the result. The command goes into `step.requests`
 * (after `commandPrefix`, e.g. how the attribute was chosen); the answer is returned as it came.
 */
export async function touchAdJournaled(
  ports: FlowPorts,
  step: StepEvidence,
  target: ContactTarget & { dn: string },
  options: { runId?: string | undefined; description: string; at: string; commandPrefix?: string },
): Promise<IpcResult<OpOutput<'server.touchOnPremObject'>>> {
  const { dn } = target;
  const opId = ports.newId();
  await journalAdIntent(ports, opId, target, {
    runId: options.runId,
    action: 'adTouch',
    request: {
      url: `Set-ADObject -Identity '${dn}' -Replace @{<an attribute that flows to Entra ID>=…}`,
      body: { description: options.description },
    },
  });
  const touch = await ports.ipc.call('server.touchOnPremObject', {
    dn,
    confirm: true,
    description: options.description,
  });
  step.requests.push({
    kind: 'powershell',
    label: `${options.commandPrefix ?? ''}Set-ADObject -Identity '${dn}' -Replace @{${touch.ok ? touch.value.attribute : '<attribute>'}='${options.description}'}`,
    at: options.at,
    status: touch.ok ? 'ok' : touch.error.code,
    response: touch.ok ? touch.value : { error: touch.error.code, message: touch.error.message },
  });
  await journalAdResult(ports, opId, touch);
  return touch;
}
