/**
 * Transfer and verify, for one contact (wizard steps 3–9). Each function does one wizard step and
 * returns its evidence (what it does, the exact requests/commands, what came back, expected versus
 * observed) plus the data the next step needs. Preflight (step 1) is `preflight.ts`; picking the
 * contact (step 2) is `pick.ts`; the report (step 10) is `evidence.ts`.
 */
import type { OpOutput } from '@contract';
import { STEP_SCOPES } from '../graph/scopes';
import { probeReadOnly, setCloudManaged, getContact, getSyncBehavior } from '../graph/soa-graph';
import { journalAdIntent, journalAdResult, touchAdJournaled } from './ad-journal';
import { finishStep, newStep, openAdStep, type StepEvidence } from './evidence';
import { journaledWrite, type WriteOutcome } from './journaled-write';
import type { FlowPorts } from './ports';
import { runStepCycle, traceStepObject } from './step-cycle';
import {
  errorText,
  graphUrl,
  readSoa,
  readSoaUntil,
  soaStateText,
  classifyRead,
  type ContactTarget,
  type SyncProgress,
  type SoaRead,
  type TraceOutcome,
} from './verify';
import { recordPatch, writeOptions } from './write-evidence';
import {
  MASTERED_ELSEWHERE_CODE,
  NOT_PROVABLE_WITH_ROLES,
  PROBABLY_READ_ONLY,
  classifyWriteProbe,
  rawMessage,
  type ProofMode,
  type WriteProbeVerdict,
} from './proof';
import type { ProofWriter } from './proof-admin';

export { retriedNotes } from './write-evidence';

export interface StepOptions {
  signal?: AbortSignal;
  onStatus?: (message: string) => void;
  onProgress?: (p: SyncProgress) => void;
}

/** Step 3: a delta sync first, so the cloud object reflects AD before anything changes. */
export async function stepSyncFirst(
  ports: FlowPorts,
  options: StepOptions & { waitIfBusy?: boolean } = {},
): Promise<{ step: StepEvidence; completed: boolean; busy: boolean }> {
  const step = newStep(
    'sync',
    'Sync first',
    'Run a delta sync cycle on the Connect Sync server and wait for it, so the cloud object reflects AD before the transfer.',
    ports.clock.now(),
  );
  step.expected = 'The cycle completes; every run profile reports success.';
  const r = await runStepCycle(ports, step, options);
  if (r.result?.status === 'busy') {
    return {
      step: finishStep(step, 'warn', `The sync engine is busy: ${r.result.message}`, ports.clock.now()),
      completed: false,
      busy: true,
    };
  }
  if (r.result?.status === 'stagingMode') {
    return {
      step: finishStep(step, 'fail', `Staging mode: ${r.result.message}`, ports.clock.now()),
      completed: false,
      busy: false,
    };
  }
  if (!r.ok || !r.result || r.result.status !== 'completed') {
    return {
      step: finishStep(
        step,
        'fail',
        `The sync cycle did not complete: ${r.error?.message ?? 'unknown'}`,
        ports.clock.now(),
      ),
      completed: false,
      busy: r.error?.code === 'busy',
    };
  }
  const cycle = r.result.cycle;
  const runs = cycle.runs.map((x) => `${x.connectorName} ${x.runProfileName}: ${x.result}`).join('; ');
  return {
    step: finishStep(
      step,
      cycle.allSucceeded ? 'pass' : 'warn',
      `Cycle ${cycle.t0} → ${cycle.finishedAt}. ${runs || 'No runs reported.'}`,
      ports.clock.now(),
    ),
    completed: true,
    busy: false,
  };
}

/** Step 4 options: prove by a write (needs a contact-update role and scope) or by state evidence only. */
export interface ProofOptions {
  proof: ProofMode;
  /** Scopes for the PATCH (default STEP_SCOPES.contactEdit; the permission is undocumented). */
  scopes?: readonly string[];
  /**
   * Another admin signed in for this proof only (`proof-admin.ts`): the PATCH is sent as them,
   * journaled (intent before, result after, with their account); the reads stay with the signed-in admin.
   */
  writer?: ProofWriter;
  runId?: string;
}

const READ_ONLY_STATE = 'isCloudManaged = false and onPremisesSyncEnabled = true';

