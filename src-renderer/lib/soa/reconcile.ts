/**
 * Restart reconciliation: every journal intent without a result (the app was killed between the
 * intent and the result, or the outcome could not be read) is re-verified by READING the state —
 * never by sending the request again — and marked done (the change is in place) or failed (it is
 * not), with the reason. An intent whose state cannot be read stays pending.
 */
import { z } from 'zod';
import type { StoredJournalRecord } from '@contract';
import { getContact, getSyncBehavior, listMemberOf } from '../graph/soa-graph';
import type { FlowPorts } from './ports';
import { errorText } from './verify';

export type PendingIntent = StoredJournalRecord & { kind: 'intent' };

export interface ReconcileOutcome {
  opId: string;
  action: PendingIntent['action'];
  objectId: string;
  displayName: string | null;
  outcome: 'done' | 'failed' | 'stillPending';
  observed: string;
  reason: string;
  requestId: string | null;
}

const soaBody = z.object({ isCloudManaged: z.union([z.boolean(), z.string()]) });
const nameBody = z.object({ displayName: z.string() });
const descBody = z.object({ description: z.string().nullable() });

interface Observation {
  /** null when the state could not be read */
  applied: boolean | null;
  observed: string;
  requestId: string | null;
  after?: unknown;
}

async function observe(ports: FlowPorts, intent: PendingIntent): Promise<Observation> {
  const body = intent.request.body;
  switch (intent.action) {
    case 'transfer':
    case 'rollback': {
      const parsed = soaBody.safeParse(body);
      const wanted = parsed.success
        ? typeof parsed.data.isCloudManaged === 'boolean'
          ? parsed.data.isCloudManaged
          : parsed.data.isCloudManaged.toLowerCase() === 'true'
        : intent.action === 'transfer';
      const r = await getSyncBehavior(ports.graph, intent.objectType, intent.objectId);
      if (!r.ok) return { applied: null, observed: `read failed: ${errorText(r.error)}`, requestId: r.requestId };
      return {
        applied: r.value.isCloudManaged === wanted,
        observed: `isCloudManaged = ${String(r.value.isCloudManaged)} (wanted ${String(wanted)})`,
        requestId: r.requestId,
        after: { isCloudManaged: r.value.isCloudManaged },
      };
    }
    case 'displayName': {
      const parsed = nameBody.safeParse(body);
      const r = await getContact(ports.graph, intent.objectId, 'id,displayName');
      if (!r.ok) return { applied: null, observed: `read failed: ${errorText(r.error)}`, requestId: r.requestId };
      const wanted = parsed.success ? parsed.data.displayName : null;
      return {
        applied: wanted !== null && r.value.displayName === wanted,
        observed: `displayName = "${r.value.displayName ?? ''}" (wanted "${wanted ?? '?'}")`,
        requestId: r.requestId,
        after: { displayName: r.value.displayName ?? null },
      };
    }
    case 'adTouch':
    case 'adRestore': {
      const parsed = descBody.safeParse(body);
      const dn = /-Identity '([^']+)'/.exec(intent.request.url)?.[1];
      if (!dn) return { applied: null, observed: 'no DN in the journal record', requestId: null };
      const r = await ports.ipc.call('server.findOnPremContact', { dn });
      if (!r.ok) return { applied: null, observed: `read failed: ${r.error.message}`, requestId: null };
      const o = r.value.matches[0];
      if (!o) return { applied: false, observed: `no AD object ${dn}`, requestId: null };
      const wanted = parsed.success ? parsed.data.description : undefined;
      return {
        applied: wanted !== undefined && o.description === wanted,
        observed: `AD description = ${o.description === null ? '(empty)' : `"${o.description}"`}`,
        requestId: null,
        after: { description: o.description },
      };
    }
    case 'auAdd': {
      const auId = /administrativeUnits\/([^/]+)\/members/.exec(intent.request.url)?.[1];
      const r = await listMemberOf(ports.graph, 'contact', intent.objectId);
      if (!r.ok) return { applied: null, observed: `read failed: ${errorText(r.error)}`, requestId: r.requestId };
      const member = r.value.some((m) => m.id === auId);
      return {
        applied: member,
        observed: member ? `member of AU ${auId ?? ''}` : `not a member of AU ${auId ?? ''}`,
        requestId: r.requestId,
      };
    }
    case 'planOverride':
      // a decision, not a request: journaled with its result at once, never pending
      return { applied: true, observed: 'admin override recorded', requestId: null };
  }
}

/**
 * Bulk runs journal their intents with opIds `<runId>/<type>/<id>` and resume or re-verify them in
 * the Bulk view (which knows the run); the Journal view leaves them to it.
 */
export function isBulkIntent(intent: Pick<PendingIntent, 'opId'>): boolean {
  return intent.opId.includes('/');
}

export async function reconcileOne(ports: FlowPorts, intent: PendingIntent): Promise<ReconcileOutcome> {
  const o = await observe(ports, intent);
  const base = {
    opId: intent.opId,
    action: intent.action,
    objectId: intent.objectId,
    displayName: intent.displayName ?? null,
    observed: o.observed,
    requestId: o.requestId,
  };
  if (o.applied === null) {
    return { ...base, outcome: 'stillPending', reason: `Could not read the state (${o.observed}); left pending.` };
  }
  const reason = o.applied
    ? `Re-verified after a restart: the change is in place (${o.observed}). Not sent again.`
    : `Re-verified after a restart: the change is NOT in place (${o.observed}). Nothing was sent; run the step again if it is still wanted.`;
  await ports.ipc.invoke('journal.append', {
    record: {
      kind: 'result',
      opId: intent.opId,
      outcome: o.applied ? 'done' : 'failed',
      verified: true,
      ...(o.requestId ? { requestId: o.requestId } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}),
      reason,
    },
  });
  return { ...base, outcome: o.applied ? 'done' : 'failed', reason };
}

export async function reconcilePending(
  ports: FlowPorts,
  pending: readonly PendingIntent[],
  onOne?: (r: ReconcileOutcome) => void,
): Promise<ReconcileOutcome[]> {
  const out: ReconcileOutcome[] = [];
  for (const p of pending) {
    const r = await reconcileOne(ports, p);
    out.push(r);
    onOne?.(r);
  }
  return out;
}
