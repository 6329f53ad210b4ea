/**
 * The failing case of each wizard step's pass condition: for every step, the observation that must NOT
 * pass (a busy or staging engine, a lagging state, a trace without the block flag, zero 6956 events, a
 * changed cloud object…), next to the one that does. A step whose condition is loosened fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  stepProveAdBlocked,
  stepProveReadOnly,
  stepProveWritable,
  stepSyncFirst,
  stepTransfer,
  stepVerifyServer,
} from '../../../../../src-renderer/lib/soa/transfer';
import {
  stepCloudReferences,
  stepRollbackPatch,
  stepTakeoverConfirmed,
  stepTakeoverCycle,
} from '../../../../../src-renderer/lib/soa/rollback';
import type { ContactTarget } from '../../../../../src-renderer/lib/soa/verify';
import { fakeGraph, fakeIpc, networkError, ports, type Route } from './fakes';

const target: ContactTarget = {
  id: 'c1',
  displayName: 'Alex Wilber',
  mail: 'alex@fabrikam.com',
  dn: 'CN=Alex Wilber,OU=Contacts,DC=contoso,DC=com',
};

const completed = (allSucceeded = true) => ({
  status: 'completed',
  cycle: {
    t0: 't0',
    finishedAt: 't1',
    runs: [
      {
        connectorName: 'contoso.com',
        runProfileName: 'Delta Import',
        result: allSucceeded ? 'success' : 'stopped-extension-dll-exception',
      },
    ],
    allSucceeded,
  },
});

const cs = {
  connectorName: 'x',
  distinguishedName: 'd',
  objectId: 'o',
  hasExportError: false,
  hasSyncError: false,
  attributes: {},
};

function traced(block: boolean | null, awaiting: boolean | null, source = 'csObject') {
  return {
    status: 'traced',
    dn: target.dn,
    adConnector: { name: 'contoso.com', via: 'partition', partition: 'DC=contoso,DC=com' },
    adObject: cs,
    metaverseObjectId: 'mv',
    entraObject: cs,
    blockOnPremisesSync: block,
    cloudAnchor: 'Contact_c1',
    cloudMastered: block === true,
    awaitingExportConfirmation: awaiting,
    exportEvidence: {
      awaiting,
      source,
      detail: 'detail.',
      exportRun: null,
      pendingExports: null,
    },
    message: 'traced',
  };
}

/** GET onPremisesSyncBehavior answers `icm`; GET the contact answers its onPremisesSyncEnabled and fields. */
function soa(
  icm: boolean,
  enabled: boolean | null,
  fields: { displayName?: string; onPremisesLastSyncDateTime?: string | null } = {},
): Route {
  return (c) => {
    if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: icm } };
    return {
      status: 200,
      body: {
        id: 'c1',
        displayName: fields.displayName ?? 'Alex Wilber',
        onPremisesSyncEnabled: enabled,
        onPremisesLastSyncDateTime: fields.onPremisesLastSyncDateTime ?? '2026-01-01T00:00:00Z',
      },
    };
  };
}
const noGraph = fakeGraph(() => ({ status: 200 }));

describe('step 3 (sync first) passes only on a completed cycle whose runs all succeeded', () => {
  it('passes on a completed cycle with every run successful', async () => {
    const r = await stepSyncFirst(ports(fakeIpc({ 'server.runSyncCycle': () => completed() }).ipc, noGraph));
    expect(r).toMatchObject({ completed: true, busy: false });
    expect(r.step.verdict).toBe('pass');
  });

  it('warns (not pass) when a run profile did not succeed', async () => {
    const r = await stepSyncFirst(ports(fakeIpc({ 'server.runSyncCycle': () => completed(false) }).ipc, noGraph));
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/stopped-extension-dll-exception/);
  });

  it('a busy engine is a warning with busy = true, not completed', async () => {
    const f = fakeIpc({ 'server.runSyncCycle': () => ({ status: 'busy', message: 'a cycle is running' }) });
    const r = await stepSyncFirst(ports(f.ipc, noGraph));
    expect(r).toMatchObject({ completed: false, busy: true });
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/busy: a cycle is running/);
  });

  it('staging mode fails the step', async () => {
    const f = fakeIpc({ 'server.runSyncCycle': () => ({ status: 'stagingMode', message: 'server in staging' }) });
    const r = await stepSyncFirst(ports(f.ipc, noGraph));
    expect(r).toMatchObject({ completed: false, busy: false });
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toMatch(/Staging mode: server in staging/);
  });

  it('a failed IPC call fails the step with its message; a busy error code sets busy', async () => {
    const failing = fakeIpc({
      'server.runSyncCycle': () => {
        throw new Error('powershell exited 1');
      },
    });
    const r = await stepSyncFirst(ports(failing.ipc, noGraph));
    expect(r).toMatchObject({ completed: false, busy: false });
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toMatch(/did not complete: .*powershell exited 1/);
  });
});

