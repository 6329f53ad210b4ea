/**
 * The proof path for an object synced by Cloud Sync, with the same step shape and evidence levels as the Connect
 * Sync path (transfer.ts, rollback.ts): the server half is replaced by what Cloud Sync shows in Graph.
 *
 * - Trigger: provisionOnDemand for the object (5 per 10 s, Retry-After obeyed) when the job's schema maps its type;
 *   otherwise the next scheduled cycle (about every 2 minutes), waited for with progress. Never `/start`.
 * - The block (after an AD change to a flowing attribute): the provisionOnDemand answer or a provisioning-log entry
 *   says "skipped" with the SOA reason, and the Entra object is unchanged.
 * - The takeover (after a rollback): a later entry shows the object processed again, onPremisesSyncEnabled is true,
 *   and the attributes match AD.
 * A verdict claims only what was observed: missing evidence is a `warn` that says what is missing, never a pass.
 * Facts: docs/reference/cloud-sync.md.
 */
import {
  getJobRunState,
  getProvisioningRule,
  listCloudSyncConfigurations,
  listProvisioningLogs,
  provisionOnDemand,
  provisionOnDemandBody,
  type CloudSyncConfiguration,
  type JobRunStateInfo,
  type ProvisioningLogEntry,
  type ProvisioningRule,
} from '../graph/cloud-sync-graph';
import { getContact } from '../graph/soa-graph';
import { PROVISION_ON_DEMAND_LIMIT, RateWindow, REPORTING_LIMIT } from '../graph/rate-window';
import { touchAdJournaled } from './ad-journal';
import { attributeMismatches, type AdValues } from './ad-attribute-match';
import { finishStep, newStep, openAdStep, type RequestRecord, type StepEvidence } from './evidence';
import type { FlowPorts, FlowTuning } from './ports';
import {
  entryMatches,
  outcomeOfLogEntry,
  outcomeOfProvisionOnDemand,
  type ProvisioningOutcome,
} from './provisioning-outcome';
import { adDomainOf, connectorFor, routeObject, type ConnectorPartitions, type EngineRoute } from './sync-engine';
import { errorText, graphUrl, readSoa, type ContactTarget, type SoaRead } from './verify';
import type { AdProbe } from './transfer';

export interface CloudSyncTuning {
  /** How long to wait for the object's entry in the provisioning log (a cycle is about 2 minutes; ingestion lags). */
  cycleBoundMs: number;
  /** Time between provisioning-log reads while waiting (the reporting API allows 5 per 10 s). */
  logPollIntervalMs: number;
  /** After a decisive provisionOnDemand answer: how long to wait for its log entry (a cycle plus ingestion). */
  logAfterOnDemandMs: number;
}

export const DEFAULT_CLOUD_SYNC_TUNING: CloudSyncTuning = {
  cycleBoundMs: 10 * 60_000,
  logPollIntervalMs: 20_000,
  logAfterOnDemandMs: 150_000,
};

/** One object's Cloud Sync context: its configuration, the schema rule, and the two request windows. */
export interface CloudSyncContext {
  configuration: CloudSyncConfiguration;
  /** null when the schema could not be read or has no rule: provisionOnDemand is then not used. */
  rule: ProvisioningRule | null;
  windows: { onDemand: RateWindow; reporting: RateWindow };
  tuning: CloudSyncTuning;
}

/**
 * The Cloud Sync waits from the wizard's tuning: a cycle wait is bounded like a Connect Sync cycle wait
 * (`syncTimeoutSeconds`), and the provisioning log is polled like the audit log (both are the reporting API).
 */
export function cloudSyncTuningFrom(
  t: Pick<FlowTuning, 'syncTimeoutSeconds' | 'auditPollIntervalMs'>,
): CloudSyncTuning {
  const cycleBoundMs = t.syncTimeoutSeconds * 1000;
  return {
    cycleBoundMs,
    logPollIntervalMs: t.auditPollIntervalMs,
    logAfterOnDemandMs: Math.min(DEFAULT_CLOUD_SYNC_TUNING.logAfterOnDemandMs, cycleBoundMs),
  };
}

export function cloudSyncWindows(ports: Pick<FlowPorts, 'clock'>): CloudSyncContext['windows'] {
  return {
    onDemand: new RateWindow(PROVISION_ON_DEMAND_LIMIT, ports.clock),
    reporting: new RateWindow(REPORTING_LIMIT, ports.clock),
  };
}

export interface WaitProgress {
  phase: 'onDemand' | 'waitingForCycle' | 'readingLog';
  elapsedMs: number;
  boundMs: number;
  message: string;
}