/**
 * Step 4: synced and read-only. Reads the state; then, when the admin chose the write proof, sends
 * a write of the current display name (a no-op if it were allowed). Nothing changes. Without a
 * contact-update role (or on a 403) the proof rests on the state evidence, and says so.
 */
export async function stepProveReadOnly(
  ports: FlowPorts,
  target: ContactTarget,
  options: ProofOptions = { proof: 'write' },
): Promise<ReadOnlyProof & { opId?: string }> {
  const journaled: { opId?: string } = {};
  const r = await proveReadOnly(ports, target, options, journaled);
  return journaled.opId ? { ...r, opId: journaled.opId } : r;
}

export interface ReadOnlyProof {
  step: StepEvidence;
  read: SoaRead;
  readOnly: boolean | null;
  ok: boolean;
  verdict: WriteProbeVerdict | null;
}

async function proveReadOnly(
  ports: FlowPorts,
  target: ContactTarget,
  options: ProofOptions,
  journaled: { opId?: string },
): Promise<ReadOnlyProof> {
  const byWrite = options.proof === 'write';
  const step = newStep(
    'readonly',
    'Prove it is synced and read-only',
    byWrite
      ? 'Read isCloudManaged and onPremisesSyncEnabled, then send a write of the current display name (a no-op if it were allowed). Nothing changes.'
      : 'Read isCloudManaged and onPremisesSyncEnabled. No write is sent: the state is the evidence.',
    ports.clock.now(),
  );
  step.expected = byWrite
    ? `${READ_ONLY_STATE}, and Graph refuses the write with 400 ${MASTERED_ELSEWHERE_CODE}.`
    : `${READ_ONLY_STATE} (state evidence).`;
  const read = await readSoa(ports, target.id);
  step.requests.push(...read.requests);
  if (read.error) step.notes.push(errorText(read.error));
  const synced = classifyRead(read, target.id).state === 'synced';
  const stateText = `isCloudManaged = ${String(read.isCloudManaged)}; onPremisesSyncEnabled = ${String(read.onPremisesSyncEnabled)}`;
  const byState = (why: string): { step: StepEvidence; read: SoaRead; readOnly: boolean | null; ok: boolean } => {
    step.proof = {
      by: 'state',
      summary: `${why} State evidence: ${stateText}${synced ? ' — synced from AD DS, so read-only in the cloud.' : ' — NOT the synced state.'}`,
    };
    return {
      step: finishStep(step, synced ? 'pass' : 'fail', `${stateText}. ${why}`, ports.clock.now()),
      read,
      readOnly: null,
      ok: synced,
    };
  };
  if (!byWrite) {
    step.notes.push(`The read-only proof ${NOT_PROVABLE_WITH_ROLES}; it uses the state evidence (no write was sent).`);
    return {
      ...byState(
        `Not proven by a write: this ${NOT_PROVABLE_WITH_ROLES} (no role that may update contacts, or the admin chose the state evidence).`,
      ),
      verdict: null,
    };
  }
  const at = ports.clock.now().toISOString();
  const writer = options.writer;
  const patchUrl = graphUrl(ports, `/contacts/${encodeURIComponent(target.id)}`);
  const opId = writer ? ports.newId() : undefined;
  const probe = await probeReadOnly(ports.graph, target.id, options.scopes, {
    ...(writer ? { graph: writer.graph } : {}),
    ...(writer && opId
      ? {
          beforeWrite: async (displayName: string) => {
            journaled.opId = opId;
            await ports.ipc.invoke('journal.append', {
              record: {
                kind: 'intent',
                opId,
                ...(options.runId ? { runId: options.runId } : {}),
                objectType: 'contact',
                objectId: target.id,
                displayName: target.displayName,
                action: 'displayName',
                actor: writer.username,
                before: { displayName },
                request: { method: 'PATCH', url: patchUrl, body: { displayName } },
              },
            });
            step.requests.push({
              kind: 'journal',
              label: `journal.append intent ${opId} (read-only proof write as ${writer.username})`,
              at: ports.clock.now().toISOString(),
            });
          },
        }
      : {}),
  });
  const verdict = probe.ok ? classifyWriteProbe(probe.value.refusal, synced) : null;
  if (writer && opId && probe.ok) {
    // the intent was journaled before the PATCH (beforeWrite); its result, now
    const refusal = probe.value.refusal;
    await ports.ipc.invoke('journal.append', {
      record: refusal
        ? {
            kind: 'result',
            opId,
            outcome: 'failed',
            verified: false,
            status: refusal.status,
            ...(probe.value.patchRequestId ? { requestId: probe.value.patchRequestId } : {}),
            reason: `Refused (the read-only proof, as ${writer.username}): ${rawMessage(refusal)}`.slice(0, 2000),
          }
        : {
            kind: 'result',
            opId,
            outcome: 'done',
            verified: false,
            status: probe.value.patchStatus,
            ...(probe.value.patchRequestId ? { requestId: probe.value.patchRequestId } : {}),
            reason: `Graph accepted the no-op write of the current name (as ${writer.username}): the contact is not read-only.`,
          },
    });
  }
  const asWriter = writer ? { account: writer.username } : {};
  const byWhom = writer ? ` (sent as ${writer.username}, signed in for this proof only)` : '';
  step.requests.push({
    kind: 'graph',
    label: `PATCH ${patchUrl}${byWhom}`,
    body: { displayName: probe.ok ? probe.value.displayName : target.displayName },
    at,
    status: probe.ok ? probe.value.patchStatus : probe.error.status,
    requestId: probe.ok ? probe.value.patchRequestId : probe.requestId,
    response: probe.ok
      ? probe.value.refusal
        ? { error: probe.value.refusal.code, message: probe.value.refusal.message }
        : { accepted: true }
      : { error: probe.error.code, message: probe.error.message },
  });
  if (!probe.ok || !verdict) {
    step.notes.push(`The write probe could not run: ${probe.ok ? 'no answer' : errorText(probe.error)}.`);
    return { ...byState('The write probe could not run (the current name could not be read).'), verdict };
  }
  switch (verdict.kind) {
    case 'readOnly':
      step.proof = { by: 'write', summary: `Graph refused the write${byWhom}: ${rawMessage(verdict)}.`, ...asWriter };
      return {
        step: finishStep(
          step,
          synced ? 'pass' : 'fail',
          `${stateText}; write refused: ${rawMessage(verdict)}`,
          ports.clock.now(),
        ),
        read,
        readOnly: true,
        ok: synced,
        verdict,
      };
    case 'probablyReadOnly':
      step.proof = {
        by: 'write',
        summary: `Graph refused the write${byWhom} with an answer no public source documents: ${PROBABLY_READ_ONLY}. Raw answer: ${rawMessage(verdict)}.`,
        ...asWriter,
      };
      return {
        step: finishStep(
          step,
          'warn',
          `${stateText}; ${PROBABLY_READ_ONLY}: ${rawMessage(verdict)}`,
          ports.clock.now(),
        ),
        read,
        readOnly: true,
        ok: synced,
        verdict,
      };
    case 'accepted':
      step.proof = {
        by: 'write',
        summary: `Graph ACCEPTED the no-op write${byWhom}: the contact is not read-only.`,
        ...asWriter,
      };
      return {
        step: finishStep(step, 'fail', `${stateText}; write ACCEPTED (the object is not read-only)`, ports.clock.now()),
        read,
        readOnly: false,
        ok: false,
        verdict,
      };
    case 'refused':
    case 'notFound':
      step.proof = { by: 'write', summary: `Graph refused the write${byWhom}: ${rawMessage(verdict)}.`, ...asWriter };
      return {
        step: finishStep(step, 'fail', `${stateText}; write refused: ${rawMessage(verdict)}`, ports.clock.now()),
        read,
        readOnly: null,
        ok: false,
        verdict,
      };
    case 'notProvable':
      step.notes.push(verdict.reason);
      return { ...byState(`Not provable by a write${byWhom}: ${verdict.reason}`), verdict };
  }
}

