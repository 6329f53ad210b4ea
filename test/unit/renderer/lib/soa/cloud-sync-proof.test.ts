import { describe, expect, it } from 'vitest';
import {
  asksCloudSync,
  blockVerdict,
  cloudSyncTuningFrom,
  DEFAULT_CLOUD_SYNC_TUNING,
  stepChooseEngine,
  stepVerifyCloudSyncSkips,
  stepDetectEngine,
  stepProveAdBlockedCloudSync,
  stepVerifyTakeoverCloudSync,
  takeoverVerdict,
  type CloudSyncObservation,
} from '../../../../../src-renderer/lib/soa/cloud-sync-proof';
import type { ProvisioningOutcome } from '../../../../../src-renderer/lib/soa/provisioning-outcome';
import { DEFAULT_TUNING, type FlowPorts } from '../../../../../src-renderer/lib/soa/ports';
import { fakeIpc } from './fakes';
import {
  fakeCloudSyncGraph,
  logEntry,
  onDemandAnswer,
  recordingClock,
  type FakeConfiguration,
} from './cloud-sync-fakes';

const SOA_TEXT = 'As the SOA of this contact is in the cloud, this object will not sync.';
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

describe('the block verdict: each pass condition has its failing case', () => {
  it('passes with the SOA skip, the cloud unchanged and the SOA in the cloud', () => {
    expect(
      blockVerdict({
        observation: obs({ logEntries: [outcome('soaSkipped', SOA_TEXT)] }),
        cloudUnchanged: true,
        isCloudManaged: true,
      }).verdict,
    ).toBe('pass');
    expect(
      blockVerdict({
        observation: obs({ onDemand: { ...outcome('soaSkipped', SOA_TEXT), source: 'provisionOnDemand' } }),
        cloudUnchanged: true,
        isCloudManaged: true,
      }).verdict,
    ).toBe('pass');
  });
  it('fails when the cloud object changed, even with a skip', () => {
    const v = blockVerdict({
      observation: obs({ logEntries: [outcome('soaSkipped', SOA_TEXT)] }),
      cloudUnchanged: false,
      isCloudManaged: true,
    });
    expect(v.verdict).toBe('fail');
    expect(v.observed).toMatch(/CHANGED/);
  });
  it('fails when the SOA is not in the cloud', () => {
    expect(
      blockVerdict({
        observation: obs({ logEntries: [outcome('soaSkipped', SOA_TEXT)] }),
        cloudUnchanged: true,
        isCloudManaged: false,
      }).verdict,
    ).toBe('fail');
  });
  it('fails when Cloud Sync processed the object', () => {
    expect(
      blockVerdict({
        observation: obs({ logEntries: [outcome('processed')] }),
        cloudUnchanged: true,
        isCloudManaged: true,
      }).verdict,
    ).toBe('fail');
  });
  it('does not pass on a skip for another reason: it says so', () => {
    const v = blockVerdict({
      observation: obs({ logEntries: [outcome('skippedOther', 'already match')] }),
      cloudUnchanged: true,
      isCloudManaged: true,
    });
    expect(v.verdict).toBe('warn');
    expect(v.observed).toMatch(/not the SOA reason/);
  });
  it('does not pass without any outcome, and names the unreadable log', () => {
    const v = blockVerdict({
      observation: obs({ logError: '403 Authentication_RequestFromNonPremiumTenantOrB2CTenant' }),
      cloudUnchanged: true,
      isCloudManaged: true,
    });
    expect(v.verdict).toBe('warn');
    expect(v.observed).toMatch(/could not be read.*NonPremium/);
    expect(v.observed).toMatch(/alone does not prove the block/);
  });
});

