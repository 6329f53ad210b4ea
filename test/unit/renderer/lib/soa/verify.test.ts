import { describe, expect, it } from 'vitest';
import type { GraphCall } from '../../../../../src-renderer/lib/graph/graph-client';
import {
  classifyRead,
  errorText,
  pollAudit,
  readSoa,
  readSoaUntil,
  runSyncCycle,
  soaReading,
  type AuditPollState,
} from '../../../../../src-renderer/lib/soa/verify';
import { CancelledError } from '../../../../../src-renderer/lib/soa/ports';
import { fakeGraph, fakeIpc, networkError, ports, recordingClock, throttled } from './fakes';

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

describe('pollAudit waits', () => {
  const since = '2026-01-01T00:00:00Z';
  it('after a throttled read, waits the Retry-After (when longer than the interval), then reads again', async () => {
    let reads = 0;
    const g = fakeGraph(() =>
      ++reads === 1
        ? throttled
        : { status: 200, body: { value: [entry('Change Source of Authority from AD to cloud')] } },
    );
    const clock = recordingClock();
    const p = { ...steppingPorts(g, 1000, 60_000), clock };
    const ticks: AuditPollState[] = [];
    const s = await pollAudit(p, { targetId: 'c1', since, action: 'transfer' }, { onTick: (t) => ticks.push(t) });
    expect(s.status).toBe('found');
    expect(clock.sleeps).toEqual([2000]);
    expect(ticks[0]?.message).toMatch(/Read failed \(throttled\); retrying/);
    expect(s.elapsedMs).toBe(2000);
  });

  it('after a network error, waits at least 2 s; after an empty read, the interval', async () => {
    let reads = 0;
    const g = fakeGraph(() =>
      ++reads === 1
        ? networkError
        : reads === 2
          ? { status: 200, body: { value: [] } }
          : { status: 200, body: { value: [entry('Change Source of Authority from AD to cloud')] } },
    );
    const clock = recordingClock();
    const s = await pollAudit(
      { ...steppingPorts(g, 500, 60_000), clock },
      { targetId: 'c1', since, action: 'transfer' },
    );
    expect(s.status).toBe('found');
    expect(clock.sleeps).toEqual([2000, 500]);
  });

  it('never sleeps past the bound', async () => {
    const g = fakeGraph(() => ({ status: 200, body: { value: [] } }));
    const clock = recordingClock();
    const s = await pollAudit(
      { ...steppingPorts(g, 40_000, 60_000), clock },
      { targetId: 'c1', since, action: 'transfer' },
    );
    expect(s.status).toBe('notYetVisible');
    expect(clock.sleeps).toEqual([40_000, 20_000]);
    expect(s.message).toMatch(/after 60 s \(3 reads\)/);
  });

  it('stops, without reading, when the signal is already aborted', async () => {
    const calls: GraphCall[] = [];
    const g = fakeGraph(() => ({ status: 200, body: { value: [] } }), calls);
    const ac = new AbortController();
    ac.abort();
    const ticks: AuditPollState[] = [];
    const s = await pollAudit(
      steppingPorts(g, 1000, 60_000),
      { targetId: 'c1', since, action: 'transfer' },
      { signal: ac.signal, onTick: (t) => ticks.push(t) },
    );
    expect(s).toMatchObject({ status: 'cancelled', polls: 0 });
    expect(calls).toHaveLength(0);
    expect(ticks.map((t) => t.status)).toEqual(['cancelled']);
  });
});

