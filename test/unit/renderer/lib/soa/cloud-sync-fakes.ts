/**
 * Fakes for the Cloud Sync path that can fail the way Graph fails: a clock that records every sleep, and a Graph
 * transport (below the real GraphSession) that answers the synchronization and provisioning-log endpoints as
 * documented, counts requests per 10 s on that clock, and answers a 429 with a real Retry-After header when a
 * caller goes over 5 per 10 s.
 */
import { createGraphSession, type GraphSession } from '../../../../../src-renderer/lib/graph/graph-client';
import { CLOUD_SYNC_APP_TEMPLATE_ID } from '../../../../../src-renderer/lib/graph/cloud-sync-graph';

export interface RecordingClock {
  clock: { now(): Date; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  sleeps: number[];
  advance(ms: number): void;
}

export function recordingClock(start = 1_800_000_000_000): RecordingClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    clock: {
      now: () => new Date(t),
      sleep: async (ms: number) => {
        sleeps.push(ms);
        t += ms;
      },
    },
    sleeps,
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface FakeJob {
  id: string;
  templateId: string;
  settings?: { name: string; value: string }[];
  /** `status.code` (default Active) and `schedule.state` (default Active), e.g. Paused / Disabled for a paused job. */
  statusCode?: string;
  scheduleState?: string;
  /** `status.quarantine` (a synchronizationQuarantine) when the job is in quarantine */
  quarantine?: Record<string, unknown>;
}
export interface FakeConfiguration {
  spId: string;
  displayName: string;
  jobs: FakeJob[];
  /** Source object names the job schema maps. */
  mappedTypes: string[];
  ruleId: string;
}

export interface FakeCloudSyncGraph {
  graph: GraphSession;
  /** Every request the transport saw: method, path (with query), status, at (clock ms). */
  requests: { method: string; url: string; status: number; at: number; body?: unknown }[];
  /** Log entries `/auditLogs/provisioning` serves (filtered by jobId and activityDateTime like Graph). */
  log: Record<string, unknown>[];
  /** The provisionOnDemand answer for a request body (the `stringKeyStringValuePair`). */
  onDemand: (body: unknown) => { status: number; body: unknown };
  /** Requests allowed per 10 s on each limited endpoint (default 5, as documented). */
  limit: number;
  /** Retry-After (seconds) the transport sends with a 429. */
  retryAfterSeconds: number;
  configurations: FakeConfiguration[];
  /** Status to answer the provisioning log with (e.g. 403 for a tenant without P1/P2). */
  logFailure: { status: number; code: string; message: string } | null;
  /** Status to answer the synchronization API with (e.g. 403 for an admin without Hybrid Identity Administrator). */
  syncFailure: { status: number; code: string; message: string } | null;
  /** Where the template id shows: `applicationTemplateId` (set) or only `servicePrincipalNames` (Microsoft's example). */
  templateIdIn: 'applicationTemplateId' | 'servicePrincipalNames';
  /** The objectTypeName provisionOnDemand accepts for contacts (a 400 for another): the AD class, the Entra type, or both. */
  contactTypeName: 'contact' | 'Contact' | 'either';
  /** Any other endpoint (contacts, onPremisesSyncBehavior): return null for a 404. */
  other: (method: string, path: string, body: unknown) => { status: number; body: unknown } | null;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json',
      'request-id': `rid-${Math.random().toString(16).slice(2, 10)}`,
      ...headers,
    },
  });
}

/** The documented stringKeyStringValuePair for a provisionOnDemand outcome. */
export function onDemandAnswer(
  result: string,
  steps: { name: string; type: string; status: string; description: string; details?: Record<string, unknown> }[],
  details: Record<string, unknown> = {},
): unknown {
  return {
    '@odata.context': 'https://graph.test/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair',
    key: JSON.stringify({ result, details }),
    value: JSON.stringify({
      provisioningSteps: steps.map((s) => ({ timestamp: '2026-01-01T00:00:00Z', details: {}, ...s })),
    }),
  };
}

