/**
 * The app's Cloud Sync library against the lab (scenario cloudSyncDomains), over HTTPS with real tokens: the route
 * is chosen by DomainFQDN among several configurations, a job that does not tell its domain makes the route "cannot
 * tell", and a paused job (each schedule variant) is read as stopped so no cycle is waited for and the block is not
 * claimed; a rollback's takeover against a paused job (each provisionOnDemand variant) is never passed, and passes
 * once the job runs again. No PowerShell: the Graph half, with AD read from the lab's directory.
 * docs/reference/cloud-sync.md
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import {
  CLOUD_SYNC_PAUSED_ON_DEMAND_VARIANTS,
  CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS,
  CLOUD_SYNC_QUARANTINE_VARIANTS,
} from '../../../src-main/lab/cloudsync/model';
import { createHttpsFetch } from '../../../src-main/auth/https-fetch';
import { createGraphSession, type GraphSession } from '../../../src-renderer/lib/graph/graph-client';
import {
  getJobRunState,
  getProvisioningRule,
  listCloudSyncConfigurations,
} from '../../../src-renderer/lib/graph/cloud-sync-graph';
import { setCloudManaged } from '../../../src-renderer/lib/graph/soa-graph';
import {
  blockVerdict,
  cloudSyncWindows,
  DEFAULT_CLOUD_SYNC_TUNING,
  observeCloudSync,
  stepVerifyTakeoverCloudSync,
  type CloudSyncContext,
} from '../../../src-renderer/lib/soa/cloud-sync-proof';
import { routeObject } from '../../../src-renderer/lib/soa/sync-engine';
import { DEFAULT_TUNING, realClock, type FlowPorts } from '../../../src-renderer/lib/soa/ports';
import { HYBRID_ADMIN } from './lab-bridge';
import { fakeIpc } from '../../unit/renderer/lib/soa/fakes';

let lab: LabHandle;
let graph: GraphSession;

beforeAll(async () => {
  lab = await startLab({ seed: 5, contacts: 10, scenario: 'cloudSyncDomains', tokenLifetimeSeconds: 24 * 3600 });
  graph = createGraphSession({
    baseUrl: lab.info.graphBaseUrl,
    customHosts: [new URL(lab.info.graphBaseUrl).hostname],
    fetch: createHttpsFetch({ extraCa: [readFileSync(lab.info.caCertPath, 'utf8')] }),
    maxRetries: 0,
    tokenSource: (scopes) => lab.mintToken(HYBRID_ADMIN, scopes),
  });
});
afterAll(async () => {
  await lab.close();
});
beforeEach(async () => {
  await lab.control('DELETE', '/throttle');
  lab.updateSettings({
    cloudSyncJobDomainSetting: 'present',
    cloudSyncServicePrincipalName: 'domain',
    cloudSyncQuarantine: 'none',
  });
});

async function configurations() {
  const r = await listCloudSyncConfigurations(graph);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.configurations;
}

/** The lab admin pauses or starts a job the way an admin would in the portal (the app never does). */
async function jobAction(spId: string, jobId: string, action: 'pause' | 'start'): Promise<void> {
  const token = await lab.mintToken(HYBRID_ADMIN, ['Synchronization.ReadWrite.All']);
  const r = await createGraphSession({
    baseUrl: lab.info.graphBaseUrl,
    customHosts: [new URL(lab.info.graphBaseUrl).hostname],
    fetch: createHttpsFetch({ extraCa: [readFileSync(lab.info.caCertPath, 'utf8')] }),
    maxRetries: 0,
    tokenSource: async () => token,
  }).call(
    {
      method: 'POST',
      path: `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/${action}`,
      scopes: ['Synchronization.ReadWrite.All'],
    },
    () => null,
  );
  expect(r.ok).toBe(true);
}

