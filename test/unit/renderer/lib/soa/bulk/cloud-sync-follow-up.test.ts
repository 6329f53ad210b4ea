import { describe, expect, it } from 'vitest';
import {
  confirms,
  followUpCloudSync,
  type CloudSyncFollowUpObject,
} from '../../../../../../src-renderer/lib/soa/bulk/cloud-sync-follow-up';
import type { ProvisioningOutcome } from '../../../../../../src-renderer/lib/soa/provisioning-outcome';
import { fakeCloudSyncGraph, logEntry, recordingClock } from '../cloud-sync-fakes';

const SOA = 'As the SOA of this contact is in the cloud, this object will not sync.';
const o = (kind: ProvisioningOutcome['kind']): ProvisioningOutcome => ({
  kind,
  status: null,
  reason: null,
  source: 'provisioningLog',
});

describe('what confirms a Cloud Sync object (each failing case)', () => {
  it('a transfer only by the SOA skip', () => {
    expect(confirms('transfer', o('soaSkipped'))).toBe(true);
    for (const k of ['processed', 'skippedOther', 'failed', 'unknown'] as const)
      expect(confirms('transfer', o(k))).toBe(false);
    expect(confirms('transfer', null)).toBe(false);
  });
  it('a rollback only by the object processed again', () => {
    expect(confirms('rollback', o('processed'))).toBe(true);
    expect(confirms('rollback', o('skippedOther'))).toBe(true);
    for (const k of ['soaSkipped', 'failed', 'unknown'] as const) expect(confirms('rollback', o(k))).toBe(false);
  });
});

