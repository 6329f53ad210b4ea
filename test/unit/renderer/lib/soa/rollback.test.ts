/**
 * The rollback steps' evidence, word for word: what each step read (request, status, request id, the
 * answer), what it concluded and why. step-verdicts.test.ts has each step's pass condition and its
 * failing case; this file pins the records an admin reads in the report.
 */
import { describe, expect, it } from 'vitest';
import type { GraphCall } from '../../../../../src-renderer/lib/graph/graph-client';
import { finishStep, newStep } from '../../../../../src-renderer/lib/soa/evidence';
import {
  ACCESS_PACKAGE_WARNING,
  HARD_MATCH_NOTE,
  settleTakeover,
  stepCloudReferences,
  stepTakeoverConfirmed,
  stepTakeoverCycle,
  stepVerifyRolledBack,
} from '../../../../../src-renderer/lib/soa/rollback';
import type { ContactTarget } from '../../../../../src-renderer/lib/soa/verify';
import { fakeGraph, fakeIpc, networkError, ports, type Route } from './fakes';

const target: ContactTarget = {
  id: 'c 1',
  displayName: 'Alex Wilber',
  mail: 'alex@fabrikam.com',
  dn: 'CN=Alex Wilber,OU=Contacts,DC=contoso,DC=com',
};
const at = new Date(1_700_000_000_000).toISOString();

/** GET onPremisesSyncBehavior answers `icm`; GET the contact answers `enabled`. */
function soa(icm: boolean, enabled: boolean | null): Route {
  return (c) =>
    c.path.endsWith('/onPremisesSyncBehavior')
      ? { status: 200, body: { isCloudManaged: icm } }
      : { status: 200, body: { id: 'c 1', displayName: 'Alex Wilber', onPremisesSyncEnabled: enabled } };
}

const completed = {
  status: 'completed',
  cycle: { t0: 't0', finishedAt: 't1', runs: [], allSucceeded: true },
};

describe('rollback cloud-reference check: its evidence', () => {
  it('records memberOf and each group read; an AU is kept, other object types are not looked up', async () => {
    const calls: GraphCall[] = [];
    const g = fakeGraph((c) => {
      if (c.path.endsWith('/memberOf'))
        return {
          status: 200,
          requestId: 'rid-m',
          body: {
            value: [
              { id: 'au 1', '@odata.type': '#microsoft.graph.administrativeUnit', displayName: 'EMEA' },
              { id: 'r1', '@odata.type': '#microsoft.graph.directoryRole', displayName: 'A role' },
              { id: 'g 1', '@odata.type': '#microsoft.graph.group', displayName: 'Listed name' },
              { id: 'g2', '@odata.type': '#microsoft.graph.group', displayName: 'Synced' },
              { id: 'g3', '@odata.type': '#microsoft.graph.group', displayName: 'Unreadable' },
            ],
          },
        };
      if (c.path === '/groups/g%201')
        return {
          status: 200,
          requestId: 'rid-g1',
          body: { id: 'g 1', displayName: null, onPremisesSyncEnabled: null },
        };
      if (c.path === '/groups/g2')
        return {
          status: 200,
          requestId: 'rid-g2',
          body: { id: 'g2', displayName: 'Synced', onPremisesSyncEnabled: true },
        };
      if (c.path === '/groups/g3') return { ...networkError, code: 'timeout' };
      throw new Error(`unexpected ${c.path}`);
    }, calls);
    const r = await stepCloudReferences(ports(fakeIpc().ipc, g), target);
    expect(calls.map((c) => [c.method, c.path, c.query, c.scopes])).toEqual([
      ['GET', '/contacts/c%201/memberOf', { $select: 'id,displayName' }, ['OrgContact.Read.All', 'Group.Read.All']],
      [
        'GET',
        '/groups/g%201',
        { $select: 'id,displayName,onPremisesSyncEnabled' },
        ['OrgContact.Read.All', 'Group.Read.All'],
      ],
      [
        'GET',
        '/groups/g2',
        { $select: 'id,displayName,onPremisesSyncEnabled' },
        ['OrgContact.Read.All', 'Group.Read.All'],
      ],
      [
        'GET',
        '/groups/g3',
        { $select: 'id,displayName,onPremisesSyncEnabled' },
        ['OrgContact.Read.All', 'Group.Read.All'],
      ],
    ]);
    expect(r.step).toMatchObject({
      id: 'references',
      title: 'Cloud-reference check',
      expected: 'No memberships in cloud-only or cloud-managed groups (or the admin acknowledges them).',
      notes: [ACCESS_PACKAGE_WARNING],
      verdict: 'warn',
      observed: '2 cloud reference(s): Listed name, Unreadable.',
    });
    expect(r.step.requests).toEqual([
      {
        kind: 'graph',
        label: 'GET https://graph.test/v1.0/contacts/c%201/memberOf?$select=id,displayName',
        at,
        status: 200,
        requestId: 'rid-m',
        response: r.memberships,
      },
      {
        kind: 'graph',
        label: 'GET https://graph.test/v1.0/groups/g%201?$select=id,displayName,onPremisesSyncEnabled',
        at,
        status: 200,
        requestId: 'rid-g1',
        response: { id: 'g 1', displayName: null, onPremisesSyncEnabled: null },
      },
      {
        kind: 'graph',
        label: 'GET https://graph.test/v1.0/groups/g2?$select=id,displayName,onPremisesSyncEnabled',
        at,
        status: 200,
        requestId: 'rid-g2',
        response: { id: 'g2', displayName: 'Synced', onPremisesSyncEnabled: true },
      },
      {
        kind: 'graph',
        label: 'GET https://graph.test/v1.0/groups/g3?$select=id,displayName,onPremisesSyncEnabled',
        at,
        status: 0,
        requestId: 'rid-4',
        response: { error: 'timeout' },
      },
    ]);
    expect(r.references).toEqual([
      {
        id: 'au 1',
        displayName: 'EMEA',
        type: 'administrativeUnit',
        reason: 'Administrative unit membership (kept; AU-scoped admins lose nothing).',
        blocking: false,
      },
      {
        id: 'g 1',
        // the group read has no name: the name memberOf listed is kept
        displayName: 'Listed name',
        type: 'group',
        reason: 'Cloud-only or SOA-transferred group (onPremisesSyncEnabled is not true): a cloud reference.',
        blocking: true,
      },
      {
        id: 'g3',
        displayName: 'Unreadable',
        type: 'group',
        reason: 'Could not read the group (network); treat it as a cloud reference.',
        blocking: true,
      },
    ]);
    expect(r.memberships.map((m) => m.type)).toEqual([
      'administrativeUnit',
      'directoryRole',
      'group',
      'group',
      'group',
    ]);
    expect(r.ok).toBe(false);
  });

  it('names a nameless blocking reference by its id; a failed memberOf records its error', async () => {
    const g = fakeGraph((c) =>
      c.path.endsWith('/memberOf')
        ? { status: 200, body: { value: [{ id: 'g9', '@odata.type': '#microsoft.graph.group' }] } }
        : { status: 200, body: { id: 'g9', onPremisesSyncEnabled: false } },
    );
    const r = await stepCloudReferences(ports(fakeIpc().ipc, g), target);
    expect(r.step.observed).toBe('1 cloud reference(s): g9.');
    const failed = await stepCloudReferences(
      ports(
        fakeIpc().ipc,
        fakeGraph(() => ({ kind: 'forbidden', status: 403, code: 'Denied', message: 'no', missingScopes: [] })),
      ),
      target,
    );
    expect(failed.step.requests).toEqual([
      expect.objectContaining({ status: 403, requestId: 'rid-1', response: { error: 'Denied', message: 'no' } }),
    ]);
    expect(failed.step.notes).toEqual([ACCESS_PACKAGE_WARNING]);
    expect(failed.step.observed).toBe('memberOf could not be read: 403 Denied: no');
  });
});