/** Step 5: PATCH isCloudManaged true (journaled before the request, verified by reading back). */
export async function stepTransfer(
  ports: FlowPorts,
  target: ContactTarget,
  options: StepOptions & { runId?: string; before?: unknown } = {},
): Promise<{ step: StepEvidence; write: WriteOutcome<{ isCloudManaged: boolean }> }> {
  return soaWrite(ports, target, true, options);
}

export async function soaWrite(
  ports: FlowPorts,
  target: ContactTarget,
  value: boolean,
  options: StepOptions & { runId?: string; before?: unknown } = {},
): Promise<{ step: StepEvidence; write: WriteOutcome<{ isCloudManaged: boolean }> }> {
  const step = value
    ? newStep(
        'transfer',
        'Transfer the Source of Authority',
        'PATCH onPremisesSyncBehavior with isCloudManaged = true. The intent is journaled (fsynced) before the request, the result after it.',
        ports.clock.now(),
      )
    : newStep(
        'rollback',
        'Roll back the Source of Authority',
        'PATCH onPremisesSyncBehavior with isCloudManaged = false. The intent is journaled (fsynced) before the request, the result after it.',
        ports.clock.now(),
      );
  step.expected = value
    ? '204 No Content (or 200 with the object); reading back shows isCloudManaged = true.'
    : '204 No Content (or 200); reading back shows isCloudManaged = false.';
  const url = graphUrl(ports, `/contacts/${encodeURIComponent(target.id)}/onPremisesSyncBehavior`);
  const body = { isCloudManaged: value };
  const at = ports.clock.now().toISOString();
  const write = await journaledWrite(
    ports,
    {
      ...(options.runId ? { runId: options.runId } : {}),
      action: value ? 'transfer' : 'rollback',
      objectId: target.id,
      displayName: target.displayName,
      before: options.before ?? { isCloudManaged: !value },
      request: { method: 'PATCH', url, body },
      send: () => setCloudManaged(ports.graph, 'contact', target.id, value),
      readBack: async () => {
        const r = await getSyncBehavior(ports.graph, 'contact', target.id);
        return r.ok ? { ...r, value: { isCloudManaged: r.value.isCloudManaged } } : r;
      },
      isApplied: (v) => v.isCloudManaged === value,
    },
    writeOptions(options),
  );
  step.requests.push({
    kind: 'journal',
    label: `journal.append intent ${write.opId} (${value ? 'transfer' : 'rollback'})`,
    at,
  });
  recordPatch(step, url, body, at, write);
  const verdict =
    write.outcome === 'done' ? (write.verified ? 'pass' : 'warn') : write.outcome === 'unknown' ? 'warn' : 'fail';
  const observed =
    write.outcome === 'done'
      ? `isCloudManaged = ${String(write.after?.isCloudManaged ?? 'not read back')}${write.sends > 1 ? ` (sent ${write.sends}×; no second write once applied)` : ''}`
      : write.outcome === 'unknown'
        ? 'Outcome unknown: pending in the journal; re-verify from the Journal view.'
        : `Failed: ${write.error ? errorText(write.error) : 'not applied'}`;
  return { step: finishStep(step, verdict, observed, ports.clock.now()), write };
}