describe('step 8 (verify on the server) passes only on blockOnPremisesSync = true', () => {
  it('fails when the trace shows blockOnPremisesSync = false', async () => {
    const f = fakeIpc({
      'server.runSyncCycle': () => completed(),
      'server.traceObject': () => traced(false, false),
    });
    const r = await stepVerifyServer(ports(f.ipc, noGraph), target);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toMatch(/blockOnPremisesSync = false/);
  });

  it('fails when the object is not traced (not found on the server)', async () => {
    const f = fakeIpc({
      'server.runSyncCycle': () => completed(),
      'server.traceObject': () => ({
        status: 'notFound',
        dn: target.dn,
        message: 'No AD connector object for the DN.',
      }),
    });
    const r = await stepVerifyServer(ports(f.ipc, noGraph), target);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toBe('No AD connector object for the DN.');
  });

  it('fails when the trace call fails, and notes a cycle that did not complete', async () => {
    const f = fakeIpc({
      'server.runSyncCycle': () => ({ status: 'busy', message: 'busy' }),
      'server.traceObject': () => {
        throw new Error('remoting closed');
      },
    });
    const r = await stepVerifyServer(ports(f.ipc, noGraph), target);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toMatch(/Trace failed: .*remoting closed/);
    expect(r.step.notes.join(' ')).toMatch(/did not complete/);
  });
});

