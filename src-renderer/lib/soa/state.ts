/**
 * SOA state of one object, from the guide's attribute table (reference §1.7), made live:
 *
 * | state                         | isCloudManaged | onPremisesSyncEnabled |
 * | synced from AD DS             | false          | true                  |
 * | transferred to the cloud      | true           | null                  |
 * | rolled back, pending takeover | false          | null                  |
 * | cloud-native                  | false          | null                  |
 *
 * The last two look the same in Graph. The journal (a rollback this app did) and the server trace
 * (an Entra connector object joined to an AD object) tell them apart; without either, the result
 * says so instead of guessing.
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

export interface StateRow {
  state: SoaState;
  label: string;
  isCloudManaged: string;
  onPremisesSyncEnabled: string;
  explanation: string;
}

export const STATE_TABLE: readonly StateRow[] = [
  {
    state: 'synced',
    label: 'Synced from AD DS',
    isCloudManaged: 'false',
    onPremisesSyncEnabled: 'true',
    explanation:
      'Active Directory is the source of authority. Connect Sync writes the object; it is read-only in the cloud.',
  },
  {
    state: 'transferred',
    label: 'SOA transferred to the cloud',
    isCloudManaged: 'true',
    onPremisesSyncEnabled: 'null',
    explanation:
      'The cloud is the source of authority. Connect Sync sets blockOnPremisesSync on the connector object; AD changes raise Event 6956 and are not exported.',
  },
  {
    state: 'rolledBackPending',
    label: 'Rolled back, waiting for the sync client',
    isCloudManaged: 'false',
    onPremisesSyncEnabled: 'null',
    explanation:
      'The rollback PATCH is done, but Connect Sync has not taken the object over yet. It is still editable in the cloud, and cloud edits made now are overwritten at takeover. Run a sync cycle (two cycles complete the takeover).',
  },
  {
    state: 'cloudNative',
    label: 'Cloud-native',
    isCloudManaged: 'false',
    onPremisesSyncEnabled: 'null',
    explanation: 'Created in the cloud; never synced from AD DS. There is no on-premises source to transfer from.',
  },
];

export interface StateInput {
  isCloudManaged: boolean | null;
  onPremisesSyncEnabled: boolean | null | undefined;
  objectId: string;
  /** Journal records (any order); only this object's SOA writes are considered. */
  journal?: readonly StoredJournalRecord[];
  /** The server trace for the object's DN, when one was run. */
  trace?: TraceResult | null;
}

export interface Classification {
  state: SoaState;
  label: string;
  explanation: string;
  /** False when the data cannot tell two states apart. */
  certain: boolean;
  /** What the classification rests on (shown in the panel and the report). */
  basis: string[];
}

function row(state: SoaState): StateRow | undefined {
  return STATE_TABLE.find((r) => r.state === state);
}

/** The newest finished SOA write (transfer/rollback) this app journaled for the object. */
export function lastSoaWrite(
  journal: readonly StoredJournalRecord[],
  objectId: string,
): { action: 'transfer' | 'rollback'; at: string; opId: string } | null {
  const done = new Set(journal.filter((r) => r.kind === 'result' && r.outcome === 'done').map((r) => r.opId));
  let best: { action: 'transfer' | 'rollback'; at: string; opId: string; seq: number } | null = null;
  for (const r of journal) {
    if (r.kind !== 'intent' || r.objectId.toLowerCase() !== objectId.toLowerCase()) continue;
    if (r.action !== 'transfer' && r.action !== 'rollback') continue;
    if (!done.has(r.opId)) continue;
    if (!best || r.seq > best.seq) best = { action: r.action, at: r.at, opId: r.opId, seq: r.seq };
  }
  return best ? { action: best.action, at: best.at, opId: best.opId } : null;
}

export function classify(input: StateInput): Classification {
  const { isCloudManaged: icm, onPremisesSyncEnabled: ose } = input;
  const basis = [`isCloudManaged = ${String(icm)}`, `onPremisesSyncEnabled = ${String(ose ?? null)}`];
  const make = (state: SoaState, certain: boolean, extra: string[] = [], explanation?: string): Classification => ({
    state,
    label: row(state)?.label ?? labelOf(state),
    explanation: explanation ?? row(state)?.explanation ?? '',
    certain,
    basis: [...basis, ...extra],
  });

  if (icm === null) {
    return make('unknown', false, [], 'The SOA state could not be read (no isCloudManaged value).');
  }
  if (icm) {
    const extra = ose === true ? ['onPremisesSyncEnabled still reads true: replication may lag; read again.'] : [];
    return make('transferred', ose !== true, extra);
  }
  if (ose === true) return make('synced', true);
  if (ose === false) {
    return make(
      'exchangeMastered',
      true,
      [],
      'onPremisesSyncEnabled = false means the object was synced but is now mastered in Exchange Online. SOA transfer does not apply.',
    );
  }

  // isCloudManaged false, onPremisesSyncEnabled null: rolled back (pending) or cloud-native.
  const extra: string[] = [];
  const last = input.journal ? lastSoaWrite(input.journal, input.objectId) : null;
  const trace = input.trace ?? null;
  if (trace?.status === 'traced' && trace.entraObject) {
    extra.push(
      `Server trace: AD object ${trace.dn} is joined to an Entra connector object${trace.awaitingExportConfirmation ? ' (awaiting export confirmation)' : ''}, blockOnPremisesSync = ${String(trace.blockOnPremisesSync)}.`,
    );
    if (last?.action === 'rollback') extra.push(`Journal: this app rolled it back at ${last.at} (${last.opId}).`);
    return make('rolledBackPending', true, extra);
  }
  if (last?.action === 'rollback') {
    extra.push(`Journal: this app rolled it back at ${last.at} (${last.opId}).`);
    return make('rolledBackPending', true, extra);
  }
  if (trace && (trace.status === 'unknownDn' || trace.status === 'notJoined')) {
    extra.push(`Server trace: ${trace.message}`);
    if (trace.status === 'unknownDn') return make('cloudNative', true, extra);
  }
  return make(
    'rolledBackOrCloudNative',
    false,
    [...extra, 'No rollback of this object in the journal, and no server trace joins it to an AD object.'],
    'Graph shows the same values for "rolled back, waiting for the sync client" and "cloud-native", so they cannot be told apart from the cloud alone. Trace the object on the Connect Sync server (needs its on-premises DN) to decide.',
  );
}

function labelOf(state: SoaState): string {
  switch (state) {
    case 'rolledBackOrCloudNative':
      return 'Rolled back (pending) or cloud-native: cannot tell';
    case 'exchangeMastered':
      return 'Mastered in Exchange Online';
    case 'unknown':
      return 'Unknown';
    default:
      return state;
  }
}
