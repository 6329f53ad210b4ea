import { describe, expect, it } from 'vitest';
import type { OpOutput } from '@contract';
import {
  itemEvidenceLevel,
  serverConfirms,
  summariseLevels,
  type ServerObservation,
} from '../../../../../../src-renderer/lib/soa/bulk/evidence-levels';
import type { ItemResult } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type { BulkAction } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';

function item(objectId: string, action: BulkAction, over: Partial<ItemResult> = {}): ItemResult {
  return {
    opId: `r/contact/${objectId}`,
    objectId,
    objectType: 'contact',
    displayName: `Contact ${objectId}`,
    action,
    outcome: 'verified',
    before: action === 'rollback',
    after: action === 'transfer',
    written: true,
    fromJournal: false,
    writeStatus: 204,
    attempts: 1,
    ...over,
  };
}

function obs(objectId: string, confirmed: boolean, cycle = 1): ServerObservation {
  return {
    objectId,
    confirmed,
    awaitingExportConfirmation: confirmed ? false : true,
    detail: confirmed ? 'confirmed' : 'awaiting',
    cycle,
    observedAt: '2026-12-01T00:00:00Z',
  };
}

type Trace = OpOutput<'server.traceObject'>;
function traced(over: Partial<Extract<Trace, { status: 'traced' }>> = {}): Trace {
  const cs = {
    connectorName: 'c',
    distinguishedName: 'CN=x',
    objectId: 'o',
    hasExportError: false,
    hasSyncError: false,
    attributes: {},
  };
  return {
    status: 'traced',
    dn: 'CN=x',
    adConnector: { name: 'ad', via: 'partition', partition: null },
    adObject: cs,
    metaverseObjectId: 'mv',
    entraObject: cs,
    blockOnPremisesSync: false,
    cloudAnchor: null,
    cloudMastered: false,
    awaitingExportConfirmation: false,
    exportEvidence: { awaiting: false, source: 'csObject', detail: 'read', exportRun: null, pendingExports: null },
    message: 'ok',
    ...over,
  } as Trace;
}

describe('item evidence level', () => {
  it('verified without a server observation is verified in the cloud, not confirmed', () => {
    expect(itemEvidenceLevel(item('a', 'rollback'))).toBe('cloudVerified');
  });
  it('a server observation that does not confirm keeps it at verified in the cloud', () => {
    expect(itemEvidenceLevel(item('a', 'rollback'), obs('a', false))).toBe('cloudVerified');
  });
  it('a confirming server observation raises it to confirmed on the server', () => {
    expect(itemEvidenceLevel(item('a', 'rollback'), obs('a', true))).toBe('serverConfirmed');
  });
  it('written but not read back is only written, even with a server confirmation', () => {
    const i = item('a', 'transfer', { outcome: 'unverified', written: true });
    expect(itemEvidenceLevel(i)).toBe('written');
    expect(itemEvidenceLevel(i, obs('a', true))).toBe('written');
  });
  it('failed and cancelled objects reached no level', () => {
    expect(
      itemEvidenceLevel(item('a', 'transfer', { outcome: 'failed', written: false, writeStatus: undefined })),
    ).toBe('none');
    expect(
      itemEvidenceLevel(item('a', 'transfer', { outcome: 'cancelled', written: false, writeStatus: undefined })),
    ).toBe('none');
  });
});

describe('server confirmation from the per-object trace', () => {
  it('rollback: confirmed only when the takeover export is confirmed', () => {
    const synced = { onPremisesSyncEnabled: true };
    expect(serverConfirms('rollback', traced(), synced).confirmed).toBe(true);
    // the trace alone never confirms a takeover: Entra ID must read the object as synced again
    expect(serverConfirms('rollback', traced()).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced(), { onPremisesSyncEnabled: null }).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced(), { onPremisesSyncEnabled: false }).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced({ awaitingExportConfirmation: true }), synced).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced({ awaitingExportConfirmation: true })).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced({ awaitingExportConfirmation: null })).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced({ blockOnPremisesSync: true })).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced({ blockOnPremisesSync: null })).confirmed).toBe(false);
    expect(serverConfirms('rollback', traced({ cloudMastered: true })).confirmed).toBe(false);
  });
  it('transfer: confirmed only by blockOnPremisesSync = true', () => {
    expect(serverConfirms('transfer', traced({ blockOnPremisesSync: true })).confirmed).toBe(true);
    expect(serverConfirms('transfer', traced({ blockOnPremisesSync: false })).confirmed).toBe(false);
    expect(serverConfirms('transfer', traced({ blockOnPremisesSync: null })).confirmed).toBe(false);
  });
  it('an object the server cannot trace is not confirmed', () => {
    const t = {
      status: 'unknownDn',
      dn: 'CN=x',
      adConnector: { name: null, via: 'partition', partition: null },
      message: 'no such DN',
    } as Trace;
    expect(serverConfirms('rollback', t)).toEqual({ confirmed: false, detail: 'no such DN' });
  });
});

