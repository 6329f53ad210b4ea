/**
 * Evidence levels of a bulk run, per object and for the run as a whole. Each level is a separate
 * claim, and a higher one is only made when it was observed (docs/reference/bulk-evidence-levels.md):
 *
 * 1. written — the PATCH was acknowledged;
 * 2. verified in the cloud — a Graph read showed the target state (the read-back, or the re-check
 *    of an object that was already there);
 * 3. confirmed on the server — the per-object Connect Sync trace shows the result: after a transfer
 *    the Entra connector object carries blockOnPremisesSync = true; after a rollback the sync client
 *    has taken the object over (blockOnPremisesSync = false and the takeover export confirmed).
 *
 * The headline states the highest level EVERY object has reached and lists the objects below it.
 * The audit entry (found by time-window queries, `audit-confirmation.ts`) is stated beside the level
 * for each written object; it does not raise or lower the level (docs/reference/bulk-evidence-levels.md#audit-entries-in-bulk).
 */
import type { OpOutput } from '@contract';
import type { BulkAction, ItemResult } from './run-types';
import type { AuditConfirmation } from './audit-confirmation';

export type EvidenceLevel = 'none' | 'written' | 'cloudVerified' | 'serverConfirmed';

export const EVIDENCE_LEVEL_ORDER: readonly EvidenceLevel[] = ['none', 'written', 'cloudVerified', 'serverConfirmed'];

export const EVIDENCE_LEVEL_LABEL: Record<EvidenceLevel, string> = {
  none: 'Not written',
  written: 'Written',
  cloudVerified: 'Verified in the cloud',
  serverConfirmed: 'Confirmed on the server',
};

/** What the server showed for one object on one follow-up cycle. */
export interface ServerObservation {
  objectId: string;
  /** true when the trace shows the action's end state on the server (see `serverConfirms`) */
  confirmed: boolean;
  /** for a rollback: the takeover export was seen awaiting confirmation (the first of two cycles) */
  awaitingExportConfirmation: boolean | null;
  /** what was observed, in words, for the table and the report */
  detail: string;
  /** the follow-up cycle (1-based) of this observation */
  cycle: number;
  observedAt: string;
  /**
   * Which sync engine's evidence this is: the Connect Sync trace, the Cloud Sync provisioning log, or `none` (the
   * object was not followed up on a sync engine). Absent in records written before it existed.
   */
  engine?: ObservationEngine;
}

export type ObservationEngine = 'connectSync' | 'cloudSync' | 'none';

type TraceResult = OpOutput<'server.traceObject'>;

/** What Entra ID reads for the object after a follow-up cycle (a rollback's takeover shows here). */
export interface CloudSyncState {
  onPremisesSyncEnabled: boolean | null;
  /** read beside it for a Cloud Sync rollback's comparison with AD (undefined: not read) */
  displayName?: string | null;
  mail?: string | null;
}

/**
 * Whether one server trace confirms the action. Transfer: blockOnPremisesSync = true on the Entra
 * connector object. Rollback: blockOnPremisesSync = false, the object no longer cloud-mastered, its
 * takeover export no longer awaiting confirmation, AND Entra ID reads it as synced again
 * (onPremisesSyncEnabled = true): a server that has not yet acted on the rollback (or never saw the
 * transfer) shows the same trace as one that finished the takeover, so the trace alone never confirms it.
 */
