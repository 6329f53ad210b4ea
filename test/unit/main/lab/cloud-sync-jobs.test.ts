/**
 * The lab's Cloud Sync job controls and the variants around them: pause / start / restart, the write-only
 * synchronization secrets, the job without DomainFQDN, case-sensitive provisioning-log filters, and several
 * configurations (one per domain). docs/reference/cloud-sync.md
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import {
  CLOUD_SYNC_APP_TEMPLATE_ID,
  CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS,
} from '../../../../src-main/lab/cloudsync/model';
import { arr, graph, rec, SOA_SCOPES, UPN, type LabResponse } from './lab-http';

const SYNC_SCOPES = [...SOA_SCOPES, 'Synchronization.ReadWrite.All', 'Application.Read.All'];

let lab: LabHandle;
let token: string;

beforeAll(async () => {
  lab = await startLab({ seed: 11, contacts: 20, scenario: 'cloudSyncDomains', tokenLifetimeSeconds: 24 * 3600 });
  token = await lab.mintToken(UPN.full, SYNC_SCOPES);
});
afterAll(async () => {
  await lab.close();
});
beforeEach(async () => {
  await lab.control('DELETE', '/throttle');
  lab.updateSettings({
    cloudSyncPausedSchedule: 'Paused',
    cloudSyncPausedOnDemand: 'processes',
    cloudSyncQuarantine: 'none',
    cloudSyncSecretsRead: 'notSupported',
    cloudSyncJobDomainSetting: 'present',
    provisioningLogFilterCase: 'values',
    // ten minutes of lab time: no cycle falls due while a test runs; tests move the lab clock instead
    cloudSyncCycleMs: 600_000,
  });
});

interface Job {
  spId: string;
  jobId: string;
  ruleId: string;
  domain: string;
  body: Record<string, unknown>;
}

async function jobs(): Promise<Job[]> {
  const sps = await graph(
    lab,
    `/servicePrincipals?$filter=${encodeURIComponent(`servicePrincipalNames/any(n: n eq '${CLOUD_SYNC_APP_TEMPLATE_ID}')`)}`,
    { token },
  );
  expect(sps.status).toBe(200);
  const out: Job[] = [];
  for (const sp of arr(rec(sps.json).value).map(rec)) {
    const spId = String(sp.id);
    const js = await graph(lab, `/servicePrincipals/${spId}/synchronization/jobs`, { token });
    expect(js.status).toBe(200);
    for (const job of arr(rec(js.json).value).map(rec)) {
      const jobId = String(job.id);
      const schema = await graph(lab, `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`, { token });
      const settings = arr(job.synchronizationJobSettings).map(rec);
      out.push({
        spId,
        jobId,
        ruleId: String(rec(arr(rec(schema.json).synchronizationRules)[0]).id),
        domain: String(settings.find((s) => s.name === 'DomainFQDN')?.value ?? ''),
        body: job,
      });
    }
  }
  return out;
}

async function jobFor(domain: string): Promise<Job> {
  const j = (await jobs()).find((x) => x.domain === domain);
  if (!j) throw new Error(`no job for ${domain}`);
  return j;
}

function post(j: Job, action: string, body?: unknown, t = token): Promise<LabResponse> {
  return graph(lab, `/servicePrincipals/${j.spId}/synchronization/jobs/${j.jobId}/${action}`, {
    token: t,
    method: 'POST',
    ...(body !== undefined ? { body } : {}),
  });
}

async function jobBody(j: Job): Promise<Record<string, unknown>> {
  const r = await graph(lab, `/servicePrincipals/${j.spId}/synchronization/jobs/${j.jobId}`, { token });
  expect(r.status).toBe(200);
  return rec(r.json);
}

function advance(ms: number): void {
  lab.setClockOffset(lab.clock.now() - Date.now() + ms);
}

function nowIso(): string {
  return new Date(lab.clock.now()).toISOString();
}

async function objectsIn(domainDn: string, state: string): Promise<Record<string, unknown>[]> {
  const r = await lab.control('GET', `/objects?kind=contact&state=${state}&limit=5000`);
  return arr(rec(r.body).value)
    .map(rec)
    .filter((o) => String(o.onPremisesDistinguishedName ?? '').endsWith(domainDn));
}

async function setDepartment(dn: string, department: string): Promise<void> {
  const r = await lab.control('POST', '/onprem/ad/objects/set', { Identity: dn, Replace: { department } });
  expect(r.status).toBe(200);
}

async function log(filter: string): Promise<LabResponse> {
  await lab.control('DELETE', '/throttle');
  return graph(lab, `/auditLogs/provisioning?$filter=${encodeURIComponent(filter)}&$top=1000`, { token });
}

async function entriesFor(objectId: string, since: string): Promise<Record<string, unknown>[]> {
  const r = await log(`targetIdentity/id eq '${objectId}' and activityDateTime gt ${since}`);
  expect(r.status).toBe(200);
  return arr(rec(r.json).value).map(rec);
}

const cycle = (): number => lab.settings().cloudSyncCycleMs + lab.settings().provisioningLogIngestionMs;

describe('lab: pause, start and restart of a Cloud Sync job', () => {
  it.each(CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS)(
    'pause (schedule variant %s): status Paused, no cycle runs; start resumes and processes what changed meanwhile',
    async (variant) => {
      lab.updateSettings({ cloudSyncPausedSchedule: variant });
      const j = await jobFor('adatum.com');
      const c = (await objectsIn('DC=adatum,DC=com', 'synced'))[0];
      const id = String(c?.id);
      expect((await post(j, 'pause')).status).toBe(204);
      const paused = await jobBody(j);
      expect(rec(paused.status).code).toBe('Paused');
      expect(rec(paused.schedule).state).toBe(variant);
      const since = nowIso();
      await setDepartment(String(c?.onPremisesDistinguishedName), `Paused ${variant}`);
      advance(cycle() * 3);
      expect(await entriesFor(id, since)).toEqual([]);
      // start: no cycle at once (not a "sync now"), the next scheduled one processes the change
      expect((await post(j, 'start')).status).toBe(204);
      const resumed = await jobBody(j);
      expect(rec(resumed.status).code).toBe('Active');
      expect(rec(resumed.schedule).state).toBe('Active');
      expect(await entriesFor(id, since)).toEqual([]);
      advance(cycle());
      const after = await entriesFor(id, since);
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ provisioningStatusInfo: { status: 'success' } });
    },
  );

  it('a paused job leaves the other configurations running', async () => {
    const adatum = await jobFor('adatum.com');
    const litware = await jobFor('litware.com');
    expect((await post(adatum, 'pause')).status).toBe(204);
    const c = (await objectsIn('DC=litware,DC=com', 'synced'))[0];
    const since = nowIso();
    await setDepartment(String(c?.onPremisesDistinguishedName), 'Litware Runs');
    advance(cycle());
    const e = await entriesFor(String(c?.id), since);
    expect(e).toHaveLength(1);
    expect(e[0]?.jobId).toBe(litware.jobId);
    expect((await post(adatum, 'start')).status).toBe(204);
  });

  it('provisionOnDemand on a paused job: processed (variant processes) or refused with 400 (variant refused)', async () => {
    const j = await jobFor('adatum.com');
    const [c] = await objectsIn('DC=adatum,DC=com', 'transferred');
    const body = {
      parameters: [
        {
          ruleId: j.ruleId,
          subjects: [{ objectId: String(c?.onPremisesDistinguishedName), objectTypeName: 'contact' }],
        },
      ],
    };
    expect((await post(j, 'pause')).status).toBe(204);
    const processes = await post(j, 'provisionOnDemand', body);
    expect(processes.status).toBe(200);
    expect(JSON.parse(String(rec(processes.json).key))).toMatchObject({ result: 'Skipped' });
    lab.updateSettings({ cloudSyncPausedOnDemand: 'refused' });
    const refused = await post(j, 'provisionOnDemand', body);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toMatch(/paused/i);
    expect((await post(j, 'start')).status).toBe(204);
    expect((await post(j, 'provisionOnDemand', body)).status).toBe(200);
  });

  it('start on a running job changes nothing and runs no cycle', async () => {
    const j = await jobFor('adatum.com');
    const before = rec((await lab.control('GET', '/cloud-sync')).body);
    const cfgBefore = arr(before.configurations)
      .map(rec)
      .find((c) => c.jobId === j.jobId);
    expect((await post(j, 'start')).status).toBe(204);
    const after = rec((await lab.control('GET', '/cloud-sync')).body);
    const cfgAfter = arr(after.configurations)
      .map(rec)
      .find((c) => c.jobId === j.jobId);
    expect(cfgAfter?.cyclesRun).toBe(cfgBefore?.cyclesRun);
    expect(cfgAfter?.nextCycleAtMs).toBe(cfgBefore?.nextCycleAtMs);
    expect(rec((await jobBody(j)).status).code).toBe('Active');
  });

  it('restart without criteria: the next cycle evaluates every object again (SOA skips for transferred ones)', async () => {
    const j = await jobFor('litware.com');
    const [t] = await objectsIn('DC=litware,DC=com', 'transferred');
    const synced = await objectsIn('DC=litware,DC=com', 'synced');
    const since = nowIso();
    expect((await post(j, 'restart')).status).toBe(204);
    advance(cycle());
    const skip = await entriesFor(String(t?.id), since);
    expect(skip).toHaveLength(1);
    expect(skip[0]).toMatchObject({ provisioningStatusInfo: { status: 'skipped' } });
    expect(String(rec(rec(skip[0]?.provisioningStatusInfo).errorInformation).reason)).toMatch(/SOA/);
    // an unchanged synced object is evaluated too (nothing to write: RedundantExport)
    const unchanged = synced.find((o) => !String(o.department ?? '').startsWith('Litware Runs'));
    const e = await entriesFor(String(unchanged?.id), since);
    expect(e).toHaveLength(1);
    expect(String(rec(rec(e[0]?.provisioningStatusInfo).errorInformation).errorCode)).toBe('RedundantExport');
  });

  it('restart with resetScope Escrows keeps the watermark: nothing unchanged is evaluated again', async () => {
    const j = await jobFor('litware.com');
    const [t] = await objectsIn('DC=litware,DC=com', 'transferred');
    const since = nowIso();
    expect((await post(j, 'restart', { criteria: { resetScope: 'Escrows' } })).status).toBe(204);
    advance(cycle());
    expect(await entriesFor(String(t?.id), since)).toEqual([]);
  });

  it('pause, start and restart need Synchronization.ReadWrite.All and are in the write log', async () => {
    const j = await jobFor('adatum.com');
    const readOnly = await lab.mintToken(UPN.full, [...SOA_SCOPES, 'Synchronization.Read.All']);
    for (const a of ['pause', 'start', 'restart']) expect((await post(j, a, undefined, readOnly)).status).toBe(403);
    expect((await post(j, 'pause')).status).toBe(204);
    expect((await post(j, 'restart', { criteria: { resetScope: 'Watermark' } })).status).toBe(204);
    expect(rec((await jobBody(j)).status).code).toBe('Active');
    const writes = arr(rec((await lab.control('GET', '/write-log')).body).value).map(rec);
    expect(writes.some((w) => String(w.path).endsWith(`${j.jobId}/pause`))).toBe(true);
    expect(writes.some((w) => String(w.path).endsWith(`${j.jobId}/restart`))).toBe(true);
  });
});

describe('lab: a job in quarantine (setting cloudSyncQuarantine; docs/reference/cloud-sync.md#quarantine)', () => {
  it('status Quarantine with the documented synchronizationQuarantine; cycles once a day; back to Active when lifted', async () => {
    const j = await jobFor('adatum.com');
    const c = (await objectsIn('DC=adatum,DC=com', 'synced'))[0];
    const id = String(c?.id);
    lab.updateSettings({ cloudSyncQuarantine: 'onDemandProcesses' });
    const q = await jobBody(j);
    expect(rec(q.status).code).toBe('Quarantine');
    const info = rec(rec(q.status).quarantine);
    expect(Object.keys(info).sort()).toEqual(
      ['currentBegan', 'error', 'nextAttempt', 'reason', 'seriesBegan', 'seriesCount'].sort(),
    );
    expect(info.reason).toBe('EncounteredQuarantineException');
    expect(Object.keys(rec(info.error)).sort()).toEqual(['code', 'message', 'tenantActionable']);
    expect(Date.parse(String(info.nextAttempt)) - Date.parse(String(info.currentBegan))).toBe(24 * 3600 * 1000);
    // the other configurations are in quarantine too (the setting is tenant-wide)
    expect(rec((await jobBody(await jobFor('litware.com'))).status).code).toBe('Quarantine');
    // the failing side: a change is NOT processed within normal cycles, only by the daily one
    const since = nowIso();
    await setDepartment(String(c?.onPremisesDistinguishedName), 'Quarantined');
    advance(cycle() * 5);
    expect(await entriesFor(id, since)).toEqual([]);
    advance(24 * 3600 * 1000);
    // a day of lab time outlives the token: a fresh one for the rest of the file
    token = await lab.mintToken(UPN.full, SYNC_SCOPES);
    expect(await entriesFor(id, since)).toHaveLength(1);
    // the cause fixed: Active again, normal cycles
    lab.updateSettings({ cloudSyncQuarantine: 'none' });
    const lifted = await jobBody(j);
    expect(rec(lifted.status).code).toBe('Active');
    expect(rec(lifted.status).quarantine).toBeNull();
  });

  it('provisionOnDemand in quarantine: processed (onDemandProcesses) or refused with 400 (onDemandRefused)', async () => {
    const j = await jobFor('adatum.com');
    const [c] = await objectsIn('DC=adatum,DC=com', 'transferred');
    const body = {
      parameters: [
        {
          ruleId: j.ruleId,
          subjects: [{ objectId: String(c?.onPremisesDistinguishedName), objectTypeName: 'contact' }],
        },
      ],
    };
    lab.updateSettings({ cloudSyncQuarantine: 'onDemandProcesses' });
    const processes = await post(j, 'provisionOnDemand', body);
    expect(processes.status).toBe(200);
    expect(JSON.parse(String(rec(processes.json).key))).toMatchObject({ result: 'Skipped' });
    lab.updateSettings({ cloudSyncQuarantine: 'onDemandRefused' });
    const refused = await post(j, 'provisionOnDemand', body);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toMatch(/quarantine/i);
    lab.updateSettings({ cloudSyncQuarantine: 'none' });
    expect((await post(j, 'provisionOnDemand', body)).status).toBe(200);
  });
});

describe('lab: synchronization secrets are write-only', () => {
  const SECRET = 'not-to-be-seen-4711';

  it('PUT stores them; no answer, write log or control view shows a value', async () => {
    const j = await jobFor('adatum.com');
    const put = await graph(lab, `/servicePrincipals/${j.spId}/synchronization/secrets`, {
      token,
      method: 'PUT',
      body: { value: [{ key: 'Domain', value: JSON.stringify({ domain: 'adatum.com', probe: SECRET }) }] },
    });
    expect(put.status).toBe(204);
    const seen = [
      JSON.stringify((await lab.control('GET', '/write-log')).body),
      JSON.stringify((await lab.control('GET', '/cloud-sync')).body),
      JSON.stringify(await jobBody(j)),
      JSON.stringify((await graph(lab, `/servicePrincipals/${j.spId}`, { token })).json),
    ];
    for (const text of seen) expect(text).not.toContain(SECRET);
    // the failing case of the check above: the secret is stored (a read that leaked it would be seen)
    const saved = lab.tenant().state.cloudSync?.configurations.find((c) => c.jobId === j.jobId);
    expect(JSON.stringify(saved?.secrets)).toContain(SECRET);
  });

  it('GET: 405 (variant notSupported) or the keys with every value withheld (variant keysOnly)', async () => {
    const j = await jobFor('adatum.com');
    const url = `/servicePrincipals/${j.spId}/synchronization/secrets`;
    expect((await graph(lab, url, { token })).status).toBe(405);
    lab.updateSettings({ cloudSyncSecretsRead: 'keysOnly' });
    const r = await graph(lab, url, { token });
    expect(r.status).toBe(200);
    const rows = arr(rec(r.json).value).map(rec);
    expect(rows.map((x) => x.key)).toContain('Domain');
    expect(rows.every((x) => x.value === null)).toBe(true);
  });

  it('PUT needs Synchronization.ReadWrite.All', async () => {
    const j = await jobFor('adatum.com');
    const readOnly = await lab.mintToken(UPN.full, [...SOA_SCOPES, 'Synchronization.Read.All']);
    const r = await graph(lab, `/servicePrincipals/${j.spId}/synchronization/secrets`, {
      token: readOnly,
      method: 'PUT',
      body: { value: [{ key: 'Domain', value: '{}' }] },
    });
    expect(r.status).toBe(403);
  });
});

describe('lab: the job without DomainFQDN (variant cloudSyncJobDomainSetting absent)', () => {
  it('lists no domain setting; the job and its schema still answer', async () => {
    lab.updateSettings({ cloudSyncJobDomainSetting: 'absent' });
    const all = await jobs();
    expect(all.length).toBe(3);
    for (const j of all) {
      expect(j.domain).toBe('');
      const names = arr(j.body.synchronizationJobSettings).map((s) => rec(s).name);
      expect(names).not.toContain('DomainFQDN');
      expect(names).not.toContain('Domain');
    }
  });
});

describe('lab: provisioning-log filters are case sensitive (what that covers is a variant)', () => {
  async function seedEntry(): Promise<string> {
    const c = (await objectsIn('DC=adatum,DC=com', 'synced'))[5];
    await setDepartment(String(c?.onPremisesDistinguishedName), `Case ${Date.now()}`);
    advance(cycle());
    return (await jobFor('adatum.com')).jobId;
  }
  const count = async (f: string): Promise<number> => {
    const r = await log(f);
    expect(r.status).toBe(200);
    return arr(rec(r.json).value).length;
  };

  it('values (default): a value in another case finds nothing; the exact value finds the entries', async () => {
    const jobId = await seedEntry();
    expect(await count(`jobId eq '${jobId}'`)).toBeGreaterThan(0);
    expect(await count(`jobId eq '${jobId.toLowerCase()}'`)).toBe(0);
    expect(await count(`contains(jobId, 'ad2aadprovisioning')`)).toBe(0);
    expect(await count(`contains(jobId, 'AD2AADProvisioning')`)).toBeGreaterThan(0);
    // property names in another case still work under this variant
    expect(await count(`JobId eq '${jobId}'`)).toBeGreaterThan(0);
  });

  it('valuesAndNames: the property name must be spelled exactly too', async () => {
    lab.updateSettings({ provisioningLogFilterCase: 'valuesAndNames' });
    const jobId = await seedEntry();
    expect(await count(`jobId eq '${jobId}'`)).toBeGreaterThan(0);
    expect(await count(`JobId eq '${jobId}'`)).toBe(0);
  });

  it('insensitive: any case matches', async () => {
    lab.updateSettings({ provisioningLogFilterCase: 'insensitive' });
    const jobId = await seedEntry();
    expect(await count(`jobId eq '${jobId.toLowerCase()}'`)).toBeGreaterThan(0);
  });
});

describe('lab: several Cloud Sync configurations, one per domain (scenario cloudSyncDomains)', () => {
  it('one service principal and job per domain, each with its own DomainFQDN, ids and rule', async () => {
    const all = await jobs();
    expect(all.map((j) => j.domain).sort()).toEqual(['adatum.com', 'emea.adatum.com', 'litware.com']);
    expect(new Set(all.map((j) => j.spId)).size).toBe(3);
    expect(new Set(all.map((j) => j.jobId)).size).toBe(3);
    expect(new Set(all.map((j) => j.ruleId)).size).toBe(3);
  });

  it("provisionOnDemand takes a domain's objects only on that domain's job", async () => {
    const litware = await jobFor('litware.com');
    const adatum = await jobFor('adatum.com');
    const [t] = await objectsIn('DC=litware,DC=com', 'transferred');
    const dn = String(t?.onPremisesDistinguishedName);
    const on = (j: Job): Promise<LabResponse> =>
      post(j, 'provisionOnDemand', {
        parameters: [{ ruleId: j.ruleId, subjects: [{ objectId: dn, objectTypeName: 'contact' }] }],
      });
    const wrong = await on(adatum);
    expect(wrong.status).toBe(400);
    const right = await on(litware);
    expect(right.status).toBe(200);
    expect(JSON.parse(String(rec(right.json).key))).toMatchObject({ result: 'Skipped' });
  });

  it("each cycle's entries carry their own job's id", async () => {
    const litware = await jobFor('litware.com');
    const c = (await objectsIn('DC=litware,DC=com', 'synced'))[1];
    const since = nowIso();
    await setDepartment(String(c?.onPremisesDistinguishedName), 'Own Job');
    advance(cycle());
    const e = await entriesFor(String(c?.id), since);
    expect(e.map((x) => x.jobId)).toEqual([litware.jobId]);
    const r = await log(`jobId eq '${(await jobFor('adatum.com')).jobId}' and activityDateTime gt ${since}`);
    expect(
      arr(rec(r.json).value)
        .map(rec)
        .some((x) => rec(x.targetIdentity).id === c?.id),
    ).toBe(false);
  });
});
