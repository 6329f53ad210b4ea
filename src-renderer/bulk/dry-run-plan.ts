/** The dry-run plan of a selection: the admin's scope, the journal's rollbacks (read page by page), reads only. */
import { buildPlan, journalPages, resolveAdminScope, type BridgeCall, type BulkAction } from '../lib/soa/bulk';
import type { BulkObjectType, GraphBatchPort, Plan, SelectedObject } from '../lib/soa/bulk';
import { FinishedSoaWrites } from '../lib/soa/state';

/** Lower-case ids the journal shows as rolled back by this app, or undefined when the journal cannot be read. */
export async function rolledBackInJournal(bridge: BridgeCall): Promise<Set<string> | undefined> {
  const writes = new FinishedSoaWrites();
  try {
    for await (const page of journalPages(bridge)) writes.add(page);
  } catch {
    return undefined;
  }
  return writes.rolledBackIds();
}

/** Build the plan; throws when the admin has no role that can write SOA. */
export async function makeDryRunPlan(options: {
  kind: BulkAction;
  objectType: BulkObjectType;
  objects: SelectedObject[];
  graph: GraphBatchPort;
  bridge: BridgeCall;
}): Promise<Plan> {
  const scope = await resolveAdminScope(options.graph);
  if (scope.kind === 'none')
    throw new Error(
      'The signed-in admin has no Hybrid Administrator (or Global Administrator) role assignment. Sign in as a Hybrid Administrator, or ask for the role (tenant-wide or on an administrative unit holding the objects).',
    );
  const rolledBack = options.kind === 'transfer' ? await rolledBackInJournal(options.bridge) : undefined;
  return buildPlan({
    kind: options.kind,
    objectType: options.objectType,
    objects: options.objects,
    graph: options.graph,
    scope,
    planId: crypto.randomUUID(),
    ...(rolledBack ? { rolledBackIds: rolledBack } : {}),
  });
}
