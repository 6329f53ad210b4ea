import { describe, expect, it } from 'vitest';
import type { OpOutput } from '@contract';
import {
  followUpUntilConfirmed,
  type BulkServerPort,
} from '../../../../../../src-renderer/lib/soa/bulk/server-follow-up';
import { summariseLevels } from '../../../../../../src-renderer/lib/soa/bulk/evidence-levels';
import type { ItemResult } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import type { Clock } from '../../../../../../src-renderer/lib/soa/bulk/ports';

type Trace = OpOutput<'server.traceObject'>;

/** A fake Connect Sync server: each object's takeover starts on cycle `startAt` and is confirmed on the next one. */
function fakeServer(startAt: (dn: string) => number, clock: { t: number }) {
  let cycle = 0;
  const traces: string[] = [];
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
    traceObject: ({ dn }) => {
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
      return Promise.resolve({
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
      } as Trace);
    },
  };
  return { server, traces, cycles: () => cycle };
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
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      onCycle: (_c, obs) => headlines.push(summariseLevels('rollback', items, obs).headline),
    });
    expect(r.stopped).toBe('allConfirmed');
    expect(r.cycles).toBe(2);
    expect(headlines[0]).toBe('Verified in the cloud — pending on the server: 20 (takeover not yet confirmed).');
    expect(headlines[1]).toMatch(/^Complete — /);
    expect([...r.observations.values()].every((o) => o.confirmed && o.cycle === 2)).toBe(true);
  });

  it('one object whose takeover never comes keeps the run pending and stops at the cycle limit', async () => {
    const clock = { t: 0 };
    const lab = fakeServer((dn) => (dn.startsWith('CN=C7,') ? Number.POSITIVE_INFINITY : 1), clock);
    const r = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
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
      clock: clockOf(clock),
      timeoutMs: 60_000,
    });
    expect(first.stopped).toBe('timeout');
    expect(summariseLevels('rollback', items, first.observations).complete).toBe(false);
    const again = await followUpUntilConfirmed(lab.server, objects, {
      action: 'rollback',
      clock: clockOf(clock),
      timeoutMs: 3_600_000,
      earlier: first.observations,
    });
    expect(again.stopped).toBe('allConfirmed');
    expect(summariseLevels('rollback', items, again.observations).complete).toBe(true);
  });
});
