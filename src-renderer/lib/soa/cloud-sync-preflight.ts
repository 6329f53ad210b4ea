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
  QUARANTINE_FIX,
  type CloudSyncConfiguration,
} from '../graph/cloud-sync-graph';
import type { GraphSession } from '../graph/graph-client';
import type { GraphError } from '../graph/graph-result';
import { REPORTING_LIMIT, RateWindow, type WindowClock } from '../graph/rate-window';
import { engineCoverage, type ConnectorPartitions } from './sync-engine';
import { STEP_SCOPES } from '../graph/scopes';
import { readConnectSyncPartitions } from './cloud-sync-proof';
import type { RequestRecord } from './evidence';
import type { FlowPorts } from './ports';
import { graphUrl } from './verify';

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
  // A warn, not a fail: objects synced by Connect Sync are not affected, and the Cloud Sync proofs then say which
  // evidence is missing instead of stopping.
  if (error.kind === 'forbidden' && error.missingScopes.length > 0) {
    return {
      ...base,
      status: 'warn',
      message: `The token lacks ${error.missingScopes.join(', ')}: Cloud Sync's configuration, provisionOnDemand and its evidence cannot be read. Objects synced by Connect Sync are not affected.`,
      fix: error.fix,
    };
  }
  if (error.kind === 'forbidden') {
    return {
      ...base,
      status: 'warn',
      message:
        'The synchronization API refused this admin: it needs Hybrid Identity Administrator (or Application Administrator / Cloud Application Administrator). Without it the Cloud Sync proofs cannot run; objects synced by Connect Sync are not affected.',
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

/** What each engine covers: Cloud Sync's domains (per job) and Connect Sync's AD connector partitions. */
export function engineCoverageText(
  configurations: readonly CloudSyncConfiguration[] | null,
  connectSync: readonly ConnectorPartitions[] | null,
): string {
  const cloud =
    configurations === null
      ? 'Cloud Sync: not read'
      : configurations.length === 0
        ? 'Cloud Sync: no configuration'
        : `Cloud Sync: ${configurations.map((c) => `${c.domain ?? '(no domain)'} (job ${c.jobId})`).join(', ')}`;
  const connect =
    connectSync === null
      ? 'Connect Sync: connectors not read'
      : connectSync.length === 0
        ? 'Connect Sync: no AD connector on this server'
        : `Connect Sync: ${connectSync.map((c) => `${c.connector} (${c.partitions.join(', ') || 'no partition selected'})`).join(', ')}`;
  return `${cloud}; ${connect}.`;
}

/**
 * The engines line when Cloud Sync is not asked (the server shows no provisioning agent and no Cloud Sync object was
 * picked): what Connect Sync covers, and plainly that Cloud Sync was not checked and why — its permissions are asked
 * only on the Cloud Sync path, so an admin who uses Connect Sync only is never prompted for them.
 */
export function cloudSyncNotAskedCheck(connectSync: readonly ConnectorPartitions[] | null, why: string): CheckResult {
  return {
    id: CLOUD_SYNC_CHECK_ID.engines,
    title: 'Sync engines',
    status: 'notChecked',
    observed: engineCoverageText(null, connectSync).replace('Cloud Sync: not read', 'Cloud Sync: not asked'),
    message: `Cloud Sync was not checked: ${why}. soa-pilot asks for its permissions (Synchronization.ReadWrite.All, Application.Read.All) only when an object synced by Cloud Sync is picked; the pick step then detects the engine.`,
  };
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
    ...quarantined.map((r) => `${name(r.c)}: ${r.run.text}`),
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
    ...(stopped.length > 0 || quarantined.length > 0
      ? {
          fix: [
            stopped.length > 0
              ? 'Start the paused job in the Microsoft Entra admin center (Cloud Sync → Configurations), then run preflight again.'
              : null,
            quarantined.length > 0 ? `For the job in quarantine: ${QUARANTINE_FIX} Then run preflight again.` : null,
          ]
            .filter((x): x is string => x !== null)
            .join(' '),
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
    message: `${
      dns.length === 0
        ? 'No objects picked yet: the engines are matched per object once they are.'
        : engineStatus === 'pass'
          ? 'Every picked object is synced by exactly one engine.'
          : 'Not every picked object maps to exactly one engine (see the counts): those objects cannot be verified on the server side.'
    } Covers: ${engineCoverageText(configurations, connectSync)}`,
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

/**
 * The wizard's sync-engine lines: the server's Connect Sync AD connectors (always), and the Cloud Sync lines only on
 * the Cloud Sync path — the server shows the provisioning agent, or the picked object is synced by Cloud Sync. Else
 * one `notChecked` line says Cloud Sync was not asked and why (no Cloud Sync permission is requested).
 */
export async function syncEnginePreflight(
  ports: FlowPorts,
  input: { cloudSyncAgentOnServer: boolean | null; cloudSyncObject: boolean; dns: readonly (string | null)[] },
): Promise<{ checks: CheckResult[]; requests: RequestRecord[]; askedCloudSync: boolean }> {
  const partitions = await readConnectSyncPartitions(ports);
  const requests: RequestRecord[] = [partitions.request];
  const asked = input.cloudSyncAgentOnServer === true || input.cloudSyncObject;
  if (!asked) {
    const why =
      input.cloudSyncAgentOnServer === false
        ? 'this server shows no provisioning agent and no object synced by Cloud Sync was picked'
        : 'the server could not be probed for the provisioning agent and no object synced by Cloud Sync was picked';
    return { checks: [cloudSyncNotAskedCheck(partitions.connectors, why)], requests, askedCloudSync: false };
  }
  const at = ports.clock.now().toISOString();
  const r = await cloudSyncPreflight(ports.graph, ports.clock, input.dns, partitions.connectors);
  requests.push({
    kind: 'graph',
    label: `GET ${graphUrl(ports, "/servicePrincipals?$filter=servicePrincipalNames/any(n: n eq '…')")} + …/synchronization/jobs, then GET ${graphUrl(ports, "/auditLogs/provisioning?$filter=jobId eq '…' and activityDateTime gt …")} (Cloud Sync permissions: ${STEP_SCOPES.cloudSync.join(', ')})`,
    at,
    response: r.checks.map((c) => ({ id: c.id, status: c.status })),
  });
  return { checks: r.checks, requests, askedCloudSync: true };
}
