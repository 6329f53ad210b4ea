/**
 * The Cloud Sync verdicts under each lab variant of the job controls and the undocumented parts around them:
 * a paused job (each `schedule.state` a paused job may show), several configurations (one per domain), a job that
 * does not tell its domain, case-sensitive provisioning-log filters. Each pass condition has its failing case.
 * docs/reference/cloud-sync.md
 */
import { describe, expect, it } from 'vitest';
import {
  configurationOf,
  jobRunState,
  provisioningLogFilter,
  type CloudSyncConfiguration,
  type JobRunStateInfo,
} from '../../../../../src-renderer/lib/graph/cloud-sync-graph';
import {
  blockVerdict,
  DEFAULT_CLOUD_SYNC_TUNING,
  observeCloudSync,
  takeoverVerdict,
  type CloudSyncObservation,
} from '../../../../../src-renderer/lib/soa/cloud-sync-proof';
import { cloudSyncWindows } from '../../../../../src-renderer/lib/soa/cloud-sync-proof';
import { jobsCheck } from '../../../../../src-renderer/lib/soa/cloud-sync-preflight';
import { followUpCloudSync } from '../../../../../src-renderer/lib/soa/bulk/cloud-sync-follow-up';
import type { ProvisioningOutcome } from '../../../../../src-renderer/lib/soa/provisioning-outcome';
import { routeObject } from '../../../../../src-renderer/lib/soa/sync-engine';
import { DEFAULT_TUNING, type FlowPorts } from '../../../../../src-renderer/lib/soa/ports';
import { fakeIpc } from './fakes';
import { fakeCloudSyncGraph, logEntry, recordingClock } from './cloud-sync-fakes';

/** The three `schedule.state` values the lab offers for a paused job (`cloudSyncPausedSchedule`); status is Paused. */
const PAUSED_VARIANTS = ['Paused', 'Disabled', 'Active'] as const;
const paused = (schedule: string): JobRunStateInfo => jobRunState({ statusCode: 'Paused', scheduleState: schedule });
const running = jobRunState({ statusCode: 'Active', scheduleState: 'Active' });
/** A job in quarantine as Graph documents it (status.code Quarantine, status.quarantine). */
const QUARANTINE_BODY = {
  currentBegan: '2027-01-15T07:00:00Z',
  nextAttempt: '2027-01-16T07:00:00Z',
  reason: 'EncounteredQuarantineException',
  seriesBegan: '2027-01-15T07:00:00Z',
  seriesCount: 1,
  error: {
    code: 'HybridSynchronizationActiveDirectoryInvalidCredentials',
    message: 'bad agent account',
    tenantActionable: true,
  },
};
const quarantined = jobRunState({
  statusCode: 'Quarantine',
  scheduleState: 'Active',
  quarantine: {
    reason: 'EncounteredQuarantineException',
    since: '2027-01-15T07:00:00Z',
    nextAttempt: '2027-01-16T07:00:00Z',
    error: 'HybridSynchronizationActiveDirectoryInvalidCredentials: bad agent account',
  },
});

const outcome = (kind: ProvisioningOutcome['kind'], reason: string | null = null): ProvisioningOutcome => ({
  kind,
  status: kind === 'soaSkipped' || kind === 'skippedOther' ? 'skipped' : kind === 'processed' ? 'success' : 'failure',
  reason,
  source: 'provisioningLog',
  entryId: 'e1',
  at: '2027-01-15T08:02:00Z',
});
const obs = (o: Partial<CloudSyncObservation>): CloudSyncObservation => ({
  onDemand: null,
  logEntries: [],
  logError: null,
  requests: [],
  ...o,
});
const SOA_TEXT = 'As the SOA of this contact is in the cloud, this object will not sync.';