describe('step 9 (AD changes are blocked) needs events, an unchanged cloud object and the cloud as SOA', () => {
  const before = { displayName: 'Alex Wilber', onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z' };
  const touch = () => ({
    attribute: 'department',
    attributeSource: 'syncRules',
    attributeReason: 'flows to Entra ID',
    oldDescription: null,
    description: 'probe',
  });
  const event = { time: '2026-01-01T00:01:00Z', recordId: 1, provider: 'ADSync', message: `6956 ${target.dn}` };
  const ipcWith = (events: unknown[] | Error) =>
    fakeIpc({
      'server.touchOnPremObject': touch,
      'server.runSyncCycle': () => completed(),
      'server.events6956': () => {
        if (events instanceof Error) throw events;
        return { events, provider: 'ADSync' };
      },
    });

  it('passes with one event, the cloud object unchanged and isCloudManaged = true', async () => {
    const f = ipcWith([event]);
    const r = await stepProveAdBlocked(ports(f.ipc, fakeGraph(soa(true, null))), target, before);
    expect(r).toMatchObject({ ok: true, eventCount: 1 });
    expect(r.step.verdict).toBe('pass');
    expect(f.journal.map((x) => x.kind)).toEqual(['intent', 'result']);
  });

  it('fails with zero 6956 events', async () => {
    const r = await stepProveAdBlocked(ports(ipcWith([]).ipc, fakeGraph(soa(true, null))), target, before);
    expect(r).toMatchObject({ ok: false, eventCount: 0 });
    expect(r.step.verdict).toBe('fail');
  });

  it('fails when the event query itself fails (no events observed is not events seen)', async () => {
    const f = ipcWith(new Error('Get-WinEvent: access denied'));
    const r = await stepProveAdBlocked(ports(f.ipc, fakeGraph(soa(true, null))), target, before);
    expect(r).toMatchObject({ ok: false, eventCount: 0 });
    expect(r.step.verdict).toBe('fail');
  });

  it('fails when the cloud displayName changed', async () => {
    const graph = fakeGraph(soa(true, null, { displayName: 'Changed by AD' }));
    const r = await stepProveAdBlocked(ports(ipcWith([event]).ipc, graph), target, before);
    expect(r.ok).toBe(false);
    expect(r.step.observed).toMatch(/CHANGED/);
  });

  it('fails when onPremisesLastSyncDateTime moved (a sync wrote to the object)', async () => {
    const graph = fakeGraph(soa(true, null, { onPremisesLastSyncDateTime: '2026-01-01T00:05:00Z' }));
    const r = await stepProveAdBlocked(ports(ipcWith([event]).ipc, graph), target, before);
    expect(r.ok).toBe(false);
    expect(r.step.observed).toMatch(/CHANGED/);
  });

  it('fails when the cloud is no longer the source of authority (isCloudManaged = false)', async () => {
    const r = await stepProveAdBlocked(ports(ipcWith([event]).ipc, fakeGraph(soa(false, null))), target, before);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
  });

  it('fails (no probe, no cycle) when the AD change itself failed, and journals the failure', async () => {
    const calls: string[] = [];
    const f = fakeIpc({
      'server.touchOnPremObject': () => {
        throw new Error('Set-ADObject: insufficient access rights');
      },
      'server.runSyncCycle': () => {
        calls.push('cycle');
        return completed();
      },
    });
    const r = await stepProveAdBlocked(ports(f.ipc, fakeGraph(soa(true, null))), target, before);
    expect(r).toMatchObject({ ok: false, probe: null, eventCount: 0 });
    expect(r.step.verdict).toBe('fail');
    expect(calls).toEqual([]);
    expect(f.journal.map((x) => x.kind)).toEqual(['intent', 'result']);
  });

  it('is skipped without a DN', async () => {
    const r = await stepProveAdBlocked(ports(fakeIpc().ipc, noGraph), { ...target, dn: null }, before);
    expect(r).toMatchObject({ ok: false, probe: null });
    expect(r.step.verdict).toBe('skipped');
  });
});

describe('rollback takeover, first cycle: passes only on blockOnPremisesSync = false AND awaiting export confirmation', () => {
  const run = (trace: unknown, graph: Route = soa(false, null)) =>
    stepTakeoverCycle(
      ports(
        fakeIpc({ 'server.runSyncCycle': () => completed(), 'server.traceObject': () => trace }).ipc,
        fakeGraph(graph),
      ),
      target,
    );

  it('passes on false / awaiting, naming the source it read', async () => {
    const r = await run(traced(false, true, 'runHistory'));
    expect(r.ok).toBe(true);
    expect(r.step.verdict).toBe('pass');
    expect(r.step.observed).toMatch(/run history/);
  });

  it('does not pass while blockOnPremisesSync is still true, even when awaiting', async () => {
    const r = await run(traced(true, true));
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
  });

  it('does not pass when the object is not awaiting export confirmation', async () => {
    const r = await run(traced(false, false));
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/^Not awaiting export confirmation/);
  });

  it('does not pass when awaiting cannot be observed; it shows the Graph state instead', async () => {
    const r = await run(traced(false, null, 'notObservable'));
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/could not be observed on the server.*Graph shows instead/);
  });

  it('does not pass on a trace that found nothing, or a failed trace', async () => {
    const missing = await run({ status: 'notFound', dn: target.dn, message: 'not in the connector space' });
    expect(missing.ok).toBe(false);
    expect(missing.step.observed).toBe('not in the connector space');
    const f = fakeIpc({
      'server.runSyncCycle': () => completed(),
      'server.traceObject': () => {
        throw new Error('remoting closed');
      },
    });
    const failed = await stepTakeoverCycle(ports(f.ipc, noGraph), target);
    expect(failed.ok).toBe(false);
    expect(failed.step.verdict).toBe('warn');
    expect(failed.step.observed).toMatch(/remoting closed/);
  });

  it('is skipped without a DN', async () => {
    const r = await stepTakeoverCycle(ports(fakeIpc().ipc, noGraph), { ...target, dn: null });
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('skipped');
  });
});

