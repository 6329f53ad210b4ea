import { describe, expect, it } from 'vitest';
import type { GraphCall } from '../../../../../src-renderer/lib/graph/graph-client';
import {
  retriedNotes,
  stepProveReadOnly,
  stepTransfer,
  stepVerifyCloud,
  stepVerifyServer,
} from '../../../../../src-renderer/lib/soa/transfer';
import { stepCloudReferences, stepVerifyRolledBack } from '../../../../../src-renderer/lib/soa/rollback';
import type { ContactTarget } from '../../../../../src-renderer/lib/soa/verify';
import { fakeGraph, fakeIpc, networkError, ports, type Route } from './fakes';

const target: ContactTarget = {
  id: 'c1',
  displayName: 'Alex Wilber',
  mail: 'alex@fabrikam.com',
  dn: 'CN=Alex Wilber,OU=Contacts,DC=contoso,DC=com',
};
const READ_ONLY =
  'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.';

function syncedContact(c: GraphCall): { status: number; body?: unknown } | ReturnType<typeof readOnly> {
  if (c.method === 'GET' && c.path.endsWith('/onPremisesSyncBehavior'))
    return { status: 200, body: { isCloudManaged: false } };
  if (c.method === 'GET')
    return { status: 200, body: { id: 'c1', displayName: 'Alex Wilber', onPremisesSyncEnabled: true } };
  return readOnly();
}
function readOnly() {
  return { kind: 'badRequest' as const, status: 400, code: 'Request_BadRequest', message: READ_ONLY };
}

/** GET onPremisesSyncBehavior answers `icm`; GET the contact answers `contact` (an error, or its onPremisesSyncEnabled). */
function soaFlags(icm: boolean, contact: boolean | null | 'error'): Route {
  return (c) => {
    if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: icm } };
    if (contact === 'error') return networkError;
    return { status: 200, body: { id: 'c1', displayName: 'Alex Wilber', onPremisesSyncEnabled: contact } };
  };
}

describe('step verdicts read the one SOA-state classifier', () => {
  it('verify in the cloud passes on true / null only', async () => {
    const r = await stepVerifyCloud(ports(fakeIpc().ipc, fakeGraph(soaFlags(true, null))), target);
    expect(r).toMatchObject({ ok: true });
    expect(r.step.verdict).toBe('pass');
  });

  it('verify in the cloud fails when the contact could not be read (never null-as-read)', async () => {
    const r = await stepVerifyCloud(ports(fakeIpc().ipc, fakeGraph(soaFlags(true, 'error'))), target);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
  });

  it('verify in the cloud fails while onPremisesSyncEnabled lags at true (read again, then give up)', async () => {
    const calls: Parameters<Route>[0][] = [];
    const r = await stepVerifyCloud(ports(fakeIpc().ipc, fakeGraph(soaFlags(true, true), calls)), target);
    expect(r.ok).toBe(false);
    expect(calls.length).toBe(6); // the first read and two read-backs, two GETs each
  });

  it('verify the rollback passes on false / null and fails on a failed read or false / true', async () => {
    const ok = await stepVerifyRolledBack(ports(fakeIpc().ipc, fakeGraph(soaFlags(false, null))), target);
    expect(ok.ok).toBe(true);
    const unread = await stepVerifyRolledBack(ports(fakeIpc().ipc, fakeGraph(soaFlags(false, 'error'))), target);
    expect(unread.ok).toBe(false);
    const synced = await stepVerifyRolledBack(ports(fakeIpc().ipc, fakeGraph(soaFlags(false, true))), target);
    expect(synced.ok).toBe(false);
  });
});

