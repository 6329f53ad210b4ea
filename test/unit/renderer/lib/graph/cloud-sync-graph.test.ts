import { describe, expect, it } from 'vitest';
import {
  configurationOf,
  isAd2AadJob,
  listCloudSyncConfigurations,
  listProvisioningLogs,
  parseProvisionOnDemand,
  provisionOnDemand,
  provisioningLogFilter,
  getProvisioningRule,
  ruleFor,
} from '../../../../../src-renderer/lib/graph/cloud-sync-graph';
import {
  RateWindow,
  PROVISION_ON_DEMAND_LIMIT,
  REPORTING_LIMIT,
} from '../../../../../src-renderer/lib/graph/rate-window';
import { STEP_SCOPES } from '../../../../../src-renderer/lib/graph/scopes';
import {
  fakeCloudSyncGraph,
  logEntry,
  onDemandAnswer,
  recordingClock,
  type FakeConfiguration,
} from '../soa/cloud-sync-fakes';

const fabrikam: FakeConfiguration = {
  spId: 'sp-fab',
  displayName: 'fabrikam.local',
  jobs: [
    {
      id: 'AD2AADProvisioning.abc',
      templateId: 'AD2AADProvisioning',
      settings: [
        { name: 'DomainFQDN', value: 'Fabrikam.Local' },
        { name: 'ForestFQDN', value: 'fabrikam.local' },
      ],
    },
    { id: 'AD2AADPasswordHash.def', templateId: 'AD2AADPasswordHash' },
  ],
  mappedTypes: ['user', 'group', 'contact'],
  ruleId: 'rule-fab',
};

describe('Cloud Sync configurations', () => {
  it('lists the template service principals and keeps only their AD2AADProvisioning job, with its DomainFQDN', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    const r = await listCloudSyncConfigurations(f.graph);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.configurations).toEqual([
      expect.objectContaining({
        servicePrincipalId: 'sp-fab',
        jobId: 'AD2AADProvisioning.abc',
        domain: 'fabrikam.local',
        domainSource: 'jobSettings',
        forest: 'fabrikam.local',
      }),
    ]);
    expect(decodeURIComponent(f.requests[0]?.url ?? '')).toContain(
      "applicationTemplateId eq '1a4721b3-e57f-4451-ae87-ef078703ec94'",
    );
  });

  it('finds the service principal when applicationTemplateId is null (Microsoft’s example) through servicePrincipalNames', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    f.templateIdIn = 'servicePrincipalNames';
    const r = await listCloudSyncConfigurations(f.graph);
    expect(r.ok && r.value.configurations.map((x) => x.jobId)).toEqual(['AD2AADProvisioning.abc']);
    // Failing case: the template filter alone finds nothing under this variant.
    const templateOnly = f.requests.find((q) => decodeURIComponent(q.url).includes('applicationTemplateId eq'));
    expect(templateOnly?.status).toBe(200);
  });

  it('accepts the job by its id prefix when the template id disagrees (a documented sample shows that)', () => {
    expect(isAd2AadJob({ id: 'AD2AADProvisioning.fc96', templateId: 'ADDCInPassthrough' })).toBe(true);
    expect(isAd2AadJob({ id: 'x', templateId: 'AD2AADProvisioning' })).toBe(true);
    expect(isAd2AadJob({ id: 'AD2AADPasswordHash.x', templateId: 'AD2AADPasswordHash' })).toBe(false);
    expect(isAd2AadJob({ id: 'AAD2ADGroupProvisioning.x', templateId: 'AAD2ADGroupProvisioning' })).toBe(false);
  });

  it('falls back to a domain-like display name only when the job has no DomainFQDN, and says so', () => {
    const job = { id: 'AD2AADProvisioning.1', templateId: 'AD2AADProvisioning', synchronizationJobSettings: [] };
    expect(configurationOf({ id: 's', displayName: 'corp.contoso.com' }, job)).toMatchObject({
      domain: 'corp.contoso.com',
      domainSource: 'displayName',
    });
    expect(configurationOf({ id: 's', displayName: 'My sync config' }, job)).toMatchObject({
      domain: null,
      domainSource: 'none',
    });
    const withSetting = { ...job, synchronizationJobSettings: [{ name: 'DomainFQDN', value: 'a.example' }] };
    expect(configurationOf({ id: 's', displayName: 'b.example' }, withSetting)).toMatchObject({
      domain: 'a.example',
      domainSource: 'jobSettings',
    });
  });

  it('asks for the Cloud Sync scopes only', async () => {
    expect(STEP_SCOPES.cloudSync).toEqual(['Synchronization.ReadWrite.All', 'Application.Read.All']);
  });
});