export function fakeCloudSyncGraph(
  clock: RecordingClock['clock'],
  configurations: FakeConfiguration[],
): FakeCloudSyncGraph {
  const sentAt = new Map<string, number[]>();
  const state: FakeCloudSyncGraph = {
    graph: undefined as unknown as GraphSession,
    requests: [],
    log: [],
    onDemand: () => ({ status: 200, body: onDemandAnswer('Success', []) }),
    limit: 5,
    retryAfterSeconds: 4,
    configurations,
    logFailure: null,
    other: () => null,
    syncFailure: null,
    templateIdIn: 'applicationTemplateId',
    contactTypeName: 'contact',
  };
  const limited = (bucket: string): Response | null => {
    const now = clock.now().getTime();
    const list = (sentAt.get(bucket) ?? []).filter((t) => t > now - 10_000);
    if (list.length >= state.limit) {
      sentAt.set(bucket, list);
      return json(
        429,
        { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
        { 'Retry-After': String(state.retryAfterSeconds) },
      );
    }
    list.push(now);
    sentAt.set(bucket, list);
    return null;
  };
  const jobView = (j: FakeJob): Record<string, unknown> => ({
    id: j.id,
    templateId: j.templateId,
    schedule: { interval: 'PT2M', state: j.scheduleState ?? 'Active' },
    status: { code: j.statusCode ?? 'Active', quarantine: j.quarantine ?? null },
    synchronizationJobSettings: j.settings ?? [],
  });
  const route = async (method: string, url: URL, body: unknown): Promise<Response> => {
    const path = decodeURIComponent(url.pathname.replace(/^\/(v1\.0|beta)/, ''));
    if (method === 'GET' && path === '/servicePrincipals') {
      const filter = url.searchParams.get('$filter') ?? '';
      const hit = filter.includes(CLOUD_SYNC_APP_TEMPLATE_ID) && filter.startsWith(state.templateIdIn);
      return json(200, {
        value: hit
          ? state.configurations.map((c) => ({
              id: c.spId,
              displayName: c.displayName,
              applicationTemplateId: state.templateIdIn === 'applicationTemplateId' ? CLOUD_SYNC_APP_TEMPLATE_ID : null,
              servicePrincipalNames: [CLOUD_SYNC_APP_TEMPLATE_ID],
            }))
          : [],
      });
    }
    if (state.syncFailure && path.includes('/synchronization/')) {
      return json(state.syncFailure.status, {
        error: { code: state.syncFailure.code, message: state.syncFailure.message },
      });
    }
    let m = /^\/servicePrincipals\/([^/]+)\/synchronization\/jobs$/.exec(path);
    if (method === 'GET' && m) {
      const cfg = state.configurations.find((c) => c.spId === m![1]);
      if (!cfg) return json(404, { error: { code: 'Request_ResourceNotFound', message: 'no sp' } });
      return json(200, {
        value: cfg.jobs.map(jobView),
      });
    }
    m = /^\/servicePrincipals\/([^/]+)\/synchronization\/jobs\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      const job = state.configurations.find((c) => c.spId === m![1])?.jobs.find((j) => j.id === m![2]);
      if (!job) return json(404, { error: { code: 'Request_ResourceNotFound', message: 'no job' } });
      return json(200, jobView(job));
    }
    m = /^\/servicePrincipals\/([^/]+)\/synchronization\/jobs\/([^/]+)\/schema$/.exec(path);
    if (method === 'GET' && m) {
      const cfg = state.configurations.find((c) => c.spId === m![1]);
      if (!cfg) return json(404, { error: { code: 'Request_ResourceNotFound', message: 'no sp' } });
      return json(200, {
        synchronizationRules: [
          {
            id: cfg.ruleId,
            name: 'AD2AAD',
            objectMappings: cfg.mappedTypes.map((t) => ({
              enabled: true,
              name: `Provision ${t}`,
              sourceObjectName: t,
              targetObjectName: t === 'inetOrgPerson' ? 'User' : t.charAt(0).toUpperCase() + t.slice(1),
            })),
          },
        ],
      });
    }
    m = /^\/servicePrincipals\/([^/]+)\/synchronization\/jobs\/([^/]+)\/provisionOnDemand$/.exec(path);
    if (method === 'POST' && m) {
      const throttled = limited('pod');
      if (throttled) return throttled;
      const subject = (body as { parameters?: { subjects?: { objectTypeName?: string }[] }[] }).parameters?.[0]
        ?.subjects?.[0];
      const typeName = subject?.objectTypeName ?? '';
      if (
        typeName.toLowerCase() === 'contact' &&
        state.contactTypeName !== 'either' &&
        typeName !== state.contactTypeName
      ) {
        return json(400, { error: { code: 'BadRequest', message: `Unsupported objectTypeName ${typeName}` } });
      }
      const a = state.onDemand(body);
      return json(a.status, a.body);
    }
    if (method === 'POST' && /\/start$/.test(path)) return json(204, null);
    if (method === 'GET' && path === '/auditLogs/provisioning') {
      const throttled = limited('reports');
      if (throttled) return throttled;
      if (state.logFailure)
        return json(state.logFailure.status, {
          error: { code: state.logFailure.code, message: state.logFailure.message },
        });
      const filter = url.searchParams.get('$filter') ?? '';
      const job = /jobId eq '([^']+)'/.exec(filter)?.[1];
      const gt = /activityDateTime gt (\S+)/.exec(filter)?.[1];
      const lt = /activityDateTime lt (\S+)/.exec(filter)?.[1];
      const nowIso = clock.now().toISOString();
      // An entry exists once its time has come (a scheduled cycle "runs" when the clock passes it).
      const value = state.log.filter(
        (e) =>
          String(e.activityDateTime) <= nowIso &&
          (!job || e.jobId === job) &&
          (!gt || String(e.activityDateTime) > gt) &&
          (!lt || String(e.activityDateTime) < lt),
      );
      return json(200, { value });
    }
    const o = state.other(method, path, body);
    if (o) return json(o.status, o.body);
    return json(404, { error: { code: 'NotFound', message: `${method} ${path}` } });
  };
  const fetchImpl = async (input: string | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input.url);
    const method = (init?.method ?? (typeof input === 'string' ? 'GET' : input.method)).toUpperCase();
    let body: unknown;
    const raw = init?.body ?? (typeof input !== 'string' && method !== 'GET' ? await input.clone().text() : undefined);
    if (typeof raw === 'string' && raw) body = JSON.parse(raw);
    const res = await route(method, url, body);
    state.requests.push({
      method,
      url: url.pathname + url.search,
      status: res.status,
      at: clock.now().getTime(),
      ...(body ? { body } : {}),
    });
    return res;
  };
  state.graph = createGraphSession({
    baseUrl: 'https://graph.test',
    customHosts: ['graph.test'],
    fetch: fetchImpl,
    maxRetries: 0,
    // A token carrying exactly the scopes asked for (so a 403 is the role's, not a missing scope's).
    tokenSource: async (scopes) =>
      `h.${Buffer.from(JSON.stringify({ scp: scopes.join(' ') })).toString('base64url')}.s`,
  });
  return state;
}

