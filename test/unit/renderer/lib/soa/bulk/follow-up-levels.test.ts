import { describe, expect, it } from 'vitest';
import type { OpOutput } from '@contract';
import {
  findContactDns,
  followUpUntilConfirmed,
  TRACE_BATCH_SIZE,
  type BulkServerPort,
  type FindContacts,
} from '../../../../../../src-renderer/lib/soa/bulk/server-follow-up';
import { summariseLevels } from '../../../../../../src-renderer/lib/soa/bulk/evidence-levels';
import type { ItemResult } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type { Clock } from '../../../../../../src-renderer/lib/soa/bulk/ports';

type Trace = OpOutput<'server.traceObject'>;

/** A fake Connect Sync server: each object's takeover starts on cycle `startAt` and is confirmed on the next one. */
function fakeServer(startAt: (dn: string) => number, clock: { t: number }) {
  let cycle = 0;
  const traces: string[] = [];
  /** the DNs of each traceObjects call */
  const calls: string[][] = [];
  const traceObject = ({ dn }: { dn: string }): Trace => {
    traces.push(`${cycle}:${dn}`);
    const s = startAt(dn);
    const awaiting = cycle === s;
    const taken = cycle > s;
    const cs = {
      connectorName: 'c',
      distinguishedName: dn,
      objectId: 'o',
      hasExportError: false,
      hasSyncError: false,
      attributes: {},
    };
    return {
      status: 'traced',
      dn,
      adConnector: { name: 'ad', via: 'partition', partition: null },
      adObject: cs,
      metaverseObjectId: 'mv',
      entraObject: cs,
      blockOnPremisesSync: awaiting || taken ? false : true,
      cloudAnchor: null,
      cloudMastered: !taken,
      awaitingExportConfirmation: awaiting,
      exportEvidence: { awaiting, source: 'csObject', detail: 'read', exportRun: null, pendingExports: null },
      message: 'ok',
    } as Trace;
  };
  const server: BulkServerPort = {
    runSyncCycle: () => {
      cycle++;
      clock.t += 60_000;
      return Promise.resolve({
        status: 'completed',
        cycle: { t0: 'a', finishedAt: 'b', allSucceeded: true, runs: [] },
      } as unknown as OpOutput<'server.runSyncCycle'>);
    },
    events6956: () => Promise.resolve({ events: [], provider: null }),
    traceObjects: ({ dns }) => {
      calls.push(dns);
      // a DN the server does not know comes back as a failure, as Get-SoaObjectTrace reports it
      const known = dns.filter((dn) => !dn.startsWith('CN=Broken,'));
      return Promise.resolve({
        traces: known.map((dn) => traceObject({ dn })),
        failures: dns.filter((dn) => !known.includes(dn)).map((dn) => ({ dn, message: 'lookup failed' })),
      });
    },
  };
  /** Entra ID's read of each object: synced again once its takeover is confirmed */
  const cloudReads: string[][] = [];
  const cloudState = (ids: string[]) => {
    cloudReads.push(ids);
    const dnOf = new Map(objects.map((o) => [o.objectId, o.dn]));
    return Promise.resolve(
      new Map(ids.map((id) => [id, { onPremisesSyncEnabled: cycle > startAt(dnOf.get(id) ?? '') ? true : null }])),
    );
  };
  return { server, traces, calls, cycles: () => cycle, cloudState, cloudReads };
}

function clockOf(state: { t: number }): Clock {
  return { now: () => state.t, sleep: () => Promise.resolve() };
}

const objects = Array.from({ length: 20 }, (_, n) => ({
  objectId: `o${n}`,
  dn: `CN=C${n},OU=Contacts,DC=contoso,DC=com`,
}));
const items: ItemResult[] = objects.map((o) => ({
  opId: `r/contact/${o.objectId}`,
  objectId: o.objectId,
  objectType: 'contact',
  action: 'rollback',
  outcome: 'verified',
  before: true,
  after: false,
  written: true,
  fromJournal: false,
  writeStatus: 204,
  attempts: 1,
}));