describe('the schema rule for provisionOnDemand', () => {
  it('takes the rule and source object name that map the kind', () => {
    const schema = {
      synchronizationRules: [
        {
          id: 'r1',
          objectMappings: [
            { sourceObjectName: 'user', enabled: true },
            { sourceObjectName: 'Contact', enabled: true },
          ],
        },
      ],
    };
    expect(ruleFor(schema, 'contact')).toEqual({
      ruleId: 'r1',
      objectTypeName: 'Contact',
      objectTypeNames: ['Contact'],
      mappedTypes: ['user', 'Contact'],
    });
    expect(ruleFor(schema, 'user')?.objectTypeName).toBe('user');
  });

  it('gives no object type when the schema does not map the kind (or maps it disabled)', () => {
    const schema = {
      synchronizationRules: [
        { id: 'r1', objectMappings: [{ sourceObjectName: 'user' }, { sourceObjectName: 'contact', enabled: false }] },
      ],
    };
    expect(ruleFor(schema, 'contact')).toEqual({
      ruleId: 'r1',
      objectTypeName: null,
      objectTypeNames: [],
      mappedTypes: ['user'],
    });
    expect(ruleFor({ synchronizationRules: [] }, 'contact')).toBeNull();
  });

  it('reads the schema through the session', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    const r = await getProvisioningRule(f.graph, 'sp-fab', 'AD2AADProvisioning.abc', 'contact');
    expect(r.ok && r.value).toEqual({
      ruleId: 'rule-fab',
      objectTypeName: 'contact',
      objectTypeNames: ['contact', 'Contact'],
      mappedTypes: ['user', 'group', 'contact'],
    });
  });
});

