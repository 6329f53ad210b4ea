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
  soaStateText,
  traceObject,
  type AuditPollState,
} from '../../../../../src-renderer/lib/soa/verify';
import { CancelledError } from '../../../../../src-renderer/lib/soa/ports';
import { fakeGraph, fakeIpc, forbidden, networkError, ports, recordingClock, throttled } from './fakes';

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

describe('the evidence records of the reads (what the report shows, word for word)', () => {
  const at = new Date(1_700_000_000_000).toISOString();

  it('readSoa: both GETs with their URL (id encoded), time, status, request id and the fields read', async () => {
    const g = fakeGraph((c) =>
      c.path.endsWith('/onPremisesSyncBehavior')
        ? { status: 200, body: { isCloudManaged: false }, requestId: 'rid-b' }
        : { status: 203, body: { id: 'c 1', displayName: 'Alex' }, requestId: 'rid-c' },
    );
    const r = await readSoa(ports(fakeIpc().ipc, g), 'c 1');
    expect(r.requests).toEqual([
      {
        kind: 'graph',
        label: 'GET https://graph.test/v1.0/contacts/c%201/onPremisesSyncBehavior?$select=isCloudManaged',
        at,
        status: 200,
        requestId: 'rid-b',
        response: { isCloudManaged: false },
      },
      {
        kind: 'graph',
        label:
          'GET https://graph.test/v1.0/contacts/c%201?$select=id,displayName,mail,onPremisesSyncEnabled,onPremisesLastSyncDateTime',
        at,
        status: 203,
        requestId: 'rid-c',
        // fields the contact did not carry are recorded as null (read, and empty), not left out
        response: { displayName: 'Alex', onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: null },
      },
    ]);
    expect(r).toMatchObject({ isCloudManaged: false, onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: null });
  });

  it('readSoa: a failed GET records its error status, code and message; the contact error is kept when only it failed', async () => {
    const g = fakeGraph((c) =>
      c.path.endsWith('/onPremisesSyncBehavior')
        ? forbidden
        : { kind: 'notFound', status: 404, code: 'Request_ResourceNotFound', message: 'gone' },
    );
    const r = await readSoa(ports(fakeIpc().ipc, g), 'c1');
    expect(r.requests.map((q) => [q.status, q.requestId, q.response])).toEqual([
      [403, 'rid-1', { error: 'Authorization_RequestDenied', message: forbidden.message }],
      [404, 'rid-2', { error: 'Request_ResourceNotFound', message: 'gone' }],
    ]);
    expect(r.error?.code).toBe('Authorization_RequestDenied');
    const onlyContact = await readSoa(
      ports(
        fakeIpc().ipc,
        fakeGraph((c) =>
          c.path.endsWith('/onPremisesSyncBehavior')
            ? { status: 200, body: { isCloudManaged: true } }
            : { kind: 'notFound', status: 404, code: 'Request_ResourceNotFound', message: 'gone' },
        ),
      ),
      'c1',
    );
    expect(onlyContact.error?.code).toBe('Request_ResourceNotFound');
    expect(soaStateText(onlyContact)).toBe('isCloudManaged = true; onPremisesSyncEnabled = null');
  });

  it('readSoaUntil passes the abort signal to its sleep, and sleeps without one when none is given', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    const g = fakeGraph((c) =>
      c.path.endsWith('/onPremisesSyncBehavior')
        ? { status: 200, body: { isCloudManaged: true } }
        : { status: 200, body: { id: 'c1', onPremisesSyncEnabled: true } },
    );
    const base = ports(fakeIpc().ipc, g);
    const p = {
      ...base,
      clock: { now: () => new Date(0), sleep: async (_ms: number, s?: AbortSignal) => void seen.push(s) },
    };
    const ac = new AbortController();
    await readSoaUntil(p, 'c1', () => false, ac.signal);
    await readSoaUntil(p, 'c1', () => false);
    expect(seen).toEqual([ac.signal, ac.signal, undefined, undefined]);
  });

  const adConnector = { name: 'contoso.com', via: 'partition', partition: 'DC=contoso,DC=com' };
  const exportEvidence = { awaiting: true, source: 'runHistory', detail: 'd.', exportRun: null, pendingExports: 2 };
  const tracedValue = {
    status: 'traced',
    dn: 'CN=A,DC=contoso,DC=com',
    adConnector,
    adObject: {},
    metaverseObjectId: 'mv',
    entraObject: null,
    blockOnPremisesSync: false,
    cloudAnchor: 'Contact_c1',
    cloudMastered: false,
    awaitingExportConfirmation: true,
    exportEvidence,
    message: 'traced it',
  };

  it('traceObject: the commands in the label, since only when given, and the traced fields in the response', async () => {
    const inputs: unknown[] = [];
    const f = fakeIpc({
      'server.traceObject': (input) => {
        inputs.push(input);
        return tracedValue;
      },
    });
    const p = ports(
      f.ipc,
      fakeGraph(() => ({ status: 200 })),
    );
    const withSince = await traceObject(p, 'CN=A,DC=contoso,DC=com', '2026-01-01T00:00:00Z');
    expect(withSince.request).toEqual({
      kind: 'powershell',
      label:
        "Get-ADSyncCSObject -ConnectorName <AD connector> -DistinguishedName 'CN=A,DC=contoso,DC=com' → Get-ADSyncMVObject → Get-ADSyncCSObject (Entra connector) → Get-ADSyncRunProfileResult -ConnectorId <Entra connector> -RunStepDetails (Export runs since 2026-01-01T00:00:00Z)",
      at,
      status: 'traced',
      response: {
        blockOnPremisesSync: false,
        awaitingExportConfirmation: true,
        cloudAnchor: 'Contact_c1',
        adConnector: 'contoso.com',
        exportEvidence,
        message: 'traced it',
      },
    });
    expect(withSince.error).toBeUndefined();
    const without = await traceObject(p, 'CN=A,DC=contoso,DC=com');
    expect(without.request.label).toBe(
      "Get-ADSyncCSObject -ConnectorName <AD connector> -DistinguishedName 'CN=A,DC=contoso,DC=com' → Get-ADSyncMVObject → Get-ADSyncCSObject (Entra connector)",
    );
    expect(inputs).toEqual([
      { dn: 'CN=A,DC=contoso,DC=com', since: '2026-01-01T00:00:00Z' },
      { dn: 'CN=A,DC=contoso,DC=com' },
    ]);
  });

  it('traceObject: an object that is not traced records only its message; a failed call its error and no trace', async () => {
    const notJoined = { status: 'notJoined', dn: 'CN=A', adConnector, adObject: {}, message: 'not joined' };
    const p = ports(
      fakeIpc({ 'server.traceObject': () => notJoined }).ipc,
      fakeGraph(() => ({ status: 200 })),
    );
    const r = await traceObject(p, 'CN=A');
    expect(r.trace).toEqual(notJoined);
    expect(r.request).toMatchObject({ status: 'notJoined', response: { message: 'not joined' } });
    expect(r.request.response).toEqual({ message: 'not joined' });
    const failing = {
      call: async () => ({ ok: false, error: { code: 'powershell', message: 'no module' } }),
      invoke: async () => undefined,
      onProgress: () => () => undefined,
    } as unknown as Parameters<typeof ports>[0];
    const e = await traceObject(
      ports(
        failing,
        fakeGraph(() => ({ status: 200 })),
      ),
      'CN=A',
    );
    expect(e).toEqual({
      trace: null,
      error: { code: 'powershell', message: 'no module' },
      request: expect.objectContaining({
        status: 'powershell',
        response: { error: 'powershell', message: 'no module' },
      }) as unknown,
    });
  });

  it('runSyncCycle: the label names the policy, the timeout comes from tuning, a cycle not completed is not ok', async () => {
    const inputs: unknown[] = [];
    const busy = { status: 'busy', message: 'a cycle is running' };
    const f = fakeIpc({
      'server.runSyncCycle': (input) => {
        inputs.push(input);
        return busy;
      },
    });
    const out = await runSyncCycle(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      { policyType: 'Initial' },
    );
    expect(out).toEqual({
      ok: false,
      result: busy,
      request: {
        kind: 'powershell',
        label:
          'Start-ADSyncSyncCycle -PolicyType Initial; then wait for SyncCycleInProgress = False and Get-ADSyncRunProfileResult',
        at,
        status: 'busy',
        response: busy,
      },
    });
    expect(inputs).toEqual([{ policyType: 'Initial', timeoutSeconds: 1800, waitIfBusy: true, operationId: 'op-1' }]);
    const d = await runSyncCycle(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
    );
    expect(d.request.label).toMatch(/^Start-ADSyncSyncCycle -PolicyType Delta;/);
  });
  it('runSyncCycle forwards the progress of its own operation and the abort signal; a cancel says the cycle goes on', async () => {
    const listeners: ((e: { operationId: string; data: unknown }) => void)[] = [];
    const calls: string[] = [];
    const ipc = {
      call: async (name: string, input: { operationId: string }) => {
        calls.push(name);
        for (const l of listeners) {
          l({ operationId: 'other-op', data: { phase: 'foreign' } });
          l({ operationId: input.operationId, data: { phase: 'running' } });
        }
        return { ok: true, value: { status: 'stagingMode', message: 'staging' } };
      },
      invoke: async () => undefined,
      onProgress: (l: (e: { operationId: string; data: unknown }) => void) => {
        listeners.push(l);
        return () => undefined;
      },
    } as unknown as Parameters<typeof ports>[0];
    const p = ports(
      ipc,
      fakeGraph(() => ({ status: 200 })),
    );
    const seen: unknown[] = [];
    const out = await runSyncCycle(p, { onProgress: (e) => seen.push(e) });
    expect(seen).toEqual([{ phase: 'running' }]);
    expect(out.ok).toBe(false);
    const ac = new AbortController();
    ac.abort();
    const cancelled = runSyncCycle(p, { signal: ac.signal });
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    await expect(cancelled).rejects.toThrow(
      'The sync wait was cancelled (the cycle itself keeps running on the server).',
    );
    // the aborted signal reached the streaming call: no second cycle was started on the server
    expect(calls).toEqual(['server.runSyncCycle']);
  });

  it('pollAudit without an onTick callback: an aborted poll still ends as cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const g = fakeGraph(() => ({ status: 200, body: { value: [] } }));
    const s = await pollAudit(
      steppingPorts(g, 1000, 60_000),
      { targetId: 'c1', since: '2026-01-01T00:00:00Z', action: 'transfer' },
      { signal: ac.signal },
    );
    expect(s).toMatchObject({ status: 'cancelled', polls: 0 });
  });
});
