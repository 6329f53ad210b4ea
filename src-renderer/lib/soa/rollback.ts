/**
 * Roll back one transferred contact (docs/reference/graph-and-identity.md#rollback):
 * cloud-reference check → (hard-match note) → PATCH false (journaled) → verify false/null ("rolled
 * back, waiting for the sync client") → sync cycle → trace shows awaiting export confirmation and
 * blockOnPremisesSync = false → next cycle → onPremisesSyncEnabled reads true → audit "Undo…".
 */
import { z } from 'zod';
import { STEP_SCOPES } from '../graph/scopes';
import { listMemberOf, type MembershipRef } from '../graph/soa-graph';
import { finishStep, newStep, openAdStep, type StepEvidence } from './evidence';
import type { FlowPorts } from './ports';
import { runStepCycle, traceStepObject } from './step-cycle';
import type { Classification } from './state';
import { soaWrite, type StepOptions } from './transfer';
import {
  errorText,
  graphUrl,
  readSoa,
  readSoaUntil,
  soaStateText,
  classifyRead,
  type ContactTarget,
  type SoaRead,
  type TraceOutcome,
} from './verify';

export interface CloudReference {
  id: string;
  displayName: string | null;
  type: string;
  /** Why this membership matters for the rollback. */
  reason: string;
  /** True when the reference blocks until acknowledged. */
  blocking: boolean;
}

export const ACCESS_PACKAGE_WARNING =
  'Microsoft’s guide: remove cloud references before rolling back — remove the object from SOA-converted (cloud-managed) groups, and remove those groups from access packages. soa-pilot cannot see access-package assignments; check Identity Governance before you continue.';

export const HARD_MATCH_NOTE =
  'Microsoft’s guide (April 2026) adds a tenant step around rollback: switch off blockCloudObjectTakeoverThroughHardMatchEnabled (PATCH /beta/directory/onPremisesSynchronization/{id} with {"features":{"blockCloudObjectTakeoverThroughHardMatchEnabled": false}}), PATCH isCloudManaged = false, and switch the flag back on after Connect Sync has taken the object over. That API needs the Global Administrator role and OnPremDirectorySynchronization.ReadWrite.All. Whether contacts need it is not confirmed; if the takeover does not happen after two sync cycles, this flag is the first thing to check.';

const groupSchema = z.object({
  id: z.string(),
  displayName: z.string().nullable().optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
});

