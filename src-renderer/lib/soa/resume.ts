/**
 * Going on with a wizard run after a reload or a restart. The saved run says where the admin was
 * and what was observed; the journal says which writes were sent. Nothing is trusted blindly:
 *
 * - the SOA write of the run (transfer or rollback) is taken from the journal — its intent, its
 *   result, or, when the app died between the two, a reconciliation by READING (never by sending
 *   again, `reconcile.ts`) — and the object's state is read again now;
 * - an object already transferred (by this run, by an earlier run, or by another tool) can always go
 *   on to verification and the report: its write step records what the journal and the read show.
 */
import type { StoredJournalRecord } from '@contract';
import { finishStep, newStep, type StepEvidence, type Verdict } from './evidence';
import type { FlowPorts } from './ports';
import { reconcileOne, type PendingIntent } from './reconcile';
import { readSoa, soaStateText, type ContactTarget, type SoaRead } from './verify';

export type SoaAction = 'transfer' | 'rollback';

/** The newest journaled SOA write of `action` for the object (of one run, when `runId` is given). */
export function lastWriteOf(
  records: readonly StoredJournalRecord[],
  objectId: string,
  action: SoaAction,
  runId?: string,
): { intent: PendingIntent; result: (StoredJournalRecord & { kind: 'result' }) | undefined } | undefined {
  let intent: PendingIntent | undefined;
  for (const r of records) {
    if (r.kind !== 'intent' || r.action !== action) continue;
    if (r.objectId.toLowerCase() !== objectId.toLowerCase()) continue;
    if (runId !== undefined && r.runId !== runId) continue;
    if (!intent || r.seq > intent.seq) intent = r;
  }
  if (!intent) return undefined;
  const opId = intent.opId;
  const result = records.filter((r) => r.kind === 'result' && r.opId === opId).pop() as
    (StoredJournalRecord & { kind: 'result' }) | undefined;
  return { intent, result };
}

export interface RecoveredWrite {
  step: StepEvidence;
  /** The write's outcome as the journal (or the reconciliation) settles it. */
  outcome: 'done' | 'failed' | 'unknown';
  opId: string | null;
  read: SoaRead;
}

const TITLE: Record<SoaAction, string> = {
  transfer: 'Transfer the Source of Authority',
  rollback: 'Roll back the Source of Authority',
};

/**
 * The run's SOA write step rebuilt from the journal plus a read now. `runId` limits the search to
 * one run's writes (a resumed run); without it any write of this app counts (adopting an object).
 */
export async function recoverSoaWrite(
  ports: FlowPorts,
  target: ContactTarget,
  action: SoaAction,
  records: readonly StoredJournalRecord[],
  runId?: string,
): Promise<RecoveredWrite | undefined> {
  const wanted = action === 'transfer';
  const found = lastWriteOf(records, target.id, action, runId);
  if (!found && runId !== undefined) return undefined;
  const step = newStep(
    action,
    TITLE[action],
    `PATCH onPremisesSyncBehavior with isCloudManaged = ${String(wanted)}, taken from the journal after the app was reloaded or restarted; the state is read again.`,
    ports.clock.now(),
  );
  step.expected = `The journal holds the write and its result; reading back shows isCloudManaged = ${String(wanted)}.`;
  let outcome: RecoveredWrite['outcome'] = 'unknown';
  let how: string;
  if (found) {
    const { intent } = found;
    step.requests.push({
      kind: 'journal',
      label: `journal intent ${intent.opId} (${action}) written ${intent.at}`,
      at: intent.at,
    });
    step.requests.push({
      kind: 'graph',
      label: `${intent.request.method} ${intent.request.url}`,
      body: intent.request.body,
      at: intent.at,
      ...(found.result?.status !== undefined ? { status: found.result.status } : {}),
      ...(found.result?.requestId ? { requestId: found.result.requestId } : {}),
      ...(found.result ? { response: { outcome: found.result.outcome, verified: found.result.verified } } : {}),
    });
    if (found.result) {
      outcome = found.result.outcome;
      how = `journal result: ${found.result.outcome}${found.result.reason ? ` (${found.result.reason})` : ''}`;
    } else {
      // The app stopped between the intent and the result: settle it by reading, never by sending.
      const r = await reconcileOne(ports, intent);
      outcome = r.outcome === 'stillPending' ? 'unknown' : r.outcome;
      how = r.reason;
      step.requests.push({
        kind: 'journal',
        label: `journal.append result ${intent.opId} (${r.outcome})`,
        at: ports.clock.now().toISOString(),
      });
    }
  } else {
    how = 'no write of this app in the journal: the change was made before this run (or by another tool)';
  }
  const read = await readSoa(ports, target.id);
  step.requests.push(...read.requests);
  const inPlace = read.isCloudManaged === wanted;
  if (!found) outcome = inPlace ? 'done' : 'failed';
  let verdict: Verdict;
  let observed: string;
  if (outcome === 'unknown') {
    verdict = 'warn';
    observed = `Outcome unknown: pending in the journal; re-verify from the Journal view. Read now: ${soaStateText(read)}.`;
  } else if (outcome === 'failed') {
    verdict = 'fail';
    observed = `Not applied (${how}). Read now: ${soaStateText(read)}.`;
  } else {
    verdict = inPlace ? (found ? 'pass' : 'info') : 'warn';
    observed = `isCloudManaged = ${String(read.isCloudManaged)} (read again after the restart; ${how})`;
  }
  step.notes.push('Recovered from the journal after a reload or restart; nothing was sent again.');
  return {
    step: finishStep(step, verdict, observed, ports.clock.now()),
    outcome,
    opId: found?.intent.opId ?? null,
    read,
  };
}
