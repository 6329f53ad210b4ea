import { describe, expect, it } from 'vitest';
import type { StoredJournalRecord } from '@contract';
import { lastWriteOf, recoverSoaWrite } from '../../../../../src-renderer/lib/soa/resume';
import { settleTakeover } from '../../../../../src-renderer/lib/soa/rollback';
import { finishStep, newStep } from '../../../../../src-renderer/lib/soa/evidence';
import { fakeGraph, fakeIpc, ports } from './fakes';

const target = { id: 'c1', displayName: 'Alex Wilber', mail: 'alex@contoso.com', dn: 'CN=Alex,DC=contoso,DC=com' };
const at = (n: number): string => new Date(1_700_000_000_000 + n * 1000).toISOString();

function intent(opId: string, seq: number, runId: string, objectId = 'c1'): StoredJournalRecord {
  return {
    kind: 'intent',
    opId,
    runId,
    seq,
    at: at(seq),
    tenant: 't',
    objectType: 'contact',
    objectId,
    action: 'transfer',
    request: {
      method: 'PATCH',
      url: 'https://graph/v1.0/contacts/c1/onPremisesSyncBehavior',
      body: { isCloudManaged: true },
    },
  };
}

function graphReading(isCloudManaged: boolean) {
  return fakeGraph((c) => {
    if (c.method !== 'GET') throw new Error('resuming must not write');
    if (c.path === '/contacts/c1/onPremisesSyncBehavior') return { status: 200, body: { isCloudManaged } };
    if (c.path === '/contacts/c1')
      return {
        status: 200,
        body: { id: 'c1', displayName: 'Alex Wilber', onPremisesSyncEnabled: isCloudManaged ? null : true },
      };
    throw new Error(c.path);
  });
}

describe('lastWriteOf', () => {
  it('finds the newest write of the object (of one run when asked) with its result', () => {
    const records: StoredJournalRecord[] = [
      intent('a', 1, 'run-1'),
      { kind: 'result', opId: 'a', outcome: 'failed', verified: true, seq: 2, at: at(2), tenant: 't' },
      intent('b', 3, 'run-2'),
      intent('x', 4, 'run-2', 'other'),
    ];
    expect(lastWriteOf(records, 'C1', 'transfer')?.intent.opId).toBe('b');
    expect(lastWriteOf(records, 'c1', 'transfer', 'run-1')).toMatchObject({
      intent: { opId: 'a' },
      result: { outcome: 'failed' },
    });
    expect(lastWriteOf(records, 'c1', 'transfer', 'run-2')?.result).toBeUndefined();
    expect(lastWriteOf(records, 'c1', 'rollback')).toBeUndefined();
  });
});

describe('recoverSoaWrite (resume after a reload or restart)', () => {
  it('an intent without a result (killed after the PATCH) is settled by reading, never sent again', async () => {
    const f = fakeIpc();
    f.journal.push(intent('op-1', 1, 'run-1'));
    const r = await recoverSoaWrite(ports(f.ipc, graphReading(true)), target, 'transfer', [...f.journal], 'run-1');
    expect(r?.outcome).toBe('done');
    expect(r?.step.verdict).toBe('pass');
    expect(r?.step.observed).toMatch(/isCloudManaged = true .*restart/);
    expect(f.journal.filter((x) => x.kind === 'result')).toMatchObject([
      { opId: 'op-1', outcome: 'done', verified: true },
    ]);
  });

  it('a write that did not land is a failure, not a pass (the read decides)', async () => {
    const f = fakeIpc();
    f.journal.push(intent('op-1', 1, 'run-1'));
    const r = await recoverSoaWrite(ports(f.ipc, graphReading(false)), target, 'transfer', [...f.journal], 'run-1');
    expect(r?.outcome).toBe('failed');
    expect(r?.step.verdict).toBe('fail');
  });

  it('a run that never wrote has nothing to recover; an object transferred elsewhere is information', async () => {
    const f = fakeIpc();
    expect(await recoverSoaWrite(ports(f.ipc, graphReading(true)), target, 'transfer', [], 'run-1')).toBeUndefined();
    const adopted = await recoverSoaWrite(ports(f.ipc, graphReading(true)), target, 'transfer', []);
    expect(adopted).toMatchObject({ outcome: 'done', opId: null, step: { verdict: 'info' } });
    const notTransferred = await recoverSoaWrite(ports(f.ipc, graphReading(false)), target, 'transfer', []);
    expect(notTransferred?.outcome).toBe('failed');
  });
});

describe('settleTakeover', () => {
  const first = finishStep(
    newStep('takeover-1', 'Sync cycle: takeover starts', 'p', new Date(0)),
    'warn',
    'awaitingExportConfirmation = false; blockOnPremisesSync = false',
    new Date(1),
  );
  it('complete once the object reads synced: a missed first state becomes "not observed" information', () => {
    const s = settleTakeover(first, { state: 'synced' });
    expect(s.complete).toBe(true);
    expect(s.first?.verdict).toBe('info');
    expect(s.first?.observed).toMatch(/^Not observed/);
  });
  it('not complete while the object reads anything else: the warning stays', () => {
    for (const state of ['rolledBackPending', 'rolledBackOrCloudNative', 'unknown'] as const) {
      const s = settleTakeover(first, { state });
      expect(s.complete).toBe(false);
      expect(s.first?.verdict).toBe('warn');
    }
    expect(settleTakeover(first, undefined).complete).toBe(false);
  });
});
