/**
 * The bulk follow-up for objects synced by Cloud Sync: instead of one provisionOnDemand per object (5 per 10 s), one
 * provisioning-log query per job and time window serves every object of that job, paced by the reporting limit
 * (5 per 10 s), repeated every poll interval until each object has its evidence or the bound passes.
 *
 * - A transferred object is confirmed when its newest entry is the SOA skip (docs/reference/cloud-sync.md#skip-on-soa).
 *   Cloud Sync logs an object only when it processes a change, so without an AD change there may be no entry: the
 *   result then says so and the object stays at the level the cloud read gave it.
 * - A rolled-back object is confirmed when an entry shows it processed again (the takeover), Entra ID reads it
 *   as synced from AD again (`onPremisesSyncEnabled` = true, read through `cloudState`) AND its displayName and mail
 *   match AD (read through `adValues` once the first two hold): the same three pieces of evidence as the wizard's
 *   takeover step. When AD cannot be read, or the values differ, the object is not confirmed, the detail says which,
 *   and it is not waited for again (another cycle would not change what was read).
 * - An object whose job is paused (its `jobState` says `stopped`) is not waited for: no scheduled cycle will run, so
 *   its log is read but the result says the cycle won't come, and a rollback is never confirmed as a takeover
 *   (docs/reference/cloud-sync.md#pause-start-and-restart).
 * The level `serverConfirmed` is the Connect Sync path's third level; here it rests on the provisioning log.
 */
import { listProvisioningLogs, type JobRunStateInfo, type ProvisioningLogEntry } from '../../graph/cloud-sync-graph';
import type { GraphSession } from '../../graph/graph-client';
import { REPORTING_LIMIT, RateWindow, type WindowClock } from '../../graph/rate-window';
import { errorText } from '../verify';
import type { CloudSyncState } from './evidence-levels';
import { attributeMismatches, type AdValues } from '../ad-attribute-match';
import { batchesOf, LOOKUP_BATCH_SIZE, normaliseDn, type FindContacts } from './server-follow-up';
import { entryMatches, outcomeOfLogEntry, type ProvisioningOutcome } from '../provisioning-outcome';

export interface CloudSyncFollowUpObject {
  /** Entra object id. */
  id: string;
  dn: string | null;
  /** The AD2AADProvisioning job that syncs it (from engine detection). */
  jobId: string;
  action: 'transfer' | 'rollback';
  /** The job's run state from discovery (`jobRunState(configuration)`); absent: treated as running. */
  jobState?: JobRunStateInfo | null;
}

export interface CloudSyncObjectEvidence {
  id: string;
  action: 'transfer' | 'rollback';
  /** The newest matching entry, classified. */
  outcome: ProvisioningOutcome | null;
  confirmed: boolean;
  /** `serverConfirmed` when the log confirms it; null when it does not (the cloud-read level stands). */
  level: 'serverConfirmed' | null;
  detail: string;
}

export interface CloudSyncFollowUpOptions {
  clock: WindowClock;
  /** Stop waiting after this long (default 10 min: several ~2-minute cycles plus ingestion). */
  boundMs?: number;
  /** Time between rounds of queries (default 30 s). */
  pollIntervalMs?: number;
  window?: RateWindow;
  signal?: AbortSignal;
  onProgress?: (p: { round: number; confirmed: number; total: number; elapsedMs: number; queries: number }) => void;
  /**
   * Reads `onPremisesSyncEnabled` of rolled-back objects whose entry shows the takeover. Without it a rollback is
   * never confirmed (the entry alone does not show Entra ID reading the object as synced again).
   */
  cloudState?: (objectIds: string[]) => Promise<Map<string, CloudSyncState>>;
  /**
   * Reads the AD values of rolled-back objects that Entra ID reads as synced again (`entra`: the values Entra ID read,
   * for the lookup). An object left out of the answer, or without this reader, counts as "AD could not be read".
   */
  adValues?: (
    objects: { id: string; dn: string | null; entra: { displayName: string | null; mail: string | null } }[],
  ) => Promise<Map<string, AdRead>>;
}

/** One object's AD read: its values, or why they could not be read. */
export type AdRead = { ok: true; values: AdValues } | { ok: false; reason: string };

/** A rolled-back object's Entra values compared with AD (after Entra ID read it as synced again). */
interface AdComparison {
  ad: AdRead;
  mismatches: string[];
}

