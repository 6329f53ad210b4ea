import { describe, expect, it } from 'vitest';
import type { GraphCall } from '../../../../../src-renderer/lib/graph/graph-client';
import { pollAudit, type AuditPollState } from '../../../../../src-renderer/lib/soa/verify';
import { fakeGraph, fakeIpc, ports } from './fakes';

/** A clock that advances by the slept time (no real waiting). */
function steppingPorts(graph: ReturnType<typeof fakeGraph>, intervalMs: number, boundMs: number) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const p = ports(fakeIpc().ipc, graph);
  return {
    ...p,
    clock: { now: () => new Date(now), sleep: async (ms: number) => void (now += ms) },
    tuning: { ...p.tuning, auditPollIntervalMs: intervalMs, auditPollBoundMs: boundMs },
  };
}

const entry = (activity: string) => ({
  id: 'Directory_1',
  activityDisplayName: activity,
  activityDateTime: '2026-01-01T00:01:00Z',
  targetResources: [{ id: 'c1', type: 'Contact' }],
});

describe('pollAudit', () => {
  it('finds the entry under either spelling of the transfer activity', async () => {
    for (const name of [
      'Change Source of Authority from AD to cloud',
      'Change Source of Authority from AD DS to cloud',
    ]) {
      let reads = 0;
      const g = fakeGraph(() => ({ status: 200, body: { value: ++reads < 3 ? [] : [entry(name)] } }));
      const ticks: AuditPollState[] = [];
      const s = await pollAudit(
        steppingPorts(g, 1000, 60_000),
        { targetId: 'c1', since: '2026-01-01T00:00:00Z', action: 'transfer' },
        { onTick: (t) => ticks.push(t) },
      );
      expect(s.status).toBe('found');
      expect(s.polls).toBe(3);
      expect(ticks.map((t) => t.status)).toEqual(['polling', 'polling', 'found']);
    }
  });

  it('reports "not yet visible" at the bound — not a failure', async () => {
    const calls: GraphCall[] = [];
    const g = fakeGraph(() => ({ status: 200, body: { value: [entry('Some other activity')] } }), calls);
    const s = await pollAudit(steppingPorts(g, 20_000, 60_000), {
      targetId: 'c1',
      since: '2026-01-01T00:00:00Z',
      action: 'transfer',
    });
    expect(s.status).toBe('notYetVisible');
    expect(s.message).toMatch(/not a failure/);
    expect(s.polls).toBe(4);
    expect(calls[0]?.query?.$filter).toBe(
      "activityDateTime ge 2026-01-01T00:00:00Z and targetResources/any(t:t/id eq 'c1')",
    );
  });

  it('stops with the fix when the admin cannot read the audit log (403)', async () => {
    const g = fakeGraph(() => ({
      kind: 'forbidden',
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges',
      missingScopes: [],
      missingRole: 'Reports Reader',
      fix: 'Assign Reports Reader',
    }));
    const s = await pollAudit(steppingPorts(g, 1000, 60_000), {
      targetId: 'c1',
      since: '2026-01-01T00:00:00Z',
      action: 'rollback',
    });
    expect(s.status).toBe('error');
    expect(s.message).toMatch(/Assign Reports Reader/);
  });
});
