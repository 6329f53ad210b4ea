/**
 * The Connect Sync side of a bulk run: one sync cycle after the run, and — after an
 * on-premises change — an Event 6956 sweep for the run's DNs that reports which objects are confirmed
 * blocked (the sync engine refused to export them because their SOA is in the cloud). Runs over a
 * server port (the `server.*` operations through the bridge in the app).
 */
import type { OpInput, OpOutput } from '@contract';
import type { BulkAction } from './run-types';
import type { Clock } from './ports';
import { serverConfirms, type CloudSyncState, type ServerObservation } from './evidence-levels';

export interface BulkServerPort {
  runSyncCycle(input: Omit<OpInput<'server.runSyncCycle'>, 'operationId'>): Promise<OpOutput<'server.runSyncCycle'>>;
  events6956(input: OpInput<'server.events6956'>): Promise<OpOutput<'server.events6956'>>;
  /** server traces (AD CS object → metaverse → Entra CS object) of many objects in one PowerShell call */
  traceObjects(input: OpInput<'server.traceObjects'>): Promise<OpOutput<'server.traceObjects'>>;
}

/**
 * DNs per `server.traceObjects` call (the contract's maximum): 2,000 objects take 1 PowerShell call instead
 * of 2,000. Each call reads both connector spaces whole, so fewer, larger calls cost less (on the lab, 1,000
 * DNs in one call took about half the CPU of two calls of 500; `npm run bench -- server` measures it).
 */
export const TRACE_BATCH_SIZE = 2000;

/** Slices of at most `size` items, in order. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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

/** Why a contact has no DN when the AD search found no contact by its mail or display name. */
export const NOT_FOUND = 'No AD contact found by mail or display name.';

/** Contact lookups per `server.findOnPremContacts` call. */
export const LOOKUP_BATCH_SIZE = 1000;

export interface ContactToFind {
  objectId: string;
  displayName?: string | undefined;
  mail?: string | null | undefined;
}

export type FindContacts = (
  input: OpInput<'server.findOnPremContacts'>,
) => Promise<OpOutput<'server.findOnPremContacts'>>;

/**
 * On-premises DNs of contacts (Graph has no onPremisesDistinguishedName for them): found in AD by mail,
 * then display name, in batches (one PowerShell call per batch); only a single match is used.
 */
