/**
 * Reads and waits shared by the transfer and rollback flows: the SOA read (both fields), a sync
 * cycle with live progress, the object trace, and the audit-log poll.
 */
import type { OpOutput, OpProgress, TraceResult } from '@contract';
import { getContact, getSyncBehavior, findSoaAuditEvents, type SoaAuditEvent } from '../graph/soa-graph';
import type { GraphError } from '../graph/graph-result';
import { CancelledError, type FlowPorts } from './ports';
import type { RequestRecord } from './evidence';
import { runStreaming } from './streaming';
import { classify, type Classification, type SoaReading } from './state';

export interface ContactTarget {
  id: string;
  displayName: string;
  mail: string | null;
  /** The matching on-premises DN (confirmed by the admin when matched by mail). */
  dn: string | null;
}

export function graphUrl(ports: FlowPorts, path: string, version: 'v1.0' | 'beta' = 'v1.0'): string {
  return `${ports.graph.baseUrl}/${version}${path}`;
}

export function errorText(e: GraphError): string {
  const head = e.status === 0 ? `no response (${e.message})` : `${e.status} ${e.code || e.kind}: ${e.message}`;
  return `${head}${'fix' in e ? ` — ${e.fix}` : ''}`;
}

export interface SoaRead {
  isCloudManaged: boolean | null;
  onPremisesSyncEnabled: boolean | null;
  displayName: string | null;
  onPremisesLastSyncDateTime: string | null;
  requests: RequestRecord[];
  error?: GraphError;
}

/**
 * What `classify` reads from a `readSoa` result: a field of an object that could not be read stays
 * undefined ("not read"), never null.
 */
export function soaReading(read: SoaRead): SoaReading {
  const objectRead = !read.error || read.isCloudManaged === null;
  return {
    isCloudManaged: read.isCloudManaged,
    onPremisesSyncEnabled: objectRead ? read.onPremisesSyncEnabled : undefined,
    onPremisesLastSyncDateTime: objectRead ? read.onPremisesLastSyncDateTime : undefined,
  };
}

/** The classification of a `readSoa` result (no journal or trace: the steps judge the flags they read). */
export function classifyRead(
  read: SoaRead,
  objectId: string,
  evidence: { rolledBackByThisApp?: boolean } = {},
): Classification {
  return classify({ ...soaReading(read), objectId, ...evidence });
}

/** The two SOA flags as the evidence states them. */
export function soaStateText(read: Pick<SoaRead, 'isCloudManaged' | 'onPremisesSyncEnabled'>): string {
  return `isCloudManaged = ${String(read.isCloudManaged)}; onPremisesSyncEnabled = ${String(read.onPremisesSyncEnabled)}`;
}

/** GET onPremisesSyncBehavior and GET the contact (onPremisesSyncEnabled), with evidence. */
export async function readSoa(ports: FlowPorts, id: string): Promise<SoaRead> {
  const at = ports.clock.now().toISOString();
  const enc = encodeURIComponent(id);
  const b = await getSyncBehavior(ports.graph, 'contact', id);
  const c = await getContact(ports.graph, id);
  const requests: RequestRecord[] = [
    {
      kind: 'graph',
      label: `GET ${graphUrl(ports, `/contacts/${enc}/onPremisesSyncBehavior?$select=isCloudManaged`)}`,
      at,
      status: b.ok ? b.status : b.error.status,
      requestId: b.requestId,
      response: b.ok ? { isCloudManaged: b.value.isCloudManaged } : { error: b.error.code, message: b.error.message },
    },
    {
      kind: 'graph',
      label: `GET ${graphUrl(ports, `/contacts/${enc}?$select=id,displayName,mail,onPremisesSyncEnabled,onPremisesLastSyncDateTime`)}`,
      at,
      status: c.ok ? c.status : c.error.status,
      requestId: c.requestId,
      response: c.ok
        ? {
            displayName: c.value.displayName ?? null,
            onPremisesSyncEnabled: c.value.onPremisesSyncEnabled ?? null,
            onPremisesLastSyncDateTime: c.value.onPremisesLastSyncDateTime ?? null,
          }
        : { error: c.error.code, message: c.error.message },
    },
  ];
  return {
    isCloudManaged: b.ok ? b.value.isCloudManaged : null,
    onPremisesSyncEnabled: c.ok ? (c.value.onPremisesSyncEnabled ?? null) : null,
    displayName: c.ok ? (c.value.displayName ?? null) : null,
    onPremisesLastSyncDateTime: c.ok ? (c.value.onPremisesLastSyncDateTime ?? null) : null,
    requests,
    ...(!b.ok ? { error: b.error } : !c.ok ? { error: c.error } : {}),
  };
}