describe('bulk follow-up until every object is confirmed on the server', () => {
  it('rollback with the takeover delayed: pending after cycle 1, complete only after confirmation', async () => {
    const clock = { t: 0 };
    const lab = fakeServer(() => 1, clock);
    const headlines: string[] = [];
    const r = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      cloudState: lab.cloudState,
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      onCycle: (_c, obs) => headlines.push(summariseLevels('rollback', items, obs).headline),
    });
    expect(r.stopped).toBe('allConfirmed');
    expect(r.cycles).toBe(2);
    expect(headlines[0]).toBe(
      'Verified in the cloud — pending takeover: 20 (takeover not yet confirmed on the server).',
    );
    expect(headlines[1]).toMatch(/^Complete — /);
    expect([...r.observations.values()].every((o) => o.confirmed && o.cycle === 2)).toBe(true);
  });

  it('one object whose takeover never comes keeps the run pending and stops at the cycle limit', async () => {
    const clock = { t: 0 };
    const lab = fakeServer((dn) => (dn.startsWith('CN=C7,') ? Number.POSITIVE_INFINITY : 1), clock);
    const r = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      cloudState: lab.cloudState,
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      maxCycles: 4,
    });
    expect(r.stopped).toBe('maxCycles');
    expect(r.cycles).toBe(4);
    const s = summariseLevels('rollback', items, r.observations);
    expect(s.complete).toBe(false);
    expect(s.pending.cloudVerified.map((o) => o.objectId)).toEqual(['o7']);
    // confirmed objects are not traced again on later cycles
    expect(lab.traces.filter((t) => t.startsWith('3:'))).toEqual(['3:CN=C7,OU=Contacts,DC=contoso,DC=com']);
  });

  it('stops at the timeout with the objects still pending, and a later follow-up resumes from them', async () => {
    const clock = { t: 0 };
    const lab = fakeServer(() => 2, clock);
    const first = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      cloudState: lab.cloudState,
      clock: clockOf(clock),
      timeoutMs: 60_000,
    });
    expect(first.stopped).toBe('timeout');
    expect(summariseLevels('rollback', items, first.observations).complete).toBe(false);
    const again = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      cloudState: lab.cloudState,
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      earlier: first.observations,
    });
    expect(again.stopped).toBe('allConfirmed');
    expect(summariseLevels('rollback', items, again.observations).complete).toBe(true);
  });
});

describe('a rollback is confirmed only when Entra ID also reads the object as synced again', () => {
  it('a trace that shows no pending export does not confirm while Entra ID still reads the object as not synced', async () => {
    const clock = { t: 0 };
    // the server's trace looks "taken over" at once (it never saw the transfer), but the takeover has not happened
    const lab = fakeServer(() => -1, clock);
    const notYet = () => Promise.resolve(new Map(objects.map((o) => [o.objectId, { onPremisesSyncEnabled: null }])));
    const r = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      cloudState: notYet,
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      maxCycles: 2,
    });
    expect(r.stopped).toBe('maxCycles');
    expect([...r.observations.values()].every((o) => !o.confirmed)).toBe(true);
    expect(r.observations.get('o0')?.detail).toMatch(/Entra ID still reads onPremisesSyncEnabled = null/);
    expect(summariseLevels('rollback', items, r.observations).headline).toContain('pending takeover: 20');
  });

  it('without a cloud read a rollback is never confirmed (the trace alone cannot tell)', async () => {
    const clock = { t: 0 };
    const lab = fakeServer(() => 0, clock);
    const r = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      maxCycles: 3,
    });
    expect([...r.observations.values()].every((o) => !o.confirmed)).toBe(true);
    expect(r.observations.get('o0')?.detail).toMatch(/not read in Entra ID/);
  });
});