describe('rollback takeover, next cycle: passes only when the object reads synced from AD DS', () => {
  const run = (graph: Route) =>
    stepTakeoverConfirmed(ports(fakeIpc({ 'server.runSyncCycle': () => completed() }).ipc, fakeGraph(graph)), target);

  it('passes on false / true', async () => {
    const r = await run(soa(false, true));
    expect(r.ok).toBe(true);
    expect(r.step.verdict).toBe('pass');
  });

  it('does not pass while onPremisesSyncEnabled is still null (export not yet confirmed)', async () => {
    const r = await run(soa(false, null));
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
  });

  it('does not pass while the cloud is still the source of authority (true / true)', async () => {
    const r = await run(soa(true, true));
    expect(r.ok).toBe(false);
  });

  it('does not pass when the object cannot be read', async () => {
    const r = await run(() => networkError);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
  });
});

const forbidden403 = {
  kind: 'forbidden' as const,
  status: 403,
  code: 'Authorization_RequestDenied',
  message: 'Insufficient privileges to complete the operation.',
  missingScopes: [],
  missingRole: null,
  fix: 'assign a role that may update contacts',
};

/** The SOA reads answer `icm` / `enabled`; a PATCH answers `patch`; a GET with `$select=id,displayName` (the probe's own read) may fail. */
function probeRoute(
  icm: boolean,
  enabled: boolean | null,
  patch: { status: number } | ReturnType<Route>,
  options: { probeReadFails?: boolean; displayName?: () => string } = {},
): Route {
  return (c) => {
    if (c.method === 'PATCH') return patch;
    if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: icm } };
    if (options.probeReadFails && c.query?.$select === 'id,displayName') return networkError;
    return {
      status: 200,
      body: { id: 'c1', displayName: options.displayName?.() ?? 'Alex Wilber', onPremisesSyncEnabled: enabled },
    };
  };
}
const badRequest = (code: string) => ({
  kind: 'badRequest' as const,
  status: 400,
  code,
  message: 'Unable to update the specified properties for on-premises mastered Directory Sync objects.',
});

describe('step 4 (synced and read-only): the failing cases of each proof', () => {
  it('by state: passes on false / true with no write, fails on true / null with no write', async () => {
    const calls: Parameters<Route>[0][] = [];
    const synced = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(probeRoute(false, true, { status: 204 }), calls)),
      target,
      { proof: 'state' },
    );
    expect(synced.ok).toBe(true);
    expect(synced.step.verdict).toBe('pass');
    expect(synced.step.proof?.by).toBe('state');
    const cloud = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(probeRoute(true, null, { status: 204 }), calls)),
      target,
      { proof: 'state' },
    );
    expect(cloud.ok).toBe(false);
    expect(cloud.step.verdict).toBe('fail');
    expect(cloud.step.proof?.summary).toMatch(/NOT the synced state/);
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('by write: the documented 400 on an object that does not read synced fails', async () => {
    const r = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(probeRoute(true, null, badRequest('Request_BadRequest')))),
      target,
    );
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
    expect(r.verdict?.kind).toBe('refused');
  });

  it('by write: an undocumented 400 on a synced object is a warning, never a pass', async () => {
    const r = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(probeRoute(false, true, badRequest('Request_SomethingElse')))),
      target,
    );
    expect(r.verdict?.kind).toBe('probablyReadOnly');
    expect(r.step.verdict).toBe('warn');
    expect(r.readOnly).toBe(true);
  });

  it('by write: a 404 fails', async () => {
    const notFound = { kind: 'notFound' as const, status: 404, code: 'Request_ResourceNotFound', message: 'gone' };
    const r = await stepProveReadOnly(ports(fakeIpc().ipc, fakeGraph(probeRoute(false, true, notFound))), target);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
    expect(r.readOnly).toBe(null);
  });

  it('by write: a 403 falls back to the state evidence, which fails when the object does not read synced', async () => {
    const synced = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(probeRoute(false, true, forbidden403))),
      target,
    );
    expect(synced.ok).toBe(true);
    expect(synced.step.proof?.by).toBe('state');
    expect(synced.verdict?.kind).toBe('notProvable');
    const cloud = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(probeRoute(true, null, forbidden403))),
      target,
    );
    expect(cloud.ok).toBe(false);
    expect(cloud.step.verdict).toBe('fail');
  });

  it('by write: a probe that could not run rests on the state evidence, and says so', async () => {
    const r = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(probeRoute(true, null, { status: 204 }, { probeReadFails: true }))),
      target,
    );
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
    expect(r.step.notes.join(' ')).toMatch(/could not run/);
    expect(r.verdict).toBe(null);
  });
});

