/**
 * The follow-up of a finished bulk run, per sync engine: find the objects in AD and match each to its engine. Connect
 * Sync objects: repeat delta sync cycles until each is confirmed on the server (or the time limit passes), then,
 * after a transfer, sweep Event 6956. Cloud Sync objects: read the provisioning log per job (the SOA skip after a
 * transfer, the object processed again after a rollback).
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
  type SweepObject,
  type SweepResult,
} from '../lib/soa/bulk';
import {
  followUpCloudSync,
  readAdValuesOfContacts,
  type AdRead,
  type CloudSyncFollowUpResult,
} from '../lib/soa/bulk/cloud-sync-follow-up';
import {
  cloudSyncObservations,
  followUpNeedsCloudSync,
  routeForFollowUp,
  unroutedObservations,
} from '../lib/soa/bulk/engine-routing';
import {
  jobRunState,
  listCloudSyncConfigurations,
  QUARANTINE_FIX,
  searchDomainsOf,
  type CloudSyncConfiguration,
} from '../lib/graph/cloud-sync-graph';
import { DEFAULT_TUNING, realClock } from '../lib/soa/ports';
import { errorText } from '../lib/soa/verify';
import { loadTuningOverrides } from '../wizard/session.svelte';
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
  let configurations: CloudSyncConfiguration[] | null = null;
  let cloudProblem: string | null = null;
  const readConfigurations = async (): Promise<CloudSyncConfiguration[] | null> => {
    if (configurations || cloudProblem) return configurations;
    const c = await listCloudSyncConfigurations(options.ports.session);
    if (c.ok) configurations = c.value.configurations;
    else cloudProblem = errorText(c.error);
    return configurations;
  };
  const dns = await resolveDns(
    options.client,
    options.ports.graph,
    options.objectType,
    reached.map((i) => ({ objectId: i.objectId, displayName: i.displayName, mail: mail(i.objectId) })),
    (done, total) => hooks.onBusy(`Finding the objects in AD (${done} of ${total})…`),
    options.signal,
    {
      // read only when a contact was not found where the server looks by itself
      domains: async () => searchDomainsOf((await readConfigurations()) ?? []),
      onDomains: (n, domains) =>
        hooks.onBusy(`Finding ${n} object(s) in the Cloud Sync domains (${domains.join(', ')})…`),
    },
  );
  hooks.onDnsResolved(dns.missing);

  // which engine syncs each object: Connect Sync's AD connectors; Cloud Sync only when some object is not under one
  hooks.onBusy('Finding which engine syncs each object…');
  const parts = await options.client.call('server.adConnectors', {});
  const connectors = parts.ok
    ? parts.value.connectors.map((c) => ({ connector: c.name, partitions: c.partitions }))
    : null;
  if (followUpNeedsCloudSync(dns.found, connectors)) await readConfigurations();
  const routes = routeForFollowUp(dns.found, { cloudSync: configurations, connectSync: connectors });
  if (routes.unrouted.length > 0) hooks.onObservations(unroutedObservations(routes.unrouted, new Date().toISOString()));

  const [connect, cloud] = await Promise.all([
    routes.connectSync.length > 0 ? connectSyncFollowUp(options, routes.connectSync) : Promise.resolve(undefined),
    routes.cloudSync.length > 0
      ? cloudSyncFollowUp(options, routes.cloudSync, configurations ?? [])
      : Promise.resolve(undefined),
  ]);
  const parts2 = [
    connect ? `Connect Sync (${routes.connectSync.length} object(s)): ${connect.message}` : undefined,
    cloud ? cloudSyncOutcome(cloud) : undefined,
    routes.unrouted.length > 0
      ? `${routes.unrouted.length} object(s) not followed up: no single sync engine could be matched${cloudProblem ? ` (Cloud Sync could not be read: ${cloudProblem})` : ''}.`
      : undefined,
  ].filter((x): x is string => !!x);
  hooks.onOutcome(parts2.join(' ') || 'No object to follow up.');
  if (connect?.stopped === 'busy')
    throw new Error(`${connect.message} Wait for the running cycle to finish, then run this again.`);
  if (connect?.stopped === 'stagingMode')
    throw new Error(`${connect.message} Run this on the active (non-staging) Connect Sync server.`);
  // Event 6956 only concerns transferred objects (AD changes the sync engine now refuses to export), on Connect Sync
  if (action !== 'transfer' || routes.connectSync.length === 0) return undefined;
  hooks.onBusy('Sweeping Event 6956…');
  return sweep6956(options.ports.server, routes.connectSync, s.startedAt);
}

type FollowUpOptions = Parameters<typeof runServerFollowUp>[0];

/** The Cloud Sync half of the follow-up's summary line: what the log showed, and paused jobs by name. */
export function cloudSyncOutcome(r: CloudSyncFollowUpResult): string {
  const confirmed = r.objects.filter((o) => o.confirmed).length;
  const queries = `${r.queries} log quer${r.queries === 1 ? 'y' : 'ies'} in ${r.rounds} round(s)`;
  const logError = r.logError ? `; the log could not be read: ${r.logError}` : '';
  const stopped =
    r.stoppedJobs.length > 0
      ? ` Job(s) ${r.stoppedJobs.join(', ')} are paused: no scheduled cycle will run, so their objects were read once and not waited for; start the job in the Microsoft Entra admin center (Cloud Sync → Configurations), then run the follow-up again.`
      : '';
  const quarantined =
    (r.quarantinedJobs ?? []).length > 0
      ? ` Job(s) ${(r.quarantinedJobs ?? []).join(', ')} are in quarantine: their cycles run at most about once a day, so their objects were read once and not waited for, and no rollback on them is confirmed; ${QUARANTINE_FIX} Then run the follow-up again.`
      : '';
  return `Cloud Sync: ${confirmed} of ${r.objects.length} object(s) confirmed by the provisioning log (${queries})${logError}.${stopped}${quarantined}`;
}