describe('the bulk follow-up over provisioning logs', () => {
  it('serves many objects with one query per job per round, within 5 per 10 s, and confirms each from its entry', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, []);
    const since = c.clock.now().toISOString();
    const objects: CloudSyncFollowUpObject[] = [];
    for (let i = 0; i < 40; i++) {
      const jobId = i % 2 === 0 ? 'JOB-A' : 'JOB-B';
      const action = i % 4 < 2 ? 'transfer' : 'rollback';
      objects.push({ id: `c${i}`, dn: `CN=c${i},DC=adatum,DC=com`, jobId, action });
      // Entries arrive over several cycles (every 2 minutes).
      const at = new Date(c.clock.now().getTime() + 120_000 * (1 + (i % 3))).toISOString();
      f.log.push(
        action === 'transfer'
          ? logEntry({ id: `e${i}`, at, jobId, status: 'skipped', targetId: `c${i}`, reason: SOA })
          : logEntry({ id: `e${i}`, at, jobId, status: 'success', sourceId: 'guid', dn: `CN=c${i},DC=adatum,DC=com` }),
      );
    }
    const progress: number[] = [];
    const r = await followUpCloudSync(f.graph, objects, since, {
      clock: c.clock,
      pollIntervalMs: 30_000,
      boundMs: 15 * 60_000,
      onProgress: (p) => progress.push(p.confirmed),
      cloudState: async (ids) => new Map(ids.map((id) => [id, { onPremisesSyncEnabled: true }])),
    });
    expect(r.logError).toBeNull();
    expect(r.objects.every((x) => x.confirmed && x.level === 'serverConfirmed')).toBe(true);
    // a transfer's evidence is the skip entry; what it does not show is said
    for (const x of r.objects.filter((o) => o.action === 'transfer'))
      expect(x.detail).toMatch(/SOA is in the cloud: .*the Entra values were not read again in bulk/);
    // One query per job per round, far fewer than one per object.
    expect(r.queries).toBeLessThanOrEqual(r.rounds * 2);
    expect(r.queries).toBeLessThan(objects.length);
    const logReqs = f.requests.filter((q) => q.url.startsWith('/v1.0/auditLogs/provisioning'));
    expect(logReqs.every((q) => q.status === 200)).toBe(true);
    for (const q of logReqs)
      expect(logReqs.filter((x) => x.at >= q.at && x.at < q.at + 10_000).length).toBeLessThanOrEqual(5);
    expect(progress.at(-1)).toBe(40);
    expect(progress[0]).toBeLessThan(40);
  });

  it('says plainly when a transferred object has no entry (no AD change), and never confirms it', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, []);
    const r = await followUpCloudSync(
      f.graph,
      [{ id: 'c1', dn: 'CN=c1,DC=adatum,DC=com', jobId: 'J', action: 'transfer' }],
      c.clock.now().toISOString(),
      {
        clock: c.clock,
        boundMs: 60_000,
        pollIntervalMs: 30_000,
      },
    );
    expect(r.objects[0]).toMatchObject({ confirmed: false, level: null });
    expect(r.objects[0]?.detail).toMatch(/logs an object only when it processes a change/);
  });

  it('does not confirm a rollback that is still skipped as cloud-managed', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, []);
    f.log.push(
      logEntry({
        id: 'e1',
        at: new Date(c.clock.now().getTime() + 1000).toISOString(),
        jobId: 'J',
        status: 'skipped',
        targetId: 'c1',
        reason: SOA,
      }),
    );
    const r = await followUpCloudSync(
      f.graph,
      [{ id: 'c1', dn: null, jobId: 'J', action: 'rollback' }],
      c.clock.now().toISOString(),
      {
        clock: c.clock,
        boundMs: 60_000,
      },
    );
    expect(r.objects[0]?.confirmed).toBe(false);
    expect(r.objects[0]?.detail).toMatch(/still skips/);
  });

  describe('a rollback needs Entra ID to read the object as synced again, not only the entry', () => {
    async function rollback(
      cloudState?: (ids: string[]) => Promise<Map<string, { onPremisesSyncEnabled: boolean | null }>>,
    ) {
      const c = recordingClock();
      const f = fakeCloudSyncGraph(c.clock, []);
      const since = c.clock.now().toISOString();
      f.log.push(
        logEntry({
          id: 'e1',
          at: new Date(c.clock.now().getTime() + 1000).toISOString(),
          jobId: 'J',
          status: 'success',
          targetId: 'r1',
        }),
      );
      c.advance(5000);
      const r = await followUpCloudSync(f.graph, [{ id: 'r1', dn: null, jobId: 'J', action: 'rollback' }], since, {
        clock: c.clock,
        boundMs: 120_000,
        pollIntervalMs: 30_000,
        ...(cloudState ? { cloudState } : {}),
      });
      return { r, c };
    }
    it('confirmed when the entry shows it processed and onPremisesSyncEnabled is true (attributes not claimed)', async () => {
      const { r } = await rollback(async (ids) => new Map(ids.map((id) => [id, { onPremisesSyncEnabled: true }])));
      expect(r.objects[0]).toMatchObject({ confirmed: true, level: 'serverConfirmed' });
      expect(r.objects[0]?.detail).toMatch(/onPremisesSyncEnabled = true\); its attributes were not compared with AD/);
    });
    it('the failing case: Entra ID still reads onPremisesSyncEnabled false → waited for, never confirmed', async () => {
      const { r, c } = await rollback(async (ids) => new Map(ids.map((id) => [id, { onPremisesSyncEnabled: false }])));
      expect(r.objects[0]).toMatchObject({ confirmed: false, level: null });
      expect(r.objects[0]?.detail).toMatch(/still reads onPremisesSyncEnabled = false/);
      expect(c.sleeps.length).toBeGreaterThan(0);
    });
    it('confirmed once Entra ID reads it as synced on a later round', async () => {
      let reads = 0;
      const { r } = await rollback(async (ids) => {
        reads++;
        return new Map(ids.map((id) => [id, { onPremisesSyncEnabled: reads >= 2 }]));
      });
      expect(reads).toBe(2);
      expect(r.objects[0]?.confirmed).toBe(true);
    });
    it('the failing case: Entra ID not read at all → not confirmed, and the detail says so', async () => {
      const { r } = await rollback();
      expect(r.objects[0]?.confirmed).toBe(false);
      expect(r.objects[0]?.detail).toMatch(/Entra ID was not read/);
    });
  });

  it('stops at once when the log is refused (no P1/P2), and says why for every object', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, []);
    f.logFailure = {
      status: 403,
      code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      message: 'no premium licence',
    };
    const r = await followUpCloudSync(
      f.graph,
      [
        { id: 'c1', dn: null, jobId: 'J', action: 'transfer' },
        { id: 'c2', dn: null, jobId: 'K', action: 'rollback' },
      ],
      c.clock.now().toISOString(),
      {
        clock: c.clock,
      },
    );
    expect(r.rounds).toBe(1);
    expect(r.logError).toMatch(/NonPremium/);
    expect(r.objects.every((x) => !x.confirmed && /could not be read/.test(x.detail))).toBe(true);
    expect(c.sleeps).toEqual([]);
  });
});
