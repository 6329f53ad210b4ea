import { describe, expect, it } from 'vitest';
import type { StoredJournalRecord, TraceResult } from '@contract';
import {
  classify,
  FinishedSoaWrites,
  lastSoaWrite,
  rolledBackIds,
  SOA_STATE_LABEL,
  SOA_STATES,
  soaStateLabel,
  STATE_TABLE,
} from '../../../../../src-renderer/lib/soa/state';

const at = '2026-01-01T00:00:00.000Z';
function rec(r: Record<string, unknown>): StoredJournalRecord {
  return { at, tenant: 't', ...r } as unknown as StoredJournalRecord;
}
const rollbackJournal: StoredJournalRecord[] = [
  rec({
    seq: 1,
    kind: 'intent',
    opId: 'a',
    objectType: 'contact',
    objectId: 'C1',
    action: 'transfer',
    request: { method: 'PATCH', url: 'u' },
  }),
  rec({ seq: 2, kind: 'result', opId: 'a', outcome: 'done', verified: true }),
  rec({
    seq: 3,
    kind: 'intent',
    opId: 'b',
    objectType: 'contact',
    objectId: 'c1',
    action: 'rollback',
    request: { method: 'PATCH', url: 'u' },
  }),
  rec({ seq: 4, kind: 'result', opId: 'b', outcome: 'done', verified: true }),
];
const csObject = {
  connectorName: 'x',
  distinguishedName: 'CN=x',
  objectId: 'o',
  hasExportError: false,
  hasSyncError: false,
  attributes: {},
};
const traced: TraceResult = {
  status: 'traced',
  dn: 'CN=A,OU=Contacts,DC=contoso,DC=com',
  adConnector: { name: 'contoso.com', via: 'partition', partition: 'DC=contoso,DC=com' },
  adObject: csObject,
  metaverseObjectId: 'mv',
  entraObject: csObject,
  blockOnPremisesSync: false,
  cloudAnchor: 'Contact_c1',
  cloudMastered: false,
  awaitingExportConfirmation: true,
  exportEvidence: {
    awaiting: true,
    source: 'runHistory',
    detail: 'Export run 3 exported 1 change.',
    exportRun: { runHistoryId: 'r', runNumber: 3, result: 'success', startDate: null, exported: 1 },
    pendingExports: 0,
  },
  message: 'ok',
};