/** Step 6 (reads): isCloudManaged true, onPremisesSyncEnabled null. The audit poll runs separately. */
export async function stepVerifyCloud(
  ports: FlowPorts,
  target: ContactTarget,
): Promise<{ step: StepEvidence; read: SoaRead; ok: boolean }> {
  const step = newStep(
    'verify-cloud',
    'Verify in the cloud',
    'Read isCloudManaged and onPremisesSyncEnabled again; then look for the audit-log entry for this object.',
    ports.clock.now(),
  );
  step.expected = 'isCloudManaged = true and onPremisesSyncEnabled = null.';
  // onPremisesSyncEnabled can lag the PATCH for a moment; read again a few times.
  const read = await readSoaUntil(ports, target.id, (r) => {
    const c = classifyRead(r, target.id);
    return !(c.state === 'transferred' && !c.certain);
  });
  step.requests.push(...read.requests);
  const c = classifyRead(read, target.id);
  const ok = c.state === 'transferred' && c.certain;
  return {
    step: finishStep(step, ok ? 'pass' : 'fail', soaStateText(read), ports.clock.now()),
    read,
    ok,
  };
}

/** Step 7 options: the proof mode, and the audit entry step 6 found (state evidence). */
export interface WritableOptions extends StepOptions {
  runId?: string;
  proof?: ProofMode;
  scopes?: readonly string[];
  /** Another admin signed in for this proof only: the PATCH is sent as them (journaled with their account). */
  writer?: ProofWriter;
  /** The transfer's audit entry (activity name and time), when the audit search found it. */
  auditEntry?: { activityDisplayName: string; activityDateTime: string } | null;
}