describe('the job run state (status.code and schedule.state)', () => {
  it.each(PAUSED_VARIANTS)('status Paused with schedule %s is stopped', (schedule) => {
    expect(paused(schedule).state).toBe('stopped');
    expect(paused(schedule).text).toMatch(/no scheduled cycle will run/);
    expect(paused(schedule).text).toMatch(/does not start jobs/);
  });
  it.each([
    [null, 'Paused'],
    [null, 'Disabled'],
    ['NotConfigured', 'Active'],
  ])('status %s with schedule %s is stopped too', (code, schedule) => {
    expect(jobRunState({ statusCode: code, scheduleState: schedule }).state).toBe('stopped');
  });
  it('the failing cases: Active / NotRun on an active schedule run; Quarantine runs late; nothing reported is unknown', () => {
    expect(running.state).toBe('running');
    expect(jobRunState({ statusCode: 'NotRun', scheduleState: 'Active' }).state).toBe('running');
    expect(jobRunState({ statusCode: 'active', scheduleState: 'active' }).state).toBe('running');
    expect(jobRunState({ statusCode: 'Quarantine', scheduleState: 'Active' }).state).toBe('quarantine');
    expect(jobRunState({ statusCode: null, scheduleState: null }).state).toBe('unknown');
  });
});

describe('a job in quarantine: said plainly with what to do, never a pass', () => {
  it('the run state names the quarantine, its reason and next attempt, and the fix (restart provisioning)', () => {
    expect(quarantined.state).toBe('quarantine');
    expect(quarantined.text).toMatch(
      /in quarantine \(status Quarantine, schedule Active; reason EncounteredQuarantineException/,
    );
    expect(quarantined.text).toMatch(/next attempt 2027-01-16T07:00:00Z/);
    expect(quarantined.text).toMatch(/HybridSynchronizationActiveDirectoryInvalidCredentials: bad agent account/);
    expect(quarantined.text).toMatch(
      /Fix the cause .*then restart provisioning there; soa-pilot does not restart jobs/,
    );
  });
  it('the job read from Graph carries status.quarantine into the run state', () => {
    const c = configurationOf(
      { id: 'sp', displayName: 'adatum.com' },
      {
        id: 'AD2AADProvisioning.x',
        templateId: 'AD2AADProvisioning',
        status: { code: 'Quarantine', quarantine: QUARANTINE_BODY },
        schedule: { state: 'Active' },
      },
    );
    expect(c.quarantine).toEqual({
      reason: 'EncounteredQuarantineException',
      since: '2027-01-15T07:00:00Z',
      nextAttempt: '2027-01-16T07:00:00Z',
      error: 'HybridSynchronizationActiveDirectoryInvalidCredentials: bad agent account',
    });
    expect(jobRunState(c).text).toBe(quarantined.text);
  });
  it('block: an observed SOA skip on a job in quarantine is a warning that names the quarantine, not a pass', () => {
    const evidence = { onDemand: outcome('soaSkipped', SOA_TEXT) };
    const v = blockVerdict({
      observation: obs({ ...evidence, jobState: quarantined }),
      cloudUnchanged: true,
      isCloudManaged: true,
    });
    expect(v.verdict).toBe('warn');
    expect(v.observed).toMatch(/Cloud Sync skipped the object because its SOA is in the cloud/);
    expect(v.observed).toMatch(
      /in quarantine.*restart provisioning.*Run this proof again once the job is out of quarantine/,
    );
    // the failing case: the same evidence on a running job passes
    expect(
      blockVerdict({ observation: obs({ ...evidence, jobState: running }), cloudUnchanged: true, isCloudManaged: true })
        .verdict,
    ).toBe('pass');
  });
  it('takeover: processed on a job in quarantine → warn; nothing processed → warn "has not happened" (not a failure)', () => {
    const read = { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann', mail: 'ann@x' };
    const ad = { displayName: 'Ann', mail: 'ann@x' };
    const v = takeoverVerdict({
      observation: obs({ onDemand: outcome('processed'), jobState: quarantined }),
      read,
      ad,
    });
    expect(v.verdict).toBe('warn');
    expect(v.observed).toMatch(/in quarantine.*the takeover is not complete; run this step again once the job is out/);
    const none = takeoverVerdict({
      observation: obs({ jobState: quarantined }),
      read: { ...read, onPremisesSyncEnabled: null },
      ad,
    });
    expect(none.verdict).toBe('warn');
    expect(none.observed).toMatch(/The takeover has not happened: The Cloud Sync job is in quarantine/);
  });
  it('preflight: the jobs line warns, names the quarantine and says what to do', () => {
    const c = {
      ...cfg('adatum.com', 'J-ADATUM'),
      statusCode: 'Quarantine',
      quarantine: { reason: 'TooManyDeletes', since: null, nextAttempt: null, error: null },
    };
    const check = jobsCheck([c, cfg('litware.com', 'J-LITWARE')]);
    expect(check.status).toBe('warn');
    expect(check.message).toMatch(/adatum\.com: The Cloud Sync job is in quarantine \(.*reason TooManyDeletes/);
    expect(check.fix).toMatch(/For the job in quarantine: Fix the cause .* restart provisioning/);
    expect(check.fix).not.toMatch(/Start the paused job/);
  });
  it('waiting: a job in quarantine is not waited for (its next cycle may be a day away); the log is read once', async () => {
    const { c, f, ports, ctx } = observeSetup({ statusCode: 'Quarantine', quarantine: QUARANTINE_BODY });
    const o = await observeCloudSync(
      ports,
      ctx,
      { id: 'c-1', displayName: 'Ann', mail: null, dn: DN },
      c.clock.now().toISOString(),
      (x) => x.kind !== 'unknown',
    );
    expect(o.jobState?.state).toBe('quarantine');
    expect(c.sleeps).toEqual([]);
    expect(f.requests.filter((r) => r.url.startsWith('/v1.0/auditLogs/provisioning')).length).toBe(1);
    expect(f.requests.some((r) => /\/(start|pause|restart)$/.test(r.url))).toBe(false);
  });
});

describe('the block verdict on a paused job', () => {
  it.each(PAUSED_VARIANTS)(
    'schedule %s: no outcome → a warning that says no cycle will run (never a pass)',
    (schedule) => {
      const v = blockVerdict({
        observation: obs({ jobState: paused(schedule) }),
        cloudUnchanged: true,
        isCloudManaged: true,
      });
      expect(v.verdict).toBe('warn');
      expect(v.observed).toMatch(/no scheduled cycle will run/);
      expect(v.observed).toMatch(/cannot be observed until the job runs again/);
    },
  );
  it('the failing case: the same observation on a running job does not mention a paused job', () => {
    const v = blockVerdict({ observation: obs({ jobState: running }), cloudUnchanged: true, isCloudManaged: true });
    expect(v.verdict).toBe('warn');
    expect(v.observed).not.toMatch(/paused/);
  });
  it('an observed SOA skip (provisionOnDemand still processes while paused) passes, and says the job is paused', () => {
    const v = blockVerdict({
      observation: obs({ onDemand: outcome('soaSkipped', SOA_TEXT), jobState: paused('Paused') }),
      cloudUnchanged: true,
      isCloudManaged: true,
    });
    expect(v.verdict).toBe('pass');
    expect(v.observed).toMatch(/paused/);
  });
});

describe('the takeover verdict on a paused job: never a pass', () => {
  const read = { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann', mail: 'ann@x' };
  const ad = { displayName: 'Ann', mail: 'ann@x' };
  it.each(PAUSED_VARIANTS)(
    'schedule %s: processed once by provisionOnDemand → warn, later AD changes will not flow',
    (schedule) => {
      const v = takeoverVerdict({
        observation: obs({ onDemand: outcome('processed'), jobState: paused(schedule) }),
        read,
        ad,
      });
      expect(v.verdict).toBe('warn');
      expect(v.observed).toMatch(/takeover is not complete/);
    },
  );
  it('the failing case: the same evidence on a running job passes', () => {
    expect(
      takeoverVerdict({ observation: obs({ onDemand: outcome('processed'), jobState: running }), read, ad }),
    ).toMatchObject({ verdict: 'pass' });
  });
  it.each(PAUSED_VARIANTS)(
    'schedule %s: nothing processed the object → warn "the takeover has not happened" (the job, not the rollback)',
    (schedule) => {
      const v = takeoverVerdict({
        observation: obs({ jobState: paused(schedule) }),
        read: { ...read, onPremisesSyncEnabled: null },
        ad,
      });
      expect(v.verdict).toBe('warn');
      expect(v.observed).toMatch(/takeover has not happened/);
      expect(v.observed).toMatch(/no scheduled cycle will run/);
    },
  );
  it('the failing case: with the job running, no evidence and not synced again is a failure', () => {
    const v = takeoverVerdict({
      observation: obs({ jobState: running }),
      read: { ...read, onPremisesSyncEnabled: null },
      ad,
    });
    expect(v.verdict).toBe('fail');
  });
  it('a paused job does not soften a real failure (still skipped for SOA after the rollback)', () => {
    const v = takeoverVerdict({
      observation: obs({ logEntries: [outcome('soaSkipped', SOA_TEXT)], jobState: paused('Paused') }),
      read: { ...read, onPremisesSyncEnabled: null },
      ad,
    });
    expect(v.verdict).toBe('fail');
  });
});

// ------------------------------------------------------------------------------------------------
// observeCloudSync against the fake Graph: a paused job is not waited for
// ------------------------------------------------------------------------------------------------

const DN = 'CN=Ann,OU=Contacts,DC=litware,DC=com';
function observeSetup(job: { statusCode?: string; scheduleState?: string; quarantine?: Record<string, unknown> }) {
  const c = recordingClock();
  const f = fakeCloudSyncGraph(c.clock, [
    {
      spId: 'sp-lit',
      displayName: 'litware.com',
      jobs: [
        {
          id: 'AD2AADProvisioning.lit',
          templateId: 'AD2AADProvisioning',
          settings: [{ name: 'DomainFQDN', value: 'litware.com' }],
          ...job,
        },
      ],
      mappedTypes: [],
      ruleId: 'rule-lit',
    },
  ]);
  const ports: FlowPorts = {
    ipc: fakeIpc({}).ipc,
    graph: f.graph,
    clock: c.clock,
    tuning: DEFAULT_TUNING,
    newId: () => 'op-1',
  };
  const configuration: CloudSyncConfiguration = configurationOf(
    { id: 'sp-lit', displayName: 'litware.com' },
    { id: 'AD2AADProvisioning.lit', templateId: 'AD2AADProvisioning', synchronizationJobSettings: [] },
  );
  const ctx = { configuration, rule: null, windows: cloudSyncWindows(ports), tuning: DEFAULT_CLOUD_SYNC_TUNING };
  return { c, f, ports, ctx };
}

describe('waiting for a cycle', () => {
  it.each(PAUSED_VARIANTS)('schedule %s: the log is read once and no cycle is waited for', async (schedule) => {
    const { c, f, ports, ctx } = observeSetup({ statusCode: 'Paused', scheduleState: schedule });
    const since = c.clock.now().toISOString();
    const o = await observeCloudSync(
      ports,
      ctx,
      { id: 'c-1', displayName: 'Ann', mail: null, dn: DN },
      since,
      (x) => x.kind !== 'unknown',
    );
    expect(o.jobState?.state).toBe('stopped');
    expect(c.sleeps).toEqual([]);
    expect(f.requests.filter((r) => r.url.startsWith('/v1.0/auditLogs/provisioning')).length).toBe(1);
    expect(f.requests.some((r) => /\/(start|pause|restart)$/.test(r.url))).toBe(false);
  });
  it('the failing case: a running job is waited for until the bound', async () => {
    const { c, ports, ctx } = observeSetup({});
    const since = c.clock.now().toISOString();
    const o = await observeCloudSync(
      ports,
      ctx,
      { id: 'c-1', displayName: 'Ann', mail: null, dn: DN },
      since,
      (x) => x.kind !== 'unknown',
    );
    expect(o.jobState?.state).toBe('running');
    expect(c.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(DEFAULT_CLOUD_SYNC_TUNING.cycleBoundMs);
  });
});

// ------------------------------------------------------------------------------------------------
// Several configurations: the route is chosen by DomainFQDN, exactly
// ------------------------------------------------------------------------------------------------

const cfg = (domain: string | null, jobId: string, name: string | null = domain): CloudSyncConfiguration => ({
  servicePrincipalId: `sp-${jobId}`,
  displayName: name,
  jobId,
  domain,
  domainSource: domain ? 'jobSettings' : 'none',
  forest: domain,
  scheduleState: 'Active',
  statusCode: 'Active',
  interval: 'PT2M',
});
const THREE = [cfg('adatum.com', 'J-ADATUM'), cfg('litware.com', 'J-LITWARE'), cfg('emea.adatum.com', 'J-EMEA')];

describe('several Cloud Sync configurations (scenario cloudSyncDomains)', () => {
  it.each([
    ['CN=A,OU=Partner Contacts,DC=adatum,DC=com', 'J-ADATUM'],
    ['CN=B,OU=Contacts,DC=litware,DC=com', 'J-LITWARE'],
    ['CN=C,OU=X,DC=emea,DC=adatum,DC=com', 'J-EMEA'],
  ])('%s goes to job %s', (dn, jobId) => {
    const r = routeObject(dn, { cloudSync: THREE, connectSync: [] });
    expect(r.engine).toBe('cloudSync');
    expect(r.cloudSync?.jobId).toBe(jobId);
  });
  it('the failing case: a domain no configuration names is "none", not the parent domain’s job', () => {
    const r = routeObject('CN=D,DC=apac,DC=adatum,DC=com', { cloudSync: THREE, connectSync: [] });
    expect(r.engine).toBe('none');
    expect(r.cloudSync).toBeNull();
  });
  it('two configurations for one domain: cannot tell (never the first by order)', () => {
    const r = routeObject('CN=A,DC=adatum,DC=com', {
      cloudSync: [...THREE, cfg('adatum.com', 'J-ADATUM-2')],
      connectSync: [],
    });
    expect(r.engine).toBe('unknown');
    expect(r.cloudSync).toBeNull();
    expect(r.basis.join(' ')).toMatch(/2 Cloud Sync configurations claim adatum\.com/);
  });
});

describe('a job that does not tell its domain (lab cloudSyncJobDomainSetting absent)', () => {
  it('an unmatched object is "cannot tell", not "no engine": the unnamed configuration may be its', () => {
    const unnamed = configurationOf(
      { id: 'sp-x', displayName: 'Active Directory to Azure Active Directory Provisioning' },
      { id: 'AD2AADProvisioning.x', templateId: 'AD2AADProvisioning', synchronizationJobSettings: [] },
    );
    expect(unnamed.domain).toBeNull();
    const r = routeObject('CN=A,DC=adatum,DC=com', { cloudSync: [unnamed], connectSync: [] });
    expect(r.engine).toBe('unknown');
    expect(r.basis.join(' ')).toMatch(/cannot be ruled out/);
  });
  it('the failing case: without such a configuration the same object is "none"', () => {
    expect(routeObject('CN=A,DC=adatum,DC=com', { cloudSync: [], connectSync: [] }).engine).toBe('none');
  });
  it('the domain-like display name (portal default) still routes, and says where the domain came from', () => {
    const named = configurationOf(
      { id: 'sp-y', displayName: 'adatum.com' },
      { id: 'AD2AADProvisioning.y', templateId: 'AD2AADProvisioning', synchronizationJobSettings: [] },
    );
    const r = routeObject('CN=A,DC=adatum,DC=com', { cloudSync: [named], connectSync: [] });
    expect(r.engine).toBe('cloudSync');
    expect(r.basis.join(' ')).toMatch(/read from the configuration name/);
  });
});

describe('provisioning-log filters are case sensitive (every lab variant)', () => {
  it('the job id goes into the filter exactly as the jobs list gave it; property names as documented', () => {
    const f = provisioningLogFilter({ jobId: 'AD2AADProvisioning.AbC123', since: '2027-01-01T00:00:00.000Z' });
    expect(f).toBe("jobId eq 'AD2AADProvisioning.AbC123' and activityDateTime gt 2027-01-01T00:00:00Z");
    // the failing case: a lower-cased id would find nothing under the documented case-sensitive filters
    expect(f).not.toContain('ad2aadprovisioning.abc123');
  });
});

describe('the bulk follow-up with a paused job', () => {
  const SOA = SOA_TEXT;
  async function run(jobState: JobRunStateInfo | undefined) {
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
    const objects = [
      { id: 'r1', dn: null, jobId: 'J', action: 'rollback' as const, ...(jobState ? { jobState } : {}) },
      { id: 't1', dn: null, jobId: 'J', action: 'transfer' as const, ...(jobState ? { jobState } : {}) },
    ];
    const r = await followUpCloudSync(f.graph, objects, since, {
      clock: c.clock,
      boundMs: 120_000,
      pollIntervalMs: 30_000,
      cloudState: async (ids) =>
        new Map(ids.map((id) => [id, { onPremisesSyncEnabled: true, displayName: 'R', mail: 'r@adatum.com' }])),
      adValues: async (objs) =>
        new Map(objs.map((o) => [o.id, { ok: true, values: { displayName: 'R', mail: 'r@adatum.com' } }])),
    });
    return { r, c, SOA };
  }
  it.each(PAUSED_VARIANTS)(
    'schedule %s: read once, not waited for; the processed rollback is not confirmed',
    async (s) => {
      const { r, c } = await run(paused(s));
      expect(r.rounds).toBe(1);
      expect(c.sleeps).toEqual([]);
      expect(r.stoppedJobs).toEqual(['J']);
      const rb = r.objects.find((o) => o.id === 'r1');
      expect(rb?.confirmed).toBe(false);
      expect(rb?.detail).toMatch(/Later AD changes will not flow/);
      expect(r.objects.find((o) => o.id === 't1')?.detail).toMatch(/no scheduled cycle will run/);
    },
  );
  it('a job in quarantine: read once, not waited for; the processed rollback is not confirmed and says why', async () => {
    const { r, c } = await run(quarantined);
    expect(r.rounds).toBe(1);
    expect(c.sleeps).toEqual([]);
    expect(r.stoppedJobs).toEqual([]);
    expect(r.quarantinedJobs).toEqual(['J']);
    const rb = r.objects.find((o) => o.id === 'r1');
    expect(rb?.confirmed).toBe(false);
    expect(rb?.detail).toMatch(/in quarantine.*reduced frequency, so the takeover is not confirmed/);
  });
  it('the failing case: with the job running the rollback is confirmed and the transfer is waited for', async () => {
    const { r, c } = await run(running);
    expect(r.objects.find((o) => o.id === 'r1')?.confirmed).toBe(true);
    expect(c.sleeps.length).toBeGreaterThan(0);
    expect(r.stoppedJobs).toEqual([]);
  });
});

describe('preflight: the jobs line', () => {
  it.each(PAUSED_VARIANTS)('schedule %s: warns, names the paused job and how to start it', (schedule) => {
    const c = { ...cfg('adatum.com', 'J-ADATUM'), statusCode: 'Paused', scheduleState: schedule };
    const check = jobsCheck([c, cfg('litware.com', 'J-LITWARE')]);
    expect(check.status).toBe('warn');
    expect(check.message).toMatch(/adatum\.com is paused/);
    expect(check.fix).toMatch(/Entra admin center/);
  });
  it('warns about a job that does not tell its domain', () => {
    expect(jobsCheck([cfg(null, 'J-X', null)]).message).toMatch(/does not tell its AD domain/);
  });
  it('the failing case: every job running and named passes', () => {
    expect(jobsCheck(THREE).status).toBe('pass');
  });
});