export interface CloudSyncStepOptions {
  signal?: AbortSignal;
  onProgress?: (p: WaitProgress) => void;
  runId?: string;
}

function graphRecord(
  label: string,
  at: string,
  status: number | string,
  requestId: string | null,
  response: unknown,
): RequestRecord {
  return { kind: 'graph', label, at, status, requestId, response };
}

// ----------------------------------------------------------------------------------------------
// Engine: which engine syncs the object
// ----------------------------------------------------------------------------------------------

/**
 * The Connect Sync side of engine detection: the server's AD connectors and their selected partitions. Null when
 * the server could not be asked; an empty list when Connect Sync does not run there (a Cloud Sync-only server).
 */
export async function readConnectSyncPartitions(
  ports: Pick<FlowPorts, 'ipc' | 'clock'>,
): Promise<{ connectors: ConnectorPartitions[] | null; request: RequestRecord; note: string | null }> {
  const at = ports.clock.now().toISOString();
  const r = await ports.ipc.call('server.adConnectors', {});
  const request: RequestRecord = {
    kind: 'powershell',
    label: 'Get-ADSyncConnector | where ConnectorTypeName -eq AD | Partitions (selected)',
    at,
    status: r.ok ? (r.value.available ? `${r.value.connectors.length} AD connector(s)` : 'no ADSync') : r.error.code,
    response: r.ok ? r.value : { error: r.error.message },
  };
  if (!r.ok)
    return { connectors: null, request, note: `The Connect Sync connectors could not be read: ${r.error.message}` };
  return {
    connectors: r.value.connectors.map((c) => ({ connector: c.name, partitions: c.partitions })),
    request,
    note: r.value.message,
  };
}

/**
 * The "sync engine" step: read the Cloud Sync configurations, match the object's AD domain, and (for Cloud Sync)
 * read the job's schema rule. `connectSync` is what the server reported (null: not asked or unreachable).
 */
export async function stepDetectEngine(
  ports: FlowPorts,
  target: ContactTarget,
  connectSync: readonly ConnectorPartitions[] | null,
  tuning: CloudSyncTuning = DEFAULT_CLOUD_SYNC_TUNING,
): Promise<{ step: StepEvidence; route: EngineRoute; context: CloudSyncContext | null }> {
  const step = newStep(
    'engine',
    'Which engine syncs it',
    'Match the object’s AD domain to a Cloud Sync configuration (its AD2AADProvisioning job’s DomainFQDN), and its DN to a Connect Sync AD connector’s partitions.',
    ports.clock.now(),
  );
  step.expected = 'Exactly one engine covers the object.';
  const at = ports.clock.now().toISOString();
  const configs = await listCloudSyncConfigurations(ports.graph);
  step.requests.push(
    graphRecord(
      `GET ${graphUrl(ports, `/servicePrincipals?$filter=applicationTemplateId eq '…'`)} + GET …/synchronization/jobs`,
      at,
      configs.ok ? configs.status : configs.error.status,
      configs.requestId,
      configs.ok
        ? configs.value.configurations.map((c) => ({
            jobId: c.jobId,
            domain: c.domain,
            domainSource: c.domainSource,
            schedule: c.scheduleState,
          }))
        : { error: configs.error.code, message: configs.error.message },
    ),
  );
  if (!configs.ok) step.notes.push(`Cloud Sync configurations could not be read: ${errorText(configs.error)}`);
  const route = routeObject(target.dn, { cloudSync: configs.ok ? configs.value.configurations : null, connectSync });
  step.notes.push(...route.basis);
  let context: CloudSyncContext | null = null;
  if (route.engine === 'cloudSync' && route.cloudSync) {
    const cfg = route.cloudSync;
    const r = await getProvisioningRule(ports.graph, cfg.servicePrincipalId, cfg.jobId, 'contact');
    step.requests.push(
      graphRecord(
        `GET ${graphUrl(ports, `/servicePrincipals/${encodeURIComponent(cfg.servicePrincipalId)}/synchronization/jobs/${encodeURIComponent(cfg.jobId)}/schema`)}`,
        ports.clock.now().toISOString(),
        r.ok ? r.status : r.error.status,
        r.requestId,
        r.ok ? r.value : { error: r.error.code, message: r.error.message },
      ),
    );
    const rule = r.ok ? r.value : null;
    if (!r.ok)
      step.notes.push(
        `The job’s schema could not be read (${errorText(r.error)}): soa-pilot waits for scheduled cycles instead of provisionOnDemand.`,
      );
    else if (!rule || rule.objectTypeNames.length === 0) {
      step.notes.push(
        `The job’s schema maps no contact object (${rule?.mappedTypes.join(', ') || 'no mappings'}): provisionOnDemand is not used; soa-pilot waits for scheduled cycles.`,
      );
    }
    context = { configuration: cfg, rule, windows: cloudSyncWindows(ports), tuning };
  }
  const verdict =
    route.engine === 'cloudSync' || route.engine === 'connectSync' ? 'pass' : route.engine === 'both' ? 'fail' : 'warn';
  const observed =
    route.engine === 'cloudSync'
      ? `Cloud Sync (job ${route.cloudSync?.jobId ?? ''}, domain ${route.domain ?? ''}).`
      : route.engine === 'connectSync'
        ? `Connect Sync (AD connector ${route.connectSync?.connector ?? ''}).`
        : route.engine === 'both'
          ? 'Both engines claim the object.'
          : route.engine === 'none'
            ? 'No engine covers the object’s domain.'
            : 'Could not tell: see the notes.';
  return { step: finishStep(step, verdict, observed, ports.clock.now()), route, context };
}

