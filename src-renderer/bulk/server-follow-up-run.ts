/**
 * The Connect Sync follow-up of a finished bulk run: find the objects in AD, repeat delta sync cycles until each
 * is confirmed on the server (or the time limit passes), then, after a transfer, sweep Event 6956.
 */
import type { SoaClient } from '../lib/bridge';
import {
  followUpUntilConfirmed,
  sweep6956,
  systemClock,
  type BulkAction,
  type BulkObjectType,
  type Plan,
  type RunSummary,
  type SweepResult,
} from '../lib/soa/bulk';
import type { ServerObservation } from '../lib/soa/bulk/evidence-levels';
import { mailsOf, readCloudSyncState, resolveDns, type BulkPorts } from './bulk-ports';

export interface FollowUpHooks {
  /** what is happening now (shown as the busy line) */
  onBusy(message: string): void;
  /** the AD lookups are done: the objects that were not found */
  onDnsResolved(missing: { objectId: string; reason: string }[]): void;
  /** new server observations (after each cycle and at the end) */
  onObservations(observations: ReadonlyMap<string, ServerObservation>): void;
  /** a cycle is over: how many objects are still pending on the server (after `onObservations`) */
  onCycle(cycle: number, pending: number): void;
  /** the cycles are over: the follow-up's own summary line */
  onOutcome(message: string): void;
}

/**
 * Run the follow-up for the objects of `summary` that reached their target state; resolves with the Event 6956
 * sweep after a transfer. Throws (after reporting what was observed through the hooks) when the server is busy
 * or in staging mode.
 */
export async function runServerFollowUp(options: {
  client: SoaClient;
  ports: BulkPorts;
  summary: RunSummary;
  plan: Plan | undefined;
  action: BulkAction;
  objectType: BulkObjectType;
  timeoutMs: number;
  earlier: ReadonlyMap<string, ServerObservation>;
  signal: AbortSignal;
  hooks: FollowUpHooks;
}): Promise<SweepResult | undefined> {
  const { summary: s, hooks, action } = options;
  const reached = s.items.filter((i) => i.outcome === 'verified' || i.outcome === 'skipped');
  const mail = mailsOf(options.plan?.entries ?? []);
  const dns = await resolveDns(
    options.client,
    options.ports.graph,
    options.objectType,
    reached.map((i) => ({ objectId: i.objectId, displayName: i.displayName, mail: mail(i.objectId) })),
    (done, total) => hooks.onBusy(`Finding the objects in AD (${done} of ${total})…`),
    options.signal,
  );
  hooks.onDnsResolved(dns.missing);
  hooks.onBusy('Running a delta sync cycle…');
  // repeat cycles until every object is confirmed on the server or the timeout passes
  const r = await followUpUntilConfirmed(options.ports.server, dns.found, {
    action,
    clock: systemClock,
    timeoutMs: options.timeoutMs,
    earlier: new Map(options.earlier),
    cloudState: (ids) => readCloudSyncState(options.ports.graph, options.objectType, ids),
    signal: options.signal,
    onCycle: (cycle, obs) => {
      hooks.onObservations(obs);
      const pending = dns.found.filter((o) => obs.get(o.objectId)?.confirmed !== true).length;
      hooks.onCycle(cycle, pending);
      hooks.onBusy(
        `After cycle ${cycle}: ${pending} pending on the server${pending ? '; running the next cycle…' : '.'}`,
      );
    },
  });
  hooks.onObservations(r.observations);
  hooks.onOutcome(r.message);
  if (r.stopped === 'busy') throw new Error(`${r.message} Wait for the running cycle to finish, then run this again.`);
  if (r.stopped === 'stagingMode')
    throw new Error(`${r.message} Run this on the active (non-staging) Connect Sync server.`);
  // Event 6956 only concerns transferred objects (AD changes the sync engine now refuses to export)
  if (action !== 'transfer') return undefined;
  hooks.onBusy('Sweeping Event 6956…');
  return sweep6956(options.ports.server, dns.found, s.startedAt);
}
