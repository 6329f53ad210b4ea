/** Shared set-up of the bulk integration tests and the benchmark: a lab admin's Graph port and plan helpers. */
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import { createNodeGraphBatchPort } from './node-graph-batch-port';
import { readCollection } from '../../../src-renderer/lib/soa/bulk/batch-reads';
import { OBJECT_TYPES, scopesFor } from '../../../src-renderer/lib/soa/bulk/object-types';
import { toSelected, type SelectedObject } from '../../../src-renderer/lib/soa/bulk/selection';
import type { GraphBatchPort } from '../../../src-renderer/lib/soa/bulk/ports';

export const HYBRID_ADMIN = 'hybrid.admin@contoso.onmicrosoft.com';
export const BULK_SCOPES = [
  ...new Set([...scopesFor('contact'), ...scopesFor('user'), ...scopesFor('group'), 'Directory.Read.All']),
];

export async function labSession(opts: { seed?: number; contacts: number }): Promise<{
  lab: LabHandle;
  graph: GraphBatchPort & { close(): void };
  token: string;
  close(): Promise<void>;
}> {
  const lab = await startLab({ seed: opts.seed ?? 1, speed: 'fast', contacts: opts.contacts });
  const token = await lab.mintToken(HYBRID_ADMIN, BULK_SCOPES);
  const graph = createNodeGraphBatchPort({
    graphRoot: lab.info.graphBaseUrl,
    caCertPath: lab.info.caCertPath,
    getToken: async () => token,
  });
  return {
    lab,
    graph,
    token,
    close: async () => {
      graph.close();
      await lab.close();
    },
  };
}

/** Every contact of the tenant (paged through $batch), as a selection. */
export async function allContacts(graph: GraphBatchPort): Promise<SelectedObject[]> {
  const info = OBJECT_TYPES.contact;
  const objects = await readCollection(graph, `/contacts?$select=${info.select}&$top=999`, {
    scopes: scopesFor('contact'),
    baseBackoffMs: 50,
  });
  return objects.map((o) => toSelected(o, 'contact', 'all contacts'));
}

/** PATCHes of onPremisesSyncBehavior per object id, from the lab's write log. */
export function soaWritesPerObject(lab: LabHandle): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of lab.writeLog()) {
    if (w.method !== 'PATCH' || !/\/onPremisesSyncBehavior$/i.test(w.path) || !w.objectId) continue;
    m.set(w.objectId, (m.get(w.objectId) ?? 0) + 1);
  }
  return m;
}