describe('bulk headline', () => {
  const twenty = (action: BulkAction): ItemResult[] => Array.from({ length: 20 }, (_, n) => item(`o${n}`, action));

  it('a rollback whose takeovers are pending is NOT complete and never says every object is in its target state', () => {
    const s = summariseLevels('rollback', twenty('rollback'));
    expect(s.complete).toBe(false);
    expect(s.level).toBe('cloudVerified');
    expect(s.headline).toBe('Verified in the cloud — pending takeover: 20 (takeover not yet confirmed on the server).');
    expect(s.headline).not.toMatch(/complete|every planned object/i);
    expect(s.pending.cloudVerified).toHaveLength(20);
  });

  it('takeover awaiting confirmation after cycle 1 is still pending', () => {
    const server = new Map(twenty('rollback').map((i) => [i.objectId, obs(i.objectId, false, 1)]));
    const s = summariseLevels('rollback', twenty('rollback'), server);
    expect(s.complete).toBe(false);
    expect(s.headline).toContain('pending takeover: 20 (takeover not yet confirmed on the server)');
  });

  it('one unconfirmed object caps the headline at verified in the cloud', () => {
    const items = twenty('rollback');
    const server = new Map(items.map((i) => [i.objectId, obs(i.objectId, i.objectId !== 'o7', 2)]));
    const s = summariseLevels('rollback', items, server);
    expect(s.level).toBe('cloudVerified');
    expect(s.complete).toBe(false);
    expect(s.headline).toBe('Verified in the cloud — pending takeover: 1 (takeover not yet confirmed on the server).');
    expect(s.pending.cloudVerified.map((o) => o.objectId)).toEqual(['o7']);
  });

  it('a rollback is complete once every takeover is confirmed', () => {
    const items = twenty('rollback');
    const server = new Map(items.map((i) => [i.objectId, obs(i.objectId, true, 2)]));
    const s = summariseLevels('rollback', items, server);
    expect(s.complete).toBe(true);
    expect(s.level).toBe('serverConfirmed');
    expect(s.headline).toMatch(/^Complete — the sync client has taken over all 20 objects/);
  });

  it('a transfer confirmed on the server names blockOnPremisesSync; an unread one names what is missing', () => {
    const items = twenty('transfer');
    expect(summariseLevels('transfer', items).headline).toBe(
      'Verified in the cloud — pending on the server: 20 (not yet checked on the server).',
    );
    const connect = new Map(
      items.map((i) => [i.objectId, { ...obs(i.objectId, false), engine: 'connectSync' as const }]),
    );
    expect(summariseLevels('transfer', items, connect).headline).toBe(
      'Verified in the cloud — pending on the server: 20 (Connect Sync, blockOnPremisesSync not yet confirmed).',
    );
    const server = new Map(items.map((i) => [i.objectId, obs(i.objectId, true)]));
    expect(summariseLevels('transfer', items, server).headline).toMatch(/^Confirmed on the server — all 20 objects/);
  });

  it('a pending Cloud Sync transfer names the provisioning-log evidence, never blockOnPremisesSync', () => {
    const items = twenty('transfer');
    const server = new Map<string, ServerObservation>(
      items.map((i, n) => [
        i.objectId,
        { ...obs(i.objectId, false), engine: n < 12 ? 'cloudSync' : n < 18 ? 'connectSync' : 'none' },
      ]),
    );
    const all = summariseLevels('transfer', items, server);
    expect(all.headline).toBe(
      'Verified in the cloud — pending on the server: 20 (Connect Sync, blockOnPremisesSync not yet confirmed: 6; Cloud Sync, no SOA skip in the provisioning log yet: 12; not followed up on a sync engine: 2).',
    );
    expect(all.objects[0]?.engine).toBe('cloudSync');
    const cloudOnly = new Map<string, ServerObservation>(
      items.map((i) => [i.objectId, { ...obs(i.objectId, false), engine: 'cloudSync' }]),
    );
    const cloud = summariseLevels('transfer', items, cloudOnly).headline;
    expect(cloud).toBe(
      'Verified in the cloud — pending on the server: 20 (Cloud Sync, no SOA skip in the provisioning log yet).',
    );
    expect(cloud).not.toContain('blockOnPremisesSync');
  });

  it('one written-but-unread object caps the headline at written; one failed object at not written', () => {
    const items = twenty('transfer');
    items[3] = item('o3', 'transfer', { outcome: 'unverified' });
    const server = new Map(items.map((i) => [i.objectId, obs(i.objectId, true)]));
    const w = summariseLevels('transfer', items, server);
    expect(w.level).toBe('written');
    expect(w.complete).toBe(false);
    expect(w.headline).toBe('Written — pending read-back: 1.');
    items[4] = item('o4', 'transfer', { outcome: 'failed', written: false, writeStatus: undefined });
    const n = summariseLevels('transfer', items, server);
    expect(n.level).toBe('none');
    expect(n.headline).toBe('Not every object was written — not written: 1; pending read-back: 1.');
  });

  it('an empty run is not complete', () => {
    expect(summariseLevels('rollback', []).complete).toBe(false);
  });
});
