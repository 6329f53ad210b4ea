/**
 * The Connect Sync side of a bulk run: one sync cycle after the run, and — after an
 * on-premises change — an Event 6956 sweep for the run's DNs that reports which objects are confirmed
 * blocked (the sync engine refused to export them because their SOA is in the cloud). Runs over a
 * server port (the `server.*` operations through the bridge in the app).
 */
import type { OpInput, OpOutput } from '@contract';

export interface BulkServerPort {
  runSyncCycle(input: Omit<OpInput<'server.runSyncCycle'>, 'operationId'>): Promise<OpOutput<'server.runSyncCycle'>>;
  events6956(input: OpInput<'server.events6956'>): Promise<OpOutput<'server.events6956'>>;
}

export interface SweepObject {
  objectId: string;
  displayName?: string;
  /** on-premises distinguished name of the object */
  dn: string;
}

export interface SweepResult {
  since: string;
  provider: string | null;
  confirmed: { objectId: string; dn: string; time: string; recordId: number }[];
  notSeen: { objectId: string; dn: string }[];
  /** events for DNs outside this run (shown, not counted) */
  otherEvents: number;
}

/** One sync cycle after the run (waits out a busy engine); the typed result says busy / staging / completed. */
export function syncAfterRun(server: BulkServerPort, timeoutSeconds = 1800): Promise<OpOutput<'server.runSyncCycle'>> {
  return server.runSyncCycle({ policyType: 'Delta', timeoutSeconds, waitIfBusy: true });
}

/** DN comparison ignoring case and spaces around RDN separators. */
export function normaliseDn(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) => rdn.trim().replace(/\s*=\s*/, '='))
    .join(',')
    .toLowerCase();
}

export async function sweep6956(server: BulkServerPort, objects: SweepObject[], since: string): Promise<SweepResult> {
  const { events, provider } = await server.events6956({ since, maxEvents: 5000 });
  const byDn = new Map<string, SweepObject[]>();
  for (const o of objects) {
    const k = normaliseDn(o.dn);
    byDn.set(k, [...(byDn.get(k) ?? []), o]);
  }
  const confirmed = new Map<string, SweepResult['confirmed'][number]>();
  let otherEvents = 0;
  for (const e of events) {
    const hits = e.dn ? byDn.get(normaliseDn(e.dn)) : undefined;
    if (!hits) {
      otherEvents++;
      continue;
    }
    for (const o of hits)
      if (!confirmed.has(o.objectId))
        confirmed.set(o.objectId, { objectId: o.objectId, dn: o.dn, time: e.time, recordId: e.recordId });
  }
  return {
    since,
    provider,
    confirmed: [...confirmed.values()],
    notSeen: objects.filter((o) => !confirmed.has(o.objectId)).map((o) => ({ objectId: o.objectId, dn: o.dn })),
    otherEvents,
  };
}