describe('classify (the guide’s state table)', () => {
  it('covers the four documented rows', () => {
    expect(STATE_TABLE.map((r) => r.state)).toEqual(['synced', 'transferred', 'rolledBackPending', 'cloudNative']);
  });

  it('the state panel shows each row with its values and explanation, word for word', () => {
    expect(STATE_TABLE).toEqual([
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
    ]);
    expect(SOA_STATES).toEqual([
      'synced',
      'transferred',
      'rolledBackPending',
      'cloudNative',
      'rolledBackOrCloudNative',
      'exchangeMastered',
      'unknown',
    ]);
  });

  it('synced: false / true', () => {
    expect(classify({ isCloudManaged: false, onPremisesSyncEnabled: true, objectId: 'c1' })).toMatchObject({
      state: 'synced',
      certain: true,
    });
  });

  it('transferred: true / null', () => {
    expect(classify({ isCloudManaged: true, onPremisesSyncEnabled: null, objectId: 'c1' })).toMatchObject({
      state: 'transferred',
      certain: true,
    });
  });

  it('false / null without journal or trace: says it cannot tell', () => {
    const c = classify({ isCloudManaged: false, onPremisesSyncEnabled: null, objectId: 'c1' });
    expect(c).toMatchObject({ state: 'rolledBackOrCloudNative', certain: false });
    expect(c.explanation).toMatch(/cannot be told apart/);
  });

  it('false / null with a journaled rollback: rolled back, pending takeover', () => {
    const c = classify({
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      objectId: 'c1',
      journal: rollbackJournal,
    });
    expect(c).toMatchObject({ state: 'rolledBackPending', certain: true });
    expect(c.basis.join(' ')).toMatch(/Journal/);
  });

  it('false / null with a trace joining an Entra connector object: rolled back, pending', () => {
    const c = classify({ isCloudManaged: false, onPremisesSyncEnabled: null, objectId: 'c9', trace: traced });
    expect(c).toMatchObject({ state: 'rolledBackPending', certain: true });
    expect(c.basis.join(' ')).toMatch(/awaiting export confirmation/);
  });

  it('false / null and the DN is unknown on the server: cloud-native', () => {
    const c = classify({
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      objectId: 'c9',
      trace: {
        status: 'unknownDn',
        dn: 'CN=x',
        adConnector: { name: null, via: 'allConnectors', partition: null },
        message: 'not in the AD connector space',
      },
    });
    expect(c).toMatchObject({ state: 'cloudNative', certain: true });
  });

  it('a failed rollback does not count; a later transfer wins', () => {
    const j = [
      ...rollbackJournal,
      rec({
        seq: 5,
        kind: 'intent',
        opId: 'c',
        objectType: 'contact',
        objectId: 'c1',
        action: 'transfer',
        request: { method: 'PATCH', url: 'u' },
      }),
      rec({ seq: 6, kind: 'result', opId: 'c', outcome: 'failed', verified: true }),
    ];
    expect(lastSoaWrite(j, 'c1')?.action).toBe('rollback');
    const k = [...j, rec({ seq: 7, kind: 'result', opId: 'c', outcome: 'done', verified: true })];
    expect(lastSoaWrite(k, 'c1')?.action).toBe('transfer');
  });

  it('false / false is Exchange-mastered, and an unreadable value is unknown', () => {
    expect(classify({ isCloudManaged: false, onPremisesSyncEnabled: false, objectId: 'c1' }).state).toBe(
      'exchangeMastered',
    );
    expect(classify({ isCloudManaged: null, onPremisesSyncEnabled: null, objectId: 'c1' }).state).toBe('unknown');
  });

  it('a lagging (true, true) or (true, false) reading is transferred but never certain', () => {
    for (const ose of [true, false]) {
      const c = classify({ isCloudManaged: true, onPremisesSyncEnabled: ose, objectId: 'c1' });
      expect(c).toMatchObject({ state: 'transferred', certain: false });
      expect(c.label).toMatch(/not confirmed/);
    }
  });

  it('an object that could not be read is unknown, never null-as-read', () => {
    // a failed object GET must not read as onPremisesSyncEnabled = null (that would look rolled back or cloud-native)
    const c = classify({ isCloudManaged: false, onPremisesSyncEnabled: undefined, objectId: 'c1' });
    expect(c).toMatchObject({ state: 'unknown', certain: false });
    expect(classify({ isCloudManaged: true, onPremisesSyncEnabled: undefined, objectId: 'c1' }).state).toBe('unknown');
  });

  it('never synced (onPremisesLastSyncDateTime null): cloud-native, certain', () => {
    const c = classify({
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      onPremisesLastSyncDateTime: null,
      objectId: 'c1',
    });
    expect(c).toMatchObject({ state: 'cloudNative', certain: true, label: 'Cloud-native' });
    expect(c.basis.join(' ')).toMatch(/never synced/);
  });

  it('a user without onPremisesImmutableId is cloud-native; with one it is never cloud-native', () => {
    const base = { isCloudManaged: false, onPremisesSyncEnabled: null, objectId: 'u1' } as const;
    expect(classify({ ...base, onPremisesImmutableId: null }).state).toBe('cloudNative');
    const synced = classify({ ...base, onPremisesImmutableId: 'AAECAwQ=', onPremisesLastSyncDateTime: null });
    expect(synced.state).not.toBe('cloudNative');
    expect(synced).toMatchObject({ state: 'rolledBackPending', certain: false });
  });

  it('a sync history means it is never cloud-native; without journal or trace the rollback is not confirmed', () => {
    const c = classify({
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
      objectId: 'c1',
    });
    expect(c).toMatchObject({ state: 'rolledBackPending', certain: false });
    expect(c.label).toBe('Rolled back, waiting for the sync client (not confirmed)');
    expect(c.basis.join(' ')).toMatch(/synced from AD DS once/);
  });

  it('a missing sync-history property is not taken as "never synced"', () => {
    // undefined = not selected / not read: no evidence either way
    const c = classify({ isCloudManaged: false, onPremisesSyncEnabled: null, objectId: 'c1' });
    expect(c.state).toBe('rolledBackOrCloudNative');
  });

  it('a not-joined object is never cloud-native, even when it looks never synced', () => {
    const notJoined: TraceResult = {
      status: 'notJoined',
      dn: 'CN=A,OU=Contacts,DC=contoso,DC=com',
      adConnector: { name: 'contoso.com', via: 'partition', partition: 'DC=contoso,DC=com' },
      adObject: csObject,
      message: 'in the AD connector space, not joined',
    };
    for (const lastSync of [null, undefined]) {
      const c = classify({
        isCloudManaged: false,
        onPremisesSyncEnabled: null,
        onPremisesLastSyncDateTime: lastSync,
        objectId: 'c1',
        trace: notJoined,
      });
      expect(c.state).not.toBe('cloudNative');
      expect(c.certain).toBe(false);
    }
  });

  it('a journaled rollback outranks the never-synced reading, and a bulk caller can pass it pre-computed', () => {
    const flags = { isCloudManaged: false, onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: null } as const;
    expect(classify({ ...flags, objectId: 'c1', journal: rollbackJournal })).toMatchObject({
      state: 'rolledBackPending',
      certain: true,
    });
    expect(classify({ ...flags, objectId: 'c1', rolledBackByThisApp: true })).toMatchObject({
      state: 'rolledBackPending',
      certain: true,
    });
    expect(classify({ ...flags, objectId: 'c1', rolledBackByThisApp: false }).state).toBe('cloudNative');
  });

  it('rolledBackIds: lower-case ids whose newest finished write is a rollback', () => {
    expect([...rolledBackIds(rollbackJournal)]).toEqual(['c1']);
    const transferredAgain = [
      ...rollbackJournal,
      rec({
        seq: 5,
        kind: 'intent',
        opId: 'd',
        objectType: 'contact',
        objectId: 'C1',
        action: 'transfer',
        request: { method: 'PATCH', url: 'u' },
      }),
    ];
    // an unfinished transfer does not undo the rollback; a finished one does
    expect([...rolledBackIds(transferredAgain)]).toEqual(['c1']);
    const done = [...transferredAgain, rec({ seq: 6, kind: 'result', opId: 'd', outcome: 'done', verified: true })];
    expect([...rolledBackIds(done)]).toEqual([]);
  });

  it('every state has a human label, and no label is a raw state name', () => {
    for (const s of SOA_STATES) {
      expect(SOA_STATE_LABEL[s]).toBeTruthy();
      expect(soaStateLabel(s)).not.toBe(s);
      expect(soaStateLabel(s, false)).not.toBe(s);
    }
  });
});

