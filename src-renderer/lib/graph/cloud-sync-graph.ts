/**
 * Typed Graph calls for objects synced by Cloud Sync (the Microsoft Entra provisioning agent): the configurations
 * (service principal + AD2AADProvisioning job), the job's schema rule, provisionOnDemand and the provisioning log.
 * Facts and sources: docs/reference/cloud-sync.md. Every call goes through the one GraphSession; the two calls with
 * a 5-per-10-s limit pass through a `RateWindow` and never let the client's retry handler retry a 429 on its own.
 * Nothing throws.
 */
import { z } from 'zod';
import { searchDomain } from '@contract';
import type { GraphCall, GraphSession } from './graph-client';
import { failure, ok, type GraphResult } from './graph-result';
import type { RateWindow } from './rate-window';
import { AUDIT_ROLE_NAMES } from './roles';
import { STEP_SCOPES } from './scopes';

/** The application template every Cloud Sync configuration is instantiated from (docs/reference/cloud-sync.md#finding-the-configuration). */
export const CLOUD_SYNC_APP_TEMPLATE_ID = '1a4721b3-e57f-4451-ae87-ef078703ec94';
export const AD2AAD_JOB_TEMPLATE = 'AD2AADProvisioning';
const SYNC_ROLE = 'Hybrid Identity Administrator';
const SYNC_ROLE_HINT = 'or Application Administrator / Cloud Application Administrator';

function seg(id: string): string {
  return encodeURIComponent(id);
}

const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ value: z.array(item), '@odata.nextLink': z.string().optional() });

async function readPages<T>(
  g: GraphSession,
  first: GraphCall,
  item: z.ZodType<T>,
  maxPages = 20,
): Promise<GraphResult<T[]>> {
  const schema = pageSchema(item);
  const out: T[] = [];
  let next: string | undefined;
  const requestIds: (string | null)[] = [];
  let pages = 0;
  do {
    const r = await g.call(next ? { ...first, path: next, query: {} } : first, (body) => schema.parse(body));
    if (!r.ok) return r;
    requestIds.push(r.requestId);
    pages++;
    out.push(...(r.value.value as T[]));
    next = r.value['@odata.nextLink'];
  } while (next && pages < maxPages);
  return ok(out, 200, requestIds[requestIds.length - 1] ?? null);
}

// ----------------------------------------------------------------------------------------------
// Configurations
// ----------------------------------------------------------------------------------------------

const servicePrincipalSchema = z.object({
  id: z.string(),
  appId: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
  applicationTemplateId: z.string().nullable().optional(),
  servicePrincipalNames: z.array(z.string()).nullable().optional(),
});

const keyValueSchema = z.object({ name: z.string(), value: z.string().nullable().optional() });
const jobSchema = z.object({
  id: z.string(),
  templateId: z.string().nullable().optional(),
  schedule: z
    .object({ interval: z.string().nullable().optional(), state: z.string().nullable().optional() })
    .nullable()
    .optional(),
  status: z
    .object({
      code: z.string().nullable().optional(),
      /** a synchronizationQuarantine when the job is in quarantine (docs/reference/cloud-sync.md#quarantine) */
      quarantine: z
        .object({
          reason: z.string().nullable().optional(),
          currentBegan: z.string().nullable().optional(),
          nextAttempt: z.string().nullable().optional(),
          error: z
            .object({ code: z.string().nullable().optional(), message: z.string().nullable().optional() })
            .passthrough()
            .nullable()
            .optional(),
        })
        .passthrough()
        .nullable()
        .optional()
        .catch(null),
    })
    .passthrough()
    .nullable()
    .optional(),
  synchronizationJobSettings: z.array(keyValueSchema).nullable().optional(),
});
export type SynchronizationJob = z.infer<typeof jobSchema>;

export interface CloudSyncConfiguration {
  servicePrincipalId: string;
  displayName: string | null;
  jobId: string;
  /** The AD domain the job provisions from, lower-case; null when neither the job nor the name tells. */
  domain: string | null;
  /** Where `domain` came from: the job's DomainFQDN setting, or the service principal's display name. */
  domainSource: 'jobSettings' | 'displayName' | 'none';
  forest: string | null;
  /** `Active`, `Paused`, `Disabled`… (the schedule state), and the job status code, as Graph reports them. */
  scheduleState: string | null;
  statusCode: string | null;
  interval: string | null;
  /** What the job reports about its quarantine (absent or null: none reported). */
  quarantine?: JobQuarantine | null;
}