/**
 * Whether the engine step asks Graph for the Cloud Sync configurations (which needs the Cloud Sync permissions, asked
 * only on that path): not when a Connect Sync AD connector of this server holds the DN and the server shows no
 * provisioning agent (null: the server was not probed). Pure.
 */
export function asksCloudSync(connectSyncHoldsDn: boolean, cloudSyncAgentOnServer: boolean | null): boolean {
  return !connectSyncHoldsDn || cloudSyncAgentOnServer === true;
}

/**
 * The wizard's engine step: read the server's Connect Sync AD connectors first; ask Cloud Sync (Graph, with its own
 * permissions) only when `asksCloudSync` says so. When it is not asked, the evidence says so: the route rests on the
 * Connect Sync match alone.
 */
export async function stepChooseEngine(
  ports: FlowPorts,
  target: ContactTarget,
  options: { cloudSyncAgentOnServer: boolean | null; tuning?: CloudSyncTuning },
): Promise<{ step: StepEvidence; route: EngineRoute; context: CloudSyncContext | null }> {
  const started = ports.clock.now();
  const partitions = await readConnectSyncPartitions(ports);
  const connect = target.dn && partitions.connectors ? connectorFor(target.dn, partitions.connectors) : null;
  if (target.dn && connect && !asksCloudSync(true, options.cloudSyncAgentOnServer)) {
    const step = newStep(
      'engine',
      'Which engine syncs it',
      'Match the object’s DN to a Connect Sync AD connector’s partitions (and, when the server runs the provisioning agent or no connector holds the DN, its AD domain to a Cloud Sync configuration).',
      started,
    );
    step.expected = 'Exactly one engine covers the object.';
    step.requests.push(partitions.request);
    const why =
      options.cloudSyncAgentOnServer === false
        ? 'the server shows no Cloud Sync provisioning agent'
        : 'the server’s agents were not probed';
    const basis = [
      `Connect Sync: AD connector "${connect.connector}" holds partition ${connect.partition}.`,
      `Cloud Sync was not asked (${why}; its permissions Synchronization.ReadWrite.All and Application.Read.All are requested only when Cloud Sync is in use), so a Cloud Sync configuration for the same domain elsewhere was not ruled out.`,
    ];
    step.notes.push(...basis);
    const route: EngineRoute = {
      engine: 'connectSync',
      domain: adDomainOf(target.dn),
      cloudSync: null,
      connectSync: connect,
      basis,
    };
    return {
      step: finishStep(step, 'pass', `Connect Sync (AD connector ${connect.connector}).`, ports.clock.now()),
      route,
      context: null,
    };
  }
  const r = await stepDetectEngine(ports, target, partitions.connectors, options.tuning);
  r.step.startedAt = started.toISOString();
  r.step.requests.unshift(partitions.request);
  if (partitions.note) r.step.notes.push(partitions.note);
  return r;
}

// ----------------------------------------------------------------------------------------------
// Trigger: provisionOnDemand, or wait for the object's entry in the next cycle
// ----------------------------------------------------------------------------------------------

export interface CloudSyncObservation {
  /** The provisionOnDemand outcome, when it was used and answered. */
  onDemand: ProvisioningOutcome | null;
  /** The object's log entries after `since`, classified, oldest first. */
  logEntries: ProvisioningOutcome[];
  /** Why the log could not be read (no reader role, no P1/P2…), when it could not. */
  logError: string | null;
  requests: RequestRecord[];
  /**
   * The job's run state, read before waiting for a cycle (absent: not read). A stopped (paused) job runs no
   * scheduled cycle, so nothing is waited for and no verdict passes a takeover on it.
   */
  jobState?: JobRunStateInfo | null;
}

