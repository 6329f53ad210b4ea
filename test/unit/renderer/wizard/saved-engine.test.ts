import { describe, expect, it } from 'vitest';
import { savedWizardRun, type SavedWizardRun } from '../../../../src-main/ipc/contract';
import type { CloudSyncConfiguration, ProvisioningRule } from '../../../../src-renderer/lib/graph/cloud-sync-graph';
import {
  cloudSyncWindows,
  DEFAULT_CLOUD_SYNC_TUNING,
  type CloudSyncContext,
} from '../../../../src-renderer/lib/soa/cloud-sync-proof';
import { routeObject } from '../../../../src-renderer/lib/soa/sync-engine';
import { restoredEngine, savedEngineOf } from '../../../../src-renderer/wizard/saved-engine';

const ADATUM: CloudSyncConfiguration = {
  servicePrincipalId: 'sp-adatum',
  displayName: 'adatum.com',
  jobId: 'AD2AADProvisioning.adatum',
  domain: 'adatum.com',
  domainSource: 'jobSettings',
  forest: 'adatum.com',
  scheduleState: 'Active',
  statusCode: 'Active',
  interval: 'PT2M',
};
const RULE: ProvisioningRule = {
  ruleId: 'rule-1',
  objectTypeName: 'contact',
  objectTypeNames: ['contact', 'orgContact'],
  mappedTypes: ['user', 'group', 'contact'],
};
const CONNECTORS = [{ connector: 'contoso.com', partitions: ['DC=contoso,DC=com'] }];
const ADATUM_DN = 'CN=Ann,OU=Contacts,DC=adatum,DC=com';
const CONTOSO_DN = 'CN=Bob,OU=Contacts,DC=contoso,DC=com';
const windows = cloudSyncWindows({ clock: { now: () => new Date(0), sleep: () => Promise.resolve() } });

/** A run as main saves it and gives it back on resume: JSON through the contract schema. */
function savedRun(dn: string, engine: ReturnType<typeof savedEngineOf> | undefined): SavedWizardRun {
  const run = {
    runId: '6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f',
    kind: 'transfer',
    startedAt: '2026-12-02T01:00:00.000Z',
    index: 7,
    visited: 7,
    stepId: 'verify-server',
    stepTitle: 'Verify the Cloud Sync skip',
    object: { type: 'contact', id: 'c1', displayName: 'Ann', mail: null, dn },
    evidence: [],
    opIds: [],
    adProbe: null,
    ...(engine ? { engine } : {}),
    savedAt: '2026-12-02T01:01:00.000Z',
    status: 'open',
  };
  return savedWizardRun.parse(JSON.parse(JSON.stringify(run)));
}

describe('the engine saved with a wizard run', () => {
  it('a Cloud Sync route comes back with its configuration and rule, without detecting it again', () => {
    const route = routeObject(ADATUM_DN, { cloudSync: [ADATUM], connectSync: CONNECTORS });
    expect(route.engine).toBe('cloudSync');
    const context: CloudSyncContext = { configuration: ADATUM, rule: RULE, windows, tuning: DEFAULT_CLOUD_SYNC_TUNING };
    const back = restoredEngine(savedRun(ADATUM_DN, savedEngineOf(route, context)), windows, DEFAULT_CLOUD_SYNC_TUNING);
    expect(back?.route).toEqual(route);
    expect(back?.context?.configuration).toEqual(ADATUM);
    expect(back?.context?.rule).toEqual(RULE);
    // this session's request windows (5 per 10 s each), not a copy
    expect(back?.context?.windows).toBe(windows);
  });

  it('a Cloud Sync route whose rule could not be read comes back without one (provisionOnDemand not used)', () => {
    const route = routeObject(ADATUM_DN, { cloudSync: [ADATUM], connectSync: CONNECTORS });
    const context: CloudSyncContext = { configuration: ADATUM, rule: null, windows, tuning: DEFAULT_CLOUD_SYNC_TUNING };
    const back = restoredEngine(savedRun(ADATUM_DN, savedEngineOf(route, context)), windows, DEFAULT_CLOUD_SYNC_TUNING);
    expect(back?.context).not.toBeNull();
    expect(back?.context?.rule).toBeNull();
  });

  it('a Connect Sync route comes back with no Cloud Sync context (the Connect Sync steps run)', () => {
    const route = routeObject(CONTOSO_DN, { cloudSync: [ADATUM], connectSync: CONNECTORS });
    expect(route.engine).toBe('connectSync');
    const back = restoredEngine(savedRun(CONTOSO_DN, savedEngineOf(route, null)), windows, DEFAULT_CLOUD_SYNC_TUNING);
    expect(back?.route).toEqual(route);
    expect(back?.context).toBeNull();
  });

  it('a route that could not be told stays so (never restored as an engine it was not)', () => {
    const route = routeObject(ADATUM_DN, { cloudSync: [ADATUM, { ...ADATUM, jobId: 'J2' }], connectSync: CONNECTORS });
    expect(route.engine).toBe('unknown');
    const back = restoredEngine(savedRun(ADATUM_DN, savedEngineOf(route, null)), windows, DEFAULT_CLOUD_SYNC_TUNING);
    expect(back?.route.engine).toBe('unknown');
    expect(back?.context).toBeNull();
  });

  it('the failing case: a run saved without an engine is detected again (null), not guessed', () => {
    expect(restoredEngine(savedRun(ADATUM_DN, undefined), windows, DEFAULT_CLOUD_SYNC_TUNING)).toBeNull();
  });

  it('the schema refuses an engine kind it does not know', () => {
    const route = routeObject(CONTOSO_DN, { cloudSync: [], connectSync: CONNECTORS });
    const saved = savedEngineOf(route, null);
    expect(() => savedRun(CONTOSO_DN, { ...saved, route: { ...saved.route, engine: 'magic' as 'none' } })).toThrow();
  });
});