describe('the takeover verdict: each pass condition has its failing case', () => {
  const synced = { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann', mail: 'ann@x.com' } as const;
  const ad = { displayName: 'Ann', mail: 'ANN@x.com' };
  it('passes: processed again, onPremisesSyncEnabled true, attributes match AD', () => {
    expect(
      takeoverVerdict({ observation: obs({ logEntries: [outcome('processed')] }), read: synced, ad }).verdict,
    ).toBe('pass');
  });
  it('fails when Cloud Sync still skips it for SOA', () => {
    expect(
      takeoverVerdict({ observation: obs({ logEntries: [outcome('soaSkipped', SOA_TEXT)] }), read: synced, ad })
        .verdict,
    ).toBe('fail');
  });
  it('fails when the newest entry is a failure', () => {
    expect(
      takeoverVerdict({
        observation: obs({ logEntries: [outcome('processed'), outcome('failed', 'x')] }),
        read: synced,
        ad,
      }).verdict,
    ).toBe('fail');
  });
  it('is not a pass while onPremisesSyncEnabled is not true', () => {
    expect(
      takeoverVerdict({
        observation: obs({ logEntries: [outcome('processed')] }),
        read: { ...synced, onPremisesSyncEnabled: null },
        ad,
      }).verdict,
    ).toBe('warn');
    expect(
      takeoverVerdict({ observation: obs({}), read: { ...synced, onPremisesSyncEnabled: null }, ad }).verdict,
    ).toBe('fail');
  });
  it('fails when an attribute differs from AD', () => {
    const v = takeoverVerdict({
      observation: obs({ logEntries: [outcome('processed')] }),
      read: { ...synced, displayName: 'Cloud edit' },
      ad,
    });
    expect(v.verdict).toBe('fail');
    expect(v.mismatches[0]).toMatch(/displayName/);
  });
  it('is only a warn without the log entry (the cloud side alone), and says what is missing', () => {
    const v = takeoverVerdict({ observation: obs({ logError: 'no reader role' }), read: synced, ad });
    expect(v.verdict).toBe('warn');
    expect(v.observed).toMatch(/no provisioning-log entry.*no reader role/);
  });
  it('is only a warn when AD could not be read', () => {
    expect(
      takeoverVerdict({ observation: obs({ logEntries: [outcome('processed')] }), read: synced, ad: null }).verdict,
    ).toBe('warn');
  });
  it('fails when the rollback was not applied', () => {
    expect(
      takeoverVerdict({
        observation: obs({ logEntries: [outcome('processed')] }),
        read: { ...synced, isCloudManaged: true },
        ad,
      }).verdict,
    ).toBe('fail');
  });
});

// ------------------------------------------------------------------------------------------------
// The steps against a fake Graph that follows the documented shapes and limits
// ------------------------------------------------------------------------------------------------

const CONTACT = 'c-1';
const DN = 'CN=Ann,OU=Contacts,DC=fabrikam,DC=local';
const fabrikam = (mappedTypes: string[]): FakeConfiguration => ({
  spId: 'sp-fab',
  displayName: 'fabrikam.local',
  jobs: [
    {
      id: 'AD2AADProvisioning.abc',
      templateId: 'AD2AADProvisioning',
      settings: [{ name: 'DomainFQDN', value: 'fabrikam.local' }],
    },
  ],
  mappedTypes,
  ruleId: 'rule-fab',
});

function setup(
  mappedTypes: string[],
  contact: { isCloudManaged: boolean; onPremisesSyncEnabled: boolean | null; displayName: string },
) {
  const c = recordingClock();
  const f = fakeCloudSyncGraph(c.clock, [fabrikam(mappedTypes)]);
  f.other = (method, path) => {
    if (method === 'GET' && path === `/contacts/${CONTACT}/onPremisesSyncBehavior`)
      return { status: 200, body: { isCloudManaged: contact.isCloudManaged } };
    if (method === 'GET' && path === `/contacts/${CONTACT}`) {
      return {
        status: 200,
        body: {
          id: CONTACT,
          displayName: contact.displayName,
          mail: 'ann@fabrikam.local',
          onPremisesSyncEnabled: contact.onPremisesSyncEnabled,
          onPremisesLastSyncDateTime: '2027-01-01T00:00:00Z',
        },
      };
    }
    return null;
  };
  const touched: unknown[] = [];
  const ipc = fakeIpc({
    'server.touchOnPremObject': (input) => {
      touched.push(input);
      return {
        dn: DN,
        attribute: 'department',
        attributeSource: 'defaultList',
        attributeReason: 'documented default',
        oldDescription: null,
        newDescription: 'x',
      };
    },
    'server.findOnPremContact': () => ({
      matches: [
        { distinguishedName: DN, objectGuid: 'g', displayName: 'Ann', mail: 'ann@fabrikam.local', description: null },
      ],
      via: 'activeDirectory',
    }),
  });
  let n = 0;
  const ports: FlowPorts = {
    ipc: ipc.ipc,
    graph: f.graph,
    clock: c.clock,
    tuning: DEFAULT_TUNING,
    newId: () => `op-${++n}`,
  };
  return { c, f, ipc, ports, touched, contact };
}

const target = { id: CONTACT, displayName: 'Ann', mail: 'ann@fabrikam.local', dn: DN };
const before = { displayName: 'Ann', onPremisesLastSyncDateTime: '2027-01-01T00:00:00Z' };

describe('detecting the engine (step)', () => {
  it('routes the contact to Cloud Sync and takes the schema’s contact type for provisionOnDemand', async () => {
    const s = setup(['user', 'contact'], { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann' });
    const r = await stepDetectEngine(s.ports, target, [
      { connector: 'contoso.com', partitions: ['DC=contoso,DC=com'] },
    ]);
    expect(r.route.engine).toBe('cloudSync');
    expect(r.step.verdict).toBe('pass');
    expect(r.context?.rule).toMatchObject({ ruleId: 'rule-fab', objectTypeNames: ['contact', 'Contact'] });
  });
  it('fails when both engines claim the DN', async () => {
    const s = setup(['contact'], { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann' });
    const r = await stepDetectEngine(s.ports, target, [{ connector: 'fab', partitions: ['DC=fabrikam,DC=local'] }]);
    expect(r.route.engine).toBe('both');
    expect(r.step.verdict).toBe('fail');
    expect(r.context).toBeNull();
  });
});

describe('the block step (provisionOnDemand and the log)', () => {
  it('passes on the provisionOnDemand SOA skip with the cloud unchanged, and never calls /start', async () => {
    const s = setup(['contact'], { isCloudManaged: true, onPremisesSyncEnabled: null, displayName: 'Ann' });
    s.f.onDemand = () => ({
      status: 200,
      body: onDemandAnswer('Skipped', [
        { name: 'EntrySynchronizationSkip', type: 'Export', status: 'Skipped', description: SOA_TEXT },
      ]),
    });
    const d = await stepDetectEngine(s.ports, target, []);
    const r = await stepProveAdBlockedCloudSync(s.ports, d.context!, target, before);
    expect(r.step.verdict).toBe('pass');
    expect(r.observation?.onDemand?.kind).toBe('soaSkipped');
    expect(s.touched).toHaveLength(1);
    expect(s.ipc.events).toEqual(['journal:intent', 'journal:result']);
    expect(s.f.requests.some((q) => q.url.endsWith('/start'))).toBe(false);
    expect(r.step.requests.some((q) => q.label.includes('/provisionOnDemand'))).toBe(true);
  });

  it.each(['contact', 'Contact', 'either'] as const)(
    'finds the objectTypeName provisionOnDemand accepts for contacts (variant %s)',
    async (variant) => {
      const s = setup(['contact'], { isCloudManaged: true, onPremisesSyncEnabled: null, displayName: 'Ann' });
      s.f.contactTypeName = variant;
      s.f.onDemand = () => ({
        status: 200,
        body: onDemandAnswer('Skipped', [
          { name: 'EntrySynchronizationSkip', type: 'Export', status: 'Skipped', description: SOA_TEXT },
        ]),
      });
      const d = await stepDetectEngine(s.ports, target, []);
      const r = await stepProveAdBlockedCloudSync(
        s.ports,
        { ...d.context!, tuning: { ...DEFAULT_CLOUD_SYNC_TUNING, logAfterOnDemandMs: 0 } },
        target,
        before,
      );
      expect(r.step.verdict).toBe('pass');
      const pods = s.f.requests.filter((q) => q.url.endsWith('/provisionOnDemand'));
      expect(pods.at(-1)?.status).toBe(200);
      expect(pods).toHaveLength(variant === 'Contact' ? 2 : 1);
    },
  );

  it('does not pass when every objectTypeName is refused: it says no outcome was observed', async () => {
    const s = setup(['contact'], { isCloudManaged: true, onPremisesSyncEnabled: null, displayName: 'Ann' });
    s.f.contactTypeName = 'CONTACT' as unknown as 'contact';
    const d = await stepDetectEngine(s.ports, target, []);
    const r = await stepProveAdBlockedCloudSync(
      s.ports,
      { ...d.context!, tuning: { ...DEFAULT_CLOUD_SYNC_TUNING, cycleBoundMs: 30_000 } },
      target,
      before,
    );
    expect(r.step.verdict).toBe('warn');
    expect(s.f.requests.filter((q) => q.url.endsWith('/provisionOnDemand')).map((q) => q.status)).toEqual([400, 400]);
  });

  it('waits for the next cycle when the schema maps no contact, and passes on the log entry', async () => {
    const s = setup(['user', 'group'], { isCloudManaged: true, onPremisesSyncEnabled: null, displayName: 'Ann' });
    const d = await stepDetectEngine(s.ports, target, []);
    expect(d.context?.rule?.objectTypeNames).toEqual([]);
    // The scheduled cycle processes the object 2 minutes from now.
    const cycleAt = new Date(s.c.clock.now().getTime() + 120_000).toISOString();
    s.f.log.push(
      logEntry({
        id: 'e-cycle',
        at: cycleAt,
        jobId: 'AD2AADProvisioning.abc',
        status: 'skipped',
        targetId: CONTACT,
        reason: SOA_TEXT,
      }),
    );
    const progress: string[] = [];
    const r = await stepProveAdBlockedCloudSync(s.ports, d.context!, target, before, {
      onProgress: (p) => progress.push(p.phase),
    });
    expect(r.step.verdict).toBe('pass');
    expect(r.observation?.logEntries.map((e) => e.entryId)).toEqual(['e-cycle']);
    expect(s.f.requests.some((q) => q.url.includes('provisionOnDemand'))).toBe(false);
    expect(progress).toContain('waitingForCycle');
    expect(s.c.sleeps.length).toBeGreaterThan(0);
  });

  it('warns (never passes) when no entry arrives within the bound', async () => {
    const s = setup(['user'], { isCloudManaged: true, onPremisesSyncEnabled: null, displayName: 'Ann' });
    const d = await stepDetectEngine(s.ports, target, []);
    const r = await stepProveAdBlockedCloudSync(
      s.ports,
      { ...d.context!, tuning: { ...DEFAULT_CLOUD_SYNC_TUNING, cycleBoundMs: 60_000 } },
      target,
      before,
    );
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/No Cloud Sync outcome/);
  });

  it('fails when provisionOnDemand processed the object (the block did not hold)', async () => {
    const s = setup(['contact'], { isCloudManaged: true, onPremisesSyncEnabled: null, displayName: 'Ann' });
    s.f.onDemand = () => ({
      status: 200,
      body: onDemandAnswer('Success', [
        { name: 'EntryExportUpdate', type: 'Export', status: 'Success', description: 'Updated' },
      ]),
    });
    const d = await stepDetectEngine(s.ports, target, []);
    const r = await stepProveAdBlockedCloudSync(
      s.ports,
      { ...d.context!, tuning: { ...DEFAULT_CLOUD_SYNC_TUNING, cycleBoundMs: 0 } },
      target,
      before,
    );
    expect(r.step.verdict).toBe('fail');
  });
});

describe('the takeover step', () => {
  it('passes when the next cycle processes the object and the cloud matches AD', async () => {
    const s = setup(['user'], { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann' });
    const d = await stepDetectEngine(s.ports, target, []);
    const since = s.c.clock.now().toISOString();
    s.f.log.push(
      logEntry({
        id: 'e-old',
        at: new Date(s.c.clock.now().getTime() - 60_000).toISOString(),
        jobId: 'AD2AADProvisioning.abc',
        status: 'skipped',
        targetId: CONTACT,
        reason: SOA_TEXT,
      }),
    );
    s.f.log.push(
      logEntry({
        id: 'e-new',
        at: new Date(s.c.clock.now().getTime() + 90_000).toISOString(),
        jobId: 'AD2AADProvisioning.abc',
        status: 'success',
        dn: DN,
        sourceId: 'guid',
      }),
    );
    const r = await stepVerifyTakeoverCloudSync(s.ports, d.context!, target, since);
    expect(r.step.verdict).toBe('pass');
    expect(r.observation.logEntries.map((e) => e.entryId)).toEqual(['e-new']);
    const logRequest = r.step.requests.find(
      (q) => q.label.includes('/auditLogs/provisioning') && JSON.stringify(q.response).includes('e-new'),
    );
    expect(logRequest).toBeDefined();
  });

  it('fails when the entry after the rollback still shows the SOA skip', async () => {
    const s = setup(['user'], { isCloudManaged: false, onPremisesSyncEnabled: null, displayName: 'Ann' });
    const d = await stepDetectEngine(s.ports, target, []);
    const since = s.c.clock.now().toISOString();
    s.f.log.push(
      logEntry({
        id: 'e-new',
        at: new Date(s.c.clock.now().getTime() + 30_000).toISOString(),
        jobId: 'AD2AADProvisioning.abc',
        status: 'skipped',
        targetId: CONTACT,
        reason: SOA_TEXT,
      }),
    );
    const r = await stepVerifyTakeoverCloudSync(
      s.ports,
      { ...d.context!, tuning: { ...DEFAULT_CLOUD_SYNC_TUNING, cycleBoundMs: 60_000 } },
      target,
      since,
    );
    expect(r.step.verdict).toBe('fail');
  });
});

// ------------------------------------------------------------------------------------------------
// The wizard's engine step and the transfer's "verify with Cloud Sync" step
// ------------------------------------------------------------------------------------------------

describe('whether the engine step asks Cloud Sync (its permissions only on the Cloud Sync path)', () => {
  it('does not ask when a Connect Sync connector holds the DN and the server has no agent (or was not probed)', () => {
    expect(asksCloudSync(true, false)).toBe(false);
    expect(asksCloudSync(true, null)).toBe(false);
  });
  it('asks when the server runs the provisioning agent, or no connector holds the DN', () => {
    expect(asksCloudSync(true, true)).toBe(true);
    expect(asksCloudSync(false, false)).toBe(true);
    expect(asksCloudSync(false, null)).toBe(true);
  });
});

describe('the wizard’s engine step (stepChooseEngine)', () => {
  const connectors = (partitions: string[]) => ({
    available: true,
    connectors: [{ name: 'corp', partitions }],
    message: null,
  });
  function withConnectors(result: unknown) {
    const s = setup(['contact'], { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann' });
    const ipc = fakeIpc({
      'server.adConnectors': () => {
        if (result instanceof Error) throw result;
        return result;
      },
    });
    return { ...s, ports: { ...s.ports, ipc: ipc.ipc } };
  }
  const spReads = (s: { f: { requests: { url: string }[] } }) =>
    s.f.requests.filter((q) => q.url.includes('/servicePrincipals'));

  it('routes to Connect Sync without a single Cloud Sync request when a connector holds the DN and no agent runs', async () => {
    const s = withConnectors(connectors(['DC=fabrikam,DC=local']));
    const r = await stepChooseEngine(s.ports, target, { cloudSyncAgentOnServer: false });
    expect(r.route.engine).toBe('connectSync');
    expect(r.step.verdict).toBe('pass');
    expect(r.context).toBeNull();
    expect(spReads(s)).toHaveLength(0);
    expect(r.step.notes.join(' ')).toMatch(
      /Cloud Sync was not asked \(the server shows no Cloud Sync provisioning agent/,
    );
    expect(r.step.requests[0]?.kind).toBe('powershell');
  });

  it('asks Cloud Sync when the server runs the agent, and then sees both engines claim the DN (fail)', async () => {
    const s = withConnectors(connectors(['DC=fabrikam,DC=local']));
    const r = await stepChooseEngine(s.ports, target, { cloudSyncAgentOnServer: true });
    expect(spReads(s).length).toBeGreaterThan(0);
    expect(r.route.engine).toBe('both');
    expect(r.step.verdict).toBe('fail');
  });

  it('asks Cloud Sync when no connector holds the DN, and routes the object to it with the partitions in evidence', async () => {
    const s = withConnectors(connectors(['DC=contoso,DC=com']));
    const r = await stepChooseEngine(s.ports, target, { cloudSyncAgentOnServer: false });
    expect(r.route.engine).toBe('cloudSync');
    expect(r.context?.configuration.jobId).toBe('AD2AADProvisioning.abc');
    expect(r.step.requests[0]?.label).toMatch(/Get-ADSyncConnector/);
  });

  it('asks Cloud Sync when the server’s connectors cannot be read, and says so', async () => {
    const s = withConnectors(new Error('server unreachable'));
    const r = await stepChooseEngine(s.ports, target, { cloudSyncAgentOnServer: null });
    expect(spReads(s).length).toBeGreaterThan(0);
    expect(r.route.engine).toBe('cloudSync');
    expect(r.step.notes.join(' ')).toMatch(/Connect Sync connectors could not be read/);
  });
});

describe('the transfer’s “verify with Cloud Sync” step (no AD change)', () => {
  const quick = { ...DEFAULT_CLOUD_SYNC_TUNING, cycleBoundMs: 0, logAfterOnDemandMs: 0 };
  async function run(
    answer: ReturnType<typeof onDemandAnswer> | null,
    contact = { isCloudManaged: true, onPremisesSyncEnabled: null as boolean | null, displayName: 'Ann' },
  ) {
    const s = setup(['contact'], contact);
    if (answer) s.f.onDemand = () => ({ status: 200, body: answer });
    const d = await stepDetectEngine(s.ports, target, []);
    const r = await stepVerifyCloudSyncSkips(s.ports, { ...d.context!, tuning: quick }, target);
    return { s, r };
  }
  const soaSkip = onDemandAnswer('Skipped', [
    { name: 'EntrySynchronizationSkip', type: 'Export', status: 'Skipped', description: SOA_TEXT },
  ]);

  it('passes on the SOA skip, changes nothing in AD and never calls /start', async () => {
    const { s, r } = await run(soaSkip);
    expect(r.step.id).toBe('verify-server');
    expect(r.step.verdict).toBe('pass');
    expect(r.step.observed).toMatch(/SOA is in the cloud.*no AD change was made/);
    expect(s.touched).toHaveLength(0);
    expect(s.f.requests.some((q) => q.url.endsWith('/start'))).toBe(false);
  });
  it('fails when Cloud Sync processed the object', async () => {
    const { r } = await run(
      onDemandAnswer('Success', [{ name: 'EntryExportUpdate', type: 'Export', status: 'Success', description: 'x' }]),
    );
    expect(r.step.verdict).toBe('fail');
  });
  it('fails when the SOA is not in the cloud, even with the skip text', async () => {
    const { r } = await run(soaSkip, { isCloudManaged: false, onPremisesSyncEnabled: true, displayName: 'Ann' });
    expect(r.step.verdict).toBe('fail');
  });
  it('only warns on another skip reason (not the SOA one)', async () => {
    const { r } = await run(
      onDemandAnswer('Skipped', [
        {
          name: 'EntrySynchronizationSkip',
          type: 'Export',
          status: 'Skipped',
          description: 'Entry processing was skipped by a synchronization policy.',
        },
      ]),
    );
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/not the SOA reason/);
    expect(r.step.observed).not.toMatch(/alone does not prove/);
  });
  it('only warns when no outcome is observed', async () => {
    const s = setup(['user'], { isCloudManaged: true, onPremisesSyncEnabled: null, displayName: 'Ann' });
    const d = await stepDetectEngine(s.ports, target, []);
    const r = await stepVerifyCloudSyncSkips(s.ports, { ...d.context!, tuning: quick }, target);
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toMatch(/No Cloud Sync outcome/);
    expect(r.step.notes.join(' ')).toMatch(/provisionOnDemand was not used/);
  });
});

describe('the Cloud Sync waits follow the wizard’s tuning', () => {
  it('bounds a cycle wait like a sync cycle and polls the log like the audit log', () => {
    expect(cloudSyncTuningFrom({ syncTimeoutSeconds: 120, auditPollIntervalMs: 1000 })).toEqual({
      cycleBoundMs: 120_000,
      logPollIntervalMs: 1000,
      logAfterOnDemandMs: 120_000,
    });
    expect(cloudSyncTuningFrom({ syncTimeoutSeconds: 1800, auditPollIntervalMs: 20_000 }).logAfterOnDemandMs).toBe(
      DEFAULT_CLOUD_SYNC_TUNING.logAfterOnDemandMs,
    );
  });
});
