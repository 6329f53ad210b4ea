import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { CLOUD_SYNC_APP_TEMPLATE_ID } from '../../../../src-main/lab/cloudsync/model';
import { arr, errorOf, graph, rec, SOA_SCOPES, UPN, type LabResponse } from './lab-http';

const SYNC_SCOPES = [...SOA_SCOPES, 'Synchronization.ReadWrite.All', 'Application.Read.All'];

let lab: LabHandle;
let token: string;

beforeAll(async () => {
  lab = await startLab({ seed: 7, contacts: 30, scenario: 'bothEngines' });
  token = await lab.mintToken(UPN.full, SYNC_SCOPES);
});
afterAll(async () => {
  await lab.close();
});
beforeEach(async () => {
  await lab.control('DELETE', '/throttle');
  lab.updateSettings({
    cloudSyncApplicationTemplateId: 'null',
    cloudSyncServicePrincipalName: 'domain',
    cloudSyncObjectTypeName: 'adObjectClass',
    cloudSyncContactSkip: 'groupWording',
    entraIdPremium: true,
  });
});

const TEMPLATE_FILTER = `applicationTemplateId eq '${CLOUD_SYNC_APP_TEMPLATE_ID}'`;
const SPN_FILTER = `servicePrincipalNames/any(n: n eq '${CLOUD_SYNC_APP_TEMPLATE_ID}')`;

async function spIds(filter: string): Promise<string[]> {
  const r = await graph(lab, `/servicePrincipals?$filter=${encodeURIComponent(filter)}`, { token });
  expect(r.status).toBe(200);
  return arr(rec(r.json).value).map((v) => String(rec(v).id));
}

interface Discovered {
  spId: string;
  jobId: string;
  ruleId: string;
}

async function discover(): Promise<Discovered> {
  const sps = await graph(
    lab,
    `/servicePrincipals?$filter=servicePrincipalNames/any(n: n eq '${CLOUD_SYNC_APP_TEMPLATE_ID}')`,
    { token },
  );
  expect(sps.status).toBe(200);
  const sp = rec(arr(rec(sps.json).value)[0]);
  const spId = String(sp.id);
  const jobs = await graph(lab, `/servicePrincipals/${spId}/synchronization/jobs`, { token });
  expect(jobs.status).toBe(200);
  const job = rec(arr(rec(jobs.json).value)[0]);
  const jobId = String(job.id);
  const schema = await graph(lab, `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`, { token });
  expect(schema.status).toBe(200);
  const rule = rec(arr(rec(schema.json).synchronizationRules)[0]);
  return { spId, jobId, ruleId: String(rule.id) };
}

async function cloudSyncObjects(kind: string, state: string): Promise<Record<string, unknown>[]> {
  const r = await lab.control('GET', `/objects?kind=${kind}&state=${state}&limit=5000`);
  return arr(rec(r.body).value)
    .map(rec)
    .filter((o) => String(o.onPremisesDistinguishedName ?? '').endsWith('DC=adatum,DC=com'));
}

function onDemand(d: Discovered, objectId: string, objectTypeName: string): Promise<LabResponse> {
  return graph(lab, `/servicePrincipals/${d.spId}/synchronization/jobs/${d.jobId}/provisionOnDemand`, {
    token,
    method: 'POST',
    body: { parameters: [{ ruleId: d.ruleId, subjects: [{ objectId, objectTypeName }] }] },
  });
}