export interface CloudSyncFollowUpResult {
  objects: CloudSyncObjectEvidence[];
  /** Provisioning-log requests sent (pages included). */
  queries: number;
  rounds: number;
  /** Why the log could not be read, when it could not (role, licence, consent). */
  logError: string | null;
  /** Request ids of every query (evidence). */
  requestIds: (string | null)[];
  /** Jobs that were paused: their objects were not waited for. */
  stoppedJobs: string[];
  /** Jobs in quarantine (cycles at most about once a day): their objects were read once, not waited for either. */
  quarantinedJobs?: string[];
}

/** Whether one outcome confirms the action (pure; each failing case is unit-tested). */
export function confirms(action: 'transfer' | 'rollback', o: ProvisioningOutcome | null): boolean {
  if (!o) return false;
  return action === 'transfer' ? o.kind === 'soaSkipped' : o.kind === 'processed' || o.kind === 'skippedOther';
}

/** What Entra ID and AD read for a rolled-back object whose entry shows the takeover (`undefined`: not read). */
function syncedText(state: CloudSyncState | undefined, compared: AdComparison | undefined): string {
  if (state === undefined) return ' Entra ID was not read for onPremisesSyncEnabled, so the takeover is not confirmed.';
  if (state.onPremisesSyncEnabled !== true)
    return ` But Entra ID still reads onPremisesSyncEnabled = ${String(state.onPremisesSyncEnabled)}: the takeover is not complete yet.`;
  const synced = ' Entra ID reads the object as synced from AD again (onPremisesSyncEnabled = true)';
  if (!compared || !compared.ad.ok)
    return `${synced}, but AD could not be read (${compared && !compared.ad.ok ? compared.ad.reason : 'no AD read'}), so the attributes were not compared with AD: the takeover is not confirmed.`;
  if (compared.mismatches.length > 0)
    return `${synced}, but its attributes differ from AD (${compared.mismatches.join('; ')}): the takeover is not confirmed.`;
  return `${synced} and its displayName and mail match AD.`;
}

function detailOf(
  action: 'transfer' | 'rollback',
  o: ProvisioningOutcome | null,
  logError: string | null,
  stopped: JobRunStateInfo | null,
  state: CloudSyncState | undefined,
  compared: AdComparison | undefined,
): string {
  const core = detailCore(action, o, logError);
  const base = action === 'rollback' && confirms(action, o) ? `${core}${syncedText(state, compared)}` : core;
  if (!stopped) return base;
  if (action === 'rollback' && confirms(action, o))
    return stopped.state === 'quarantine'
      ? `${base} But ${stopped.text} Later AD changes reach Entra ID only at its reduced frequency, so the takeover is not confirmed.`
      : `${base} But ${stopped.text} Later AD changes will not flow until the job runs again.`;
  return `${base} ${stopped.text}`;
}

function detailCore(action: 'transfer' | 'rollback', o: ProvisioningOutcome | null, logError: string | null): string {
  if (!o) {
    if (logError) return `The provisioning log could not be read (${logError}); no Cloud Sync evidence.`;
    return action === 'transfer'
      ? 'No provisioning-log entry for the object yet: Cloud Sync logs an object only when it processes a change, so the block shows after the next AD change to it.'
      : 'No provisioning-log entry showing the takeover yet.';
  }
  const where = `entry ${o.entryId ?? ''} at ${o.at ?? ''} (${o.status ?? 'no status'}${o.reason ? `: "${o.reason}"` : ''})`;
  if (confirms(action, o)) {
    return action === 'transfer'
      ? `Cloud Sync skipped the object because its SOA is in the cloud: ${where}. A skipped entry exports nothing; the Entra values were not read again in bulk.`
      : `Cloud Sync processed the object again (takeover): ${where}.`;
  }
  if (action === 'rollback' && o.kind === 'soaSkipped')
    return `Cloud Sync still skips the object as cloud-managed: ${where}.`;
  if (action === 'transfer' && o.kind === 'processed')
    return `Cloud Sync PROCESSED the object after the transfer: ${where}.`;
  return `Not confirmed: ${where}.`;
}

