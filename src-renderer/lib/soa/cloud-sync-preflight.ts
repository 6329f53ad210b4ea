/**
 * Preflight lines for Cloud Sync, in the preflight's `CheckResult` shape: which engines the tenant and server have
 * and which objects each covers, whether the synchronization API answers this admin (permission and role), and
 * whether the provisioning log can be read (reader role, Microsoft Entra ID P1/P2). Never a false pass: what could
 * not be evaluated is `notChecked` with the reason. Facts: docs/reference/cloud-sync.md#permissions-and-roles.
 */
import type { CheckResult } from '@contract';
import {
  jobRunState,
  listCloudSyncConfigurations,
  listProvisioningLogs,
  type CloudSyncConfiguration,
} from '../graph/cloud-sync-graph';
import type { GraphSession } from '../graph/graph-client';
import type { GraphError } from '../graph/graph-result';
import { REPORTING_LIMIT, RateWindow, type WindowClock } from '../graph/rate-window';
import { engineCoverage, type ConnectorPartitions } from './sync-engine';

export const CLOUD_SYNC_CHECK_ID = {
  engines: 'cloudSync.engines',
  syncApi: 'cloudSync.synchronizationApi',
  jobs: 'cloudSync.jobs',
  provisioningLog: 'cloudSync.provisioningLog',
} as const;

/** The error code Graph's reporting API answers a tenant without Entra ID P1/P2 with. */
export const NO_PREMIUM_CODE = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

export interface CloudSyncPreflight {
  checks: CheckResult[];
  configurations: CloudSyncConfiguration[] | null;
}

function apiCheck(error: GraphError): CheckResult {
  const base = {
    id: CLOUD_SYNC_CHECK_ID.syncApi,
    title: 'Cloud Sync: synchronization API',
    observed: `${error.status} ${error.code}`,
  };
  if (error.kind === 'forbidden' && error.missingScopes.length > 0) {
    return { ...base, status: 'fail', message: `The token lacks ${error.missingScopes.join(', ')}.`, fix: error.fix };
  }
  if (error.kind === 'forbidden') {
    return {
      ...base,
      status: 'fail',
      message:
        'The synchronization API refused this admin: it needs Hybrid Identity Administrator (or Application Administrator / Cloud Application Administrator).',
      fix: 'Assign Hybrid Identity Administrator (activate it in PIM if it is eligible only), then sign in again.',
    };
  }
  return {
    ...base,
    status: 'notChecked',
    message: `The Cloud Sync configurations could not be read: ${error.message}`,
  };
}

function logCheck(error: GraphError): CheckResult {
  const base = {
    id: CLOUD_SYNC_CHECK_ID.provisioningLog,
    title: 'Cloud Sync: provisioning log',
    observed: `${error.status} ${error.code}`,
  };
  if (error.code === NO_PREMIUM_CODE) {
    return {
      ...base,
      status: 'warn',
      message:
        'The tenant has no Microsoft Entra ID P1 or P2 licence, which the provisioning log needs: the Cloud Sync proofs can use provisionOnDemand answers only, and say that the log evidence is missing.',
      fix: 'Assign Microsoft Entra ID P1 or P2 in the tenant to get provisioning-log evidence.',
    };
  }
  if (error.kind === 'forbidden') {
    return {
      ...base,
      status: 'warn',
      message: `The provisioning log refused this admin (${error.message}): it needs AuditLog.Read.All + Directory.Read.All and a reader role (Reports Reader, Security Reader, Global Reader).`,
      fix: error.fix,
    };
  }
  return { ...base, status: 'notChecked', message: `The provisioning log could not be read: ${error.message}` };
}

/**
 * Whether each configuration's job runs on its schedule and tells its domain: a paused job runs no cycle (the proofs
 * then cannot wait for one; soa-pilot never starts a job), a job in quarantine runs late, a job without DomainFQDN
 * cannot be matched to objects. docs/reference/cloud-sync.md#pause-start-and-restart
 */
export function jobsCheck(configurations: readonly CloudSyncConfiguration[]): CheckResult {
  const rows = configurations.map((c) => ({ c, run: jobRunState(c) }));
  const name = (c: CloudSyncConfiguration): string => c.domain ?? c.displayName ?? c.jobId;
  const stopped = rows.filter((r) => r.run.state === 'stopped');
  const quarantined = rows.filter((r) => r.run.state === 'quarantine');
  const unclear = rows.filter((r) => r.run.state === 'unknown');
  const noDomain = rows.filter((r) => r.c.domain === null);
  const observed = rows
    .map(
      (r) =>
        `${name(r.c)}: ${r.run.statusCode ?? '?'} / ${r.run.scheduleState ?? '?'}${r.c.domain ? '' : ' (domain unknown)'}`,
    )
    .join('; ');
  const problems = [
    ...stopped.map(
      (r) =>
        `${name(r.c)} is paused: no scheduled cycle will run, so its objects' blocks and takeovers cannot be observed until it is started in the Entra admin center (Cloud Sync → Configurations; soa-pilot does not start jobs).`,
    ),
    ...quarantined.map((r) => `${name(r.c)} is in quarantine: cycles run at a reduced frequency.`),
    ...unclear.map((r) => `${name(r.c)}: ${r.run.text}`),
    ...noDomain.map(
      (r) =>
        `Job ${r.c.jobId} does not tell its AD domain (no DomainFQDN setting, no domain-like name): objects that no other configuration claims are reported as "cannot tell".`,
    ),
  ];
  return {
    id: CLOUD_SYNC_CHECK_ID.jobs,
    title: 'Cloud Sync: jobs',
    status: problems.length === 0 ? 'pass' : 'warn',
    observed,
    message:
      problems.length === 0 ? 'Every Cloud Sync job runs on its schedule and names its domain.' : problems.join(' '),
    ...(stopped.length > 0
      ? {
          fix: 'Start the paused job in the Microsoft Entra admin center (Cloud Sync → Configurations), then run preflight again.',
        }
      : {}),
  };
}