export async function stepCloudReferences(
  ports: FlowPorts,
  target: ContactTarget,
): Promise<{ step: StepEvidence; references: CloudReference[]; memberships: MembershipRef[]; ok: boolean }> {
  const step = newStep(
    'references',
    'Cloud-reference check',
    'List the groups and administrative units the contact belongs to, and flag cloud-only or SOA-transferred groups (cloud references are lost or overwritten when AD takes the object back).',
    ports.clock.now(),
  );
  step.expected = 'No memberships in cloud-only or cloud-managed groups (or the admin acknowledges them).';
  const at = ports.clock.now().toISOString();
  const m = await listMemberOf(ports.graph, 'contact', target.id);
  step.requests.push({
    kind: 'graph',
    label: `GET ${graphUrl(ports, `/contacts/${encodeURIComponent(target.id)}/memberOf?$select=id,displayName`)}`,
    at,
    status: m.ok ? 200 : m.error.status,
    requestId: m.requestId,
    response: m.ok ? m.value : { error: m.error.code, message: m.error.message },
  });
  step.notes.push(ACCESS_PACKAGE_WARNING);
  if (!m.ok) {
    return {
      step: finishStep(step, 'fail', `memberOf could not be read: ${errorText(m.error)}`, ports.clock.now()),
      references: [],
      memberships: [],
      ok: false,
    };
  }
  const references: CloudReference[] = [];
  for (const ref of m.value) {
    if (ref.type === 'administrativeUnit') {
      references.push({
        id: ref.id,
        displayName: ref.displayName,
        type: ref.type,
        reason: 'Administrative unit membership (kept; AU-scoped admins lose nothing).',
        blocking: false,
      });
      continue;
    }
    if (ref.type !== 'group') continue;
    const g = await ports.graph.call(
      {
        method: 'GET',
        path: `/groups/${encodeURIComponent(ref.id)}`,
        query: { $select: 'id,displayName,onPremisesSyncEnabled' },
        scopes: STEP_SCOPES.membership,
      },
      (body) => groupSchema.parse(body),
    );
    step.requests.push({
      kind: 'graph',
      label: `GET ${graphUrl(ports, `/groups/${encodeURIComponent(ref.id)}?$select=id,displayName,onPremisesSyncEnabled`)}`,
      at: ports.clock.now().toISOString(),
      status: g.ok ? g.status : g.error.status,
      requestId: g.requestId,
      response: g.ok ? g.value : { error: g.error.code },
    });
    if (!g.ok) {
      references.push({
        id: ref.id,
        displayName: ref.displayName,
        type: 'group',
        reason: `Could not read the group (${g.error.kind}); treat it as a cloud reference.`,
        blocking: true,
      });
    } else if (g.value.onPremisesSyncEnabled !== true) {
      references.push({
        id: ref.id,
        displayName: g.value.displayName ?? ref.displayName,
        type: 'group',
        reason: 'Cloud-only or SOA-transferred group (onPremisesSyncEnabled is not true): a cloud reference.',
        blocking: true,
      });
    }
  }
  const blocking = references.filter((r) => r.blocking);
  return {
    step: finishStep(
      step,
      blocking.length === 0 ? 'pass' : 'warn',
      blocking.length === 0
        ? `${m.value.length} membership(s); no cloud references.`
        : `${blocking.length} cloud reference(s): ${blocking.map((r) => r.displayName ?? r.id).join(', ')}.`,
      ports.clock.now(),
    ),
    references,
    memberships: m.value,
    ok: blocking.length === 0,
  };
}

/** PATCH false, journaled. */
export function stepRollbackPatch(
  ports: FlowPorts,
  target: ContactTarget,
  options: StepOptions & { runId?: string } = {},
) {
  return soaWrite(ports, target, false, options);
}

/** After the PATCH: false / null = rolled back, waiting for the sync client. */
export async function stepVerifyRolledBack(
  ports: FlowPorts,
  target: ContactTarget,
): Promise<{ step: StepEvidence; read: SoaRead; ok: boolean }> {
  const step = newStep(
    'verify-rolledback',
    'Verify the rollback in the cloud',
    'Read isCloudManaged and onPremisesSyncEnabled.',
    ports.clock.now(),
  );
  step.expected = 'isCloudManaged = false, onPremisesSyncEnabled = null: rolled back, waiting for the sync client.';
  const read = await readSoa(ports, target.id);
  step.requests.push(...read.requests);
  // Right after this app's rollback PATCH: false / null is the rollback waiting for the sync client.
  const ok = classifyRead(read, target.id, { rolledBackByThisApp: true }).state === 'rolledBackPending';
  return {
    step: finishStep(
      step,
      ok ? 'pass' : 'fail',
      `${soaStateText(read)}${ok ? ' — rolled back, waiting for the sync client' : ''}`,
      ports.clock.now(),
    ),
    read,
    ok,
  };
}

const EXPORT_SOURCE_LABEL = {
  csObject: 'the Entra connector object',
  runHistory: 'the Entra connector’s run history',
  notObservable: 'nothing on the server',
} as const;

/**
 * First cycle after the rollback: the server shows the takeover export awaiting confirmation
 * (blockOnPremisesSync = false and an Export run of the Entra connector since the cycle started).
 * The real connector-space object has no export-state member: when the run history cannot show it,
 * the step says so and shows the Graph state instead. The verdict names the source it used.
 */