export function serverConfirms(
  action: BulkAction,
  trace: TraceResult,
  cloud?: CloudSyncState | null,
): { confirmed: boolean; detail: string } {
  if (trace.status !== 'traced') return { confirmed: false, detail: trace.message };
  if (action === 'transfer') {
    return trace.blockOnPremisesSync === true
      ? { confirmed: true, detail: 'blockOnPremisesSync = true on the Entra connector object.' }
      : {
          confirmed: false,
          detail: `blockOnPremisesSync = ${String(trace.blockOnPremisesSync)} on the Entra connector object (not yet true).`,
        };
  }
  if (trace.blockOnPremisesSync !== false)
    return {
      confirmed: false,
      detail: `Takeover not yet confirmed: blockOnPremisesSync = ${String(trace.blockOnPremisesSync)}.`,
    };
  if (trace.awaitingExportConfirmation === true)
    return { confirmed: false, detail: 'Takeover started: the export is awaiting confirmation (one more cycle).' };
  if (trace.awaitingExportConfirmation === null)
    return {
      confirmed: false,
      detail: `Takeover not confirmed: the export state could not be read on the server (${trace.exportEvidence.detail})`,
    };
  if (trace.cloudMastered === true)
    return { confirmed: false, detail: 'Takeover not yet confirmed: the object is still cloud-mastered.' };
  if (!cloud)
    return {
      confirmed: false,
      detail:
        'Takeover not confirmed: the server shows no export awaiting confirmation, but the object was not read in Entra ID (a server that has not acted on the rollback yet looks the same).',
    };
  if (cloud.onPremisesSyncEnabled !== true)
    return {
      confirmed: false,
      detail: `Takeover not yet confirmed: the server shows no export awaiting confirmation, but Entra ID still reads onPremisesSyncEnabled = ${String(cloud.onPremisesSyncEnabled)} (the sync client has not taken the object over yet).`,
    };
  return {
    confirmed: true,
    detail:
      'Takeover confirmed: blockOnPremisesSync = false, no export awaiting confirmation, and Entra ID reads the object as synced from AD DS again (onPremisesSyncEnabled = true).',
  };
}

/** An item's level from its pipeline outcome and (optionally) the server's last observation. */
export function itemEvidenceLevel(item: ItemResult, server?: ServerObservation): EvidenceLevel {
  if (item.outcome === 'verified' || item.outcome === 'skipped')
    return server?.confirmed === true ? 'serverConfirmed' : 'cloudVerified';
  // written (by this process or an earlier one), but no read showed the target state
  if (item.outcome === 'unverified' && (item.written || item.writeStatus !== undefined)) return 'written';
  return 'none';
}

export interface ObjectLevel {
  objectId: string;
  displayName?: string;
  level: EvidenceLevel;
  /** why it is not higher (or what confirmed it) */
  detail: string;
  /** the audit entry of this run's write, when the audit log was checked for this object */
  audit?: AuditConfirmation;
  /** whose evidence the server observation holds (absent: not observed on the server, or an older record) */
  engine?: ObservationEngine;
}

export interface LevelSummary {
  action: BulkAction;
  /** the highest level every object has reached */
  level: EvidenceLevel;
  /** a rollback is complete only when every takeover is confirmed; a transfer when every object is confirmed */
  complete: boolean;
  /** objects below `serverConfirmed`, grouped by the level they did reach */
  pending: Record<Exclude<EvidenceLevel, 'serverConfirmed'>, ObjectLevel[]>;
  objects: ObjectLevel[];
  /** one sentence for the top of the summary */
  headline: string;
  /** when the audit log was checked: how many of the objects it was checked for have their entry */
  audit?: { found: number; checked: number };
}

/**
 * What a transferred object still waits for on the server, by the engine whose evidence was read: the Connect Sync
 * trace's blockOnPremisesSync, the Cloud Sync provisioning log's SOA skip (Cloud Sync has no blockOnPremisesSync;
 * docs/reference/cloud-sync.md#skip-on-soa), or no engine's evidence at all.
 */
const TRANSFER_WAIT: Record<ObservationEngine | 'unchecked', string> = {
  connectSync: 'Connect Sync, blockOnPremisesSync not yet confirmed',
  cloudSync: 'Cloud Sync, no SOA skip in the provisioning log yet',
  none: 'not followed up on a sync engine',
  unchecked: 'not yet checked on the server',
};