export async function followUpCloudSync(
  graph: GraphSession,
  objects: readonly CloudSyncFollowUpObject[],
  since: string,
  options: CloudSyncFollowUpOptions,
): Promise<CloudSyncFollowUpResult> {
  const window = options.window ?? new RateWindow(REPORTING_LIMIT, options.clock);
  const bound = options.boundMs ?? 10 * 60_000;
  const interval = options.pollIntervalMs ?? 30_000;
  const t0 = options.clock.now().getTime();
  const newest = new Map<string, ProvisioningOutcome>();
  const requestIds: (string | null)[] = [];
  let queries = 0;
  let rounds = 0;
  let logError: string | null = null;
  // a paused job runs no scheduled cycle and one in quarantine at most about once a day: neither is waited for
  // (docs/reference/cloud-sync.md#quarantine)
  const stoppedOf = (o: CloudSyncFollowUpObject): JobRunStateInfo | null =>
    o.jobState?.state === 'stopped' || o.jobState?.state === 'quarantine' ? o.jobState : null;
  const synced = new Map<string, CloudSyncState>();
  const compared = new Map<string, AdComparison>();
  /** the log shows the takeover and Entra ID reads the rolled-back object as synced again */
  const takenOver = (o: CloudSyncFollowUpObject): boolean =>
    o.action === 'rollback' &&
    confirms(o.action, newest.get(o.id) ?? null) &&
    synced.get(o.id)?.onPremisesSyncEnabled === true;
  /** the log (and, for a rollback, Entra ID's onPremisesSyncEnabled and the AD comparison) shows the end state */
  const done = (o: CloudSyncFollowUpObject): boolean => {
    if (o.action === 'transfer') return confirms(o.action, newest.get(o.id) ?? null);
    const c = compared.get(o.id);
    return takenOver(o) && c !== undefined && c.ad.ok && c.mismatches.length === 0;
  };
  /** nothing more to wait for: done, or taken over and compared with AD (unreadable or different: said, not retried) */
  const settled = (o: CloudSyncFollowUpObject): boolean => done(o) || (takenOver(o) && compared.has(o.id));
  const open = (): CloudSyncFollowUpObject[] => objects.filter((o) => !settled(o));
  // Objects worth waiting for: a paused job runs no scheduled cycle, so its objects are read once, not waited for.
  const awaited = (): CloudSyncFollowUpObject[] => open().filter((o) => stoppedOf(o) === null);
  for (;;) {
    rounds++;
    const jobs = [...new Set((rounds === 1 ? open() : awaited()).map((o) => o.jobId))];
    for (const jobId of jobs) {
      const r = await listProvisioningLogs(
        graph,
        { jobId, since },
        { window, ...(options.signal ? { signal: options.signal } : {}) },
      );
      if (r.ok) {
        queries += r.value.requestIds.length;
        requestIds.push(...r.value.requestIds);
      } else {
        queries++;
        requestIds.push(r.requestId);
        logError = errorText(r.error);
        break;
      }
      for (const o of objects.filter((x) => x.jobId === jobId)) {
        const mine: ProvisioningLogEntry[] = r.value.entries.filter((e) =>
          entryMatches(e, { entraId: o.id, dn: o.dn }),
        );
        const last = mine[mine.length - 1];
        if (last) newest.set(o.id, outcomeOfLogEntry(last));
      }
    }
    // rolled-back objects whose entry shows the takeover: does Entra ID read them as synced again?
    const toRead = open().filter((o) => o.action === 'rollback' && confirms(o.action, newest.get(o.id) ?? null));
    if (options.cloudState && toRead.length > 0 && !logError) {
      const read = await options.cloudState(toRead.map((o) => o.id)).catch(() => new Map<string, CloudSyncState>());
      for (const [id, st] of read) synced.set(id, st);
    }
    // taken over: do its Entra values match AD? (read once per object, after Entra ID reads it as synced again)
    const toCompare = toRead.filter((o) => takenOver(o) && !compared.has(o.id));
    if (toCompare.length > 0) {
      const lookup = toCompare.map((o) => ({
        id: o.id,
        dn: o.dn,
        entra: { displayName: synced.get(o.id)?.displayName ?? null, mail: synced.get(o.id)?.mail ?? null },
      }));
      const ad: Map<string, AdRead> = options.adValues
        ? await options.adValues(lookup).catch((e: unknown) => {
            const reason = `the AD read failed: ${e instanceof Error ? e.message : String(e)}`;
            return new Map<string, AdRead>(toCompare.map((o) => [o.id, { ok: false, reason }]));
          })
        : new Map<string, AdRead>();
      for (const o of toCompare) {
        const read = ad.get(o.id) ?? { ok: false, reason: 'AD values are not read for this object in bulk' };
        const st = synced.get(o.id);
        // `mail` undefined when Entra ID's answer had no mail property (not read, so not compared)
        const entra = { displayName: st?.displayName ?? null, ...(st?.mail !== undefined ? { mail: st.mail } : {}) };
        compared.set(o.id, { ad: read, mismatches: read.ok ? attributeMismatches(entra, read.values) : [] });
      }
    }
    const elapsed = options.clock.now().getTime() - t0;
    const remaining = open().length;
    options.onProgress?.({
      round: rounds,
      confirmed: objects.length - remaining,
      total: objects.length,
      elapsedMs: elapsed,
      queries,
    });
    if (awaited().length === 0 || logError || elapsed >= bound) break;
    await options.clock.sleep(Math.min(interval, Math.max(1, bound - elapsed)), options.signal);
  }
  return {
    objects: objects.map((o) => {
      const outcome = newest.get(o.id) ?? null;
      const stopped = stoppedOf(o);
      // a rollback on a paused job is never confirmed as a takeover: later AD changes won't flow
      const ok = done(o) && !(stopped && o.action === 'rollback');
      return {
        id: o.id,
        action: o.action,
        outcome,
        confirmed: ok,
        level: ok ? 'serverConfirmed' : null,
        detail: detailOf(o.action, outcome, logError, stopped, synced.get(o.id), compared.get(o.id)),
      };
    }),
    queries,
    rounds,
    logError,
    requestIds,
    stoppedJobs: [...new Set(objects.filter((o) => o.jobState?.state === 'stopped').map((o) => o.jobId))],
    quarantinedJobs: [...new Set(objects.filter((o) => o.jobState?.state === 'quarantine').map((o) => o.jobId))],
  };
}