describe('step 7 (writable in the cloud): the failing cases of each proof', () => {
  const run = (route: Route, options: Parameters<typeof stepProveWritable>[3] = {}) => {
    const f = fakeIpc();
    return stepProveWritable(ports(f.ipc, fakeGraph(route)), target, 'Alex (cloud)', options).then((r) => ({
      ...r,
      journal: f.journal,
    }));
  };

  it('by state: passes on true / null with no write; fails on false / true', async () => {
    const cloud = await run(probeRoute(true, null, { status: 204 }), { proof: 'state' });
    expect(cloud.ok).toBe(true);
    expect(cloud.step.verdict).toBe('pass');
    expect(cloud.write).toBe(null);
    expect(cloud.journal).toHaveLength(0);
    const synced = await run(probeRoute(false, true, { status: 204 }), { proof: 'state' });
    expect(synced.ok).toBe(false);
    expect(synced.step.verdict).toBe('fail');
    expect(synced.step.proof?.summary).toMatch(/NOT the transferred state/);
  });

  it('by state: names the audit entry when there is one', async () => {
    const r = await run(probeRoute(true, null, { status: 204 }), {
      proof: 'state',
      auditEntry: { activityDisplayName: 'Update contact', activityDateTime: '2026-01-01T00:00:00Z' },
    });
    expect(r.step.observed).toMatch(/audit entry "Update contact" at 2026-01-01T00:00:00Z/);
  });

  it('by write: passes when the new name reads back, journaled', async () => {
    let name = 'Alex Wilber';
    const r = await run((c) => {
      if (c.method === 'PATCH') {
        name = (c.body as { displayName: string }).displayName;
        return { status: 204 };
      }
      return probeRoute(true, null, { status: 204 }, { displayName: () => name })(c);
    });
    expect(r.ok).toBe(true);
    expect(r.step.verdict).toBe('pass');
    expect(r.step.proof?.by).toBe('write');
    expect(r.journal.map((x) => x.kind)).toEqual(['intent', 'result']);
  });

  it('by write: a refused write (400) fails', async () => {
    const r = await run(probeRoute(true, null, badRequest('Request_BadRequest')));
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toMatch(/^Refused: /);
  });

  it('by write: a 403 falls back to the state evidence, which fails on a synced object', async () => {
    const cloud = await run(probeRoute(true, null, forbidden403));
    expect(cloud.ok).toBe(true);
    expect(cloud.step.proof?.by).toBe('state');
    const synced = await run(probeRoute(false, true, forbidden403));
    expect(synced.ok).toBe(false);
    expect(synced.step.verdict).toBe('fail');
  });

  it('by write: an answer that never came and a state that cannot be read is a warning, not a pass', async () => {
    const r = await run(() => networkError);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
    expect(r.write?.outcome).toBe('unknown');
  });
});

describe('rollback cloud-reference check: passes only without a blocking reference', () => {
  const memberOf = (value: unknown[]) => ({ status: 200, body: { value } });
  const group = (id: string, name: string) => ({ id, '@odata.type': '#microsoft.graph.group', displayName: name });

  it('passes with only synced groups and AUs, counting the memberships', async () => {
    const g = fakeGraph((c) => {
      if (c.path.endsWith('/memberOf'))
        return memberOf([
          group('g1', 'DL-Partners'),
          { id: 'au1', '@odata.type': '#microsoft.graph.administrativeUnit', displayName: 'EMEA' },
        ]);
      return { status: 200, body: { id: 'g1', displayName: 'DL-Partners', onPremisesSyncEnabled: true } };
    });
    const r = await stepCloudReferences(ports(fakeIpc().ipc, g), target);
    expect(r.ok).toBe(true);
    expect(r.step.verdict).toBe('pass');
    expect(r.step.observed).toBe('2 membership(s); no cloud references.');
    expect(r.references).toEqual([expect.objectContaining({ id: 'au1', blocking: false })]);
  });

  it('a group that cannot be read is a blocking reference (never assumed synced)', async () => {
    const g = fakeGraph((c) => (c.path.endsWith('/memberOf') ? memberOf([group('g9', 'Unknown')]) : networkError));
    const r = await stepCloudReferences(ports(fakeIpc().ipc, g), target);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
    expect(r.references).toEqual([expect.objectContaining({ id: 'g9', blocking: true, type: 'group' })]);
    expect(r.references[0]?.reason).toMatch(/Could not read the group \(network\)/);
    expect(r.step.observed).toBe('1 cloud reference(s): Unknown.');
  });

  it('a group with onPremisesSyncEnabled false is a cloud reference too', async () => {
    const g = fakeGraph((c) =>
      c.path.endsWith('/memberOf')
        ? memberOf([group('g2', 'Transferred')])
        : { status: 200, body: { id: 'g2', displayName: 'Transferred (cloud)', onPremisesSyncEnabled: false } },
    );
    const r = await stepCloudReferences(ports(fakeIpc().ipc, g), target);
    expect(r.ok).toBe(false);
    expect(r.step.observed).toBe('1 cloud reference(s): Transferred (cloud).');
  });

  it('fails when memberOf cannot be read', async () => {
    const r = await stepCloudReferences(
      ports(
        fakeIpc().ipc,
        fakeGraph(() => networkError),
      ),
      target,
    );
    expect(r).toMatchObject({ ok: false, references: [], memberships: [] });
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toMatch(/^memberOf could not be read: no response/);
  });
});

