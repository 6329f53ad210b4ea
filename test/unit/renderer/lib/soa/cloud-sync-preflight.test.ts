import { describe, expect, it } from 'vitest';
import {
  cloudSyncPreflight,
  CLOUD_SYNC_CHECK_ID,
  cloudSyncNotAskedCheck,
  engineCoverageText,
  NO_PREMIUM_CODE,
  syncEnginePreflight,
} from '../../../../../src-renderer/lib/soa/cloud-sync-preflight';
import { fakeCloudSyncGraph, recordingClock, type FakeConfiguration } from './cloud-sync-fakes';
import { fakeIpc } from './fakes';
import { DEFAULT_TUNING, type FlowPorts } from '../../../../../src-renderer/lib/soa/ports';

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
    expect(engines?.message).toMatch(
      /Covers: Cloud Sync: adatum\.com \(job [^)]+\); Connect Sync: contoso\.com \(DC=contoso,DC=com\)\./,
    );
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

  it('warns (does not block Connect Sync objects) with the role to assign when the synchronization API refuses the admin', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [adatum]);
    f.syncFailure = {
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    };
    const r = await cloudSyncPreflight(f.graph, c.clock, ['CN=a,DC=adatum,DC=com'], contoso);
    const api = check(r.checks, CLOUD_SYNC_CHECK_ID.syncApi);
    expect(api?.status).toBe('warn');
    expect(api?.message).toMatch(/Hybrid Identity Administrator/);
    expect(api?.message).toMatch(/Connect Sync are not affected/);
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

  it('says plainly that Cloud Sync was not asked, and what Connect Sync covers', () => {
    const c = cloudSyncNotAskedCheck(contoso, 'this server shows no provisioning agent');
    expect(c.status).toBe('notChecked');
    expect(c.observed).toBe('Cloud Sync: not asked; Connect Sync: contoso.com (DC=contoso,DC=com).');
    expect(c.message).toMatch(/^Cloud Sync was not checked: this server shows no provisioning agent\./);
    expect(c.message).toMatch(/Synchronization\.ReadWrite\.All, Application\.Read\.All/);
  });
  it('says when the server has no AD connector or could not be asked', () => {
    expect(engineCoverageText([], [])).toBe(
      'Cloud Sync: no configuration; Connect Sync: no AD connector on this server.',
    );
    expect(engineCoverageText(null, null)).toBe('Cloud Sync: not read; Connect Sync: connectors not read.');
  });

  describe('in the wizard: Cloud Sync is asked only on its path', () => {
    function setup() {
      const c = recordingClock();
      const f = fakeCloudSyncGraph(c.clock, [adatum]);
      const ipc = fakeIpc({
        'server.adConnectors': () => ({
          available: true,
          connectors: [{ name: 'contoso.com', partitions: ['DC=contoso,DC=com'] }],
          message: null,
        }),
      });
      const ports: FlowPorts = {
        ipc: ipc.ipc,
        graph: f.graph,
        clock: c.clock,
        tuning: DEFAULT_TUNING,
        newId: () => 'x',
      };
      const cloudRequests = () => f.requests.filter((q) => /servicePrincipals|auditLogs\/provisioning/.test(q.url));
      return { ports, cloudRequests };
    }
    it('sends no Cloud Sync request (no permission asked) without the agent and without a Cloud Sync object', async () => {
      const s = setup();
      const r = await syncEnginePreflight(s.ports, { cloudSyncAgentOnServer: false, cloudSyncObject: false, dns: [] });
      expect(r.askedCloudSync).toBe(false);
      expect(s.cloudRequests()).toEqual([]);
      expect(r.checks.map((c) => [c.id, c.status])).toEqual([[CLOUD_SYNC_CHECK_ID.engines, 'notChecked']]);
      expect(r.checks[0]?.observed).toMatch(/Connect Sync: contoso\.com \(DC=contoso,DC=com\)/);
      expect(r.requests[0]?.kind).toBe('powershell');
    });
    it('asks Cloud Sync when the server runs the provisioning agent', async () => {
      const s = setup();
      const r = await syncEnginePreflight(s.ports, { cloudSyncAgentOnServer: true, cloudSyncObject: false, dns: [] });
      expect(r.askedCloudSync).toBe(true);
      expect(s.cloudRequests().length).toBeGreaterThan(0);
      expect(r.checks.find((c) => c.id === CLOUD_SYNC_CHECK_ID.engines)?.message).toMatch(/Cloud Sync: adatum\.com/);
    });
    it('asks Cloud Sync when the picked object is synced by Cloud Sync, even without the agent on this server', async () => {
      const s = setup();
      const r = await syncEnginePreflight(s.ports, {
        cloudSyncAgentOnServer: false,
        cloudSyncObject: true,
        dns: ['CN=a,DC=adatum,DC=com'],
      });
      expect(r.askedCloudSync).toBe(true);
      expect(r.checks.find((c) => c.id === CLOUD_SYNC_CHECK_ID.engines)?.status).toBe('pass');
    });
  });
});