/**
 * The AD values of rolled-back contacts, for `adValues`: one `server.findOnPremContacts` call per batch, each contact
 * asked by the mail and name Entra ID reads now (the server tries mail, then name), and only the match at the
 * object's own DN is used. A contact the lookup does not return at its DN counts as "AD could not be read", with the
 * reason (its AD mail and name may both differ from Entra's: that is not claimed either way).
 */
export async function readAdValuesOfContacts(
  find: FindContacts,
  objects: readonly { id: string; dn: string | null; entra: { displayName: string | null; mail: string | null } }[],
  domains: string[] = [],
): Promise<Map<string, AdRead>> {
  const out = new Map<string, AdRead>();
  for (const batch of batchesOf(objects, LOOKUP_BATCH_SIZE)) {
    const asked = batch.filter((o) => o.dn !== null && (o.entra.mail || o.entra.displayName));
    for (const o of batch)
      if (!asked.includes(o))
        out.set(o.id, {
          ok: false,
          reason: o.dn === null ? 'its AD DN is not known' : 'Entra ID has no mail or name to find it by',
        });
    if (asked.length === 0) continue;
    let results: Map<string, { distinguishedName: string; displayName: string | null; mail: string | null }[]>;
    try {
      const r = await find({
        queries: asked.map((o) => ({
          key: o.id,
          ...(o.entra.mail ? { mail: o.entra.mail } : {}),
          ...(o.entra.displayName ? { displayName: o.entra.displayName } : {}),
        })),
        ...(domains.length > 0 ? { domains } : {}),
      });
      results = new Map(r.results.map((x) => [x.key, x.matches]));
    } catch (e) {
      const reason = `the AD lookup failed: ${e instanceof Error ? e.message : String(e)}`;
      for (const o of asked) out.set(o.id, { ok: false, reason });
      continue;
    }
    for (const o of asked) {
      const dn = normaliseDn(o.dn ?? '');
      const m = (results.get(o.id) ?? []).find((x) => normaliseDn(x.distinguishedName) === dn);
      out.set(
        o.id,
        m
          ? { ok: true, values: { displayName: m.displayName, mail: m.mail } }
          : {
              ok: false,
              reason: `AD returned no contact at ${o.dn ?? ''} for the mail and name Entra ID reads (its AD values may differ from them)`,
            },
      );
    }
  }
  return out;
}
