/**
 * Routing a bulk run's follow-up by sync engine: objects synced by Connect Sync go to the cycle-and-trace follow-up
 * (`server-follow-up.ts`), objects synced by Cloud Sync to the provisioning-log follow-up (`cloud-sync-follow-up.ts`),
 * and objects neither engine clearly syncs are not followed up, with the reason in their evidence. Cloud Sync is asked
 * (with its own permissions) only when some object is not held by a Connect Sync AD connector partition
 * (docs/architecture.md#cloud-sync-in-the-wizard-and-in-bulk).
 */
import { connectorFor, routeObject, type ConnectorPartitions, type EngineInputs, type RouteKind } from '../sync-engine';
import type { CloudSyncFollowUpResult } from './cloud-sync-follow-up';
import type { ServerObservation } from './evidence-levels';
import type { SweepObject } from './server-follow-up';

export interface FollowUpRoutes {
  connectSync: SweepObject[];
  cloudSync: (SweepObject & { jobId: string; domain: string | null })[];
  /** Not followed up: both engines claim it, none does, or it cannot be told. */
  unrouted: { objectId: string; dn: string; engine: RouteKind; reason: string }[];
}

/** Whether Cloud Sync must be asked: some object is not held by a readable Connect Sync partition. */
export function followUpNeedsCloudSync(
  objects: readonly SweepObject[],
  connectSync: readonly ConnectorPartitions[] | null,
): boolean {
  return objects.some((o) => connectSync === null || connectorFor(o.dn, connectSync) === null);
}

/**
 * When the server's connectors could not be read, an object no Cloud Sync configuration claims still goes to the
 * Connect Sync follow-up: its per-object trace is the evidence and says so when the object is not in the connector
 * space (that is not a claim about the engine).
 */
export function routeForFollowUp(objects: readonly SweepObject[], inputs: EngineInputs): FollowUpRoutes {
  const out: FollowUpRoutes = { connectSync: [], cloudSync: [], unrouted: [] };
  for (const o of objects) {
    const r = routeObject(o.dn, inputs);
    if (r.engine === 'connectSync' || (r.engine === 'unknown' && inputs.connectSync === null && !r.cloudSync))
      out.connectSync.push(o);
    else if (r.engine === 'cloudSync' && r.cloudSync)
      out.cloudSync.push({ ...o, jobId: r.cloudSync.jobId, domain: r.cloudSync.domain });
    else out.unrouted.push({ objectId: o.objectId, dn: o.dn, engine: r.engine, reason: r.basis.join(' ') });
  }
  return out;
}

/** The Cloud Sync follow-up's per-object evidence as the run's server observations (round = cycle). */
export function cloudSyncObservations(
  result: CloudSyncFollowUpResult,
  observedAt: string,
): Map<string, ServerObservation> {
  const out = new Map<string, ServerObservation>();
  for (const o of result.objects) {
    out.set(o.id, {
      objectId: o.id,
      confirmed: o.confirmed,
      awaitingExportConfirmation: null,
      detail: `Cloud Sync (provisioning log): ${o.detail}`,
      cycle: result.rounds,
      observedAt,
      engine: 'cloudSync',
    });
  }
  return out;
}

/** Objects that were not followed up, as observations that say why (never confirmed). */
export function unroutedObservations(
  unrouted: FollowUpRoutes['unrouted'],
  observedAt: string,
): Map<string, ServerObservation> {
  const label: Record<RouteKind, string> = {
    both: 'both engines claim it',
    none: 'no sync engine covers it',
    unknown: 'its sync engine could not be told',
    cloudSync: 'Cloud Sync',
    connectSync: 'Connect Sync',
  };
  return new Map(
    unrouted.map((u) => [
      u.objectId,
      {
        objectId: u.objectId,
        confirmed: false,
        awaitingExportConfirmation: null,
        detail: `Not followed up on a sync engine: ${label[u.engine]}. ${u.reason}`,
        cycle: 0,
        observedAt,
        engine: 'none',
      },
    ]),
  );
}