describe('Cloud Sync against the lab: several configurations and paused jobs', () => {
  it('routes each domain to its own job by exact DomainFQDN', async () => {
    const cfgs = await configurations();
    expect(cfgs.map((c) => c.domain).sort()).toEqual(['adatum.com', 'emea.adatum.com', 'litware.com']);
    const route = (dn: string) => routeObject(dn, { cloudSync: cfgs, connectSync: [] });
    for (const [dn, domain] of [
      ['CN=A,OU=Partner Contacts,DC=adatum,DC=com', 'adatum.com'],
      ['CN=B,OU=Contacts,DC=litware,DC=com', 'litware.com'],
      ['CN=C,DC=emea,DC=adatum,DC=com', 'emea.adatum.com'],
    ] as const) {
      const r = route(dn);
      expect(r.engine).toBe('cloudSync');
      expect(r.cloudSync?.jobId).toBe(cfgs.find((c) => c.domain === domain)?.jobId);
    }
  });

  it('without DomainFQDN, the domain-named service principals still route; template-named ones make it "cannot tell"', async () => {
    lab.updateSettings({ cloudSyncJobDomainSetting: 'absent' });
    const named = await configurations();
    expect(named.every((c) => c.domainSource === 'displayName')).toBe(true);
    expect(routeObject('CN=B,OU=Contacts,DC=litware,DC=com', { cloudSync: named, connectSync: [] }).engine).toBe(
      'cloudSync',
    );
    lab.updateSettings({ cloudSyncServicePrincipalName: 'appDisplayName' });
    const unnamed = await configurations();
    expect(unnamed.every((c) => c.domain === null)).toBe(true);
    expect(routeObject('CN=B,OU=Contacts,DC=litware,DC=com', { cloudSync: unnamed, connectSync: [] }).engine).toBe(
      'unknown',
    );
  });

  it.each(CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS)(
    'paused (schedule %s): read as stopped, the log read once without waiting, the block not claimed',
    async (variant) => {
      lab.updateSettings({ cloudSyncPausedSchedule: variant });
      const cfg = (await configurations()).find((c) => c.domain === 'litware.com');
      if (!cfg) throw new Error('no litware configuration');
      await jobAction(cfg.servicePrincipalId, cfg.jobId, 'pause');
      try {
        const state = await getJobRunState(graph, cfg.servicePrincipalId, cfg.jobId);
        expect(state.ok && state.value.state).toBe('stopped');
        const ports: FlowPorts = {
          ipc: fakeIpc({}).ipc,
          graph,
          clock: realClock,
          tuning: DEFAULT_TUNING,
          newId: () => 'op',
        };
        const t0 = Date.now();
        const o = await observeCloudSync(
          ports,
          { configuration: cfg, rule: null, windows: cloudSyncWindows(ports), tuning: DEFAULT_CLOUD_SYNC_TUNING },
          { id: 'none', displayName: 'Nobody', mail: null, dn: 'CN=Nobody,OU=Contacts,DC=litware,DC=com' },
          new Date(Date.now() - 1000).toISOString(),
          (x) => x.kind !== 'unknown',
        );
        // the default bound is 10 minutes: returning at once means nothing was waited for
        expect(Date.now() - t0).toBeLessThan(60_000);
        expect(o.jobState?.state).toBe('stopped');
        const v = blockVerdict({ observation: o, cloudUnchanged: true, isCloudManaged: true });
        expect(v.verdict).toBe('warn');
        expect(v.observed).toMatch(/no scheduled cycle will run/);
      } finally {
        await jobAction(cfg.servicePrincipalId, cfg.jobId, 'start');
      }
      // the failing case: started again, the same job reads as running
      const again = await getJobRunState(graph, cfg.servicePrincipalId, cfg.jobId);
      expect(again.ok && again.value.state).toBe('running');
    },
  );
});

