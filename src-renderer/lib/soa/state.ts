/**
 * The SOA state of one object: the one classifier and the one vocabulary the wizard's step verdicts,
 * the state panel, the bulk plan rows and the reports all use. The guide's attribute table
 * (docs/reference/soa-state.md), made live:
 *
 * | state                         | isCloudManaged | onPremisesSyncEnabled |
 * | synced from AD DS             | false          | true                  |
 * | transferred to the cloud      | true           | null                  |
 * | rolled back, pending takeover | false          | null                  |
 * | cloud-native                  | false          | null                  |
 *
 * The last two look the same in those two fields. What tells them apart, strongest first: a server
 * trace joining the object to an AD object, a rollback this app journaled, and the sync history the
 * object carries (`onPremisesImmutableId` on users, `onPremisesLastSyncDateTime`): an object with a
 * sync history was synced once and is not cloud-native; one without any was never synced. Without
 * any of these, the result says it cannot tell instead of guessing.
 */
import type { StoredJournalRecord, TraceResult } from '@contract';

export type SoaState =
  | 'synced'
  | 'transferred'
  | 'rolledBackPending'
  | 'cloudNative'
  | 'rolledBackOrCloudNative'
  | 'exchangeMastered'
  | 'unknown';

export const SOA_STATES: readonly SoaState[] = [
  'synced',
  'transferred',
  'rolledBackPending',
  'cloudNative',
  'rolledBackOrCloudNative',
  'exchangeMastered',
  'unknown',
];

/** What the admin reads for each state (never the raw value). */
export const SOA_STATE_LABEL: Readonly<Record<SoaState, string>> = {
  synced: 'Synced from AD DS',
  transferred: 'SOA transferred to the cloud',
  rolledBackPending: 'Rolled back, waiting for the sync client',
  cloudNative: 'Cloud-native',
  rolledBackOrCloudNative: 'Rolled back (pending) or cloud-native: cannot tell',
  exchangeMastered: 'Mastered in Exchange Online',
  unknown: 'Could not be read',
};

/** The label of a state; an uncertain classification says so in the label too. */
export function soaStateLabel(state: SoaState, certain = true): string {
  const label = SOA_STATE_LABEL[state];
  if (certain || state === 'rolledBackOrCloudNative' || state === 'unknown') return label;
  return `${label} (not confirmed)`;
}

export interface StateRow {
  state: SoaState;
  label: string;
  isCloudManaged: string;
  onPremisesSyncEnabled: string;
  explanation: string;
}

const EXPLANATION: Readonly<Record<SoaState, string>> = {
  synced: 'Active Directory is the source of authority. Connect Sync writes the object; it is read-only in the cloud.',
  transferred:
    'The cloud is the source of authority. Connect Sync sets blockOnPremisesSync on the connector object; AD changes raise Event 6956 and are not exported.',
  rolledBackPending:
    'The rollback PATCH is done, but Connect Sync has not taken the object over yet. It is still editable in the cloud, and cloud edits made now are overwritten at takeover. Run a sync cycle (two cycles complete the takeover).',
  cloudNative: 'Created in the cloud; never synced from AD DS. There is no on-premises source to transfer from.',
  rolledBackOrCloudNative:
    'Graph shows the same values for "rolled back, waiting for the sync client" and "cloud-native", so they cannot be told apart from the cloud alone. Trace the object on the Connect Sync server (needs its on-premises DN) to decide.',
  exchangeMastered:
    'onPremisesSyncEnabled = false means the object was synced but is now mastered in Exchange Online. SOA transfer does not apply.',
  unknown: 'The SOA state could not be read.',
};

function tableRow(state: SoaState, isCloudManaged: string, onPremisesSyncEnabled: string): StateRow {
  return {
    state,
    label: SOA_STATE_LABEL[state],
    isCloudManaged,
    onPremisesSyncEnabled,
    explanation: EXPLANATION[state],
  };
}

/** The guide's four rows, for the state panel. */
export const STATE_TABLE: readonly StateRow[] = [
  tableRow('synced', 'false', 'true'),
  tableRow('transferred', 'true', 'null'),
  tableRow('rolledBackPending', 'false', 'null'),
  tableRow('cloudNative', 'false', 'null'),
];