describe('lab Graph: Cloud Sync configuration', () => {
  it('finds the AD2AADProvisioning job with DomainFQDN in its settings, and the schema with contact mappings', async () => {
    const d = await discover();
    expect(d.jobId).toMatch(/^AD2AADProvisioning\.[0-9a-f]{32}$/);
    const job = rec((await graph(lab, `/servicePrincipals/${d.spId}/synchronization/jobs/${d.jobId}`, { token })).json);
    expect(job.templateId).toBe('AD2AADProvisioning');
    const settings = arr(job.synchronizationJobSettings).map(rec);
    expect(settings.find((s) => s.name === 'DomainFQDN')?.value).toBe('adatum.com');
    expect(rec(job.schedule)).toMatchObject({ state: 'Active', interval: 'PT2S' });
    const schema = rec(
      (await graph(lab, `/servicePrincipals/${d.spId}/synchronization/jobs/${d.jobId}/schema`, { token })).json,
    );
    const mappings = arr(rec(arr(schema.synchronizationRules)[0]).objectMappings).map(rec);
    expect(mappings.map((m) => `${String(m.sourceObjectName)}>${String(m.targetObjectName)}`)).toEqual(
      expect.arrayContaining(['user>User', 'group>Group', 'contact>Contact']),
    );
  });

  it('needs Synchronization.Read(Write).All and a role that may read synchronization', async () => {
    const sp = rec(
      arr(
        rec(
          (
            await graph(
              lab,
              `/servicePrincipals?$filter=appDisplayName eq 'Active Directory to Azure Active Directory Provisioning'`,
              {
                token,
              },
            )
          ).json,
        ).value,
      )[0],
    );
    const noScope = await lab.mintToken(UPN.full, SOA_SCOPES);
    const r1 = await graph(lab, `/servicePrincipals/${String(sp.id)}/synchronization/jobs`, { token: noScope });
    expect(r1.status).toBe(403);
    const helpdesk = await lab.mintToken(UPN.noRole, SYNC_SCOPES);
    const r2 = await graph(lab, `/servicePrincipals/${String(sp.id)}/synchronization/jobs`, { token: helpdesk });
    expect(r2.status).toBe(403);
    expect(errorOf(r2).code).toBe('Authorization_RequestDenied');
  });
});

describe('lab Graph: the service principal variants', () => {
  it("applicationTemplateId is null as in Microsoft's example; the template id is among servicePrincipalNames", async () => {
    expect(await spIds(TEMPLATE_FILTER)).toEqual([]);
    expect(await spIds(SPN_FILTER)).toHaveLength(1);
    lab.updateSettings({ cloudSyncApplicationTemplateId: 'templateId' });
    expect(await spIds(TEMPLATE_FILTER)).toEqual(await spIds(SPN_FILTER));
  });

  it('displayName is the AD domain or the template name', async () => {
    const [id] = await spIds(SPN_FILTER);
    const name = async (): Promise<unknown> =>
      rec((await graph(lab, `/servicePrincipals/${String(id)}`, { token })).json).displayName;
    expect(await name()).toBe('adatum.com');
    lab.updateSettings({ cloudSyncServicePrincipalName: 'appDisplayName' });
    expect(await name()).toBe('Active Directory to Azure Active Directory Provisioning');
  });
});

describe('lab Graph: provisionOnDemand', () => {
  it('skips a transferred contact with the SOA reason, and leaves the cloud object unchanged', async () => {
    const d = await discover();
    const [c] = await cloudSyncObjects('contact', 'transferred');
    const r = await onDemand(d, String(c?.onPremisesDistinguishedName), 'contact');
    expect(r.status).toBe(200);
    const body = rec(r.json);
    const key = rec(JSON.parse(String(body.key)));
    expect(key.result).toBe('Skipped');
    expect(rec(key.details).errorMessage).toBe(
      'As the SOA of this contact is in the cloud, this object will not sync.',
    );
    const value = rec(JSON.parse(String(body.value)));
    const skip = arr(value.provisioningSteps)
      .map(rec)
      .find((s) => s.name === 'EntrySynchronizationSkip');
    expect(skip?.status).toBe('Skipped');
    expect(rec(value.statusInfo).status).toBe('Skipped');
    expect(rec(value.targetIdentity).id).toBe(c?.id);
  });

  it('refuses a sixth request within 10 seconds with 429 and Retry-After', async () => {
    const d = await discover();
    const [c] = await cloudSyncObjects('contact', 'synced');
    const dn = String(c?.onPremisesDistinguishedName);
    const statuses: number[] = [];
    let last: LabResponse | null = null;
    for (let i = 0; i < 6; i++) {
      last = await onDemand(d, dn, 'contact');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    lab.setClockOffset(lab.clock.now() - Date.now() + 10_000);
    expect((await onDemand(d, dn, 'contact')).status).toBe(200);
  });
});