/** The transfer's pending objects grouped by the evidence they wait for, in a fixed order (for the headline). */
function transferWaits(pending: readonly ObjectLevel[]): string {
  const counts = new Map<keyof typeof TRANSFER_WAIT, number>();
  for (const o of pending) {
    const key = o.engine ?? 'unchecked';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const order: (keyof typeof TRANSFER_WAIT)[] = ['connectSync', 'cloudSync', 'none', 'unchecked'];
  const present = order.filter((k) => counts.has(k));
  if (present.length === 1) return TRANSFER_WAIT[present[0] ?? 'unchecked'];
  return present.map((k) => `${TRANSFER_WAIT[k]}: ${String(counts.get(k))}`).join('; ');
}

function detailOf(item: ItemResult, level: EvidenceLevel, server?: ServerObservation): string {
  if (server) return server.detail;
  if (level === 'cloudVerified')
    return item.action === 'rollback'
      ? 'Rolled back in the cloud; waiting for the sync client to take it over (no server check yet).'
      : 'Transferred in the cloud; the server has not been checked yet.';
  if (level === 'written') return item.reason ?? 'Written, but no read-back showed the target state.';
  return item.reason ?? item.outcome;
}

/** The run's levels and headline. `server` holds the latest observation per object id. */
export function summariseLevels(
  action: BulkAction,
  items: readonly ItemResult[],
  server: ReadonlyMap<string, ServerObservation> = new Map(),
  audit?: ReadonlyMap<string, AuditConfirmation>,
): LevelSummary {
  const objects: ObjectLevel[] = items.map((i) => {
    const obs = server.get(i.objectId);
    const level = itemEvidenceLevel(i, obs);
    const entry = audit?.get(i.objectId);
    return {
      objectId: i.objectId,
      displayName: i.displayName,
      level,
      detail: detailOf(i, level, obs),
      ...(entry ? { audit: entry } : {}),
      ...(obs?.engine ? { engine: obs.engine } : {}),
    };
  });
  const pending: LevelSummary['pending'] = { none: [], written: [], cloudVerified: [] };
  for (const o of objects) if (o.level !== 'serverConfirmed') pending[o.level].push(o);
  const level = objects.reduce<EvidenceLevel>(
    (min, o) => (EVIDENCE_LEVEL_ORDER.indexOf(o.level) < EVIDENCE_LEVEL_ORDER.indexOf(min) ? o.level : min),
    objects.length > 0 ? 'serverConfirmed' : 'none',
  );
  const complete = objects.length > 0 && level === 'serverConfirmed';
  const checked = objects.filter((o) => o.audit);
  const auditCount = audit
    ? { found: checked.filter((o) => o.audit?.status === 'found').length, checked: checked.length }
    : undefined;
  const headline = headlineOf(action, level, pending, objects.length);
  return {
    action,
    level,
    complete,
    pending,
    objects,
    headline: auditCount && auditCount.checked > 0 ? `${headline} ${auditHeadline(action, auditCount)}` : headline,
    ...(auditCount ? { audit: auditCount } : {}),
  };
}

function auditHeadline(action: BulkAction, a: { found: number; checked: number }): string {
  const what = action === 'rollback' ? 'undo' : 'transfer';
  if (a.found === a.checked) return `Audit log: the ${what} entry was found for all ${a.checked} written objects.`;
  return `Audit log: the ${what} entry was found for ${a.found} of ${a.checked} written objects (the others are not yet visible; ingestion can take several minutes).`;
}

/** An object's audit entry in words (for the table and the report). */
export function auditDetail(a: AuditConfirmation | undefined): string {
  if (!a) return 'Not checked.';
  if (a.status === 'found')
    return `Found: "${a.activityDisplayName}" at ${a.activityDateTime}${a.initiatedBy ? ` by ${a.initiatedBy}` : ''}.`;
  return `Not yet visible (checked ${a.checkedAt}).`;
}

function headlineOf(action: BulkAction, level: EvidenceLevel, pending: LevelSummary['pending'], total: number): string {
  if (total === 0) return 'No objects in this run.';
  const waiting = (): string[] => {
    const parts: string[] = [];
    if (pending.none.length) parts.push(`not written: ${pending.none.length}`);
    if (pending.written.length) parts.push(`pending read-back: ${pending.written.length}`);
    if (pending.cloudVerified.length)
      parts.push(
        action === 'rollback'
          ? `pending takeover: ${pending.cloudVerified.length} (takeover not yet confirmed on the server)`
          : `pending on the server: ${pending.cloudVerified.length} (${transferWaits(pending.cloudVerified)})`,
      );
    return parts;
  };
  switch (level) {
    case 'serverConfirmed':
      return action === 'rollback'
        ? `Complete — the sync client has taken over all ${total} objects (confirmed on the server).`
        : `Confirmed on the server — all ${total} objects show the block (blockOnPremisesSync = true in the Connect Sync trace, or the SOA skip in the Cloud Sync provisioning log; each object's evidence says which).`;
    case 'cloudVerified':
    case 'written':
      return `${EVIDENCE_LEVEL_LABEL[level]} — ${waiting().join('; ')}.`;
    case 'none':
      return `Not every object was written — ${waiting().join('; ')}.`;
  }
}