describe('classify: the basis each verdict rests on (shown in the panel and the report)', () => {
  it('names both flags, "not read" for an unread object, and nothing more for the plain rows', () => {
    expect(classify({ objectId: 'c1', isCloudManaged: false, onPremisesSyncEnabled: true }).basis).toEqual([
      'isCloudManaged = false',
      'onPremisesSyncEnabled = true',
    ]);
    expect(classify({ objectId: 'c1', isCloudManaged: false, onPremisesSyncEnabled: false })).toMatchObject({
      state: 'exchangeMastered',
      certain: true,
    });
    const unread = classify({ objectId: 'c1', isCloudManaged: true, onPremisesSyncEnabled: undefined });
    expect(unread.basis).toEqual(['isCloudManaged = true', 'onPremisesSyncEnabled = not read']);
    expect(unread.certain).toBe(false);
    const noFlag = classify({ objectId: 'c1', isCloudManaged: null, onPremisesSyncEnabled: null });
    expect(noFlag).toMatchObject({ state: 'unknown', certain: false });
    expect(noFlag.basis).toEqual(['isCloudManaged = null', 'onPremisesSyncEnabled = null']);
  });

  it('a lagging reading says to read again', () => {
    expect(classify({ objectId: 'c1', isCloudManaged: true, onPremisesSyncEnabled: true }).basis).toEqual([
      'isCloudManaged = true',
      'onPremisesSyncEnabled = true',
      'onPremisesSyncEnabled still reads true: replication may lag; read again.',
    ]);
  });

  it('a trace-confirmed rollback names the trace and the journal entry', () => {
    const c = classify({
      objectId: 'c1',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      trace: traced,
      journal: rollbackJournal,
    });
    expect(c.basis.slice(2)).toEqual([
      'Server trace: AD object CN=A,OU=Contacts,DC=contoso,DC=com is joined to an Entra connector object (awaiting export confirmation), blockOnPremisesSync = false.',
      `Journal: this app rolled it back at ${at} (b).`,
    ]);
    const plain = classify({ objectId: 'c1', isCloudManaged: false, onPremisesSyncEnabled: null, trace: traced });
    expect(plain.basis).toHaveLength(3);
    expect(
      classify({
        objectId: 'c1',
        isCloudManaged: false,
        onPremisesSyncEnabled: null,
        trace: { ...traced, awaitingExportConfirmation: false },
      }).basis[2],
    ).not.toMatch(/awaiting/);
  });

  it('the explanations of an unreadable, a lagging and a synced-once reading, word for word', () => {
    expect(classify({ objectId: 'c1', isCloudManaged: null, onPremisesSyncEnabled: true }).explanation).toBe(
      'The SOA state could not be read (no isCloudManaged value).',
    );
    expect(classify({ objectId: 'c1', isCloudManaged: false, onPremisesSyncEnabled: undefined }).explanation).toBe(
      'The object could not be read (no onPremisesSyncEnabled value).',
    );
    expect(classify({ objectId: 'c1', isCloudManaged: true, onPremisesSyncEnabled: true }).explanation).toBe(
      'isCloudManaged is true, but onPremisesSyncEnabled has not turned null yet. Replication can lag the change: read the state again.',
    );
    expect(
      classify({
        objectId: 'c1',
        isCloudManaged: false,
        onPremisesSyncEnabled: null,
        onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
      }).explanation,
    ).toBe(
      'The object was synced from AD DS once and is neither synced nor cloud-managed now, which the guide’s table lists only for a rollback the sync client has not taken over yet. Neither the journal nor a server trace confirms it: trace the object on the Connect Sync server to be sure.',
    );
    expect(
      classify({
        objectId: 'c1',
        isCloudManaged: false,
        onPremisesSyncEnabled: null,
        trace: { ...traced, awaitingExportConfirmation: false },
      }).basis[2],
    ).toBe(
      'Server trace: AD object CN=A,OU=Contacts,DC=contoso,DC=com is joined to an Entra connector object, blockOnPremisesSync = false.',
    );
  });

  it('an Exchange-mastered reading explains why SOA transfer does not apply', () => {
    expect(classify({ objectId: 'c1', isCloudManaged: false, onPremisesSyncEnabled: false }).explanation).toBe(
      'onPremisesSyncEnabled = false means the object was synced but is now mastered in Exchange Online. SOA transfer does not apply.',
    );
  });

  it('a write whose result was read before its intent (pages in any order) still counts as finished', () => {
    const intent = rec({
      seq: 5,
      kind: 'intent',
      opId: 'late',
      objectType: 'contact',
      objectId: 'C7',
      action: 'rollback',
      request: { method: 'PATCH', url: 'u' },
    });
    const result = rec({ seq: 6, kind: 'result', opId: 'late', outcome: 'done', verified: true });
    const writes = new FinishedSoaWrites().add([result]).add([intent]);
    expect(writes.newest.get('c7')).toMatchObject({ action: 'rollback', opId: 'late' });
  });

  it('a rollback known to the caller (no journal) says so', () => {
    const c = classify({
      objectId: 'c1',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      rolledBackByThisApp: true,
    });
    expect(c).toMatchObject({ state: 'rolledBackPending', certain: true });
    expect(c.basis.slice(2)).toEqual(['Journal: this app rolled it back.']);
  });

  it('the sync-history basis lists what was read', () => {
    const never = classify({
      objectId: 'u1',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      onPremisesLastSyncDateTime: null,
      onPremisesImmutableId: null,
    });
    expect(never.basis.slice(2)).toEqual([
      'onPremisesLastSyncDateTime = null, onPremisesImmutableId = null: never synced from AD DS.',
    ]);
    const lastOnly = classify({
      objectId: 'c1',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      onPremisesLastSyncDateTime: null,
    });
    expect(lastOnly.basis.slice(2)).toEqual(['onPremisesLastSyncDateTime = null: never synced from AD DS.']);
    const synced = classify({
      objectId: 'u1',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
      onPremisesImmutableId: 'abc=',
    });
    expect(synced.state).toBe('rolledBackPending');
    expect(synced.certain).toBe(false);
    expect(synced.basis.slice(2)).toEqual([
      'onPremisesImmutableId = abc=: the object was synced from AD DS once.',
      'onPremisesLastSyncDateTime = 2026-01-01T00:00:00Z: the object was synced from AD DS once.',
      'No rollback of this object in the journal, and no server trace joins it to an AD object.',
    ]);
    const empty = classify({
      objectId: 'c1',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      onPremisesLastSyncDateTime: '',
    });
    expect(empty.state).toBe('rolledBackOrCloudNative');
    expect(empty.basis.slice(2)).toEqual([
      'No rollback of this object in the journal, and no server trace joins it to an AD object.',
    ]);
  });

  it('a trace without a join is named in the basis', () => {
    const c = classify({
      objectId: 'c1',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      trace: { status: 'unknownDn', dn: 'CN=x,DC=c', message: 'The DN is not in any connector space.' } as TraceResult,
    });
    expect(c.state).toBe('cloudNative');
    expect(c.basis.slice(2)).toEqual(['Server trace: The DN is not in any connector space.']);
  });

  it('labels: certain by default; the cannot-tell and unknown states never add "(not confirmed)"', () => {
    expect(soaStateLabel('synced')).toBe('Synced from AD DS');
    expect(soaStateLabel('transferred', false)).toBe('SOA transferred to the cloud (not confirmed)');
    expect(soaStateLabel('rolledBackOrCloudNative', false)).toBe(SOA_STATE_LABEL.rolledBackOrCloudNative);
    expect(soaStateLabel('unknown', false)).toBe(SOA_STATE_LABEL.unknown);
  });

  it('the journal: only finished transfers and rollbacks count, the newest wins', () => {
    const journal = [
      ...rollbackJournal,
      rec({
        seq: 5,
        kind: 'intent',
        opId: 'c',
        objectType: 'contact',
        objectId: 'c1',
        action: 'displayName',
        request: { method: 'PATCH', url: 'u' },
      }),
      rec({ seq: 6, kind: 'result', opId: 'c', outcome: 'done', verified: true }),
      rec({
        seq: 7,
        kind: 'intent',
        opId: 'd',
        objectType: 'contact',
        objectId: 'c1',
        action: 'transfer',
        request: { method: 'PATCH', url: 'u' },
      }),
      rec({ seq: 8, kind: 'result', opId: 'd', outcome: 'unknown', verified: false }),
    ];
    expect(lastSoaWrite(journal, 'C1')).toEqual({ action: 'rollback', at, opId: 'b' });
    expect([...rolledBackIds(journal)]).toEqual(['c1']);
    // any order: the highest seq wins, not the last record read
    expect(lastSoaWrite([...journal].reverse(), 'c1')).toEqual({ action: 'rollback', at, opId: 'b' });
  });
});