describe('readSoa and readSoaUntil', () => {
  const route = (icm: boolean | 'error', contact: boolean | null | 'error') =>
    fakeGraph((c) => {
      if (c.path.endsWith('/onPremisesSyncBehavior'))
        return icm === 'error' ? networkError : { status: 200, body: { isCloudManaged: icm } };
      if (contact === 'error') return { ...networkError, message: 'contact read failed' };
      return {
        status: 200,
        body: {
          id: 'c1',
          displayName: 'Alex',
          onPremisesSyncEnabled: contact,
          onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
        },
      };
    });

  it('reads both flags with the evidence of both GETs', async () => {
    const r = await readSoa(ports(fakeIpc().ipc, route(true, null)), 'c1');
    expect(r).toMatchObject({
      isCloudManaged: true,
      onPremisesSyncEnabled: null,
      displayName: 'Alex',
      onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
    });
    expect(r.error).toBeUndefined();
    expect(r.requests.map((q) => q.label)).toEqual([
      'GET https://graph.test/v1.0/contacts/c1/onPremisesSyncBehavior?$select=isCloudManaged',
      'GET https://graph.test/v1.0/contacts/c1?$select=id,displayName,mail,onPremisesSyncEnabled,onPremisesLastSyncDateTime',
    ]);
    expect(r.requests.map((q) => q.status)).toEqual([200, 200]);
  });

  it('a failed contact read leaves its fields null and "not read" for the classifier', async () => {
    const r = await readSoa(ports(fakeIpc().ipc, route(true, 'error')), 'c1');
    expect(r).toMatchObject({
      isCloudManaged: true,
      onPremisesSyncEnabled: null,
      displayName: null,
      onPremisesLastSyncDateTime: null,
    });
    expect(r.error?.message).toBe('contact read failed');
    expect(soaReading(r)).toEqual({
      isCloudManaged: true,
      onPremisesSyncEnabled: undefined,
      onPremisesLastSyncDateTime: undefined,
    });
    expect(classifyRead(r, 'c1').state).toBe('unknown');
    expect(r.requests[1]?.response).toMatchObject({ message: 'contact read failed' });
  });

  it('a failed behaviour read is the error even when the contact read also fails', async () => {
    const r = await readSoa(ports(fakeIpc().ipc, route('error', 'error')), 'c1');
    expect(r.isCloudManaged).toBe(null);
    expect(r.error?.message).toBe('socket hang up');
  });

  it('reads again, a delay apart, only while the state has not settled', async () => {
    let reads = 0;
    const calls: GraphCall[] = [];
    const g = fakeGraph((c) => {
      if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: true } };
      reads++;
      return { status: 200, body: { id: 'c1', displayName: 'Alex', onPremisesSyncEnabled: reads < 3 ? true : null } };
    }, calls);
    const clock = recordingClock();
    const p = {
      ...ports(fakeIpc().ipc, g, clock),
      tuning: { ...ports(fakeIpc().ipc, g).tuning, readBackAttempts: 5, readBackDelayMs: 750 },
    };
    const r = await readSoaUntil(p, 'c1', (x) => x.onPremisesSyncEnabled === null);
    expect(r.onPremisesSyncEnabled).toBe(null);
    expect(reads).toBe(3);
    expect(clock.sleeps).toEqual([750, 750]);
    const settled = await readSoaUntil(p, 'c1', () => true);
    expect(settled.isCloudManaged).toBe(true);
    expect(clock.sleeps).toEqual([750, 750]);
  });
});

describe('errorText', () => {
  it('says "no response" for status 0, else status, code and message, with the fix', () => {
    expect(errorText(networkError)).toBe('no response (socket hang up) — x');
    expect(errorText(throttled)).toBe('429 TooManyRequests: slow down — wait');
    expect(errorText({ kind: 'notFound', status: 404, code: '', message: 'gone' })).toBe('404 notFound: gone');
  });
});