describe('step 5 (transfer) and the rollback PATCH: pass only when the read-back shows the new value', () => {
  /** PATCH answers `patch` and (when `applies`) changes the value; GET answers the current value. */
  function behaviour(start: boolean, patch: { status: number } | ReturnType<Route>, applies = true): Route {
    let value = start;
    return (c) => {
      if (c.method === 'PATCH') {
        if (applies && !('kind' in patch)) value = (c.body as { isCloudManaged: boolean }).isCloudManaged;
        return patch;
      }
      return { status: 200, body: { isCloudManaged: value } };
    };
  }

  it('transfer: accepted and read back true passes; the intent records the before-state', async () => {
    const f = fakeIpc();
    const r = await stepTransfer(ports(f.ipc, fakeGraph(behaviour(false, { status: 204 }))), target);
    expect(r.step.verdict).toBe('pass');
    expect(r.step.observed).toBe('isCloudManaged = true');
    expect(f.journal[0]).toMatchObject({ action: 'transfer', before: { isCloudManaged: false } });
    expect(r.step.requests[0]?.label).toMatch(/^journal\.append intent op-1 \(transfer\)$/);
  });

  it('transfer: accepted but never read back true is a warning, not a pass', async () => {
    const r = await stepTransfer(ports(fakeIpc().ipc, fakeGraph(behaviour(false, { status: 204 }, false))), target);
    expect(r.write).toMatchObject({ outcome: 'done', verified: false });
    expect(r.step.verdict).toBe('warn');
  });

  it('transfer: refused fails with the error', async () => {
    const r = await stepTransfer(ports(fakeIpc().ipc, fakeGraph(behaviour(false, forbidden403))), target);
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toMatch(/^Failed: 403 Authorization_RequestDenied/);
  });

  it('transfer: no answer and no read is unknown, a warning that points at the journal', async () => {
    const r = await stepTransfer(
      ports(
        fakeIpc().ipc,
        fakeGraph(() => networkError),
      ),
      target,
    );
    expect(r.write.outcome).toBe('unknown');
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/pending in the journal/);
  });

  it('rollback PATCH: false, journaled as a rollback, passes only when it reads back false', async () => {
    const f = fakeIpc();
    const r = await stepRollbackPatch(ports(f.ipc, fakeGraph(behaviour(true, { status: 204 }))), target, {
      runId: 'run-r',
    });
    expect(r.step.verdict).toBe('pass');
    expect(r.step.observed).toBe('isCloudManaged = false');
    expect(f.journal[0]).toMatchObject({
      kind: 'intent',
      runId: 'run-r',
      action: 'rollback',
      before: { isCloudManaged: true },
      request: { body: { isCloudManaged: false } },
    });
    const stuck = await stepRollbackPatch(
      ports(fakeIpc().ipc, fakeGraph(behaviour(true, { status: 204 }, false))),
      target,
    );
    expect(stuck.step.verdict).toBe('warn');
  });
});