describe('transfer steps', () => {
  it('step 4 passes only for false / true and the documented read-only 400', async () => {
    const f = fakeIpc();
    const r = await stepProveReadOnly(ports(f.ipc, fakeGraph(syncedContact)), target);
    expect(r.ok).toBe(true);
    expect(r.step.verdict).toBe('pass');
    expect(r.step.requests.map((q) => q.label.split(' ')[0])).toEqual(['GET', 'GET', 'PATCH']);
    expect(r.step.observed).toMatch(/write refused/);
    expect(f.journal).toHaveLength(0); // nothing journaled: nothing changes
  });

  it('step 4 fails when the write is accepted (the object is not read-only)', async () => {
    const f = fakeIpc();
    const g = fakeGraph((c) => (c.method === 'PATCH' ? { status: 204 } : syncedContact(c)));
    const r = await stepProveReadOnly(ports(f.ipc, g), target);
    expect(r.ok).toBe(false);
    expect(r.step.observed).toMatch(/ACCEPTED/);
  });

  it('step 5 journals the PATCH with its exact URL and body and verifies it', async () => {
    const f = fakeIpc();
    let cloud = false;
    const g = fakeGraph((c) => {
      if (c.method === 'PATCH') {
        cloud = true;
        return { status: 204 };
      }
      return { status: 200, body: { isCloudManaged: cloud } };
    });
    const r = await stepTransfer(ports(f.ipc, g), target, { runId: 'run-1' });
    expect(r.step.verdict).toBe('pass');
    expect(f.journal[0]).toMatchObject({
      kind: 'intent',
      runId: 'run-1',
      action: 'transfer',
      objectId: 'c1',
      request: {
        method: 'PATCH',
        url: 'https://graph.test/v1.0/contacts/c1/onPremisesSyncBehavior',
        body: { isCloudManaged: true },
      },
    });
    expect(f.journal[1]).toMatchObject({ kind: 'result', outcome: 'done', verified: true });
  });

  it('step 8 runs a cycle, traces the DN and passes on blockOnPremisesSync = true', async () => {
    const calls: string[] = [];
    const cs = {
      connectorName: 'x',
      distinguishedName: 'd',
      objectId: 'o',
      hasExportError: false,
      hasSyncError: false,
      attributes: {},
    };
    const f = fakeIpc({
      'server.runSyncCycle': (input) => {
        calls.push(`sync ${JSON.stringify(input)}`);
        return { status: 'completed', cycle: { t0: 't0', finishedAt: 't1', runs: [], allSucceeded: true } };
      },
      'server.traceObject': (input) => {
        calls.push(`trace ${(input as { dn: string }).dn}`);
        return {
          status: 'traced',
          dn: target.dn,
          adConnector: { name: 'contoso.com', via: 'partition', partition: 'DC=contoso,DC=com' },
          adObject: cs,
          metaverseObjectId: 'mv',
          entraObject: cs,
          blockOnPremisesSync: true,
          cloudAnchor: 'Contact_c1',
          cloudMastered: true,
          awaitingExportConfirmation: false,
          exportEvidence: {
            awaiting: false,
            source: 'csObject',
            detail: 'blockOnPremisesSync is True.',
            exportRun: null,
            pendingExports: null,
          },
          message: 'ok',
        };
      },
    });
    const r = await stepVerifyServer(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      target,
    );
    expect(r.ok).toBe(true);
    expect(calls[0]).toMatch(/"policyType":"Delta".*"operationId":"op-1"/);
    expect(calls[1]).toBe(`trace ${target.dn}`);
  });

  it('step 8 is skipped (not failed silently) without a DN', async () => {
    const f = fakeIpc();
    const r = await stepVerifyServer(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      { ...target, dn: null },
    );
    expect(r.step.verdict).toBe('skipped');
  });
});

describe('rollback cloud-reference check', () => {
  it('flags cloud-only groups, keeps synced groups and AUs non-blocking', async () => {
    const f = fakeIpc();
    const g = fakeGraph((c) => {
      if (c.path.endsWith('/memberOf')) {
        return {
          status: 200,
          body: {
            value: [
              { id: 'g1', '@odata.type': '#microsoft.graph.group', displayName: 'DL-Partners' },
              { id: 'g2', '@odata.type': '#microsoft.graph.group', displayName: 'Cloud Newsletter' },
              { id: 'au1', '@odata.type': '#microsoft.graph.administrativeUnit', displayName: 'EMEA' },
            ],
          },
        };
      }
      if (c.path === '/groups/g1')
        return { status: 200, body: { id: 'g1', displayName: 'DL-Partners', onPremisesSyncEnabled: true } };
      if (c.path === '/groups/g2')
        return { status: 200, body: { id: 'g2', displayName: 'Cloud Newsletter', onPremisesSyncEnabled: null } };
      throw new Error(c.path);
    });
    const r = await stepCloudReferences(ports(f.ipc, g), target);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('warn');
    expect(r.references.map((x) => [x.id, x.blocking])).toEqual([
      ['g2', true],
      ['au1', false],
    ]);
    expect(r.step.notes.join(' ')).toMatch(/access packages/);
  });
});

describe('retriedNotes', () => {
  it('explains a write the Graph client retried after 429', () => {
    const at = '2026-01-01T00:00:00Z';
    const notes = retriedNotes([
      { seq: 1, at, method: 'PATCH', url: 'u', status: 429, requestId: 'a', retryAfter: '2' },
      { seq: 2, at, method: 'PATCH', url: 'u', status: 204, requestId: 'b', retryAfter: null },
      { seq: 3, at, method: 'GET', url: 'u', status: 200, requestId: 'c', retryAfter: null },
    ]);
    expect(notes).toEqual([
      'Graph answered 429 (Retry-After 2 s); the Graph client waited and retried (2 HTTP attempts for one journaled request).',
    ]);
    expect(retriedNotes([])).toEqual([]);
  });
});