/** The verdict-bearing edges of verify.ts, each with its failing case. */
describe('verify edges', () => {
  const since = '2026-01-01T00:00:00Z';
  const found = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ...entry('Change Source of Authority from AD to cloud'), id: `d${i}` }));

  it('a failed behaviour read still uses the contact flags that were read', () => {
    const read = {
      isCloudManaged: null,
      onPremisesSyncEnabled: true,
      onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
      displayName: 'A',
      requests: [],
      error: networkError,
    };
    expect(soaReading(read)).toEqual({
      isCloudManaged: null,
      onPremisesSyncEnabled: true,
      onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
    });
  });

  it('found: the newest (last) entry of the read is the evidence', async () => {
    const g = fakeGraph(() => ({ status: 200, body: { value: found(3) } }));
    const s = await pollAudit(steppingPorts(g, 1000, 60_000), { targetId: 'c1', since, action: 'transfer' });
    expect(s.status).toBe('found');
    expect(s.event?.id).toBe('d2');
    expect(s.message).toBe('"Change Source of Authority from AD to cloud" at 2026-01-01T00:01:00Z.');
  });

  it('a 5xx audit read is retried, not a stop', async () => {
    let reads = 0;
    const g = fakeGraph(() =>
      ++reads === 1
        ? { kind: 'server', status: 503, code: 'ServiceUnavailable', message: 'later' }
        : { status: 200, body: { value: found(1) } },
    );
    const s = await pollAudit(steppingPorts(g, 1000, 60_000), { targetId: 'c1', since, action: 'transfer' });
    expect(s.status).toBe('found');
    expect(reads).toBe(2);
  });

  it('a throttled audit read waits its Retry-After when longer than 2 s and the interval', async () => {
    let reads = 0;
    const g = fakeGraph(() =>
      ++reads === 1 ? { ...throttled, waitSeconds: 5 } : { status: 200, body: { value: found(1) } },
    );
    const clock = recordingClock();
    const ticks: AuditPollState[] = [];
    const s = await pollAudit(
      { ...steppingPorts(g, 1000, 60_000), clock },
      { targetId: 'c1', since, action: 'transfer' },
      { onTick: (t) => ticks.push(t) },
    );
    expect(clock.sleeps).toEqual([5000]);
    expect(s.status).toBe('found');
    const g2 = fakeGraph(() => ({ status: 200, body: { value: [] } }));
    const t2: AuditPollState[] = [];
    await pollAudit(
      steppingPorts(g2, 1000, 1000),
      { targetId: 'c1', since, action: 'transfer' },
      {
        onTick: (t) => t2.push(t),
      },
    );
    expect(t2[0]?.message).toBe('Not visible yet; reading again shortly.');
  });

  it('a failing sleep stops the poll with its error; an abort during the sleep ends as cancelled', async () => {
    const g = fakeGraph(() => ({ status: 200, body: { value: [] } }));
    const p = steppingPorts(g, 1000, 60_000);
    await expect(
      pollAudit(
        { ...p, clock: { ...p.clock, sleep: () => Promise.reject(new Error('clock broke')) } },
        { targetId: 'c1', since, action: 'transfer' },
      ),
    ).rejects.toThrow('clock broke');
    const ac = new AbortController();
    const ticks: AuditPollState[] = [];
    const s = await pollAudit(
      {
        ...p,
        clock: {
          ...p.clock,
          sleep: () => {
            ac.abort();
            return Promise.reject(new CancelledError());
          },
        },
      },
      { targetId: 'c1', since, action: 'transfer' },
      { signal: ac.signal, onTick: (t) => ticks.push(t) },
    );
    expect(s).toMatchObject({ status: 'cancelled', message: 'Stopped by the admin.' });
    expect(ticks.at(-1)).toEqual(s);
  });

  it('runSyncCycle asks main to wait out a busy engine unless told not to, and forwards progress', async () => {
    const inputs: unknown[] = [];
    const completed = {
      status: 'completed',
      cycle: { runs: [{ connectorName: 'AD', runProfileName: 'Delta Import', result: 'success' }] },
    };
    const f = fakeIpc({
      'server.runSyncCycle': (input) => {
        inputs.push(input);
        return completed;
      },
    });
    const out = await runSyncCycle(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
    );
    expect(out.ok).toBe(true);
    expect(out.request.response).toEqual(['AD · Delta Import: success']);
    await runSyncCycle(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      { waitIfBusy: false },
    );
    expect(inputs.map((i) => (i as { waitIfBusy: boolean }).waitIfBusy)).toEqual([true, false]);
  });

  it('runSyncCycle: a failed call is not ok and keeps its error; a cancelled one throws', async () => {
    const failing = (code: string) =>
      ({
        call: async () => ({ ok: false, error: { code, message: `${code} happened` } }),
        invoke: async () => undefined,
        onProgress: () => () => undefined,
      }) as unknown as Parameters<typeof ports>[0];
    const out = await runSyncCycle(
      ports(
        failing('timeout'),
        fakeGraph(() => ({ status: 200 })),
      ),
    );
    expect(out).toMatchObject({
      ok: false,
      error: { code: 'timeout', message: 'timeout happened' },
      request: { status: 'timeout', response: { error: 'timeout', message: 'timeout happened' } },
    });
    await expect(
      runSyncCycle(
        ports(
          failing('cancelled'),
          fakeGraph(() => ({ status: 200 })),
        ),
      ),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});