describe('batched server calls', () => {
  it('traces the pending objects in batches: one call per batch, never one per object', async () => {
    const clock = { t: 0 };
    const lab = fakeServer((dn) => (dn.startsWith('CN=C7,') ? 2 : 1), clock);
    const r = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      cloudState: lab.cloudState,
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      traceBatchSize: 8,
    });
    expect(r.stopped).toBe('allConfirmed');
    // cycle 1: 20 objects in 8 + 8 + 4; cycle 2: 20 again (all awaiting confirmation); cycle 3: only C7
    expect(lab.calls.map((c) => c.length)).toEqual([8, 8, 4, 8, 8, 4, 1]);
    expect(lab.calls.at(-1)).toEqual(['CN=C7,OU=Contacts,DC=contoso,DC=com']);
    expect(TRACE_BATCH_SIZE).toBeGreaterThanOrEqual(200); // 2,000 objects in at most 10 calls
  });

  it('a DN whose trace failed stays unconfirmed and says why; the rest of its batch is confirmed', async () => {
    const clock = { t: 0 };
    const lab = fakeServer(() => 0, clock);
    const withBroken = [...objects.slice(0, 3), { objectId: 'x', dn: 'CN=Broken,OU=Contacts,DC=contoso,DC=com' }];
    const r = await followUpUntilConfirmed(lab.server, withBroken, {
      action: 'rollback',
      cloudState: lab.cloudState,
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      maxCycles: 2,
    });
    expect(r.stopped).toBe('maxCycles');
    expect(r.observations.get('x')).toMatchObject({
      confirmed: false,
      detail: 'The server trace failed: lookup failed.',
    });
    expect(['o0', 'o1', 'o2'].every((id) => r.observations.get(id)?.confirmed === true)).toBe(true);
  });

  it('finds contact DNs in batches, uses only a single match and says why the others are missing', async () => {
    const seen: number[] = [];
    const find: FindContacts = ({ queries }) => {
      seen.push(queries.length);
      return Promise.resolve({
        via: 'activeDirectory',
        results: queries.map((q) => ({
          key: q.key,
          matches:
            q.key === 'twice'
              ? [contact('CN=T1'), contact('CN=T2')]
              : q.key === 'none'
                ? []
                : [contact(`CN=${q.mail ?? q.displayName ?? ''}`)],
        })),
      });
    };
    const input = [
      { objectId: 'a', mail: 'a@contoso.com' },
      { objectId: 'b', displayName: 'Bea' },
      { objectId: 'twice', mail: 't@contoso.com' },
      { objectId: 'none', mail: 'n@contoso.com' },
      { objectId: 'nothing' },
    ];
    const r = await findContactDns(find, input, { batchSize: 2 });
    expect(seen).toEqual([2, 2]); // 'nothing' has neither mail nor name: not asked
    expect(r.found).toEqual([
      { objectId: 'a', dn: 'CN=a@contoso.com' },
      { objectId: 'b', dn: 'CN=Bea', displayName: 'Bea' },
    ]);
    expect(Object.fromEntries(r.missing.map((m) => [m.objectId, m.reason]))).toEqual({
      twice: '2 AD contacts match; not swept.',
      none: 'No AD contact found by mail or display name.',
      nothing: 'No AD contact found by mail or display name.',
    });
  });

  it('a failed lookup batch marks its objects missing with the error', async () => {
    const find: FindContacts = () => Promise.reject(new Error('ActiveDirectory module missing'));
    const r = await findContactDns(find, [{ objectId: 'a', mail: 'a@contoso.com' }]);
    expect(r.found).toEqual([]);
    expect(r.missing).toEqual([{ objectId: 'a', reason: 'AD lookup failed: ActiveDirectory module missing' }]);
  });
});

function contact(dn: string) {
  return { distinguishedName: dn, objectGuid: 'g', displayName: null, mail: null, description: null };
}