export async function findContactDns(
  find: FindContacts,
  objects: readonly ContactToFind[],
  o: {
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
    batchSize?: number;
    /** AD domains the search also asks with -Server (the Cloud Sync jobs' DomainFQDN), as data */
    domains?: string[];
  } = {},
): Promise<{ found: SweepObject[]; missing: { objectId: string; reason: string }[] }> {
  const found: SweepObject[] = [];
  const missing: { objectId: string; reason: string }[] = [];
  let done = 0;
  for (const batch of batchesOf(objects, o.batchSize ?? LOOKUP_BATCH_SIZE)) {
    if (o.signal?.aborted) throw new Error('Cancelled.');
    o.onProgress?.(done, objects.length);
    const queries = batch
      .filter((x) => x.mail || x.displayName)
      .map((x) => ({
        key: x.objectId,
        ...(x.mail ? { mail: x.mail } : {}),
        ...(x.displayName ? { displayName: x.displayName } : {}),
      }));
    let results = new Map<string, OpOutput<'server.findOnPremContacts'>['results'][number]['matches']>();
    let error: string | undefined;
    if (queries.length > 0) {
      try {
        results = new Map(
          (await find({ queries, ...(o.domains ? { domains: o.domains } : {}) })).results.map((r) => [
            r.key,
            r.matches,
          ]),
        );
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    for (const x of batch) {
      const matches = results.get(x.objectId) ?? [];
      const only = matches.length === 1 ? matches[0] : undefined;
      if (only)
        found.push({
          objectId: x.objectId,
          dn: only.distinguishedName,
          ...(x.displayName ? { displayName: x.displayName } : {}),
        });
      else
        missing.push({
          objectId: x.objectId,
          reason: error
            ? `AD lookup failed: ${error}`
            : matches.length > 1
              ? `${matches.length} AD contacts match; not swept.`
              : NOT_FOUND,
        });
    }
    done += batch.length;
  }
  o.onProgress?.(done, objects.length);
  return { found, missing };
}

/**
 * `findContactDns`, then the contacts it did not find again in the AD domains `o.domains()` gives (the Cloud Sync
 * jobs' DomainFQDN, which may be in forests no AD connector names; asked with `-Server`, as data —
 * docs/reference/adsync-types.md). `o.domains()` is called only when a contact was not found.
 */
export async function findContactDnsWithDomains(
  find: FindContacts,
  objects: readonly ContactToFind[],
  o: {
    domains: () => Promise<string[]>;
    onDomains?: (objects: number, domains: string[]) => void;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
    batchSize?: number;
  },
): Promise<{ found: SweepObject[]; missing: { objectId: string; reason: string }[] }> {
  const { domains: readDomains, onDomains, ...lookup } = o;
  const first = await findContactDns(find, objects, lookup);
  const notFound = new Set(first.missing.filter((m) => m.reason === NOT_FOUND).map((m) => m.objectId));
  if (notFound.size === 0) return first;
  const domains = await readDomains();
  if (domains.length === 0) return first;
  onDomains?.(notFound.size, domains);
  const again = await findContactDns(
    find,
    objects.filter((x) => notFound.has(x.objectId)),
    { ...lookup, domains },
  );
  return {
    found: [...first.found, ...again.found],
    missing: [...first.missing.filter((m) => !notFound.has(m.objectId)), ...again.missing],
  };
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

export interface FollowUpOptions {
  action: BulkAction;
  clock: Clock;
  /** stop when this much time has passed since the follow-up started (the admin can run it again) */
  timeoutMs: number;
  /** at most this many sync cycles (a rollback takeover needs two) */
  maxCycles?: number;
  /** observations of an earlier follow-up: confirmed objects are not traced again */
  earlier?: ReadonlyMap<string, ServerObservation>;
  signal?: AbortSignal;
  /** after each cycle, with every observation so far */
  onCycle?: (cycle: number, observations: ReadonlyMap<string, ServerObservation>) => void;
  cycleTimeoutSeconds?: number;
  /** DNs per trace call (default TRACE_BATCH_SIZE) */
  traceBatchSize?: number;
  /**
   * A rollback's takeover also shows in Entra ID (onPremisesSyncEnabled = true again): read it for a
   * batch of objects after each cycle. Without it a rollback is never confirmed (see `serverConfirms`).
   */
  cloudState?: (objectIds: string[]) => Promise<Map<string, CloudSyncState>>;
}

export interface FollowUpResult {
  observations: Map<string, ServerObservation>;
  cycles: number;
  stopped: 'allConfirmed' | 'timeout' | 'maxCycles' | 'cancelled' | 'busy' | 'stagingMode';
  message: string;
}

/**
 * Repeat sync cycles until every object is confirmed on the server (its trace shows the action's end
 * state, see `serverConfirms`) or the timeout passes. Each cycle traces only the objects still pending,
 * in batches (one PowerShell call per batch); each object keeps its latest observation and the cycle it
 * was made on.
 */
export async function followUpUntilConfirmed(
  server: BulkServerPort,
  objects: readonly SweepObject[],
  o: FollowUpOptions,
): Promise<FollowUpResult> {
  const observations = new Map<string, ServerObservation>(o.earlier ?? []);
  const pending = (): SweepObject[] => objects.filter((x) => observations.get(x.objectId)?.confirmed !== true);
  const started = o.clock.now();
  const maxCycles = o.maxCycles ?? 10;
  let cycles = 0;
  const done = (stopped: FollowUpResult['stopped'], message: string): FollowUpResult => ({
    observations,
    cycles,
    stopped,
    message,
  });
  while (pending().length > 0) {
    if (o.signal?.aborted) return done('cancelled', `Stopped after ${cycles} cycle(s); ${pending().length} pending.`);
    if (cycles >= maxCycles)
      return done('maxCycles', `${cycles} cycle(s) run; ${pending().length} object(s) still pending on the server.`);
    if (cycles > 0 && o.clock.now() - started >= o.timeoutMs)
      return done('timeout', `Timed out after ${cycles} cycle(s); ${pending().length} object(s) still pending.`);
    const since = new Date(o.clock.now()).toISOString();
    const cycle = await syncAfterRun(server, o.cycleTimeoutSeconds ?? 1800);
    if (cycle.status === 'busy') return done('busy', cycle.message);
    if (cycle.status === 'stagingMode') return done('stagingMode', cycle.message);
    cycles++;
    for (const batch of batchesOf(pending(), o.traceBatchSize ?? TRACE_BATCH_SIZE)) {
      if (o.signal?.aborted) break;
      const { traces, failures } = await server.traceObjects({
        dns: [...new Set(batch.map((x) => x.dn))],
        since,
        // the verdict (serverConfirms) reads only the trace's named members, not the attribute lists
        summary: true,
      });
      const traceOf = new Map(traces.map((t) => [normaliseDn(t.dn), t]));
      const failureOf = new Map(failures.map((f) => [normaliseDn(f.dn), f.message]));
      const cloud =
        o.action === 'rollback' && o.cloudState
          ? await o.cloudState(batch.map((x) => x.objectId)).catch(() => new Map<string, CloudSyncState>())
          : new Map<string, CloudSyncState>();
      const observedAt = new Date(o.clock.now()).toISOString();
      for (const x of batch) {
        const trace = traceOf.get(normaliseDn(x.dn));
        const verdict = trace
          ? serverConfirms(o.action, trace, cloud.get(x.objectId) ?? null)
          : {
              confirmed: false,
              detail: `The server trace failed: ${failureOf.get(normaliseDn(x.dn)) ?? 'the server returned no trace for this DN'}.`,
            };
        observations.set(x.objectId, {
          objectId: x.objectId,
          confirmed: verdict.confirmed,
          awaitingExportConfirmation: trace?.status === 'traced' ? trace.awaitingExportConfirmation : null,
          detail: verdict.detail,
          cycle: cycles,
          observedAt,
          engine: 'connectSync',
        });
      }
    }
    o.onCycle?.(cycles, observations);
  }
  return done('allConfirmed', `Every object confirmed on the server after ${cycles} cycle(s).`);
}
