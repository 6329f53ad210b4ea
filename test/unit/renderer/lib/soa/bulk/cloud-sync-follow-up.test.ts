import { describe, expect, it } from 'vitest';
import {
  confirms,
  followUpCloudSync,
  readAdValuesOfContacts,
  type AdRead,
  type CloudSyncFollowUpObject,
  type CloudSyncFollowUpOptions,
} from '../../../../../../src-renderer/lib/soa/bulk/cloud-sync-follow-up';
import type { CloudSyncState } from '../../../../../../src-renderer/lib/soa/bulk/evidence-levels';
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
      cloudState: async (ids) =>
        new Map(ids.map((id) => [id, { onPremisesSyncEnabled: true, displayName: `Name ${id}`, mail: null }])),
      adValues: async (objs) =>
        new Map(objs.map((x) => [x.id, { ok: true, values: { displayName: `Name ${x.id}`, mail: null } }])),
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
    const AD: AdRead = { ok: true, values: { displayName: 'R One', mail: 'r1@adatum.com' } };
    const matchingAd = async (objs: { id: string }[]): Promise<Map<string, AdRead>> =>
      new Map(objs.map((x) => [x.id, AD]));
    const synced = (on: boolean | null) => async (ids: string[]) =>
      new Map(ids.map((id) => [id, { onPremisesSyncEnabled: on, displayName: 'R One', mail: 'R1@adatum.com' }]));
    async function rollback(
      cloudState?: (ids: string[]) => Promise<Map<string, CloudSyncState>>,
      adValues: CloudSyncFollowUpOptions['adValues'] | null = matchingAd,
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
        ...(adValues ? { adValues } : {}),
      });
      return { r, c };
    }
    it('confirmed when the entry shows it processed, onPremisesSyncEnabled is true and the attributes match AD', async () => {
      const asked: unknown[] = [];
      const { r, c } = await rollback(synced(true), async (objs) => {
        asked.push(...objs);
        return matchingAd(objs);
      });
      expect(r.objects[0]).toMatchObject({ confirmed: true, level: 'serverConfirmed' });
      expect(r.objects[0]?.detail).toMatch(/onPremisesSyncEnabled = true\) and its displayName and mail match AD\.$/);
      // AD is asked with the values Entra ID read (mail ignoring case), once
      expect(asked).toEqual([{ id: 'r1', dn: null, entra: { displayName: 'R One', mail: 'R1@adatum.com' } }]);
      expect(c.sleeps).toEqual([]);
    });
    it('the failing case: an attribute differs from AD → not confirmed, names both values, not waited for again', async () => {
      const { r, c } = await rollback(
        synced(true),
        async (objs) =>
          new Map<string, AdRead>(
            objs.map((x) => [x.id, { ok: true, values: { displayName: 'R One (AD)', mail: 'r1@adatum.com' } }]),
          ),
      );
      expect(r.objects[0]).toMatchObject({ confirmed: false, level: null });
      expect(r.objects[0]?.detail).toMatch(
        /but its attributes differ from AD \(displayName: Entra "R One", AD "R One \(AD\)"\): the takeover is not confirmed/,
      );
      expect(c.sleeps).toEqual([]);
    });
    it('the failing case: AD could not be read → not confirmed, and the detail says why', async () => {
      const { r } = await rollback(
        synced(true),
        async (objs) =>
          new Map<string, AdRead>(objs.map((x) => [x.id, { ok: false, reason: 'the AD lookup failed: no server' }])),
      );
      expect(r.objects[0]).toMatchObject({ confirmed: false, level: null });
      expect(r.objects[0]?.detail).toMatch(
        /but AD could not be read \(the AD lookup failed: no server\), so the attributes were not compared with AD: the takeover is not confirmed/,
      );
      const thrown = await rollback(synced(true), async () => Promise.reject(new Error('PowerShell down')));
      expect(thrown.r.objects[0]?.confirmed).toBe(false);
      expect(thrown.r.objects[0]?.detail).toMatch(/AD could not be read \(the AD read failed: PowerShell down\)/);
      const none = await rollback(synced(true), null);
      expect(none.r.objects[0]?.confirmed).toBe(false);
      expect(none.r.objects[0]?.detail).toMatch(
        /AD could not be read \(AD values are not read for this object in bulk\)/,
      );
    });
    it('the failing case: Entra ID still reads onPremisesSyncEnabled false → waited for, never confirmed', async () => {
      const { r, c } = await rollback(synced(false));
      expect(r.objects[0]).toMatchObject({ confirmed: false, level: null });
      expect(r.objects[0]?.detail).toMatch(/still reads onPremisesSyncEnabled = false/);
      expect(c.sleeps.length).toBeGreaterThan(0);
    });
    it('confirmed once Entra ID reads it as synced on a later round', async () => {
      let reads = 0;
      const { r } = await rollback(async (ids) => {
        reads++;
        return synced(reads >= 2)(ids);
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

describe("the AD values of rolled-back contacts (one lookup per batch, only the match at the object's DN)", () => {
  const entra = { displayName: 'Ann', mail: 'ann@adatum.com' };
  const contact = (dn: string, displayName: string, mail: string | null) => ({
    distinguishedName: dn,
    objectGuid: 'g',
    displayName,
    mail,
    description: null,
  });
  it("reads the values of the contact at the object's DN (DN compared ignoring case and spaces)", async () => {
    const calls: unknown[] = [];
    const r = await readAdValuesOfContacts(
      async (input) => {
        calls.push(input);
        return {
          via: 'activeDirectory',
          results: [
            {
              key: 'a',
              matches: [
                contact('CN=Other,DC=adatum,DC=com', 'Ann', 'ann@adatum.com'),
                contact('cn=Ann, dc=adatum,dc=com', 'Ann', 'ANN@adatum.com'),
              ],
            },
          ],
        };
      },
      [{ id: 'a', dn: 'CN=Ann,DC=adatum,DC=com', entra }],
      ['adatum.com'],
    );
    expect(r.get('a')).toEqual({ ok: true, values: { displayName: 'Ann', mail: 'ANN@adatum.com' } });
    expect(calls).toEqual([
      { queries: [{ key: 'a', mail: 'ann@adatum.com', displayName: 'Ann' }], domains: ['adatum.com'] },
    ]);
  });
  it('the failing cases: no match at its DN, no DN, a failed lookup → not read, with the reason', async () => {
    const other = await readAdValuesOfContacts(
      async () => ({
        via: 'activeDirectory',
        results: [{ key: 'a', matches: [contact('CN=Other,DC=adatum,DC=com', 'Ann', null)] }],
      }),
      [
        { id: 'a', dn: 'CN=Ann,DC=adatum,DC=com', entra },
        { id: 'b', dn: null, entra },
      ],
    );
    expect(other.get('a')).toMatchObject({ ok: false, reason: expect.stringMatching(/no contact at CN=Ann/) });
    expect(other.get('b')).toEqual({ ok: false, reason: 'its AD DN is not known' });
    const failed = await readAdValuesOfContacts(
      async () => Promise.reject(new Error('server unreachable')),
      [{ id: 'a', dn: 'CN=Ann,DC=adatum,DC=com', entra }],
    );
    expect(failed.get('a')).toEqual({ ok: false, reason: 'the AD lookup failed: server unreachable' });
  });
});