describe('rollback verify and takeover: what they record', () => {
  it('verify in the cloud: the flags read and, when it passes, that it waits for the sync client', async () => {
    const ok = await stepVerifyRolledBack(ports(fakeIpc().ipc, fakeGraph(soa(false, null))), target);
    expect(ok.step).toMatchObject({
      id: 'verify-rolledback',
      verdict: 'pass',
      expected: 'isCloudManaged = false, onPremisesSyncEnabled = null: rolled back, waiting for the sync client.',
      observed: 'isCloudManaged = false; onPremisesSyncEnabled = null — rolled back, waiting for the sync client',
    });
    expect(ok.step.requests).toHaveLength(2);
    const not = await stepVerifyRolledBack(ports(fakeIpc().ipc, fakeGraph(soa(true, null))), target);
    expect(not.step.observed).toBe('isCloudManaged = true; onPremisesSyncEnabled = null');
    expect(not.step.verdict).toBe('fail');
  });

  const traced = (block: boolean | null, awaiting: boolean | null, pendingExports: number | null) => ({
    status: 'traced',
    dn: target.dn,
    adConnector: { name: 'contoso.com', via: 'partition', partition: 'DC=contoso,DC=com' },
    adObject: {},
    metaverseObjectId: 'mv',
    entraObject: null,
    blockOnPremisesSync: block,
    cloudAnchor: 'Contact_c1',
    cloudMastered: false,
    awaitingExportConfirmation: awaiting,
    exportEvidence: { awaiting, source: 'runHistory', detail: 'Export run 7.', exportRun: null, pendingExports },
    message: 'traced',
  });
  const cycle = (trace: unknown, graph: Route = soa(false, null)) =>
    stepTakeoverCycle(
      ports(
        fakeIpc({ 'server.runSyncCycle': () => completed, 'server.traceObject': () => trace }).ipc,
        fakeGraph(graph),
      ),
      target,
    );

  it('first cycle: the source and the pending exports are noted; the verdict text names both flags', async () => {
    const pass = await cycle(traced(false, true, 3));
    expect(pass.step.notes).toEqual([
      'Source: the Entra connector’s run history. Export run 7.',
      'Pending exports on the Entra connector (Get-ADSyncConnectorStatistics): 3.',
    ]);
    expect(pass.step.observed).toBe(
      'Awaiting export confirmation, read from the Entra connector’s run history; blockOnPremisesSync = false.',
    );
    const none = await cycle(traced(false, false, null));
    expect(none.step.notes).toEqual(['Source: the Entra connector’s run history. Export run 7.']);
    expect(none.step.observed).toBe(
      'Not awaiting export confirmation, read from the Entra connector’s run history: Export run 7. blockOnPremisesSync = false.',
    );
    const blocked = await cycle(traced(true, true, null));
    expect(blocked.ok).toBe(false);
    expect(blocked.step.observed).toMatch(/blockOnPremisesSync = true\.$/);
  });

  it('first cycle, awaiting not observable: the Graph state is read and recorded instead', async () => {
    const r = await cycle(traced(null, null, null), soa(false, null));
    expect(r.step.observed).toBe(
      'Awaiting export confirmation could not be observed on the server (Export run 7.) Graph shows instead: isCloudManaged = false; onPremisesSyncEnabled = null; blockOnPremisesSync = null on the Entra connector object.',
    );
    // the sync cycle, the trace, then both GETs of the Graph read
    expect(r.step.requests.map((q) => q.kind)).toEqual(['powershell', 'powershell', 'graph', 'graph']);
  });

  it('next cycle: the flags read are the observation, with the read-back requests', async () => {
    const ipc = fakeIpc({ 'server.runSyncCycle': () => completed }).ipc;
    const ok = await stepTakeoverConfirmed(ports(ipc, fakeGraph(soa(false, true))), target);
    expect(ok.step).toMatchObject({
      id: 'takeover-2',
      verdict: 'pass',
      expected: 'onPremisesSyncEnabled = true (AD is the source of authority again).',
      observed: 'isCloudManaged = false; onPremisesSyncEnabled = true',
    });
    expect(ok.step.requests.map((q) => q.kind)).toEqual(['powershell', 'graph', 'graph']);
  });
  it('next cycle: reads again while onPremisesSyncEnabled is not yet true (the export confirmation can lag)', async () => {
    let contactReads = 0;
    const g = fakeGraph((c) => {
      if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: false } };
      contactReads++;
      return { status: 200, body: { id: 'c 1', onPremisesSyncEnabled: contactReads < 2 ? null : true } };
    });
    const r = await stepTakeoverConfirmed(ports(fakeIpc({ 'server.runSyncCycle': () => completed }).ipc, g), target);
    expect(contactReads).toBe(2);
    expect(r.ok).toBe(true);
    expect(r.step.verdict).toBe('pass');
  });

  it('each step says what it is and what it does', async () => {
    const ipc = fakeIpc({
      'server.runSyncCycle': () => completed,
      'server.traceObject': () => traced(false, true, null),
    }).ipc;
    const p = ports(ipc, fakeGraph(soa(false, true)));
    const refs = await stepCloudReferences(
      ports(
        fakeIpc().ipc,
        fakeGraph(() => ({ status: 200, body: { value: [] } })),
      ),
      target,
    );
    expect(refs.step.purpose).toBe(
      'List the groups and administrative units the contact belongs to, and flag cloud-only or SOA-transferred groups (cloud references are lost or overwritten when AD takes the object back).',
    );
    expect((await stepVerifyRolledBack(p, target)).step).toMatchObject({
      title: 'Verify the rollback in the cloud',
      purpose: 'Read isCloudManaged and onPremisesSyncEnabled.',
    });
    expect((await stepTakeoverCycle(p, target)).step).toMatchObject({
      id: 'takeover-1',
      title: 'Sync cycle: takeover starts',
      purpose: 'Run a sync cycle, then trace the object on the server.',
      expected: 'The Entra connector object is awaiting export confirmation, with blockOnPremisesSync = false.',
    });
    expect((await stepTakeoverConfirmed(p, target)).step).toMatchObject({
      title: 'Next sync cycle: takeover confirmed',
      purpose: 'Run the next sync cycle, then read the cloud object.',
    });
    expect(HARD_MATCH_NOTE).toMatch(/^Microsoft’s guide \(April 2026\) adds a tenant step around rollback/);
  });

  it('settleTakeover: only a warned first cycle becomes "not observed"; a passed one is kept as it is', () => {
    const at = (verdict: 'pass' | 'warn') =>
      finishStep(newStep('takeover-1', 't', 'p', new Date(0)), verdict, 'seen', new Date(1));
    const passed = at('pass');
    expect(settleTakeover(passed, { state: 'synced' })).toEqual({ complete: true, first: passed });
    const warned = settleTakeover(at('warn'), { state: 'synced' }).first;
    expect(warned?.notes).toEqual([
      'The awaiting-export-confirmation state lasts one cycle; if a wait is stopped while the server goes on, the next look may come after it.',
    ]);
    expect(warned?.observed).toBe(
      'Not observed on this cycle (seen). The takeover itself is confirmed by the next cycle: the object reads synced from AD DS again.',
    );
  });
});
