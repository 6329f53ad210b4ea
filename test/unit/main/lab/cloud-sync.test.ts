import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { CLOUD_SYNC_APP_TEMPLATE_ID } from '../../../../src-main/lab/cloudsync/model';
import { arr, errorOf, graph, rec, SOA_SCOPES, UPN, type LabResponse } from './lab-http';

const SYNC_SCOPES = [...SOA_SCOPES, 'Synchronization.ReadWrite.All', 'Application.Read.All'];

let lab: LabHandle;
let token: string;

beforeAll(async () => {
  // tests move the lab clock forward by many cycles: tokens outlive the whole file
  lab = await startLab({ seed: 7, contacts: 30, scenario: 'bothEngines', tokenLifetimeSeconds: 24 * 3600 });
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
    // ten minutes of lab time: no cycle falls due while a test runs; tests move the lab clock instead
    cloudSyncCycleMs: 600_000,
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
    expect(rec(job.schedule)).toMatchObject({ state: 'Active', interval: 'PT10M' });
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

/** Move the lab clock forward (cycles and log visibility follow the lab clock). */
function advance(ms: number): void {
  lab.setClockOffset(lab.clock.now() - Date.now() + ms);
}

async function setDepartment(dn: string, department: string): Promise<void> {
  const r = await lab.control('POST', '/onprem/ad/objects/set', { Identity: dn, Replace: { department } });
  expect(r.status).toBe(200);
}

async function logFor(objectId: string, since: string): Promise<Record<string, unknown>[]> {
  const f = encodeURIComponent(`targetIdentity/id eq '${objectId}' and activityDateTime gt ${since}`);
  const r = await graph(lab, `/auditLogs/provisioning?$filter=${f}`, { token });
  expect(r.status).toBe(200);
  return arr(rec(r.json).value).map(rec);
}

function nowIso(): string {
  return new Date(lab.clock.now()).toISOString();
}

async function contactState(id: string): Promise<Record<string, unknown>> {
  return rec((await lab.control('GET', `/contacts/${id}`)).body);
}

describe('lab: Cloud Sync cycles and the provisioning log', () => {
  it('a cycle logs an AD change of a synced contact as an update and writes it to Entra ID', async () => {
    const c = (await cloudSyncObjects('contact', 'synced'))[1];
    const id = String(c?.id);
    const since = nowIso();
    await setDepartment(String(c?.onPremisesDistinguishedName), 'Cycle Test');
    expect(await logFor(id, since)).toEqual([]);
    expect((await contactState(id)).department).not.toBe('Cycle Test');
    advance(lab.settings().cloudSyncCycleMs + lab.settings().provisioningLogIngestionMs);
    const entries = await logFor(id, since);
    expect(entries).toHaveLength(1);
    const e = entries[0] ?? {};
    expect(e).toMatchObject({ provisioningAction: 'update', provisioningStatusInfo: { status: 'success' } });
    expect(String(e.jobId)).toMatch(/^AD2AADProvisioning\./);
    expect(typeof e.cycleId).toBe('string');
    expect(typeof e.changeId).toBe('string');
    expect(rec(e.sourceIdentity)).toMatchObject({ identityType: 'contact' });
    expect(rec(e.targetIdentity)).toMatchObject({ id, identityType: 'Contact' });
    expect(arr(e.modifiedProperties).map(rec)).toContainEqual(
      expect.objectContaining({ displayName: 'department', newValue: 'Cycle Test' }),
    );
    expect((await contactState(id)).department).toBe('Cycle Test');
    // nothing changed since: the next cycle logs nothing more
    advance(lab.settings().cloudSyncCycleMs * 2);
    expect(await logFor(id, since)).toHaveLength(1);
  });

  it('skips a transferred contact with the SOA reason each time AD changes, and Entra ID keeps its value', async () => {
    const [c] = await cloudSyncObjects('contact', 'transferred');
    const id = String(c?.id);
    const before = (await contactState(id)).department;
    const since = nowIso();
    await setDepartment(String(c?.onPremisesDistinguishedName), 'Blocked Change');
    advance(lab.settings().cloudSyncCycleMs + lab.settings().provisioningLogIngestionMs);
    const [e] = await logFor(id, since);
    expect(e).toMatchObject({ provisioningAction: 'other', provisioningStatusInfo: { status: 'skipped' } });
    const info = rec(rec(e?.provisioningStatusInfo).errorInformation);
    expect(info.reason).toBe('As the SOA of this contact is in the cloud, this object will not sync.');
    const skip = arr(e?.provisioningSteps)
      .map(rec)
      .find((s) => s.name === 'EntrySynchronizationSkip');
    expect(skip).toMatchObject({ status: 'skipped', provisioningStepType: 'export' });
    expect((await contactState(id)).department).toBe(before);
  });

  it('after a rollback the next cycle processes the object again: onPremisesSyncEnabled true, AD values win', async () => {
    const c = (await cloudSyncObjects('contact', 'synced'))[2];
    const id = String(c?.id);
    const dn = String(c?.onPremisesDistinguishedName);
    const patch = (v: boolean): Promise<LabResponse> =>
      graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, { token, method: 'PATCH', body: { isCloudManaged: v } });
    expect((await patch(true)).status).toBe(204);
    await setDepartment(dn, 'While Cloud Managed');
    advance(lab.settings().cloudSyncCycleMs);
    expect((await patch(false)).status).toBe(204);
    expect(await contactState(id)).toMatchObject({ onPremisesSyncEnabled: null, soaState: 'rolledBackPending' });
    const since = nowIso();
    advance(lab.settings().cloudSyncCycleMs + lab.settings().provisioningLogIngestionMs);
    const [e] = await logFor(id, since);
    expect(e).toMatchObject({ provisioningAction: 'update', provisioningStatusInfo: { status: 'success' } });
    expect(await contactState(id)).toMatchObject({
      onPremisesSyncEnabled: true,
      soaState: 'synced',
      department: 'While Cloud Managed',
    });
  });

  it('entries become readable only after the ingestion delay', async () => {
    lab.updateSettings({ provisioningLogIngestionMs: 60_000 });
    try {
      const c = (await cloudSyncObjects('contact', 'synced'))[3];
      const since = nowIso();
      await setDepartment(String(c?.onPremisesDistinguishedName), 'Slow Log');
      advance(lab.settings().cloudSyncCycleMs);
      await graph(lab, '/servicePrincipals', { token });
      expect(await logFor(String(c?.id), since)).toEqual([]);
      advance(60_000);
      expect(await logFor(String(c?.id), since)).toHaveLength(1);
    } finally {
      lab.updateSettings({ provisioningLogIngestionMs: 500 });
    }
  });

  it('$filter takes eq, contains, gt and lt; other operators are refused', async () => {
    const q = async (f: string): Promise<LabResponse> => {
      await lab.control('DELETE', '/throttle');
      return graph(lab, `/auditLogs/provisioning?$filter=${encodeURIComponent(f)}`, { token });
    };
    const all = arr(rec((await graph(lab, '/auditLogs/provisioning', { token })).json).value).map(rec);
    expect(all.length).toBeGreaterThan(0);
    const jobId = String(all[0]?.jobId);
    expect((await q(`jobId eq '${jobId}'`)).status).toBe(200);
    expect((await q(`contains(jobId, 'AD2AADProvisioning')`)).status).toBe(200);
    expect(arr(rec((await q(`provisioningStatusInfo/status eq 'skipped'`)).json).value).length).toBeGreaterThan(0);
    expect((await q(`activityDateTime lt 2000-01-01T00:00:00Z`)).json).toMatchObject({ value: [] });
    expect((await q(`activityDateTime ge 2000-01-01T00:00:00Z`)).status).toBe(400);
    expect((await q(`startswith(jobId, 'AD2')`)).status).toBe(400);
  });

  it('the reporting limit: a sixth read within 10 s gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last: LabResponse | null = null;
    for (let i = 0; i < 6; i++) {
      last = await graph(lab, '/auditLogs/provisioning?$top=1', { token });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('needs a reader role, both scopes and Entra ID P1/P2', async () => {
    const helpdesk = await lab.mintToken(UPN.noRole, SYNC_SCOPES);
    expect((await graph(lab, '/auditLogs/provisioning', { token: helpdesk })).status).toBe(403);
    const noDirectory = await lab.mintToken(UPN.full, ['AuditLog.Read.All']);
    expect((await graph(lab, '/auditLogs/provisioning', { token: noDirectory })).status).toBe(403);
    lab.updateSettings({ entraIdPremium: false });
    const r = await graph(lab, '/auditLogs/provisioning', { token });
    expect(r.status).toBe(403);
    expect(errorOf(r).code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
  });

  it('start is accepted, recorded, and runs no cycle', async () => {
    const d = await discover();
    const c = (await cloudSyncObjects('contact', 'synced'))[4];
    const since = nowIso();
    await setDepartment(String(c?.onPremisesDistinguishedName), 'Not Now');
    const r = await graph(lab, `/servicePrincipals/${d.spId}/synchronization/jobs/${d.jobId}/start`, {
      token,
      method: 'POST',
    });
    expect(r.status).toBe(204);
    advance(lab.settings().provisioningLogIngestionMs);
    expect(await logFor(String(c?.id), since)).toEqual([]);
    const writes = arr(rec((await lab.control('GET', '/write-log')).body).value).map(rec);
    expect(writes.some((w) => String(w.path).endsWith('/start'))).toBe(true);
  });
});

describe('lab: the unknowns of provisionOnDemand for contacts', () => {
  const skipText = {
    groupWording: 'As the SOA of this contact is in the cloud, this object will not sync.',
    objectWording: 'As the SOA of this object is in the cloud, this object will not sync.',
    userWording:
      'Does not provision the contact. Changes made directly in AD are skipped because the cloud is authoritative.',
    unrecognised: 'Entry processing was skipped by a synchronization policy.',
  } as const;

  for (const variant of ['groupWording', 'objectWording', 'userWording', 'unrecognised'] as const) {
    it(`cloudSyncContactSkip ${variant}: skipped with its own text`, async () => {
      lab.updateSettings({ cloudSyncContactSkip: variant });
      const d = await discover();
      const [c] = await cloudSyncObjects('contact', 'transferred');
      const r = await onDemand(d, String(c?.onPremisesDistinguishedName), 'contact');
      const key = rec(JSON.parse(String(rec(r.json).key)));
      expect(key.result).toBe('Skipped');
      expect(rec(key.details).errorMessage).toBe(skipText[variant]);
      expect(rec(key.details).errorCode).toBe(variant === 'unrecognised' ? 'PolicySkip' : 'CloudManaged');
    });
  }

  const accepted: Record<string, Record<string, boolean>> = {
    adObjectClass: { contact: true, Contact: false },
    entraObjectType: { contact: false, Contact: true },
    either: { contact: true, Contact: true },
  };
  for (const [variant, names] of Object.entries(accepted)) {
    it(`cloudSyncObjectTypeName ${variant}: ${JSON.stringify(names)}`, async () => {
      lab.updateSettings({ cloudSyncObjectTypeName: variant as 'adObjectClass' | 'entraObjectType' | 'either' });
      const d = await discover();
      const [c] = await cloudSyncObjects('contact', 'synced');
      for (const [name, ok] of Object.entries(names)) {
        const r = await onDemand(d, String(c?.onPremisesDistinguishedName), name);
        expect(r.status).toBe(ok ? 200 : 400);
        if (!ok) expect(errorOf(r).code).toBe('BadRequest');
      }
    });
  }

  it('a synced contact without changes is skipped as RedundantExport, not as the SOA skip', async () => {
    const d = await discover();
    const [c] = await cloudSyncObjects('contact', 'synced');
    const key = rec(
      JSON.parse(String(rec((await onDemand(d, String(c?.onPremisesDistinguishedName), 'contact')).json).key)),
    );
    expect(key).toMatchObject({ result: 'Skipped', details: { errorCode: 'RedundantExport' } });
  });

  it('a DN outside the Cloud Sync domain and a wrong ruleId are refused', async () => {
    const d = await discover();
    const [outside] = await lab
      .control('GET', '/objects?kind=contact&state=synced&limit=1')
      .then((r) => arr(rec(r.body).value).map(rec));
    expect((await onDemand(d, String(outside?.onPremisesDistinguishedName), 'contact')).status).toBe(400);
    const [c] = await cloudSyncObjects('contact', 'synced');
    const r = await graph(lab, `/servicePrincipals/${d.spId}/synchronization/jobs/${d.jobId}/provisionOnDemand`, {
      token,
      method: 'POST',
      body: {
        parameters: [
          { ruleId: 'nope', subjects: [{ objectId: c?.onPremisesDistinguishedName, objectTypeName: 'contact' }] },
        ],
      },
    });
    expect(r.status).toBe(400);
  });
});

describe('lab: the bothEngines seed', () => {
  it('Connect Sync never holds the Cloud Sync domain; the server shows the provisioning agent', async () => {
    const [c] = await cloudSyncObjects('contact', 'synced');
    const dn = String(c?.onPremisesDistinguishedName);
    const cs = await lab.control(
      'GET',
      `/onprem/sync/cs-objects?ConnectorName=contoso.com&DistinguishedName=${encodeURIComponent(dn)}`,
    );
    expect(cs.status).toBe(200);
    expect(rec(cs.body).value).toEqual([]);
    const ad = await lab.control('GET', `/onprem/ad/objects?Identity=${encodeURIComponent(dn)}`);
    expect(ad.status).toBe(200);
    const probe = rec((await lab.control('GET', '/onprem/host/probe')).body);
    expect(rec(probe.CloudSyncAgent).Version).toBe('1.1.1370.0');
    expect(arr(probe.Services).map((s) => rec(s).Name)).toContain('AADConnectProvisioningAgent');
    const contoso = rec(
      arr(rec((await lab.control('GET', '/objects?kind=contact&state=synced&limit=1')).body).value)[0],
    );
    const cs2 = await lab.control(
      'GET',
      `/onprem/sync/cs-objects?ConnectorName=contoso.com&DistinguishedName=${encodeURIComponent(String(contoso.onPremisesDistinguishedName))}`,
    );
    expect(arr(rec(cs2.body).value)).toHaveLength(1);
  });

  it("the agent's install folder and names follow the on-prem configuration (Microsoft's pages disagree)", async () => {
    const probe = async (): Promise<Record<string, unknown>> =>
      rec((await lab.control('GET', '/onprem/host/probe')).body);
    const first = await probe();
    expect(rec(first.CloudSyncAgent).Path).toBe(
      'C:\\Program Files\\Microsoft Azure AD Connect Provisioning Agent\\AADConnectProvisioningAgent.exe',
    );
    expect(arr(first.Services).map(rec)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Name: 'AADConnectProvisioningAgent',
          DisplayName: 'Microsoft Entra Provisioning Agent',
        }),
        expect.objectContaining({ DisplayName: 'Microsoft Entra Connect Agent Updater' }),
      ]),
    );
    const set = await lab.control('POST', '/onprem/configuration', {
      cloudSyncAgentFolder: 'azureAdConnect',
      cloudSyncAgentNames: 'azureAd',
    });
    expect(set.status).toBe(200);
    try {
      const second = await probe();
      expect(rec(second.CloudSyncAgent).Path).toBe(
        'C:\\Program Files\\Azure AD Connect Provisioning Agent\\AADConnectProvisioningAgent.exe',
      );
      expect(arr(second.UninstallEntries).map((e) => rec(e).DisplayName)).toContain(
        'Microsoft Azure AD Connect Provisioning Agent',
      );
      expect(arr(second.Services).map((e) => rec(e).DisplayName)).toContain(
        'Microsoft Azure AD Connect Provisioning Agent',
      );
    } finally {
      await lab.control('POST', '/onprem/configuration', {
        cloudSyncAgentFolder: 'microsoftAzureAdConnect',
        cloudSyncAgentNames: 'entra',
      });
    }
  });

  it('a saved lab comes back with its Cloud Sync configuration, log and cycle state', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soa-lab-cloudsync-'));
    const file = path.join(dir, 'state.json');
    try {
      const before = rec((await lab.control('GET', '/cloud-sync')).body);
      expect(await lab.save(file)).toBe(file);
      const again = await startLab({ stateFile: file, tokenLifetimeSeconds: 24 * 3600 });
      try {
        const after = rec((await again.control('GET', '/cloud-sync')).body);
        expect(after.configurations).toEqual(before.configurations);
        expect(arr(after.log)).toHaveLength(arr(before.log).length);
        const t = await again.mintToken(UPN.full, SYNC_SCOPES);
        const jobs = await graph(
          again,
          `/servicePrincipals/${String(rec(arr(before.configurations)[0]).servicePrincipalId)}/synchronization/jobs`,
          { token: t },
        );
        expect(jobs.status).toBe(200);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the default seed has no Cloud Sync configuration', async () => {
    const other = await startLab({ seed: 7, contacts: 10 });
    try {
      const t = await other.mintToken(UPN.full, SYNC_SCOPES);
      const r = await graph(
        other,
        `/servicePrincipals?$filter=${encodeURIComponent(`servicePrincipalNames/any(n: n eq '${CLOUD_SYNC_APP_TEMPLATE_ID}')`)}`,
        { token: t },
      );
      expect(rec(r.json).value).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