/** The pending-or-cloud-native edges, each with its failing case. */
describe('classify: the sync-history edges', () => {
  const pending = { objectId: 'c1', isCloudManaged: false, onPremisesSyncEnabled: null } as const;

  it('without any sync-history field read, it cannot tell (never "cloud-native")', () => {
    expect(classify({ ...pending })).toMatchObject({ state: 'rolledBackOrCloudNative', certain: false });
  });

  it('an empty onPremisesImmutableId is no sync history; a null last sync says never synced', () => {
    const c = classify({ ...pending, onPremisesImmutableId: '', onPremisesLastSyncDateTime: null });
    expect(c).toMatchObject({ state: 'cloudNative', certain: true });
    expect(c.basis).toContain('onPremisesLastSyncDateTime = null: never synced from AD DS.');
    const user = classify({ ...pending, onPremisesImmutableId: null });
    expect(user).toMatchObject({ state: 'cloudNative', certain: true });
    expect(user.basis.at(-1)).toBe('onPremisesImmutableId = null: never synced from AD DS.');
  });

  it('only transfer and rollback writes count: a newer journaled name change is not a rollback', () => {
    const journal = [
      rec({
        seq: 1,
        kind: 'intent',
        opId: 'r',
        objectType: 'contact',
        objectId: 'c1',
        action: 'rollback',
        request: { method: 'PATCH', url: 'u' },
      }),
      rec({ seq: 2, kind: 'result', opId: 'r', outcome: 'done', verified: true }),
      rec({
        seq: 3,
        kind: 'intent',
        opId: 'n',
        objectType: 'contact',
        objectId: 'c1',
        action: 'displayName',
        request: { method: 'PATCH', url: 'u' },
      }),
      rec({ seq: 4, kind: 'result', opId: 'n', outcome: 'done', verified: true }),
      rec({ seq: 5, kind: 'observation', runId: 'run', what: 'x' }),
    ];
    expect(lastSoaWrite(journal, 'c1')).toMatchObject({ action: 'rollback', opId: 'r' });
    expect(rolledBackIds(journal)).toEqual(new Set(['c1']));
  });
});