/**
 * Step 7: writable in the cloud. By write: PATCH displayName (a new value, or the same value as a
 * probe), then read it back. By state: isCloudManaged true, onPremisesSyncEnabled not true, and the
 * audit entry — used when the admin may not update contacts, or when Graph refuses the write with 403.
 */
export async function stepProveWritable(
  ports: FlowPorts,
  target: ContactTarget,
  newDisplayName: string,
  options: WritableOptions = {},
): Promise<{ step: StepEvidence; write: WriteOutcome<{ displayName: string | null }> | null; ok: boolean }> {
  const byWrite = (options.proof ?? 'write') === 'write';
  const step = newStep(
    'writable',
    'Prove it is writable in the cloud',
    byWrite
      ? 'PATCH the contact’s displayName in Graph (journaled), then read it back.'
      : 'Read isCloudManaged and onPremisesSyncEnabled, and use the transfer’s audit entry. No write is sent: the state is the evidence.',
    ports.clock.now(),
  );
  step.expected = byWrite
    ? `204 No Content; reading back shows displayName = "${newDisplayName}".`
    : 'isCloudManaged = true, onPremisesSyncEnabled not true, and the transfer’s audit entry (state evidence).';
  const byState = async (why: string, write: WriteOutcome<{ displayName: string | null }> | null) => {
    const read = await readSoa(ports, target.id);
    step.requests.push(...read.requests);
    const cloud = classifyRead(read, target.id).state === 'transferred';
    const audit = options.auditEntry
      ? `audit entry "${options.auditEntry.activityDisplayName}" at ${options.auditEntry.activityDateTime}`
      : 'no audit entry seen yet (audit ingestion is eventually consistent)';
    const stateText = `${soaStateText(read)}; ${audit}`;
    step.proof = {
      by: 'state',
      summary: `${why} State evidence: ${stateText}${cloud ? ' — the cloud is the source of authority, so the contact is writable in the cloud.' : ' — NOT the transferred state.'}`,
    };
    return {
      step: finishStep(step, cloud ? 'pass' : 'fail', `${stateText}. ${why}`, ports.clock.now()),
      write,
      ok: cloud,
    };
  };
  if (!byWrite) {
    step.notes.push(`The writable proof ${NOT_PROVABLE_WITH_ROLES}; it uses the state evidence (no write was sent).`);
    return byState(
      `Not proven by a write: this ${NOT_PROVABLE_WITH_ROLES} (no role that may update contacts, or the admin chose the state evidence).`,
      null,
    );
  }
  const url = graphUrl(ports, `/contacts/${encodeURIComponent(target.id)}`);
  const body = { displayName: newDisplayName };
  const at = ports.clock.now().toISOString();
  const writer = options.writer;
  const byWhom = writer ? ` (sent as ${writer.username}, signed in for this proof only)` : '';
  const write = await journaledWrite(
    ports,
    {
      ...(options.runId ? { runId: options.runId } : {}),
      action: 'displayName',
      ...(writer ? { actor: writer.username } : {}),
      objectId: target.id,
      displayName: target.displayName,
      before: { displayName: target.displayName },
      request: { method: 'PATCH', url, body },
      send: () =>
        (writer?.graph ?? ports.graph).call(
          {
            method: 'PATCH',
            path: `/contacts/${encodeURIComponent(target.id)}`,
            headers: { 'Content-Type': 'application/json' },
            body,
            scopes: options.scopes ?? STEP_SCOPES.contactEdit,
          },
          () => null,
        ),
      readBack: async () => {
        const r = await getContact(ports.graph, target.id, 'id,displayName');
        return r.ok ? { ...r, value: { displayName: r.value.displayName ?? null } } : r;
      },
      isApplied: (v) => v.displayName === newDisplayName,
    },
    writeOptions(options),
  );
  recordPatch(step, url, body, at, write);
  if (writer) step.notes.push(`The PATCH was sent as ${writer.username}, signed in for this proof only.`);
  if (write.outcome === 'failed' && write.error?.status === 403) {
    const v = classifyWriteProbe(write.error, false);
    const reason = v.kind === 'notProvable' ? v.reason : errorText(write.error);
    step.notes.push(reason);
    return byState(`Not provable by a write${byWhom}: ${reason}`, write);
  }
  const ok = write.outcome === 'done' && write.verified;
  if (ok)
    step.proof = {
      by: 'write',
      summary: `Graph accepted the write${byWhom} and displayName reads back "${write.after?.displayName ?? ''}".`,
      ...(writer ? { account: writer.username } : {}),
    };
  return {
    step: finishStep(
      step,
      ok ? 'pass' : write.outcome === 'failed' ? 'fail' : 'warn',
      ok
        ? `displayName = "${write.after?.displayName ?? ''}" (read back)`
        : write.error
          ? `Refused: ${errorText(write.error)}`
          : 'Not verified by reading back.',
      ports.clock.now(),
    ),
    write,
    ok,
  };
}