/**
 * `dns`: the on-premises DNs of the objects the admin picked (for coverage); `connectSync`: the server's AD
 * connectors and partitions (null when the server was not asked).
 */
export async function cloudSyncPreflight(
  graph: GraphSession,
  clock: WindowClock,
  dns: readonly (string | null)[],
  connectSync: readonly ConnectorPartitions[] | null,
): Promise<CloudSyncPreflight> {
  const checks: CheckResult[] = [];
  const configs = await listCloudSyncConfigurations(graph);
  const configurations = configs.ok ? configs.value.configurations : null;
  if (!configs.ok) checks.push(apiCheck(configs.error));
  else {
    checks.push({
      id: CLOUD_SYNC_CHECK_ID.syncApi,
      title: 'Cloud Sync: synchronization API',
      status: 'pass',
      message:
        configurations && configurations.length > 0
          ? `${configurations.length} Cloud Sync configuration(s): ${configurations.map((c) => `${c.domain ?? c.displayName ?? c.servicePrincipalId} (job ${c.jobId}, ${c.scheduleState ?? 'state unknown'})`).join('; ')}.`
          : 'No Cloud Sync configuration in this tenant.',
    });
  }
  if (configurations && configurations.length > 0) checks.push(jobsCheck(configurations));
  const cov = engineCoverage(dns, { cloudSync: configurations, connectSync });
  const parts = [
    ...cov.cloudSync.map((c) => `Cloud Sync (${c.configuration.domain ?? c.configuration.jobId}): ${c.objects.length}`),
    ...cov.connectSync.map((c) => `Connect Sync (${c.connector}): ${c.objects.length}`),
    ...(cov.both.length > 0 ? [`both engines claim: ${cov.both.length}`] : []),
    ...(cov.none.length > 0 ? [`no engine: ${cov.none.length}`] : []),
    ...(cov.unknown.length > 0 ? [`cannot tell: ${cov.unknown.length}`] : []),
  ];
  const engineStatus: CheckResult['status'] =
    dns.length === 0
      ? 'notChecked'
      : cov.both.length > 0 || cov.none.length > 0
        ? 'fail'
        : cov.unknown.length > 0
          ? 'warn'
          : 'pass';
  checks.push({
    id: CLOUD_SYNC_CHECK_ID.engines,
    title: 'Sync engines',
    status: engineStatus,
    observed: parts.join('; ') || 'no objects',
    message:
      dns.length === 0
        ? 'No objects picked yet: the engines are matched per object once they are.'
        : engineStatus === 'pass'
          ? 'Every picked object is synced by exactly one engine.'
          : 'Not every picked object maps to exactly one engine (see the counts): those objects cannot be verified on the server side.',
    ...(engineStatus === 'fail'
      ? {
          fix: 'Check the Cloud Sync scoping and the Connect Sync OU filtering so each domain or OU is synced by one engine.',
        }
      : {}),
  });
  const job = configurations?.[0];
  if (!job) {
    checks.push({
      id: CLOUD_SYNC_CHECK_ID.provisioningLog,
      title: 'Cloud Sync: provisioning log',
      status: 'notChecked',
      message: configurations
        ? 'No Cloud Sync configuration: the provisioning log is not needed.'
        : 'Not checked: the configurations could not be read.',
    });
    return { checks, configurations };
  }
  const since = new Date(clock.now().getTime() - 60 * 60_000);
  const log = await listProvisioningLogs(
    graph,
    { jobId: job.jobId, since, maxPages: 1 },
    { window: new RateWindow(REPORTING_LIMIT, clock) },
  );
  checks.push(
    log.ok
      ? {
          id: CLOUD_SYNC_CHECK_ID.provisioningLog,
          title: 'Cloud Sync: provisioning log',
          status: 'pass',
          message: `The provisioning log answers (${log.value.entries.length} entr${log.value.entries.length === 1 ? 'y' : 'ies'} for job ${job.jobId} in the last hour).`,
        }
      : logCheck(log.error),
  );
  return { checks, configurations };
}