/** The properties the classification reads. `undefined` means "not read" and is never taken as null. */
export interface SoaReading {
  /** `onPremisesSyncBehavior.isCloudManaged`; null when it could not be read. */
  isCloudManaged: boolean | null;
  /** undefined when the object itself could not be read. */
  onPremisesSyncEnabled: boolean | null | undefined;
  /** undefined when not selected or not read. */
  onPremisesLastSyncDateTime?: string | null | undefined;
  /** Users only (contacts and groups have none); undefined when not selected or not read. */
  onPremisesImmutableId?: string | null | undefined;
}

export interface StateInput extends SoaReading {
  objectId: string;
  /** Journal records (any order); only this object's SOA writes are considered. */
  journal?: readonly StoredJournalRecord[];
  /** For callers that looked the journal up themselves: a finished rollback of this object by this app. */
  rolledBackByThisApp?: boolean;
  /** The server trace for the object's DN, when one was run. */
  trace?: TraceResult | null;
}

export interface Classification {
  state: SoaState;
  label: string;
  explanation: string;
  /** False when the data cannot tell two states apart, or the reading has not settled. */
  certain: boolean;
  /** What the classification rests on (shown in the panel and the report). */
  basis: string[];
}

interface SoaWrite {
  action: 'transfer' | 'rollback';
  at: string;
  opId: string;
}

/**
 * Per object (lower-case id): the newest finished SOA write (transfer/rollback) this app journaled. Folds the
 * journal page by page (`add`), records in any order, so a caller never needs the whole journal at once.
 */
export class FinishedSoaWrites {
  private readonly done = new Set<string>();
  /** intents whose `done` result has not been seen (yet) */
  private readonly open = new Map<string, (SoaWrite & { id: string; seq: number })[]>();
  readonly newest = new Map<string, SoaWrite & { seq: number }>();

  add(records: readonly StoredJournalRecord[]): this {
    for (const r of records) {
      if (r.kind === 'result') {
        if (r.outcome !== 'done') continue;
        this.done.add(r.opId);
        for (const w of this.open.get(r.opId) ?? []) this.finished(w);
        this.open.delete(r.opId);
        continue;
      }
      if (r.kind !== 'intent' || (r.action !== 'transfer' && r.action !== 'rollback')) continue;
      const w = { id: r.objectId.toLowerCase(), action: r.action, at: r.at, opId: r.opId, seq: r.seq };
      if (this.done.has(r.opId)) this.finished(w);
      else this.open.set(r.opId, [...(this.open.get(r.opId) ?? []), w]);
    }
    return this;
  }

  /** Lower-case ids of the objects whose newest finished SOA write is a rollback. */
  rolledBackIds(): Set<string> {
    const ids = new Set<string>();
    for (const [id, w] of this.newest) if (w.action === 'rollback') ids.add(id);
    return ids;
  }

  private finished(w: SoaWrite & { id: string; seq: number }): void {
    const best = this.newest.get(w.id);
    if (!best || w.seq > best.seq) this.newest.set(w.id, { action: w.action, at: w.at, opId: w.opId, seq: w.seq });
  }
}

/** The newest finished SOA write (transfer/rollback) this app journaled for the object. */
export function lastSoaWrite(journal: readonly StoredJournalRecord[], objectId: string): SoaWrite | null {
  const w = new FinishedSoaWrites().add(journal).newest.get(objectId.toLowerCase());
  return w ? { action: w.action, at: w.at, opId: w.opId } : null;
}

/** Lower-case ids of the objects whose newest finished SOA write by this app is a rollback. */
export function rolledBackIds(journal: readonly StoredJournalRecord[]): Set<string> {
  return new FinishedSoaWrites().add(journal).rolledBackIds();
}