/** Step 8: a sync cycle, then the trace: the Entra connector object shows blockOnPremisesSync = true. */
export async function stepVerifyServer(
  ports: FlowPorts,
  target: ContactTarget,
  options: StepOptions = {},
): Promise<{ step: StepEvidence; trace: TraceOutcome | null; ok: boolean }> {
  const { step, dn } = openAdStep(
    {
      id: 'verify-server',
      title: 'Verify on the server',
      purpose: 'Run a sync cycle, then trace the object: AD connector space → metaverse → Entra connector space.',
      expected: 'The Entra connector object shows blockOnPremisesSync = true.',
    },
    target,
    ports.clock,
  );
  if (dn === null) return { step, trace: null, ok: false };
  const sync = await runStepCycle(ports, step, options);
  if (!sync.ok)
    step.notes.push(`The sync cycle did not complete: ${sync.error?.message ?? JSON.stringify(sync.result)}`);
  const trace = await traceStepObject(ports, step, dn);
  const t = trace.trace;
  const ok = t?.status === 'traced' && t.blockOnPremisesSync === true;
  const observed =
    t?.status === 'traced'
      ? `blockOnPremisesSync = ${String(t.blockOnPremisesSync)} (Entra connector object, via ${t.adConnector.name ?? 'AD connector'}). ${t.message}`
      : t
        ? t.message
        : `Trace failed: ${trace.error?.message ?? 'unknown'}`;
  return { step: finishStep(step, ok ? 'pass' : 'fail', observed, ports.clock.now()), trace, ok };
}

export interface AdProbe {
  /** the attribute changed: one the server's sync rules flow to Entra ID (chosen on the server) */
  attribute: OpOutput<'server.touchOnPremObject'>['attribute'];
  oldDescription: string | null;
  newDescription: string;
  since: string;
}