/** Connect Sync: repeat delta cycles until each object's trace confirms it or the time limit passes. */
async function connectSyncFollowUp(
  options: FollowUpOptions,
  objects: SweepObject[],
): Promise<{ message: string; stopped: string | undefined }> {
  const { hooks } = options;
  hooks.onBusy('Running a delta sync cycle…');
  const r = await followUpUntilConfirmed(options.ports.server, objects, {
    action: options.action,
    clock: systemClock,
    timeoutMs: options.timeoutMs,
    earlier: new Map(options.earlier),
    cloudState: (ids) => readCloudSyncState(options.ports.graph, options.objectType, ids),
    signal: options.signal,
    onCycle: (cycle, obs) => {
      hooks.onObservations(obs);
      const pending = objects.filter((o) => obs.get(o.objectId)?.confirmed !== true).length;
      hooks.onCycle(cycle, pending);
      hooks.onBusy(
        `After cycle ${cycle}: ${pending} pending on the server${pending ? '; running the next cycle…' : '.'}`,
      );
    },
  });
  hooks.onObservations(r.observations);
  return { message: r.message, stopped: r.stopped ?? undefined };
}

/**
 * Cloud Sync: provisioning-log queries per job and time window (never one provisionOnDemand per object). After a
 * rollback the takeover shows with the next cycle, so the log is polled up to the time limit; after a transfer an
 * entry appears only when an object has an AD change to process, so one round is read and the rest is said plainly.
 */
async function cloudSyncFollowUp(
  options: FollowUpOptions,
  objects: (SweepObject & { jobId: string })[],
  configurations: readonly CloudSyncConfiguration[],
): Promise<CloudSyncFollowUpResult> {
  const { hooks, action } = options;
  const jobs = new Map(configurations.map((c) => [c.jobId, c]));
  hooks.onBusy(`Reading the Cloud Sync provisioning log for ${objects.length} object(s)…`);
  const r = await followUpCloudSync(
    options.ports.session,
    objects.map((o) => {
      const job = jobs.get(o.jobId);
      // a paused job is read once, not waited for (docs/reference/cloud-sync.md#pause-start-and-restart)
      return { id: o.objectId, dn: o.dn, jobId: o.jobId, action, jobState: job ? jobRunState(job) : null };
    }),
    options.summary.startedAt,
    {
      clock: realClock,
      boundMs: action === 'transfer' ? 0 : options.timeoutMs,
      pollIntervalMs: loadTuningOverrides().auditPollIntervalMs ?? DEFAULT_TUNING.auditPollIntervalMs,
      signal: options.signal,
      cloudState: (ids) => readCloudSyncState(options.ports.graph, options.objectType, ids),
      // the takeover's attributes against AD: contacts are read in AD (batched); users and groups are not
      adValues: async (objs) =>
        options.objectType === 'contact'
          ? readAdValuesOfContacts(
              async (input) => {
                const found = await options.client.call('server.findOnPremContacts', input);
                if (!found.ok) throw new Error(found.error.message);
                return found.value;
              },
              objs,
              searchDomainsOf(configurations),
            )
          : new Map<string, AdRead>(
              objs.map((o) => [
                o.id,
                { ok: false, reason: `AD values of ${options.objectType}s are not read in bulk (contacts only)` },
              ]),
            ),
      onProgress: (p) =>
        hooks.onBusy(
          `Cloud Sync provisioning log, round ${p.round}: ${p.confirmed} of ${p.total} confirmed${p.confirmed < p.total && action === 'rollback' ? '; waiting for the next cycle…' : '.'}`,
        ),
    },
  );
  hooks.onObservations(cloudSyncObservations(r, new Date().toISOString()));
  return r;
}
