import { describe, expect, it } from 'vitest';
import type { CloudSyncConfiguration } from '../../../../../../src-renderer/lib/graph/cloud-sync-graph';
import {
  cloudSyncObservations,
  followUpNeedsCloudSync,
  routeForFollowUp,
  unroutedObservations,
} from '../../../../../../src-renderer/lib/soa/bulk/engine-routing';
import type { CloudSyncFollowUpResult } from '../../../../../../src-renderer/lib/soa/bulk/cloud-sync-follow-up';

const adatum: CloudSyncConfiguration = {
  servicePrincipalId: 'sp',
  displayName: 'adatum.com',
  jobId: 'AD2AADProvisioning.1',
  domain: 'adatum.com',
  domainSource: 'jobSettings',
  forest: 'adatum.com',
  scheduleState: 'Active',
  statusCode: 'Active',
  interval: 'PT2M',
} as CloudSyncConfiguration;
const contoso = [{ connector: 'contoso.com', partitions: ['DC=contoso,DC=com'] }];
const a = { objectId: 'a', dn: 'CN=A,OU=Partner Contacts,DC=adatum,DC=com' };
const c = { objectId: 'c', dn: 'CN=C,OU=Contacts,DC=contoso,DC=com' };
const x = { objectId: 'x', dn: 'CN=X,DC=elsewhere,DC=org' };

describe('routing the bulk follow-up by sync engine', () => {
  it('asks Cloud Sync only when an object is not under a Connect Sync partition (or the connectors are unknown)', () => {
    expect(followUpNeedsCloudSync([c], contoso)).toBe(false);
    expect(followUpNeedsCloudSync([c, a], contoso)).toBe(true);
    expect(followUpNeedsCloudSync([c], null)).toBe(true);
    expect(followUpNeedsCloudSync([], contoso)).toBe(false);
  });

  it('sends each object to its engine; objects no engine covers are not followed up, with the reason', () => {
    const r = routeForFollowUp([a, c, x], { cloudSync: [adatum], connectSync: contoso });
    expect(r.connectSync.map((o) => o.objectId)).toEqual(['c']);
    expect(r.cloudSync).toEqual([{ ...a, jobId: 'AD2AADProvisioning.1', domain: 'adatum.com' }]);
    expect(r.unrouted.map((u) => [u.objectId, u.engine])).toEqual([['x', 'none']]);
  });

  it('never routes an object both engines claim', () => {
    const r = routeForFollowUp([a], {
      cloudSync: [adatum],
      connectSync: [{ connector: 'adatum', partitions: ['DC=adatum,DC=com'] }],
    });
    expect(r.unrouted.map((u) => u.engine)).toEqual(['both']);
    expect(r.cloudSync).toEqual([]);
    expect(r.connectSync).toEqual([]);
  });

  it('keeps Connect Sync objects on their path when Cloud Sync was not asked', () => {
    const r = routeForFollowUp([c], { cloudSync: null, connectSync: contoso });
    expect(r.connectSync.map((o) => o.objectId)).toEqual(['c']);
  });

  it('leaves an unclaimed object to the Connect Sync trace when the connectors could not be read', () => {
    const r = routeForFollowUp([c, a], { cloudSync: [adatum], connectSync: null });
    expect(r.connectSync.map((o) => o.objectId)).toEqual(['c']);
    expect(r.cloudSync.map((o) => o.objectId)).toEqual(['a']);
    // and when Cloud Sync could not be read either, nothing is claimed as Cloud Sync
    const none = routeForFollowUp([a], { cloudSync: null, connectSync: null });
    expect(none.cloudSync).toEqual([]);
  });
});

describe('the Cloud Sync follow-up as per-object evidence', () => {
  const result: CloudSyncFollowUpResult = {
    objects: [
      {
        id: 'a',
        action: 'rollback',
        outcome: null,
        confirmed: true,
        level: 'serverConfirmed',
        detail: 'processed again',
      },
      { id: 'b', action: 'rollback', outcome: null, confirmed: false, level: null, detail: 'No entry yet.' },
    ],
    queries: 2,
    rounds: 2,
    logError: null,
    requestIds: [],
    stoppedJobs: [],
  };
  it('confirms exactly the objects the log confirmed, and names the source', () => {
    const m = cloudSyncObservations(result, '2027-01-01T00:00:00Z');
    expect(m.get('a')).toMatchObject({
      confirmed: true,
      detail: 'Cloud Sync (provisioning log): processed again',
      cycle: 2,
      engine: 'cloudSync',
    });
    expect(m.get('b')?.confirmed).toBe(false);
  });
  it('never confirms an object that was not followed up', () => {
    const m = unroutedObservations(
      [{ objectId: 'x', dn: x.dn, engine: 'both', reason: 'Both engines claim this DN.' }],
      't',
    );
    expect(m.get('x')).toMatchObject({ confirmed: false, engine: 'none' });
    expect(m.get('x')?.detail).toMatch(/^Not followed up on a sync engine: both engines claim it\. Both engines/);
  });
});
