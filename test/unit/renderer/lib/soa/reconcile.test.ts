import { describe, expect, it } from 'vitest';
import type { StoredJournalRecord } from '@contract';
import { isBulkIntent, reconcilePending, type PendingIntent } from '../../../../../src-renderer/lib/soa/reconcile';
import { fakeGraph, fakeIpc, networkError, ports } from './fakes';

function intent(r: Partial<PendingIntent> & Pick<PendingIntent, 'opId' | 'action' | 'request'>): PendingIntent {
  return {
    kind: 'intent',
    seq: 1,
    at: '2026-01-01T00:00:00Z',
    tenant: 't',
    objectType: 'contact',
    objectId: 'c1',
    ...r,
  } as PendingIntent;
}

describe('reconcilePending (restart)', () => {
  it('marks an applied transfer done and an unapplied one failed, by reading only', async () => {
    const f = fakeIpc();
    const graph = fakeGraph((c) => {
      if (c.method !== 'GET') throw new Error('reconcile must not write');
      if (c.path === '/contacts/c1/onPremisesSyncBehavior') return { status: 200, body: { isCloudManaged: true } };
      if (c.path === '/contacts/c2/onPremisesSyncBehavior')
        return { status: 200, body: { value: { isCloudManaged: true } } };
      throw new Error(c.path);
    });
    const out = await reconcilePending(ports(f.ipc, graph), [
      intent({ opId: 'a', action: 'transfer', request: { method: 'PATCH', url: 'u', body: { isCloudManaged: true } } }),
      intent({
        opId: 'b',
        objectId: 'c2',
        action: 'rollback',
        request: { method: 'PATCH', url: 'u', body: { isCloudManaged: false } },
      }),
    ]);
    expect(out.map((o) => [o.opId, o.outcome])).toEqual([
      ['a', 'done'],
      ['b', 'failed'],
    ]);
    const results = f.journal.filter((r): r is StoredJournalRecord & { kind: 'result' } => r.kind === 'result');
    expect(results.map((r) => [r.opId, r.outcome, r.verified])).toEqual([
      ['a', 'done', true],
      ['b', 'failed', true],
    ]);
    expect(results[0]?.reason).toMatch(/Not sent again/);
  });

  it('leaves an operation pending when the state cannot be read', async () => {
    const f = fakeIpc();
    const graph = fakeGraph(() => networkError);
    const out = await reconcilePending(ports(f.ipc, graph), [
      intent({ opId: 'a', action: 'transfer', request: { method: 'PATCH', url: 'u', body: { isCloudManaged: true } } }),
    ]);
    expect(out[0]?.outcome).toBe('stillPending');
    expect(f.journal).toHaveLength(0);
  });

  it('checks a displayName write and an AD touch by reading them', async () => {
    const f = fakeIpc({
      'server.findOnPremContact': () => ({
        matches: [
          { distinguishedName: 'CN=A,DC=x', objectGuid: 'g', displayName: 'A', mail: null, description: 'probe' },
        ],
        via: 'activeDirectory',
      }),
    });
    const graph = fakeGraph(() => ({ status: 200, body: { id: 'c1', displayName: 'New name' } }));
    const out = await reconcilePending(ports(f.ipc, graph), [
      intent({
        opId: 'n',
        action: 'displayName',
        request: { method: 'PATCH', url: 'u', body: { displayName: 'New name' } },
      }),
      intent({
        opId: 't',
        action: 'adTouch',
        request: {
          method: 'POWERSHELL',
          url: "Set-ADObject -Identity 'CN=A,DC=x' -Replace @{description=…}",
          body: { description: 'probe' },
        },
      }),
    ]);
    expect(out.map((o) => o.outcome)).toEqual(['done', 'done']);
  });
});

describe('isBulkIntent', () => {
  it('leaves bulk runs’ intents (`<runId>/<type>/<id>`) to the Bulk view', () => {
    expect(isBulkIntent({ opId: 'run-7/contact/abc' })).toBe(true);
    expect(isBulkIntent({ opId: '6f1c2a9e-8d7b-4c3a-9e1f-0a2b3c4d5e6f' })).toBe(false);
  });
});