/** True when the observation saw the job stopped (paused, disabled, not configured): no scheduled cycle will run. */
export function jobStopped(o: Pick<CloudSyncObservation, 'jobState'>): boolean {
  return o.jobState?.state === 'stopped';
}

/** The outcome the verdict rests on: the newest log entry, else the provisionOnDemand answer. */
export function decisiveOutcome(o: CloudSyncObservation): ProvisioningOutcome | null {
  return o.logEntries[o.logEntries.length - 1] ?? o.onDemand;
}

/**
 * Ask Cloud Sync to process the object now (provisionOnDemand) when the schema maps its type, then read the
 * provisioning log for its entries after `since` until `until(outcome)` holds or the bound passes. Without
 * provisionOnDemand this is the wait for the next scheduled cycle.
 */
export async function observeCloudSync(
  ports: FlowPorts,
  ctx: CloudSyncContext,
  target: ContactTarget,
  since: string,
  until: (o: ProvisioningOutcome) => boolean,
  options: CloudSyncStepOptions = {},
): Promise<CloudSyncObservation> {
  const out: CloudSyncObservation = { onDemand: null, logEntries: [], logError: null, requests: [] };
  const { configuration: cfg, rule } = ctx;
  const t0 = ports.clock.now().getTime();
  const bound = ctx.tuning.cycleBoundMs;
  const progress = (phase: WaitProgress['phase'], message: string): void =>
    options.onProgress?.({ phase, elapsedMs: ports.clock.now().getTime() - t0, boundMs: bound, message });
  if (rule && rule.objectTypeNames.length > 0 && target.dn) {
    // The documented objectTypeName is `user`; for a contact the AD class or the Entra type are both plausible: a
    // 400 for one name moves on to the next (each attempt is in the evidence).
    for (const objectTypeName of rule.objectTypeNames) {
      progress('onDemand', `provisionOnDemand for the object (objectTypeName "${objectTypeName}")…`);
      const request = {
        servicePrincipalId: cfg.servicePrincipalId,
        jobId: cfg.jobId,
        ruleId: rule.ruleId,
        dn: target.dn,
        objectTypeName,
      };
      const at = ports.clock.now().toISOString();
      const { result, throttles } = await provisionOnDemand(ports.graph, request, {
        window: ctx.windows.onDemand,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      out.requests.push({
        kind: 'graph',
        label: `POST ${graphUrl(ports, `/servicePrincipals/${encodeURIComponent(cfg.servicePrincipalId)}/synchronization/jobs/${encodeURIComponent(cfg.jobId)}/provisionOnDemand`)}`,
        body: provisionOnDemandBody(request),
        at,
        status: result.ok ? result.status : result.error.status,
        requestId: result.requestId,
        response: result.ok
          ? {
              result: result.value.result,
              details: result.value.details,
              steps: result.value.steps.map((s) => ({ name: s.name, status: s.status, description: s.description })),
            }
          : { error: result.error.code, message: result.error.message },
        ...(throttles.length > 0
          ? {
              attempts: throttles.map((t, i) => ({
                seq: i + 1,
                at,
                method: 'POST',
                url: 'provisionOnDemand',
                status: 429,
                requestId: t.requestId,
                retryAfter: String(t.waitMs / 1000),
              })),
            }
          : {}),
      });
      if (result.ok) {
        out.onDemand = outcomeOfProvisionOnDemand(result.value);
        break;
      }
      if (result.error.kind !== 'badRequest') break;
    }
  }
  // Before waiting for a cycle: is the job running at all? A paused job runs no scheduled cycle, so the log is read
  // once and nothing is waited for (docs/reference/cloud-sync.md#pause-start-and-restart).
  const jobAt = ports.clock.now().toISOString();
  const job = await getJobRunState(ports.graph, cfg.servicePrincipalId, cfg.jobId);
  out.requests.push(
    graphRecord(
      `GET ${graphUrl(ports, `/servicePrincipals/${encodeURIComponent(cfg.servicePrincipalId)}/synchronization/jobs/${encodeURIComponent(cfg.jobId)}`)}`,
      jobAt,
      job.ok ? job.status : job.error.status,
      job.requestId,
      job.ok
        ? { statusCode: job.value.statusCode, scheduleState: job.value.scheduleState, runState: job.value.state }
        : { error: job.error.code, message: job.error.message },
    ),
  );
  out.jobState = job.ok ? job.value : null;
  // a paused job runs no scheduled cycle; one in quarantine runs at most about once a day: neither is waited for
  const stopped = jobStopped(out) || out.jobState?.state === 'quarantine';
  if (stopped && out.jobState) progress('readingLog', out.jobState.text);
  // With a decisive provisionOnDemand answer, its log entry is waited for only about one cycle plus ingestion.
  const logBound = stopped
    ? 0
    : out.onDemand && until(out.onDemand)
      ? Math.min(bound, ctx.tuning.logAfterOnDemandMs)
      : bound;
  // The log: poll until an entry for the object satisfies `until`, or the bound passes.
  for (;;) {
    progress('readingLog', 'Reading the provisioning log…');
    const at = ports.clock.now().toISOString();
    const r = await listProvisioningLogs(
      ports.graph,
      { jobId: cfg.jobId, since },
      { window: ctx.windows.reporting, ...(options.signal ? { signal: options.signal } : {}) },
    );
    const mine: ProvisioningLogEntry[] = r.ok
      ? r.value.entries.filter((e) => entryMatches(e, { entraId: target.id, dn: target.dn }))
      : [];
    out.requests.push(
      graphRecord(
        `GET ${graphUrl(ports, `/auditLogs/provisioning?$filter=jobId eq '${cfg.jobId}' and activityDateTime gt ${since}`)}`,
        at,
        r.ok ? r.status : r.error.status,
        r.requestId,
        r.ok
          ? {
              entries: r.value.entries.length,
              forThisObject: mine.map((e) => ({
                id: e.id,
                activityDateTime: e.activityDateTime,
                cycleId: e.cycleId ?? null,
                status: e.provisioningStatusInfo?.status ?? null,
                reason: outcomeOfLogEntry(e).reason,
              })),
            }
          : { error: r.error.code, message: r.error.message },
      ),
    );
    if (!r.ok) {
      out.logError = errorText(r.error);
      // A refused read does not get better by waiting (role, licence, consent); a throttle did get its retries.
      break;
    }
    out.logEntries = mine.map(outcomeOfLogEntry);
    const newest = out.logEntries[out.logEntries.length - 1];
    if (newest && until(newest)) break;
    const elapsed = ports.clock.now().getTime() - t0;
    if (elapsed >= logBound) break;
    progress(
      'waitingForCycle',
      `Waiting for the next Cloud Sync cycle (about every 2 minutes): ${Math.round(elapsed / 1000)} s of ${Math.round(bound / 1000)} s.`,
    );
    await ports.clock.sleep(Math.min(ctx.tuning.logPollIntervalMs, Math.max(1, logBound - elapsed)), options.signal);
  }
  return out;
}

function outcomeText(o: ProvisioningOutcome): string {
  const where =
    o.source === 'provisionOnDemand'
      ? 'provisionOnDemand'
      : `provisioning-log entry ${o.entryId ?? ''} at ${o.at ?? ''}`;
  return `${where}: ${o.status ?? 'no status'}${o.reason ? ` — "${o.reason}"` : ''}`;
}

// ----------------------------------------------------------------------------------------------
// The block: AD change, Cloud Sync skips the object with the SOA reason, the cloud is unchanged
// ----------------------------------------------------------------------------------------------

/**
 * What the block step concluded from what it saw (pure: the failing cases are unit-tested one by one).
 * `cloudUnchanged` null: no AD change was made (the transfer's "verify with Cloud Sync" step), so there is no
 * before/after comparison to report, only what Cloud Sync said about the object.
 */
export function blockVerdict(input: {
  observation: CloudSyncObservation;
  cloudUnchanged: boolean | null;
  isCloudManaged: boolean | null;
}): { verdict: 'pass' | 'warn' | 'fail'; observed: string } {
  const { observation: o, cloudUnchanged, isCloudManaged } = input;
  const v = blockVerdictCore(o, cloudUnchanged, isCloudManaged);
  const job = o.jobState;
  if (!job || job.state === 'running' || job.state === 'unknown') return v;
  if (job.state === 'stopped' && v.verdict === 'warn')
    return {
      verdict: 'warn',
      observed: `${v.observed} ${job.text} No cycle will process the AD change, so the block cannot be observed until the job runs again; then run this proof again.`,
    };
  // A job in quarantine never yields a pass: what Cloud Sync said about this object stands, but the job is not healthy
  // (docs/reference/cloud-sync.md#quarantine); the proof is run again once the quarantine is lifted.
  if (job.state === 'quarantine' && v.verdict === 'pass')
    return {
      verdict: 'warn',
      observed: `${v.observed} But ${job.text} Run this proof again once the job is out of quarantine.`,
    };
  return { verdict: v.verdict, observed: `${v.observed} ${job.text}` };
}

function blockVerdictCore(
  o: CloudSyncObservation,
  cloudUnchanged: boolean | null,
  isCloudManaged: boolean | null,
): { verdict: 'pass' | 'warn' | 'fail'; observed: string } {
  const all = [...(o.onDemand ? [o.onDemand] : []), ...o.logEntries];
  const soa = all.find((x) => x.kind === 'soaSkipped');
  const processed = all.find((x) => x.kind === 'processed');
  const cloud =
    cloudUnchanged === null
      ? 'no AD change was made in this step'
      : cloudUnchanged
        ? 'the Entra object is unchanged'
        : 'the Entra object CHANGED';
  const alone = cloudUnchanged === null ? '' : ', which alone does not prove the block';
  if (cloudUnchanged === false) return { verdict: 'fail', observed: `${cloud}: the AD change reached Entra ID.` };
  if (isCloudManaged !== true) {
    return {
      verdict: 'fail',
      observed: `isCloudManaged = ${String(isCloudManaged)}: the SOA is not in the cloud, so nothing is blocked.`,
    };
  }
  if (processed && !soa)
    return { verdict: 'fail', observed: `Cloud Sync processed the object (${outcomeText(processed)}); ${cloud}.` };
  if (soa)
    return {
      verdict: 'pass',
      observed: `Cloud Sync skipped the object because its SOA is in the cloud (${outcomeText(soa)}); ${cloud}.`,
    };
  const other = all.find((x) => x.kind === 'skippedOther' || x.kind === 'failed' || x.kind === 'unknown');
  if (other) {
    return {
      verdict: 'warn',
      observed: `No SOA skip was observed: ${outcomeText(other)} is not the SOA reason. ${cloud.charAt(0).toUpperCase()}${cloud.slice(1)}${alone}.`,
    };
  }
  return {
    verdict: 'warn',
    observed: `No Cloud Sync outcome for the object was observed${o.logError ? ` (the provisioning log could not be read: ${o.logError})` : ' within the wait'}; ${cloud}${alone}.`,
  };
}

/**
 * After the transfer, the Cloud Sync counterpart of the Connect Sync trace ("verify on the server"): have Cloud Sync
 * process the object (provisionOnDemand, or the next cycle) without changing AD, and read what it says. It must skip
 * the object because its SOA is in the cloud. Nothing in AD is changed.
 */
export async function stepVerifyCloudSyncSkips(
  ports: FlowPorts,
  ctx: CloudSyncContext,
  target: ContactTarget,
  options: CloudSyncStepOptions = {},
): Promise<{ step: StepEvidence; ok: boolean; observation: CloudSyncObservation }> {
  const step = newStep(
    'verify-server',
    'Verify the Cloud Sync skip',
    'Have Cloud Sync process the object (provisionOnDemand, or the next cycle) and read its answer and provisioning-log entry: it must skip the object because its SOA is in the cloud. AD is not changed.',
    ports.clock.now(),
  );
  step.expected = 'Cloud Sync reports the object skipped with the SOA reason; isCloudManaged = true.';
  const since = ports.clock.now().toISOString();
  const observation = await observeCloudSync(ports, ctx, target, since, (o) => o.kind !== 'unknown', options);
  step.requests.push(...observation.requests);
  if (!ctx.rule || ctx.rule.objectTypeNames.length === 0)
    step.notes.push(
      'provisionOnDemand was not used (the schema maps no contact); the evidence is the scheduled cycle’s log entry, which Cloud Sync writes only when the object has a change to process.',
    );
  if (observation.logError) step.notes.push(`The provisioning log could not be read: ${observation.logError}`);
  const after = await readSoa(ports, target.id);
  step.requests.push(...after.requests);
  const v = blockVerdict({ observation, cloudUnchanged: null, isCloudManaged: after.isCloudManaged });
  return { step: finishStep(step, v.verdict, v.observed, ports.clock.now()), ok: v.verdict === 'pass', observation };
}

/** The Cloud Sync counterpart of `stepProveAdBlocked`: the AD change (journaled), the trigger, the skip, the cloud unchanged. */
export async function stepProveAdBlockedCloudSync(
  ports: FlowPorts,
  ctx: CloudSyncContext,
  target: ContactTarget,
  before: { displayName: string | null; onPremisesLastSyncDateTime: string | null },
  options: CloudSyncStepOptions = {},
): Promise<{ step: StepEvidence; probe: AdProbe | null; ok: boolean; observation: CloudSyncObservation | null }> {
  const { step, dn } = openAdStep(
    {
      id: 'ad-blocked',
      title: 'Prove AD changes are blocked',
      purpose:
        'Change an AD attribute that flows to Entra ID (harmless), have Cloud Sync process the object (provisionOnDemand, or the next cycle), and read the outcome: it must be skipped because the SOA is in the cloud, and the cloud object must not change.',
      expected: 'Cloud Sync reports the object skipped with the SOA reason; the cloud object is unchanged.',
    },
    target,
    ports.clock,
  );
  if (dn === null) return { step, probe: null, ok: false, observation: null };
  const since = ports.clock.now().toISOString();
  const newDescription = `soa-pilot cloud sync probe ${since}`;
  const touch = await touchAdJournaled(
    ports,
    step,
    { ...target, dn },
    {
      runId: options.runId,
      description: newDescription,
      at: since,
    },
  );
  if (!touch.ok) {
    return {
      step: finishStep(step, 'fail', `The AD change failed: ${touch.error.message}`, ports.clock.now()),
      probe: null,
      ok: false,
      observation: null,
    };
  }
  const probe: AdProbe = {
    attribute: touch.value.attribute,
    oldDescription: touch.value.oldDescription,
    newDescription,
    since,
  };
  step.notes.push(`Changed ${touch.value.attribute}: ${touch.value.attributeReason}`);
  const observation = await observeCloudSync(ports, ctx, target, since, (o) => o.kind !== 'unknown', options);
  step.requests.push(...observation.requests);
  if (!ctx.rule?.objectTypeName)
    step.notes.push(
      'provisionOnDemand was not used (the schema maps no contact); the evidence is the scheduled cycle’s log entry.',
    );
  if (observation.logError) step.notes.push(`The provisioning log could not be read: ${observation.logError}`);
  const after = await readSoa(ports, target.id);
  step.requests.push(...after.requests);
  const cloudUnchanged =
    after.displayName === before.displayName && after.onPremisesLastSyncDateTime === before.onPremisesLastSyncDateTime;
  const v = blockVerdict({ observation, cloudUnchanged, isCloudManaged: after.isCloudManaged });
  return {
    step: finishStep(step, v.verdict, v.observed, ports.clock.now()),
    probe,
    ok: v.verdict === 'pass',
    observation,
  };
}

// ----------------------------------------------------------------------------------------------
// The takeover after a rollback
// ----------------------------------------------------------------------------------------------

/** What the takeover step concluded (pure). */
export function takeoverVerdict(input: {
  observation: CloudSyncObservation;
  read: Pick<SoaRead, 'isCloudManaged' | 'onPremisesSyncEnabled' | 'displayName'> & { mail?: string | null };
  ad: AdValues | null;
}): { verdict: 'pass' | 'warn' | 'fail'; observed: string; mismatches: string[] } {
  const v = takeoverVerdictCore(input);
  const job = input.observation.jobState;
  if (!job || job.state === 'running' || job.state === 'unknown') return v;
  // A paused job, or one in quarantine, never yields a passed takeover: even an object provisionOnDemand processed
  // gets later AD changes only when the job runs again (a job in quarantine runs at most about once a day;
  // docs/reference/cloud-sync.md#quarantine). Without an entry the takeover simply has not happened.
  const later =
    job.state === 'quarantine'
      ? 'Later AD changes reach Entra ID only at its reduced frequency, so the takeover is not complete; run this step again once the job is out of quarantine.'
      : 'Later AD changes will not reach Entra ID until the job runs again, so the takeover is not complete.';
  if (v.verdict === 'pass')
    return { verdict: 'warn', observed: `${v.observed} But ${job.text} ${later}`, mismatches: v.mismatches };
  // Nothing processed the object because no cycle ran: not a failure of the rollback, and not a takeover either.
  const decisive = decisiveOutcome(input.observation);
  const waitingOnJob =
    input.read.isCloudManaged !== true &&
    input.read.onPremisesSyncEnabled !== true &&
    (decisive === null || decisive.kind === 'unknown');
  return {
    verdict: waitingOnJob ? 'warn' : v.verdict,
    observed: `${v.observed} The takeover has not happened: ${job.text}`,
    mismatches: v.mismatches,
  };
}

function takeoverVerdictCore(input: {
  observation: CloudSyncObservation;
  read: Pick<SoaRead, 'isCloudManaged' | 'onPremisesSyncEnabled' | 'displayName'> & { mail?: string | null };
  ad: AdValues | null;
}): { verdict: 'pass' | 'warn' | 'fail'; observed: string; mismatches: string[] } {
  const { observation: o, read, ad } = input;
  const decisive = decisiveOutcome(o);
  const mismatches = ad ? attributeMismatches(read, ad) : [];
  const flags = `isCloudManaged = ${String(read.isCloudManaged)}; onPremisesSyncEnabled = ${String(read.onPremisesSyncEnabled)}`;
  if (read.isCloudManaged === true)
    return { verdict: 'fail', observed: `${flags}: the rollback has not been applied.`, mismatches };
  if (decisive?.kind === 'soaSkipped') {
    return {
      verdict: 'fail',
      observed: `${flags}; Cloud Sync still skips the object as cloud-managed (${outcomeText(decisive)}).`,
      mismatches,
    };
  }
  if (decisive?.kind === 'failed') {
    return {
      verdict: 'fail',
      observed: `${flags}; Cloud Sync failed to process the object (${outcomeText(decisive)}).`,
      mismatches,
    };
  }
  const processed = decisive && (decisive.kind === 'processed' || decisive.kind === 'skippedOther') ? decisive : null;
  const engineText = processed
    ? `Cloud Sync processed the object again (${outcomeText(processed)})`
    : `no provisioning-log entry showing the object processed again was observed${o.logError ? ` (the log could not be read: ${o.logError})` : ''}`;
  const adText = ad
    ? mismatches.length === 0
      ? 'the attributes match AD'
      : `attributes differ from AD: ${mismatches.join('; ')}`
    : 'AD values could not be read, so the attributes were not compared';
  if (read.onPremisesSyncEnabled !== true) {
    return {
      verdict: processed ? 'warn' : 'fail',
      observed: `${flags} (not yet synced again); ${engineText}; ${adText}.`,
      mismatches,
    };
  }
  if (processed && ad && mismatches.length === 0)
    return { verdict: 'pass', observed: `${flags}; ${engineText}; ${adText}.`, mismatches };
  if (mismatches.length > 0) return { verdict: 'fail', observed: `${flags}; ${engineText}; ${adText}.`, mismatches };
  return { verdict: 'warn', observed: `${flags}; ${engineText}; ${adText}.`, mismatches };
}

/**
 * After a rollback: have Cloud Sync process the object (provisionOnDemand, or the next cycle), wait for its entry
 * showing it processed again, then check onPremisesSyncEnabled and compare the attributes with AD.
 */
export async function stepVerifyTakeoverCloudSync(
  ports: FlowPorts,
  ctx: CloudSyncContext,
  target: ContactTarget,
  since: string,
  options: CloudSyncStepOptions = {},
): Promise<{ step: StepEvidence; ok: boolean; observation: CloudSyncObservation }> {
  const step = newStep(
    'takeover',
    'Verify the takeover',
    'Have Cloud Sync process the object (provisionOnDemand, or the next cycle) and read its provisioning-log entry; then check that onPremisesSyncEnabled is true and the attributes match AD.',
    ports.clock.now(),
  );
  step.expected =
    'A provisioning-log entry after the rollback shows the object processed (not skipped for SOA); onPremisesSyncEnabled = true; displayName and mail match AD.';
  const observation = await observeCloudSync(
    ports,
    ctx,
    target,
    since,
    (o) => o.kind === 'processed' || o.kind === 'skippedOther' || o.kind === 'failed',
    options,
  );
  step.requests.push(...observation.requests);
  let ad: AdValues | null = null;
  if (target.dn) {
    const found = await ports.ipc.call('server.findOnPremContact', { dn: target.dn });
    step.requests.push({
      kind: 'powershell',
      label: `Get-ADObject -Identity '${target.dn}' -Properties displayName,mail`,
      at: ports.clock.now().toISOString(),
      status: found.ok ? `${found.value.matches.length} match(es)` : found.error.code,
      response: found.ok ? found.value.matches : { error: found.error.message },
    });
    const m = found.ok ? found.value.matches[0] : undefined;
    if (m) ad = { displayName: m.displayName, mail: m.mail };
    else step.notes.push('The AD object could not be read, so the attributes were not compared with AD.');
  }
  const read = await readSoa(ports, target.id);
  step.requests.push(...read.requests);
  const at = ports.clock.now().toISOString();
  const contact = await getContact(ports.graph, target.id, 'id,displayName,mail');
  step.requests.push(
    graphRecord(
      `GET ${graphUrl(ports, `/contacts/${encodeURIComponent(target.id)}?$select=id,displayName,mail`)}`,
      at,
      contact.ok ? contact.status : contact.error.status,
      contact.requestId,
      contact.ok
        ? { displayName: contact.value.displayName ?? null, mail: contact.value.mail ?? null }
        : { error: contact.error.code },
    ),
  );
  const v = takeoverVerdict({
    observation,
    read: { ...read, ...(contact.ok ? { mail: contact.value.mail ?? null } : {}) },
    ad,
  });
  return { step: finishStep(step, v.verdict, v.observed, ports.clock.now()), ok: v.verdict === 'pass', observation };
}