/** The parts of a job's `status.quarantine` the evidence names (each null when not reported). */
export interface JobQuarantine {
  reason: string | null;
  since: string | null;
  nextAttempt: string | null;
  error: string | null;
}

function quarantineOf(job: SynchronizationJob): JobQuarantine | null {
  const q = job.status?.quarantine;
  if (!q) return null;
  const error = [q.error?.code, q.error?.message].filter((x): x is string => !!x).join(': ');
  return {
    reason: q.reason ?? null,
    since: q.currentBegan ?? null,
    nextAttempt: q.nextAttempt ?? null,
    error: error || null,
  };
}

function setting(job: SynchronizationJob, name: string): string | null {
  const hit = (job.synchronizationJobSettings ?? []).find((s) => s.name.toLowerCase() === name.toLowerCase());
  const v = hit?.value?.trim();
  return v ? v : null;
}

/** True for the AD → Entra job: its template id, or (a documented sample disagrees) its id prefix. */
export function isAd2AadJob(job: Pick<SynchronizationJob, 'id' | 'templateId'>): boolean {
  return (
    (job.templateId ?? '').toLowerCase() === AD2AAD_JOB_TEMPLATE.toLowerCase() ||
    job.id.toLowerCase().startsWith(`${AD2AAD_JOB_TEMPLATE.toLowerCase()}.`)
  );
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

export function configurationOf(
  sp: { id: string; displayName?: string | null | undefined },
  job: SynchronizationJob,
): CloudSyncConfiguration {
  const fromJob = setting(job, 'DomainFQDN');
  const name = sp.displayName?.trim() ?? '';
  const fromName = !fromJob && DNS_NAME.test(name) ? name : null;
  return {
    servicePrincipalId: sp.id,
    displayName: sp.displayName ?? null,
    jobId: job.id,
    domain: (fromJob ?? fromName)?.toLowerCase() ?? null,
    domainSource: fromJob ? 'jobSettings' : fromName ? 'displayName' : 'none',
    forest: setting(job, 'ForestFQDN')?.toLowerCase() ?? null,
    scheduleState: job.schedule?.state ?? null,
    statusCode: job.status?.code ?? null,
    interval: job.schedule?.interval ?? null,
    quarantine: quarantineOf(job),
  };
}

/**
 * Whether the job's schedule will run a cycle: `running` (Active), `stopped` (status `Paused` or `NotConfigured`, or
 * schedule `Paused` / `Disabled`: no scheduled cycle runs until someone starts the job), `quarantine` (cycles run at
 * a reduced frequency), `unknown` (not reported). docs/reference/cloud-sync.md#pause-start-and-restart
 */
export type JobRunState = 'running' | 'stopped' | 'quarantine' | 'unknown';

export interface JobRunStateInfo {
  state: JobRunState;
  statusCode: string | null;
  scheduleState: string | null;
  /** One sentence for the evidence. */
  text: string;
}

/**
 * What to do about a job in quarantine: Microsoft's quarantine page says to fix the cause, then restart provisioning
 * (docs/reference/cloud-sync.md#quarantine). soa-pilot restarts no job.
 */
export const QUARANTINE_FIX =
  'Fix the cause shown for the configuration in the Microsoft Entra admin center (Cloud Sync → Configurations), then restart provisioning there; soa-pilot does not restart jobs. Until then the job runs at most about once a day, and after four weeks in quarantine it is disabled.';

/** Classify a job's `status.code` and `schedule.state` (pure; each combination is unit-tested). */
export function jobRunState(job: {
  statusCode: string | null;
  scheduleState: string | null;
  quarantine?: JobQuarantine | null;
}): JobRunStateInfo {
  const code = (job.statusCode ?? '').toLowerCase();
  const schedule = (job.scheduleState ?? '').toLowerCase();
  const shown = `status ${job.statusCode ?? 'not reported'}, schedule ${job.scheduleState ?? 'not reported'}`;
  const base = { statusCode: job.statusCode, scheduleState: job.scheduleState };
  if (code === 'paused' || code === 'notconfigured' || schedule === 'paused' || schedule === 'disabled') {
    return {
      ...base,
      state: 'stopped',
      text: `The Cloud Sync job is paused (${shown}): no scheduled cycle will run until it is started in the Microsoft Entra admin center (Cloud Sync → Configurations). soa-pilot does not start jobs.`,
    };
  }
  if (code === 'quarantine') {
    const q = job.quarantine;
    const details = q
      ? [
          q.reason ? `reason ${q.reason}` : null,
          q.since ? `since ${q.since}` : null,
          q.nextAttempt ? `next attempt ${q.nextAttempt}` : null,
          q.error ? `error ${q.error}` : null,
        ].filter((x): x is string => x !== null)
      : [];
    return {
      ...base,
      state: 'quarantine',
      text: `The Cloud Sync job is in quarantine (${shown}${details.length > 0 ? `; ${details.join('; ')}` : ''}): its cycles run at a reduced frequency, so blocks and takeovers may not be observed for up to a day. ${QUARANTINE_FIX}`,
    };
  }
  const codeRuns = code === 'active' || code === 'notrun';
  if ((codeRuns && (schedule === 'active' || schedule === '')) || (code === '' && schedule === 'active')) {
    return { ...base, state: 'running', text: `The Cloud Sync job runs on its schedule (${shown}).` };
  }
  return { ...base, state: 'unknown', text: `The Cloud Sync job's run state is not clear (${shown}).` };
}

/** `GET …/synchronization/jobs/{jobId}`: the job's current status and schedule (docs/reference/cloud-sync.md#pause-start-and-restart). */
export async function getJobRunState(
  g: GraphSession,
  servicePrincipalId: string,
  jobId: string,
): Promise<GraphResult<JobRunStateInfo>> {
  return g.call(
    {
      method: 'GET',
      path: `/servicePrincipals/${seg(servicePrincipalId)}/synchronization/jobs/${seg(jobId)}`,
      scopes: STEP_SCOPES.cloudSync,
      requiredRole: SYNC_ROLE,
      roleHint: SYNC_ROLE_HINT,
    },
    (body) => {
      const job = jobSchema.parse(body);
      return jobRunState({
        statusCode: job.status?.code ?? null,
        scheduleState: job.schedule?.state ?? null,
        quarantine: quarantineOf(job),
      });
    },
  );
}

/**
 * The AD domains of Cloud Sync configurations that a search by mail or name may also ask with `-Server` (their
 * DomainFQDN, when it is a DNS name; each once, at most 50 — the contract's limit).
 */
export function searchDomainsOf(configurations: readonly CloudSyncConfiguration[]): string[] {
  const names = configurations.flatMap((c) => (c.domain && searchDomain.safeParse(c.domain).success ? [c.domain] : []));
  return [...new Set(names)].slice(0, 50);
}

export interface CloudSyncDiscovery {
  configurations: CloudSyncConfiguration[];
  /** Every request id, in order (evidence). */
  requestIds: (string | null)[];
}

/**
 * Every Cloud Sync configuration of the tenant with its AD2AADProvisioning job: the service principals made from
 * the Cloud Sync template, then each one's jobs. A tenant without Cloud Sync gives an empty list.
 */
export async function listCloudSyncConfigurations(g: GraphSession): Promise<GraphResult<CloudSyncDiscovery>> {
  const requestIds: (string | null)[] = [];
  // Two documented ways to recognise the service principal: `applicationTemplateId` (null in Microsoft's own example
  // of a Cloud Sync service principal) and the template id among `servicePrincipalNames`. Both are asked, merged by id;
  // one refused filter is not fatal while the other answers (docs/reference/cloud-sync.md#finding-the-configuration).
  const byFilter = async (filter: string) => {
    const r = await readPages(
      g,
      {
        method: 'GET',
        path: '/servicePrincipals',
        query: { $filter: filter, $select: 'id,appId,displayName,applicationTemplateId,servicePrincipalNames' },
        scopes: STEP_SCOPES.cloudSync,
      },
      servicePrincipalSchema,
    );
    requestIds.push(r.requestId);
    return r;
  };
  const byTemplate = await byFilter(`applicationTemplateId eq '${CLOUD_SYNC_APP_TEMPLATE_ID}'`);
  const byName = await byFilter(`servicePrincipalNames/any(n:n eq '${CLOUD_SYNC_APP_TEMPLATE_ID}')`);
  if (!byTemplate.ok && !byName.ok) return byTemplate;
  const found = new Map<string, z.infer<typeof servicePrincipalSchema>>();
  for (const sp of [...(byTemplate.ok ? byTemplate.value : []), ...(byName.ok ? byName.value : [])])
    found.set(sp.id, sp);
  const sps = { value: [...found.values()] };
  const configurations: CloudSyncConfiguration[] = [];
  for (const sp of sps.value) {
    const jobs = await readPages(
      g,
      {
        method: 'GET',
        path: `/servicePrincipals/${seg(sp.id)}/synchronization/jobs`,
        scopes: STEP_SCOPES.cloudSync,
        requiredRole: SYNC_ROLE,
        roleHint: SYNC_ROLE_HINT,
      },
      jobSchema,
    );
    requestIds.push(jobs.requestId);
    if (!jobs.ok) return jobs;
    for (const job of jobs.value.filter(isAd2AadJob)) configurations.push(configurationOf(sp, job));
  }
  return ok({ configurations, requestIds }, 200, requestIds[requestIds.length - 1] ?? null);
}

// ----------------------------------------------------------------------------------------------
// Schema: the rule id and the object type name provisionOnDemand takes
// ----------------------------------------------------------------------------------------------

const objectMappingSchema = z.object({
  name: z.string().nullable().optional(),
  enabled: z.boolean().nullable().optional(),
  sourceObjectName: z.string().nullable().optional(),
  targetObjectName: z.string().nullable().optional(),
});
const ruleSchema = z.object({
  id: z.string(),
  name: z.string().nullable().optional(),
  sourceDirectoryName: z.string().nullable().optional(),
  targetDirectoryName: z.string().nullable().optional(),
  objectMappings: z.array(objectMappingSchema).nullable().optional(),
});
const schemaSchema = z.object({ synchronizationRules: z.array(ruleSchema).nullable().optional() });

export interface ProvisioningRule {
  ruleId: string;
  /** The schema's source object name for this object type (`contact`, `group`, `user`), or null when unmapped. */
  objectTypeName: string | null;
  /**
   * The names provisionOnDemand may expect for the type, in the order to try: the AD object class (the mapping's
   * `sourceObjectName`), then the Entra type (`targetObjectName`). Only `user` is documented; for contacts and groups
   * either is plausible (docs/reference/cloud-sync.md#provision-on-demand). Empty when unmapped.
   */
  objectTypeNames: string[];
  /** Every source object name the rule maps (evidence when the type is missing). */
  mappedTypes: string[];
}

/**
 * Pick the rule and object type for `kind` from a job's schema: the rule whose enabled object mappings include a
 * source object named like the kind (`contact` for contacts; `user` or `inetOrgPerson` for users; `group`), else
 * the first rule with no type (provisionOnDemand is then not used for this object).
 */
export function ruleFor(
  schema: z.infer<typeof schemaSchema>,
  kind: 'contact' | 'user' | 'group',
): ProvisioningRule | null {
  const rules = schema.synchronizationRules ?? [];
  const wanted = kind === 'user' ? ['user', 'inetorgperson'] : [kind];
  for (const rule of rules) {
    const mapping = (rule.objectMappings ?? []).find(
      (m) => m.enabled !== false && wanted.includes((m.sourceObjectName ?? '').toLowerCase()),
    );
    if (mapping?.sourceObjectName) {
      const names = [mapping.sourceObjectName, ...(mapping.targetObjectName ? [mapping.targetObjectName] : [])];
      return {
        ruleId: rule.id,
        objectTypeName: mapping.sourceObjectName,
        objectTypeNames: [...new Set(names)],
        mappedTypes: mappedTypes(rule),
      };
    }
  }
  const first = rules[0];
  return first
    ? { ruleId: first.id, objectTypeName: null, objectTypeNames: [], mappedTypes: mappedTypes(first) }
    : null;
}

function mappedTypes(rule: z.infer<typeof ruleSchema>): string[] {
  return [
    ...new Set(
      (rule.objectMappings ?? [])
        .filter((m) => m.enabled !== false)
        .flatMap((m) => (m.sourceObjectName ? [m.sourceObjectName] : [])),
    ),
  ];
}

export async function getProvisioningRule(
  g: GraphSession,
  servicePrincipalId: string,
  jobId: string,
  kind: 'contact' | 'user' | 'group',
): Promise<GraphResult<ProvisioningRule | null>> {
  return g.call(
    {
      method: 'GET',
      path: `/servicePrincipals/${seg(servicePrincipalId)}/synchronization/jobs/${seg(jobId)}/schema`,
      scopes: STEP_SCOPES.cloudSync,
      requiredRole: SYNC_ROLE,
      roleHint: SYNC_ROLE_HINT,
    },
    (body) => ruleFor(schemaSchema.parse(body), kind),
  );
}

// ----------------------------------------------------------------------------------------------
// provisionOnDemand
// ----------------------------------------------------------------------------------------------

const detailsSchema = z.record(z.string(), z.unknown());
const podStepSchema = z
  .object({
    name: z.string().nullable().optional(),
    type: z.string().nullable().optional(),
    provisioningStepType: z.string().nullable().optional(),
    status: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    details: z.unknown().optional(),
  })
  .passthrough();
export type ProvisioningStepRecord = z.infer<typeof podStepSchema>;

const podKeySchema = z.object({ result: z.string(), details: z.unknown().optional() }).passthrough();
const podValueSchema = z
  .object({
    provisioningSteps: z.array(podStepSchema).optional(),
    statusInfo: z
      .object({ status: z.string().nullable().optional(), reason: z.string().nullable().optional() })
      .passthrough()
      .nullable()
      .optional(),
    action: z.string().nullable().optional(),
    changeId: z.string().nullable().optional(),
  })
  .passthrough();

export interface ProvisionOnDemandResult {
  /** `Success`, `Skipped`, `Failure`… from the `key` JSON. */
  result: string;
  details: Record<string, unknown>;
  steps: ProvisioningStepRecord[];
  statusInfo: { status: string | null; reason: string | null } | null;
  action: string | null;
  changeId: string | null;
}

function parseJsonString(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
}

/** Parse the `stringKeyStringValuePair` provisionOnDemand answers with (docs/reference/cloud-sync.md#provision-on-demand). */
export function parseProvisionOnDemand(body: unknown): ProvisionOnDemandResult {
  const pair = z.object({ key: z.string(), value: z.string().nullable().optional() }).parse(body);
  const key = podKeySchema.parse(parseJsonString(pair.key, 'key'));
  const value = podValueSchema.parse(pair.value ? parseJsonString(pair.value, 'value') : {});
  const details = detailsSchema.safeParse(key.details);
  return {
    result: key.result,
    details: details.success ? details.data : {},
    steps: value.provisioningSteps ?? [],
    statusInfo: value.statusInfo
      ? { status: value.statusInfo.status ?? null, reason: value.statusInfo.reason ?? null }
      : null,
    action: value.action ?? null,
    changeId: value.changeId ?? null,
  };
}

export interface ProvisionOnDemandRequest {
  servicePrincipalId: string;
  jobId: string;
  ruleId: string;
  /** The AD distinguished name of the object. */
  dn: string;
  objectTypeName: string;
}

export function provisionOnDemandBody(r: ProvisionOnDemandRequest): unknown {
  return { parameters: [{ ruleId: r.ruleId, subjects: [{ objectId: r.dn, objectTypeName: r.objectTypeName }] }] };
}

export interface PacedOptions {
  window: RateWindow;
  signal?: AbortSignal;
  /** 429s to wait out (each for its Retry-After) before giving up. Default 3. */
  maxThrottles?: number;
}

/**
 * Send a request through a 5-per-10-s window: wait for a slot, send with no client retry, and on a 429 hold the
 * window for the answer's Retry-After and try again (up to `maxThrottles`). The throttled answers are in `throttles`.
 */
export async function pacedCall<T>(
  g: GraphSession,
  call: GraphCall,
  parse: (body: unknown, status: number) => T,
  options: PacedOptions,
): Promise<{ result: GraphResult<T>; throttles: { requestId: string | null; waitMs: number }[] }> {
  const throttles: { requestId: string | null; waitMs: number }[] = [];
  const max = options.maxThrottles ?? 3;
  for (;;) {
    await options.window.take(options.signal);
    const result = await g.call({ ...call, retries: 0, ...(options.signal ? { signal: options.signal } : {}) }, parse);
    if (result.ok || result.error.kind !== 'throttled' || throttles.length >= max) return { result, throttles };
    const waitMs = result.error.waitSeconds * 1000;
    throttles.push({ requestId: result.requestId, waitMs });
    options.window.hold(waitMs);
  }
}

export async function provisionOnDemand(
  g: GraphSession,
  r: ProvisionOnDemandRequest,
  options: PacedOptions,
): Promise<{
  result: GraphResult<ProvisionOnDemandResult>;
  throttles: { requestId: string | null; waitMs: number }[];
}> {
  return pacedCall(
    g,
    {
      method: 'POST',
      path: `/servicePrincipals/${seg(r.servicePrincipalId)}/synchronization/jobs/${seg(r.jobId)}/provisionOnDemand`,
      headers: { 'Content-Type': 'application/json' },
      body: provisionOnDemandBody(r),
      scopes: STEP_SCOPES.cloudSync,
      requiredRole: SYNC_ROLE,
      roleHint: SYNC_ROLE_HINT,
    },
    (body) => parseProvisionOnDemand(body),
    options,
  );
}

// ----------------------------------------------------------------------------------------------
// Provisioning log
// ----------------------------------------------------------------------------------------------

const identitySchema = z
  .object({
    id: z.string().nullable().optional(),
    displayName: z.string().nullable().optional(),
    identityType: z.string().nullable().optional(),
    details: z.unknown().optional(),
  })
  .passthrough();

const provisioningEntrySchema = z
  .object({
    id: z.string(),
    activityDateTime: z.string(),
    jobId: z.string().nullable().optional(),
    cycleId: z.string().nullable().optional(),
    changeId: z.string().nullable().optional(),
    provisioningAction: z.string().nullable().optional(),
    provisioningStatusInfo: z
      .object({
        status: z.string().nullable().optional(),
        errorInformation: z
          .object({
            errorCode: z.string().nullable().optional(),
            reason: z.string().nullable().optional(),
            additionalDetails: z.string().nullable().optional(),
          })
          .passthrough()
          .nullable()
          .optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
    provisioningSteps: z.array(podStepSchema).nullable().optional(),
    sourceIdentity: identitySchema.nullable().optional(),
    targetIdentity: identitySchema.nullable().optional(),
    servicePrincipal: z.unknown().optional(),
  })
  .passthrough();
export type ProvisioningLogEntry = z.infer<typeof provisioningEntrySchema>;

export interface ProvisioningLogQuery {
  jobId: string;
  /** Entries after this instant (exclusive: the API offers gt, not ge). */
  since: Date | string;
  /** Entries before this instant, when set. */
  until?: Date | string;
  /** Stop after this many pages (default 10). */
  maxPages?: number;
}

function isoSeconds(d: Date | string): string {
  return (typeof d === 'string' ? new Date(d) : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The `$filter` for one job in a time window (docs/reference/cloud-sync.md#provisioning-logs). */
export function provisioningLogFilter(q: ProvisioningLogQuery): string {
  const parts = [`jobId eq '${q.jobId.replace(/'/g, "''")}'`, `activityDateTime gt ${isoSeconds(q.since)}`];
  if (q.until !== undefined) parts.push(`activityDateTime lt ${isoSeconds(q.until)}`);
  return parts.join(' and ');
}

export interface ProvisioningLogPage {
  entries: ProvisioningLogEntry[];
  pages: number;
  requestIds: (string | null)[];
  throttles: { requestId: string | null; waitMs: number }[];
  /** Present when maxPages stopped the walk before the end. */
  nextLink: string | null;
}

/**
 * Provisioning-log entries of one job in a time window, every page through the reporting window (5 per 10 s).
 * One query serves many objects: callers match entries to objects with `entryMatches`.
 */
export async function listProvisioningLogs(
  g: GraphSession,
  q: ProvisioningLogQuery,
  options: PacedOptions,
): Promise<GraphResult<ProvisioningLogPage>> {
  const schema = pageSchema(provisioningEntrySchema);
  const entries: ProvisioningLogEntry[] = [];
  const requestIds: (string | null)[] = [];
  const throttles: { requestId: string | null; waitMs: number }[] = [];
  let next: string | undefined;
  let pages = 0;
  const maxPages = q.maxPages ?? 10;
  const base = {
    scopes: STEP_SCOPES.audit,
    requiredRole: AUDIT_ROLE_NAMES,
    roleHint: 'tenant-wide; provisioning logs also need a Microsoft Entra ID P1 or P2 licence',
  };
  do {
    const { result, throttles: t } = await pacedCall(
      g,
      next
        ? { method: 'GET', path: next, ...base }
        : {
            method: 'GET',
            path: '/auditLogs/provisioning',
            query: { $filter: provisioningLogFilter(q), $top: '100' },
            ...base,
          },
      (body) => schema.parse(body),
      options,
    );
    throttles.push(...t);
    requestIds.push(result.requestId);
    if (!result.ok) return failure(result.error, result.requestId);
    pages++;
    entries.push(...result.value.value);
    next = result.value['@odata.nextLink'];
  } while (next && pages < maxPages);
  entries.sort((a, b) => a.activityDateTime.localeCompare(b.activityDateTime));
  return ok(
    { entries, pages, requestIds, throttles, nextLink: next ?? null },
    200,
    requestIds[requestIds.length - 1] ?? null,
  );
}
