import { describe, expect, it } from 'vitest';
import {
  cloudSyncPreflight,
  CLOUD_SYNC_CHECK_ID,
  NO_PREMIUM_CODE,
} from '../../../../../src-renderer/lib/soa/cloud-sync-preflight';
import { fakeCloudSyncGraph, recordingClock, type FakeConfiguration } from './cloud-sync-fakes';

const adatum: FakeConfiguration = {
  spId: 'sp-ad',
  displayName: 'adatum.com',
  jobs: [
    {
      id: 'AD2AADProvisioning.1',
      templateId: 'AD2AADProvisioning',
      settings: [{ name: 'DomainFQDN', value: 'adatum.com' }],
    },
  ],
  mappedTypes: ['contact'],
  ruleId: 'r',
};
const contoso = [{ connector: 'contoso.com', partitions: ['DC=contoso,DC=com'] }];
const check = (checks: { id: string }[], id: string) =>
  checks.find((c) => c.id === id) as { status: string; message: string; observed?: string } | undefined;

describe('Cloud Sync preflight', () => {
  it('reports both engines and which objects each covers', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [adatum]);
    const r = await cloudSyncPreflight(
      f.graph,
      c.clock,
      ['CN=a,DC=adatum,DC=com', 'CN=b,DC=contoso,DC=com', 'CN=c,DC=adatum,DC=com'],
      contoso,
    );
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.syncApi)?.status).toBe('pass');
    const engines = check(r.checks, CLOUD_SYNC_CHECK_ID.engines);
    expect(engines?.status).toBe('pass');
    expect(engines?.observed).toBe('Cloud Sync (adatum.com): 2; Connect Sync (contoso.com): 1');
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.provisioningLog)?.status).toBe('pass');
  });

  it('fails the engine line for an object no engine covers', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [adatum]);
    const r = await cloudSyncPreflight(f.graph, c.clock, ['CN=a,DC=elsewhere,DC=org'], contoso);
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.engines)?.status).toBe('fail');
  });

  it('explains the missing P1/P2 licence for the provisioning log (a warn, not a pass)', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [adatum]);
    f.logFailure = { status: 403, code: NO_PREMIUM_CODE, message: 'Tenant does not have a premium license' };
    const r = await cloudSyncPreflight(f.graph, c.clock, [], contoso);
    const log = check(r.checks, CLOUD_SYNC_CHECK_ID.provisioningLog);
    expect(log?.status).toBe('warn');
    expect(log?.message).toMatch(/P1 or P2/);
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.engines)?.status).toBe('notChecked');
  });

  it('explains a missing reader role for the provisioning log', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [adatum]);
    f.logFailure = { status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges' };
    const r = await cloudSyncPreflight(f.graph, c.clock, [], contoso);
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.provisioningLog)?.message).toMatch(/Reports Reader/);
  });

  it('fails the API line with the role to assign when the synchronization API refuses the admin', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [adatum]);
    f.syncFailure = {
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    };
    const r = await cloudSyncPreflight(f.graph, c.clock, ['CN=a,DC=adatum,DC=com'], contoso);
    const api = check(r.checks, CLOUD_SYNC_CHECK_ID.syncApi);
    expect(api?.status).toBe('fail');
    expect(api?.message).toMatch(/Hybrid Identity Administrator/);
    // The engines cannot be told without the configurations: never a pass.
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.engines)?.status).toBe('warn');
  });

  it('says not checked (never pass) for the log when there is no configuration', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, []);
    const r = await cloudSyncPreflight(f.graph, c.clock, ['CN=b,DC=contoso,DC=com'], contoso);
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.provisioningLog)?.status).toBe('notChecked');
    expect(check(r.checks, CLOUD_SYNC_CHECK_ID.engines)?.status).toBe('pass');
  });
});