describe('a rollback takeover against a paused Cloud Sync job', () => {
  /** The lab's transferred litware.com contact (its SOA is in the cloud). */
  async function litwareContact(): Promise<{ id: string; displayName: string; mail: string | null; dn: string }> {
    const r = await lab.control('GET', '/objects?kind=contact&limit=1000');
    const rows = (
      r.body as {
        value: {
          id: string;
          displayName: string;
          mail: string | null;
          onPremisesDistinguishedName: string | null;
          soaState: string;
        }[];
      }
    ).value;
    const c = rows.find(
      (x) => /DC=litware,DC=com$/i.test(x.onPremisesDistinguishedName ?? '') && x.soaState === 'transferred',
    );
    if (!c?.onPremisesDistinguishedName) throw new Error('no transferred litware.com contact in the seed');
    return { id: c.id, displayName: c.displayName, mail: c.mail, dn: c.onPremisesDistinguishedName };
  }

  /** Ports whose `server.findOnPremContact` answers from the lab's AD (the pwsh half is cloud-sync-flow's). */
  function portsFor(): FlowPorts {
    const findOnPremContact = (input: unknown) => {
      const dn = (input as { dn?: string }).dn ?? '';
      const ad = lab
        .onPrem()
        .adObjectsUnder('DC=litware,DC=com')
        .find((o) => o.dn.toLowerCase() === dn.toLowerCase());
      return {
        matches: ad
          ? [
              {
                distinguishedName: ad.dn,
                objectGuid: ad.objectGuid,
                displayName: ad.attrs.displayName,
                mail: ad.attrs.mail,
                description: ad.attrs.description,
              },
            ]
          : [],
        via: 'activeDirectory',
      };
    };
    return {
      ipc: fakeIpc({ 'server.findOnPremContact': findOnPremContact }).ipc,
      graph,
      clock: realClock,
      tuning: DEFAULT_TUNING,
      newId: () => 'op',
    };
  }

  /** The litware job's configuration, contact rule and one litware contact, with a takeover context whose cycle
   * wait is 20 s at most and whose log is read every 300 ms. */
  async function litwareTakeover() {
    const cfg = (await configurations()).find((c) => c.domain === 'litware.com');
    if (!cfg) throw new Error('no litware configuration');
    const rule = await getProvisioningRule(graph, cfg.servicePrincipalId, cfg.jobId, 'contact');
    if (!rule.ok) throw new Error(rule.error.message);
    const target = await litwareContact();
    const ports = portsFor();
    const ctx: CloudSyncContext = {
      configuration: cfg,
      rule: rule.value,
      windows: cloudSyncWindows(ports),
      tuning: { ...DEFAULT_CLOUD_SYNC_TUNING, cycleBoundMs: 20_000, logPollIntervalMs: 300, logAfterOnDemandMs: 2000 },
    };
    return { cfg, target, ports, ctx };
  }

  it.each(CLOUD_SYNC_PAUSED_ON_DEMAND_VARIANTS)(
    'provisionOnDemand %s on a paused job: the takeover is never passed; started again, it passes',
    async (variant) => {
      lab.updateSettings({ cloudSyncPausedOnDemand: variant, cloudSyncCycleMs: 600_000 });
      const { cfg, target, ports, ctx } = await litwareTakeover();
      await jobAction(cfg.servicePrincipalId, cfg.jobId, 'pause');
      let since = new Date().toISOString();
      try {
        const rolledBack = await setCloudManaged(graph, 'contact', target.id, false);
        expect(rolledBack.ok).toBe(true);
        const paused = await stepVerifyTakeoverCloudSync(ports, ctx, target, since);
        expect(paused.observation.jobState?.state).toBe('stopped');
        expect(paused.ok).toBe(false);
        expect(paused.step.verdict).toBe('warn');
        expect(paused.step.observed).toMatch(
          variant === 'processes' ? /takeover is not complete/ : /The takeover has not happened/,
        );
      } finally {
        await jobAction(cfg.servicePrincipalId, cfg.jobId, 'start');
      }
      // the failing case: with the job running again, the same object's takeover passes
      since = new Date(Date.now() - 1000).toISOString();
      const running = await stepVerifyTakeoverCloudSync(ports, ctx, target, since);
      expect(running.observation.jobState?.state).toBe('running');
      expect(running.step.verdict).toBe('pass');
      // back to transferred for the next variant
      expect((await setCloudManaged(graph, 'contact', target.id, true)).ok).toBe(true);
    },
  );
  it.each(CLOUD_SYNC_QUARANTINE_VARIANTS.filter((v) => v !== 'none'))(
    'job in quarantine (%s): said plainly with what to do, the takeover never passed; lifted, it passes',
    async (variant) => {
      lab.updateSettings({ cloudSyncCycleMs: 600_000 });
      const { target, ports, ctx } = await litwareTakeover();
      lab.updateSettings({ cloudSyncQuarantine: variant });
      let since = new Date().toISOString();
      try {
        const rolledBack = await setCloudManaged(graph, 'contact', target.id, false);
        expect(rolledBack.ok).toBe(true);
        const q = await stepVerifyTakeoverCloudSync(ports, ctx, target, since);
        expect(q.observation.jobState?.state).toBe('quarantine');
        expect(q.ok).toBe(false);
        expect(q.step.verdict).toBe('warn');
        expect(q.step.observed).toMatch(/in quarantine .*reason EncounteredQuarantineException/);
        expect(q.step.observed).toMatch(/restart provisioning/);
        expect(q.step.observed).toMatch(
          variant === 'onDemandProcesses' ? /takeover is not complete/ : /The takeover has not happened/,
        );
      } finally {
        lab.updateSettings({ cloudSyncQuarantine: 'none' });
      }
      // the failing case: out of quarantine, the same object's takeover passes
      since = new Date(Date.now() - 1000).toISOString();
      const running = await stepVerifyTakeoverCloudSync(ports, ctx, target, since);
      expect(running.observation.jobState?.state).toBe('running');
      expect(running.step.verdict).toBe('pass');
      expect((await setCloudManaged(graph, 'contact', target.id, true)).ok).toBe(true);
    },
  );
});