/**
 * Read the SOA state, and read it again (up to `tuning.readBackAttempts` more times, a
 * `readBackDelayMs` apart) while the cloud has not settled yet: replication can lag a change.
 */
export async function readSoaUntil(
  ports: FlowPorts,
  id: string,
  settled: (read: SoaRead) => boolean,
  signal?: AbortSignal,
): Promise<SoaRead> {
  let read = await readSoa(ports, id);
  for (let i = 0; i < ports.tuning.readBackAttempts && !settled(read); i++) {
    if (signal) await ports.clock.sleep(ports.tuning.readBackDelayMs, signal);
    else await ports.clock.sleep(ports.tuning.readBackDelayMs);
    read = await readSoa(ports, id);
  }
  return read;
}

export type SyncRun = OpOutput<'server.runSyncCycle'>;
export type SyncProgress = OpProgress<'server.runSyncCycle'>;

export interface SyncOutcome {
  ok: boolean;
  result?: SyncRun;
  /** Set when the IPC call failed (powershell, timeout, cancelled…). */
  error?: { code: string; message: string };
  request: RequestRecord;
}

/** Start-ADSyncSyncCycle and wait for it (main waits out a busy engine when asked). */
export async function runSyncCycle(
  ports: FlowPorts,
  options: {
    policyType?: 'Delta' | 'Initial';
    waitIfBusy?: boolean;
    signal?: AbortSignal;
    onProgress?: (p: SyncProgress) => void;
  } = {},
): Promise<SyncOutcome> {
  const policyType = options.policyType ?? 'Delta';
  const at = ports.clock.now().toISOString();
  const r = await runStreaming(
    ports.ipc,
    'server.runSyncCycle',
    { policyType, timeoutSeconds: ports.tuning.syncTimeoutSeconds, waitIfBusy: options.waitIfBusy ?? true },
    {
      operationId: ports.newId(),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  const request: RequestRecord = {
    kind: 'powershell',
    label: `Start-ADSyncSyncCycle -PolicyType ${policyType}; then wait for SyncCycleInProgress = False and Get-ADSyncRunProfileResult`,
    at,
  };
  if (!r.ok) {
    if (r.error.code === 'cancelled')
      throw new CancelledError('The sync wait was cancelled (the cycle itself keeps running on the server).');
    request.status = r.error.code;
    request.response = { error: r.error.code, message: r.error.message };
    return { ok: false, error: { code: r.error.code, message: r.error.message }, request };
  }
  request.status = r.value.status;
  request.response =
    r.value.status === 'completed'
      ? r.value.cycle.runs.map((x) => `${x.connectorName} · ${x.runProfileName}: ${x.result}`)
      : r.value;
  return { ok: r.value.status === 'completed', result: r.value, request };
}

export interface TraceOutcome {
  trace: TraceResult | null;
  error?: { code: string; message: string };
  request: RequestRecord;
}

export async function traceObject(ports: FlowPorts, dn: string, since?: string): Promise<TraceOutcome> {
  const at = ports.clock.now().toISOString();
  const r = await ports.ipc.call('server.traceObject', since ? { dn, since } : { dn });
  const request: RequestRecord = {
    kind: 'powershell',
    label: `Get-ADSyncCSObject -ConnectorName <AD connector> -DistinguishedName '${dn}' → Get-ADSyncMVObject → Get-ADSyncCSObject (Entra connector)${since ? ` → Get-ADSyncRunProfileResult -ConnectorId <Entra connector> -RunStepDetails (Export runs since ${since})` : ''}`,
    at,
  };
  if (!r.ok) {
    request.status = r.error.code;
    request.response = { error: r.error.code, message: r.error.message };
    return { trace: null, error: { code: r.error.code, message: r.error.message }, request };
  }
  request.status = r.value.status;
  request.response =
    r.value.status === 'traced'
      ? {
          blockOnPremisesSync: r.value.blockOnPremisesSync,
          awaitingExportConfirmation: r.value.awaitingExportConfirmation,
          cloudAnchor: r.value.cloudAnchor,
          adConnector: r.value.adConnector.name,
          exportEvidence: r.value.exportEvidence,
          message: r.value.message,
        }
      : { message: r.value.message };
  return { trace: r.value, request };
}

export interface AuditPollState {
  status: 'polling' | 'found' | 'notYetVisible' | 'error' | 'cancelled';
  polls: number;
  elapsedMs: number;
  boundMs: number;
  event: SoaAuditEvent | null;
  lastRequestId: string | null;
  error?: GraphError;
  message: string;
}

/**
 * Poll the directory audit log for this object's SOA entry (both activity spellings). Resolves
 * "notYetVisible" at the bound: audit ingestion is eventually consistent and is not the success
 * signal of the transfer (the GET is).
 */
export async function pollAudit(
  ports: FlowPorts,
  input: { targetId: string; since: string; action: 'transfer' | 'rollback' },
  options: { signal?: AbortSignal; onTick?: (s: AuditPollState) => void } = {},
): Promise<AuditPollState> {
  const start = ports.clock.now().getTime();
  const boundMs = ports.tuning.auditPollBoundMs;
  let polls = 0;
  const state = (s: Omit<AuditPollState, 'polls' | 'elapsedMs' | 'boundMs'>): AuditPollState => ({
    ...s,
    polls,
    elapsedMs: ports.clock.now().getTime() - start,
    boundMs,
  });
  let lastRequestId: string | null = null;
  for (;;) {
    if (options.signal?.aborted) {
      const s = state({ status: 'cancelled', event: null, lastRequestId, message: 'Stopped by the admin.' });
      options.onTick?.(s);
      return s;
    }
    polls++;
    const r = await findSoaAuditEvents(ports.graph, {
      targetId: input.targetId,
      since: input.since,
      actions: [input.action],
    });
    lastRequestId = r.requestId;
    if (r.ok && r.value.length > 0) {
      const event = r.value[r.value.length - 1] ?? null;
      const s = state({
        status: 'found',
        event,
        lastRequestId,
        message: `"${event?.activityDisplayName ?? ''}" at ${event?.activityDateTime ?? ''}.`,
      });
      options.onTick?.(s);
      return s;
    }
    if (!r.ok && r.error.kind !== 'throttled' && r.error.kind !== 'network' && r.error.kind !== 'server') {
      const s = state({ status: 'error', event: null, lastRequestId, error: r.error, message: errorText(r.error) });
      options.onTick?.(s);
      return s;
    }
    const elapsed = ports.clock.now().getTime() - start;
    if (elapsed >= boundMs) {
      const s = state({
        status: 'notYetVisible',
        event: null,
        lastRequestId,
        message: `Not yet visible after ${Math.round(elapsed / 1000)} s (${polls} reads). Audit ingestion can take longer; this is not a failure of the change.`,
      });
      options.onTick?.(s);
      return s;
    }
    options.onTick?.(
      state({
        status: 'polling',
        event: null,
        lastRequestId,
        message: r.ok ? 'Not visible yet; reading again shortly.' : `Read failed (${r.error.kind}); retrying.`,
      }),
    );
    const wait = r.ok
      ? ports.tuning.auditPollIntervalMs
      : Math.max(ports.tuning.auditPollIntervalMs, (r.error.kind === 'throttled' ? r.error.waitSeconds : 2) * 1000);
    try {
      await ports.clock.sleep(Math.min(wait, Math.max(0, boundMs - elapsed)), options.signal);
    } catch (e) {
      if (e instanceof CancelledError) continue;
      throw e;
    }
  }
}