/** The object's sync history: whether it was ever synced from AD DS, when the properties say so. */
function syncHistory(input: SoaReading): { everSynced: boolean | undefined; basis: string[] } {
  const { onPremisesImmutableId: immutableId, onPremisesLastSyncDateTime: lastSync } = input;
  const basis: string[] = [];
  if (typeof immutableId === 'string' && immutableId !== '') {
    basis.push(`onPremisesImmutableId = ${immutableId}: the object was synced from AD DS once.`);
  }
  if (typeof lastSync === 'string' && lastSync !== '') {
    basis.push(`onPremisesLastSyncDateTime = ${lastSync}: the object was synced from AD DS once.`);
  }
  if (basis.length > 0) return { everSynced: true, basis };
  if (lastSync === null || immutableId === null) {
    const empty = [
      ...(lastSync === null ? ['onPremisesLastSyncDateTime = null'] : []),
      ...(immutableId === null ? ['onPremisesImmutableId = null'] : []),
    ];
    return { everSynced: false, basis: [`${empty.join(', ')}: never synced from AD DS.`] };
  }
  return { everSynced: undefined, basis: [] };
}

export function classify(input: StateInput): Classification {
  const { isCloudManaged: icm, onPremisesSyncEnabled: ose } = input;
  const basis = [
    `isCloudManaged = ${String(icm)}`,
    `onPremisesSyncEnabled = ${ose === undefined ? 'not read' : String(ose)}`,
  ];
  const make = (state: SoaState, certain: boolean, extra: string[] = [], explanation?: string): Classification => ({
    state,
    label: soaStateLabel(state, certain),
    explanation: explanation ?? EXPLANATION[state],
    certain,
    basis: [...basis, ...extra],
  });

  if (icm === null) {
    return make('unknown', false, [], 'The SOA state could not be read (no isCloudManaged value).');
  }
  if (ose === undefined) {
    return make('unknown', false, [], 'The object could not be read (no onPremisesSyncEnabled value).');
  }
  if (icm) {
    if (ose === null) return make('transferred', true);
    return make(
      'transferred',
      false,
      [`onPremisesSyncEnabled still reads ${String(ose)}: replication may lag; read again.`],
      'isCloudManaged is true, but onPremisesSyncEnabled has not turned null yet. Replication can lag the change: read the state again.',
    );
  }
  if (ose === true) return make('synced', true);
  if (ose === false) return make('exchangeMastered', true);

  // isCloudManaged false, onPremisesSyncEnabled null: rolled back (pending) or cloud-native.
  const extra: string[] = [];
  const last = input.journal ? lastSoaWrite(input.journal, input.objectId) : null;
  const journalRollback =
    last?.action === 'rollback' ? `Journal: this app rolled it back at ${last.at} (${last.opId}).` : null;
  const trace = input.trace ?? null;
  if (trace?.status === 'traced' && trace.entraObject) {
    extra.push(
      `Server trace: AD object ${trace.dn} is joined to an Entra connector object${trace.awaitingExportConfirmation ? ' (awaiting export confirmation)' : ''}, blockOnPremisesSync = ${String(trace.blockOnPremisesSync)}.`,
    );
    if (journalRollback) extra.push(journalRollback);
    return make('rolledBackPending', true, extra);
  }
  if (journalRollback || input.rolledBackByThisApp) {
    extra.push(journalRollback ?? 'Journal: this app rolled it back.');
    return make('rolledBackPending', true, extra);
  }
  if (trace) extra.push(`Server trace: ${trace.message}`);
  const history = syncHistory(input);
  extra.push(...history.basis);
  if (history.everSynced === true) {
    // Synced once, neither synced nor cloud-managed now: the table's only such row is a pending rollback.
    return make(
      'rolledBackPending',
      false,
      [...extra, 'No rollback of this object in the journal, and no server trace joins it to an AD object.'],
      'The object was synced from AD DS once and is neither synced nor cloud-managed now, which the guide’s table lists only for a rollback the sync client has not taken over yet. Neither the journal nor a server trace confirms it: trace the object on the Connect Sync server to be sure.',
    );
  }
  // A trace that found the DN in AD (not joined) is no evidence of a cloud-native object.
  if (history.everSynced === false && trace?.status !== 'notJoined') return make('cloudNative', true, extra);
  if (trace?.status === 'unknownDn') return make('cloudNative', true, extra);
  return make('rolledBackOrCloudNative', false, [
    ...extra,
    'No rollback of this object in the journal, and no server trace joins it to an AD object.',
  ]);
}