describe('provisionOnDemand', () => {
  it('parses the documented AD2AAD answer', () => {
    const r = parseProvisionOnDemand({
      key: '{"result":"Success","details":{}}',
      value:
        '{"provisioningSteps":[{"name":"EntryImportAdd","type":"Import","status":"Success","description":"Received user"}]}',
    });
    expect(r.result).toBe('Success');
    expect(r.steps[0]).toMatchObject({ name: 'EntryImportAdd', status: 'Success' });
  });

  it('refuses an answer whose key is not JSON (the shape is wrong, not a verdict)', () => {
    expect(() => parseProvisionOnDemand({ key: 'Skipped', value: '{}' })).toThrow(/not JSON/);
  });

  it('sends the documented body and never more than 5 requests in any 10 s, waiting out Retry-After', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    f.onDemand = () => ({ status: 200, body: onDemandAnswer('Success', []) });
    const window = new RateWindow(PROVISION_ON_DEMAND_LIMIT, c.clock);
    for (let i = 0; i < 11; i++) {
      const { result } = await provisionOnDemand(
        f.graph,
        {
          servicePrincipalId: 'sp-fab',
          jobId: 'AD2AADProvisioning.abc',
          ruleId: 'rule-fab',
          dn: `CN=c${i},DC=fabrikam,DC=local`,
          objectTypeName: 'contact',
        },
        { window },
      );
      expect(result.ok).toBe(true);
    }
    const pods = f.requests.filter((r) => r.url.endsWith('/provisionOnDemand'));
    expect(pods.every((r) => r.status === 200)).toBe(true);
    expect(pods[0]?.body).toEqual({
      parameters: [
        { ruleId: 'rule-fab', subjects: [{ objectId: 'CN=c0,DC=fabrikam,DC=local', objectTypeName: 'contact' }] },
      ],
    });
    expect(f.requests.some((r) => r.url.endsWith('/start'))).toBe(false);
  });

  it('obeys a 429 Retry-After from Graph (a window shared with another caller)', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    f.limit = 2; // another app of the tenant uses the rest of the budget
    f.retryAfterSeconds = 6;
    const window = new RateWindow(PROVISION_ON_DEMAND_LIMIT, c.clock);
    const throttles: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await provisionOnDemand(
        f.graph,
        {
          servicePrincipalId: 'sp-fab',
          jobId: 'j',
          ruleId: 'r',
          dn: `CN=c${i},DC=fabrikam,DC=local`,
          objectTypeName: 'contact',
        },
        { window },
      );
      expect(r.result.ok).toBe(true);
      throttles.push(...r.throttles.map((t) => t.waitMs));
    }
    expect(throttles).toContain(6000);
    // After each 429 the next request left no earlier than Retry-After later.
    const pods = f.requests.filter((r) => r.url.endsWith('/provisionOnDemand'));
    pods.forEach((r, i) => {
      if (r.status === 429) expect(pods[i + 1]!.at - r.at).toBeGreaterThanOrEqual(6000);
    });
  });

  it('gives up after maxThrottles and returns the throttled error', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    f.limit = 0;
    const window = new RateWindow(PROVISION_ON_DEMAND_LIMIT, c.clock);
    const r = await provisionOnDemand(
      f.graph,
      { servicePrincipalId: 'sp-fab', jobId: 'j', ruleId: 'r', dn: 'CN=c,DC=x', objectTypeName: 'contact' },
      { window, maxThrottles: 2 },
    );
    expect(r.result.ok).toBe(false);
    expect(!r.result.ok && r.result.error.kind).toBe('throttled');
    expect(r.throttles).toHaveLength(2);
  });
});

describe('provisioning logs', () => {
  it('filters by job and time window with the documented operators', () => {
    expect(
      provisioningLogFilter({
        jobId: "a'b",
        since: '2026-01-01T00:00:00.123Z',
        until: new Date('2026-01-01T01:00:00Z'),
      }),
    ).toBe("jobId eq 'a''b' and activityDateTime gt 2026-01-01T00:00:00Z and activityDateTime lt 2026-01-01T01:00:00Z");
  });

  it('pages through the reporting window: many queries never exceed 5 per 10 s', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    f.log.push(logEntry({ id: 'e1', at: '2027-01-15T07:59:10Z', jobId: 'J', status: 'skipped', targetId: 'c1' }));
    f.log.push(logEntry({ id: 'e0', at: '2027-01-15T07:00:00Z', jobId: 'J', status: 'success', targetId: 'c1' }));
    f.log.push(logEntry({ id: 'e2', at: '2027-01-15T07:59:20Z', jobId: 'OTHER', status: 'success', targetId: 'c1' }));
    const window = new RateWindow(REPORTING_LIMIT, c.clock);
    let last;
    for (let i = 0; i < 12; i++) {
      last = await listProvisioningLogs(f.graph, { jobId: 'J', since: '2027-01-15T07:59:00Z' }, { window });
      expect(last.ok).toBe(true);
    }
    expect(last?.ok && last.value.entries.map((e) => e.id)).toEqual(['e1']);
    const logs = f.requests.filter((r) => r.url.startsWith('/v1.0/auditLogs/provisioning'));
    expect(logs.every((r) => r.status === 200)).toBe(true);
    expect(logs).toHaveLength(12);
  });

  it('turns a refused log read into a typed error naming the reader roles', async () => {
    const c = recordingClock();
    const f = fakeCloudSyncGraph(c.clock, [fabrikam]);
    f.logFailure = {
      status: 403,
      code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      message: 'Tenant does not have a premium license',
    };
    const r = await listProvisioningLogs(
      f.graph,
      { jobId: 'J', since: '2027-01-15T08:00:00Z' },
      { window: new RateWindow(REPORTING_LIMIT, c.clock) },
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
  });
});