/** Step 9: the harmless AD change (journaled), a sync cycle, Event 6956 for the DN, cloud unchanged. */
export async function stepProveAdBlocked(
  ports: FlowPorts,
  target: ContactTarget,
  before: { displayName: string | null; onPremisesLastSyncDateTime: string | null },
  options: StepOptions & { runId?: string } = {},
): Promise<{ step: StepEvidence; probe: AdProbe | null; ok: boolean; eventCount: number }> {
  const { step, dn } = openAdStep(
    {
      id: 'ad-blocked',
      title: 'Prove AD changes are blocked',
      purpose:
        'Change the AD description of the contact (harmless), run a sync cycle, and look for Event 6956 for this DN. The cloud object must not change.',
      expected: 'Event 6956 for this DN appears after the cycle; the cloud object is unchanged.',
    },
    target,
    ports.clock,
  );
  if (dn === null) return { step, probe: null, ok: false, eventCount: 0 };
  const since = ports.clock.now().toISOString();
  const newDescription = `soa-pilot 6956 probe ${since}`;
  const touch = await touchAdJournaled(
    ports,
    step,
    { ...target, dn },
    {
      runId: options.runId,
      description: newDescription,
      at: since,
      commandPrefix: 'Get-ADSyncRule (attributes that flow to Entra ID) → ',
    },
  );
  if (!touch.ok) {
    return {
      step: finishStep(step, 'fail', `The AD change failed: ${touch.error.message}`, ports.clock.now()),
      probe: null,
      ok: false,
      eventCount: 0,
    };
  }
  step.notes.push(
    `Changed ${touch.value.attribute} (${touch.value.attributeSource === 'syncRules' ? 'read from the sync rules' : 'Microsoft’s documented default list'}): ${touch.value.attributeReason}`,
  );
  const probe: AdProbe = {
    attribute: touch.value.attribute,
    oldDescription: touch.value.oldDescription,
    newDescription,
    since,
  };
  await runStepCycle(ports, step, options);
  const at = ports.clock.now().toISOString();
  const ev = await ports.ipc.call('server.events6956', { since, dn: dn, maxEvents: 50 });
  step.requests.push({
    kind: 'powershell',
    label: `Get-WinEvent -FilterHashtable @{LogName='Application'; Id=6956; StartTime='${since}'} | where the message names '${dn}'`,
    at,
    status: ev.ok ? `${ev.value.events.length} event(s)` : ev.error.code,
    response: ev.ok
      ? ev.value.events.map((e) => ({ time: e.time, recordId: e.recordId, provider: e.provider, message: e.message }))
      : { error: ev.error.message },
  });
  const after = await readSoa(ports, target.id);
  step.requests.push(...after.requests);
  const unchanged =
    after.displayName === before.displayName && after.onPremisesLastSyncDateTime === before.onPremisesLastSyncDateTime;
  const eventCount = ev.ok ? ev.value.events.length : 0;
  const ok = eventCount > 0 && unchanged && after.isCloudManaged === true;
  return {
    step: finishStep(
      step,
      ok ? 'pass' : 'fail',
      `${eventCount} Event 6956 for the DN since ${since}; cloud object ${unchanged ? 'unchanged' : 'CHANGED'} (displayName "${after.displayName ?? ''}", onPremisesLastSyncDateTime ${after.onPremisesLastSyncDateTime ?? 'null'}).`,
      ports.clock.now(),
    ),
    probe,
    ok,
    eventCount,
  };
}

/** Put the AD description back (journaled as adRestore). */
export async function restoreAdDescription(
  ports: FlowPorts,
  target: ContactTarget,
  probe: AdProbe,
  options: { runId?: string } = {},
): Promise<{ ok: boolean; message: string; step: StepEvidence }> {
  const { step, dn } = openAdStep(
    {
      id: 'ad-restore',
      title: 'Restore the AD attribute',
      purpose: 'Put the description changed by the 6956 probe back.',
      expected: `${probe.attribute} = ${probe.oldDescription === null ? '(empty)' : `"${probe.oldDescription}"`}`,
    },
    target,
    ports.clock,
  );
  if (dn === null) return { ok: false, message: step.observed, step };
  const opId = ports.newId();
  await journalAdIntent(ports, opId, target, {
    runId: options.runId,
    action: 'adRestore',
    before: { [probe.attribute]: probe.newDescription },
    request: { url: `Set-ADObject -Identity '${dn}'`, body: { [probe.attribute]: probe.oldDescription } },
  });
  const r = await ports.ipc.call('server.restoreOnPremObject', {
    dn: dn,
    confirm: true,
    description: probe.oldDescription,
    attribute: probe.attribute,
  });
  step.requests.push({
    kind: 'powershell',
    label:
      probe.oldDescription === null
        ? `Set-ADObject -Identity '${dn}' -Clear ${probe.attribute}`
        : `Set-ADObject -Identity '${dn}' -Replace @{${probe.attribute}='${probe.oldDescription}'}`,
    at: ports.clock.now().toISOString(),
    status: r.ok ? 'ok' : r.error.code,
    response: r.ok ? r.value : { error: r.error.message },
  });
  await journalAdResult(ports, opId, r);
  const message = r.ok
    ? `${r.value.attribute} restored to ${r.value.description === null ? '(empty)' : `"${r.value.description}"`}`
    : r.error.message;
  return { ok: r.ok, message, step: finishStep(step, r.ok ? 'pass' : 'fail', message, ports.clock.now()) };
}