export async function stepTakeoverCycle(
  ports: FlowPorts,
  target: ContactTarget,
  options: StepOptions = {},
): Promise<{ step: StepEvidence; trace: TraceOutcome | null; ok: boolean }> {
  const { step, dn } = openAdStep(
    {
      id: 'takeover-1',
      title: 'Sync cycle: takeover starts',
      purpose: 'Run a sync cycle, then trace the object on the server.',
      expected: 'The Entra connector object is awaiting export confirmation, with blockOnPremisesSync = false.',
    },
    target,
    ports.clock,
  );
  if (dn === null) return { step, trace: null, ok: false };
  const since = ports.clock.now().toISOString();
  await runStepCycle(ports, step, options);
  const trace = await traceStepObject(ports, step, dn, since);
  const t = trace.trace;
  if (t?.status !== 'traced') {
    return {
      step: finishStep(step, 'warn', t?.message ?? trace.error?.message ?? 'no trace', ports.clock.now()),
      trace,
      ok: false,
    };
  }
  const ev = t.exportEvidence;
  step.notes.push(`Source: ${EXPORT_SOURCE_LABEL[ev.source]}. ${ev.detail}`);
  if (ev.pendingExports !== null)
    step.notes.push(`Pending exports on the Entra connector (Get-ADSyncConnectorStatistics): ${ev.pendingExports}.`);
  const ok = t.blockOnPremisesSync === false && t.awaitingExportConfirmation === true;
  if (ok) {
    return {
      step: finishStep(
        step,
        'pass',
        `Awaiting export confirmation, read from ${EXPORT_SOURCE_LABEL[ev.source]}; blockOnPremisesSync = false.`,
        ports.clock.now(),
      ),
      trace,
      ok,
    };
  }
  if (t.awaitingExportConfirmation === null) {
    const read = await readSoa(ports, target.id);
    step.requests.push(...read.requests);
    return {
      step: finishStep(
        step,
        'warn',
        `Awaiting export confirmation could not be observed on the server (${ev.detail}) Graph shows instead: ${soaStateText(read)}; blockOnPremisesSync = ${String(t.blockOnPremisesSync)} on the Entra connector object.`,
        ports.clock.now(),
      ),
      trace,
      ok: false,
    };
  }
  return {
    step: finishStep(
      step,
      'warn',
      `Not awaiting export confirmation, read from ${EXPORT_SOURCE_LABEL[ev.source]}: ${ev.detail} blockOnPremisesSync = ${String(t.blockOnPremisesSync)}.`,
      ports.clock.now(),
    ),
    trace,
    ok: false,
  };
}

/** Second cycle: the export is confirmed; onPremisesSyncEnabled reads true again. */
export async function stepTakeoverConfirmed(
  ports: FlowPorts,
  target: ContactTarget,
  options: StepOptions = {},
): Promise<{ step: StepEvidence; read: SoaRead; ok: boolean }> {
  const step = newStep(
    'takeover-2',
    'Next sync cycle: takeover confirmed',
    'Run the next sync cycle, then read the cloud object.',
    ports.clock.now(),
  );
  step.expected = 'onPremisesSyncEnabled = true (AD is the source of authority again).';
  await runStepCycle(ports, step, options);
  const read = await readSoaUntil(ports, target.id, (r) => r.onPremisesSyncEnabled === true, options.signal);
  step.requests.push(...read.requests);
  const ok = classifyRead(read, target.id).state === 'synced';
  return {
    step: finishStep(step, ok ? 'pass' : 'warn', soaStateText(read), ports.clock.now()),
    read,
    ok,
  };
}

/**
 * The takeover's verdict, from the same state classification the state panel shows: complete once
 * the object reads "synced from AD DS" again. A first cycle whose awaiting-export-confirmation state
 * was not seen (it passes while nobody is watching, e.g. after a stopped wait while the server went
 * on) does not contradict that: it is recorded as not observed — information, not a warning.
 */
export function settleTakeover(
  first: StepEvidence | undefined,
  state: Pick<Classification, 'state'> | undefined,
): { complete: boolean; first: StepEvidence | undefined } {
  const complete = state?.state === 'synced';
  if (!complete || !first || first.verdict !== 'warn') return { complete, first };
  return {
    complete,
    first: {
      ...first,
      verdict: 'info',
      observed: `Not observed on this cycle (${first.observed}). The takeover itself is confirmed by the next cycle: the object reads synced from AD DS again.`,
      notes: [
        ...first.notes,
        'The awaiting-export-confirmation state lasts one cycle; if a wait is stopped while the server goes on, the next look may come after it.',
      ],
    },
  };
}