/** A documented-shape provisioning-log entry. */
export function logEntry(e: {
  id: string;
  at: string;
  jobId: string;
  status: 'success' | 'skipped' | 'failure' | 'warning';
  targetId?: string;
  sourceId?: string;
  dn?: string;
  steps?: {
    name: string;
    provisioningStepType: string;
    status: string;
    description: string;
    details?: Record<string, unknown>;
  }[];
  reason?: string;
  cycleId?: string;
}): Record<string, unknown> {
  return {
    id: e.id,
    activityDateTime: e.at,
    jobId: e.jobId,
    cycleId: e.cycleId ?? 'cycle-1',
    changeId: `change-${e.id}`,
    provisioningAction: 'update',
    provisioningStatusInfo: {
      status: e.status,
      errorInformation: e.reason ? { errorCode: null, reason: e.reason, additionalDetails: null } : null,
    },
    provisioningSteps: e.steps ?? [],
    sourceIdentity: {
      id: e.sourceId ?? e.dn ?? 'src',
      displayName: 'x',
      identityType: 'contact',
      details: e.dn ? { distinguishedName: e.dn } : {},
    },
    targetIdentity: { id: e.targetId ?? null, displayName: 'x', identityType: 'Contact' },
    servicePrincipal: { id: 'sp', name: 'contoso.com' },
  };
}
