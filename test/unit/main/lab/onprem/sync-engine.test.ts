import { afterEach, describe, expect, it } from 'vitest';
import { createFixture, SEED, type Fixture, type Json } from './onprem-fixture.js';

const AAD = 'contoso.onmicrosoft.com - AAD';
const BUSY_MESSAGE =
  'System.InvalidOperationException: Connector: contoso.onmicrosoft.com - AAD is busy.\r\n   at Microsoft.MetadirectoryServices.Scheduler.Scheduler.StartSyncCycle(String overridePolicy, Boolean interactiveMode)';

let fx: Fixture;
afterEach(() => fx?.server.close());

const attr = (cs: Json, name: string): string[] =>
  (cs.Attributes as { Name: string; Values: string[] }[]).find((a) => a.Name === name)?.Values ?? ['<missing>'];

async function entraCs(f: Fixture, anchor: string): Promise<Json> {
  const ad = await f.call('GET', '/sync/cs-objects', {
    ConnectorName: 'contoso.com',
    DistinguishedName: Object.values(SEED).find((o) => o.anchor === anchor)?.attrs.distinguishedName ?? '',
  });
  const mv = await f.call('GET', '/sync/mv-objects', { Identifier: ad.body.value[0].ConnectedMVObjectId });
  const link = (mv.body.value[0].Lineage as Json[]).find((l) => String(l.ConnectorName).endsWith('AAD'));
  const cs = await f.call('GET', '/sync/cs-objects', {
    ConnectorName: link.ConnectorName,
    DistinguishedName: link.ConnectedCsObjectDN,
  });
  return cs.body.value[0];
}

/** ExportAdd + ExportUpdate of the newest Export run of the Entra connector (Get-ADSyncRunProfileResult -RunStepDetails). */
async function lastExportUpdates(f: Fixture): Promise<number> {
  const runs = (await f.call('GET', '/sync/run-history', { RunStepDetails: 'true' })).body.value as Json[];
  const run = runs.find((r) => r.ConnectorName === AAD && r.RunProfileName === 'Export');
  const step = (run?.RunStepResults as Json[] | undefined)?.[0];
  return Number(step?.ExportAdd ?? NaN) + Number(step?.ExportUpdate ?? NaN);
}

describe('scheduler and connectors', () => {
  it('reports the Get-ADSyncScheduler properties', async () => {
    fx = createFixture();
    const r = await fx.call('GET', '/sync/scheduler');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(
      [
        'AllowedSyncCycleInterval',
        'CurrentlyEffectiveSyncCycleInterval',
        'CustomizedSyncCycleInterval',
        'MaintenanceEnabled',
        'NextSyncCyclePolicyType',
        'NextSyncCycleStartTimeInUTC',
        'PurgeRunHistoryInterval',
        'SchedulerSuspended',
        'StagingModeEnabled',
        'SyncCycleEnabled',
        'SyncCycleInProgress',
      ].sort(),
    );
    expect(r.body).toMatchObject({
      AllowedSyncCycleInterval: '00:30:00',
      CurrentlyEffectiveSyncCycleInterval: '00:30:00',
      CustomizedSyncCycleInterval: null,
      NextSyncCyclePolicyType: 'Delta',
      PurgeRunHistoryInterval: '7.00:00:00',
      SyncCycleEnabled: true,
      StagingModeEnabled: false,
      SchedulerSuspended: false,
      SyncCycleInProgress: false,
    });
    expect(r.body.NextSyncCycleStartTimeInUTC).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('sets the scheduler like Set-ADSyncScheduler and rejects an interval below the allowed one', async () => {
    fx = createFixture();
    const r = await fx.call(
      'POST',
      '/sync/scheduler',
      {},
      { CustomizedSyncCycleInterval: '01:00:00', SyncCycleEnabled: false },
    );
    expect(r.body).toMatchObject({
      CustomizedSyncCycleInterval: '01:00:00',
      CurrentlyEffectiveSyncCycleInterval: '01:00:00',
      SyncCycleEnabled: false,
    });
    const bad = await fx.call('POST', '/sync/scheduler', {}, { CustomizedSyncCycleInterval: '00:10:00' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.type).toBe('System.ArgumentException');
  });

  it('lists both connectors with their run profiles', async () => {
    fx = createFixture();
    const r = await fx.call('GET', '/sync/connectors');
    const [ad, aad] = r.body.value;
    expect(ad).toMatchObject({ Name: 'contoso.com', ConnectorTypeName: 'AD' });
    expect(aad).toMatchObject({
      Name: AAD,
      ConnectorTypeName: 'Extensible2',
      Identifier: 'b891884f-051e-4a83-95af-2544101c9083',
    });
    for (const c of [ad, aad]) {
      expect((c.RunProfiles as Json[]).map((p) => p.Name)).toEqual([
        'Full Import',
        'Delta Import',
        'Full Synchronization',
        'Delta Synchronization',
        'Export',
      ]);
      for (const p of c.RunProfiles) expect(p.Identifier).toMatch(/^[0-9a-f-]{36}$/);
    }
    const one = await fx.call('GET', '/sync/connectors', { Name: AAD });
    expect(one.body.value).toHaveLength(1);
    const none = await fx.call('GET', '/sync/connectors', { Name: 'nope' });
    expect(none.status).toBe(404);
  });
});

describe('sync cycle', () => {
  it('starts, is busy while running, and leaves run history newest first', async () => {
    fx = createFixture();
    const start = await fx.call('POST', '/sync/cycle', {}, { PolicyType: 'Delta' });
    expect(start).toEqual({ status: 200, body: { Result: 'Success' } });

    const status = await fx.call('GET', '/sync/run-status');
    expect(status.body).toEqual({ value: [{ RunState: 'Busy', ConnectorName: 'contoso.com' }] });
    expect((await fx.call('GET', '/sync/scheduler')).body.SyncCycleInProgress).toBe(true);

    const busy = await fx.call('POST', '/sync/cycle', {}, { PolicyType: 'Delta' });
    expect(busy.status).toBe(409);
    expect(busy.body).toEqual({
      error: {
        type: 'System.InvalidOperationException',
        message: BUSY_MESSAGE,
        fqid: 'System.InvalidOperationException,Microsoft.IdentityManagement.PowerShell.Cmdlet.StartADSyncSyncCycleCmdlet',
        category: 'WriteError',
      },
    });

    await fx.waitIdle();
    expect((await fx.call('GET', '/sync/run-status')).body).toEqual({ value: [] });
    const runs = (await fx.call('GET', '/sync/run-history')).body.value as Json[];
    expect(runs.map((r) => `${r.ConnectorName}|${r.RunProfileName}`)).toEqual([
      `${AAD}|Delta Import`,
      `${AAD}|Export`,
      'contoso.com|Delta Synchronization',
      'contoso.com|Delta Import',
    ]);
    for (const r of runs) {
      expect(r).toMatchObject({
        Username: 'NT SERVICE\\ADSync',
        IsRunComplete: true,
        Result: 'success',
        RunNumber: 1,
        CurrentStepNumber: 1,
        TotalSteps: 1,
      });
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(['RunHistoryId', 'ConnectorId', 'RunProfileId', 'StartDate', 'EndDate']),
      );
      expect(Date.parse(r.EndDate)).toBeGreaterThanOrEqual(Date.parse(r.StartDate));
    }
    expect(Date.parse(runs[0].StartDate)).toBeGreaterThan(Date.parse(runs[3].StartDate));

    // filters of Get-ADSyncRunProfileResult
    const connectors = (await fx.call('GET', '/sync/connectors')).body.value as Json[];
    const aad = connectors[1];
    const exportProfile = (aad.RunProfiles as Json[]).find((p) => p.Name === 'Export');
    const exp = await fx.call('GET', '/sync/run-history', {
      ConnectorId: aad.Identifier,
      RunProfileId: exportProfile.Identifier,
    });
    expect(exp.body.value).toHaveLength(1);
    expect((await fx.call('GET', '/sync/run-history', { NumberRequested: '1' })).body.value[0].RunProfileName).toBe(
      'Delta Import',
    );

    // the next cycle counts run numbers per connector and profile; the scheduler's policy stays Delta
    await fx.cycle();
    const again = (await fx.call('GET', '/sync/run-history', { NumberRequested: '1' })).body.value[0];
    expect(again.RunNumber).toBe(2);
  });

  it('names the full run profiles on an Initial cycle', async () => {
    fx = createFixture();
    await fx.cycle('Initial');
    const runs = (await fx.call('GET', '/sync/run-history')).body.value as Json[];
    expect(runs.map((r) => r.RunProfileName)).toEqual(['Full Import', 'Export', 'Full Synchronization', 'Full Import']);
  });

  it('exports a change to a synced object and writes Event 6956 for a transferred one, leaving the cloud object alone', async () => {
    fx = createFixture();
    const synced = await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.synced.attrs.distinguishedName, Replace: { department: 'changed on-prem' } },
    );
    expect(synced.status).toBe(200);
    const tr = await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.transferred.attrs.distinguishedName, Replace: { department: 'AD edit after transfer' } },
    );
    expect(tr.status).toBe(200);

    // before the cycle: the change is only in AD
    expect(fx.tenant.get('contact', SEED.synced.anchor).attrs.department).not.toBe('changed on-prem');
    await fx.cycle();

    expect(fx.tenant.get('contact', SEED.synced.anchor).attrs.department).toBe('changed on-prem');
    expect(fx.tenant.get('contact', SEED.transferred.anchor).attrs.department).not.toBe('AD edit after transfer');
    expect(fx.tenant.writes.map((w) => w.anchor)).toEqual([SEED.synced.anchor]);

    const ev = await fx.call('GET', '/events', { LogName: 'Application', Id: '6956' });
    expect(ev.status).toBe(200);
    expect(ev.body.value).toHaveLength(1);
    const e = ev.body.value[0];
    expect(e).toMatchObject({
      Id: 6956,
      ProviderName: 'ADSync',
      LogName: 'Application',
      Level: 3,
      LevelDisplayName: 'Warning',
      Message:
        'The object CN=Bianca Pisani,OU=Contacts,DC=contoso,DC=com has not been synced to the cloud because the source of authority of the object is in the cloud.',
      Properties: [{ Value: 'CN=Bianca Pisani,OU=Contacts,DC=contoso,DC=com' }],
    });
    expect(/^The object (.+) has not been synced to the cloud because/.exec(e.Message)?.[1]).toBe(
      SEED.transferred.attrs.distinguishedName,
    );

    const cs = await entraCs(fx, SEED.transferred.anchor);
    expect(attr(cs, 'blockOnPremisesSync')).toEqual(['True']);
    expect(cs).not.toHaveProperty('ExportState');

    // a later cycle without AD changes raises no new 6956
    await fx.cycle();
    expect((await fx.call('GET', '/events', { Id: '6956' })).body.value).toHaveLength(1);
  });

  it('exports a contact description change (and raises 6956) only with the SharePoint Online attribute set', async () => {
    fx = createFixture();
    const set = (dn: string, v: string) =>
      fx.call('POST', '/ad/objects/set', {}, { Identity: dn, Replace: { description: v } });
    await set(SEED.synced.attrs.distinguishedName, 'not flowing');
    await set(SEED.transferred.attrs.distinguishedName, 'not flowing either');
    await fx.cycle();
    expect(fx.tenant.writes.map((w) => w.anchor)).not.toContain(SEED.synced.anchor);
    expect((await fx.call('GET', '/events', { Id: '6956' })).status).not.toBe(200);

    await fx.call('POST', '/configuration', {}, { sharePointAttributeSet: true });
    await set(SEED.synced.attrs.distinguishedName, 'flowing now');
    await set(SEED.transferred.attrs.distinguishedName, 'flowing now too');
    await fx.cycle();
    expect(fx.tenant.writes.map((w) => w.anchor)).toContain(SEED.synced.anchor);
    expect(fx.tenant.writes.map((w) => w.anchor)).not.toContain(SEED.transferred.anchor);
    expect((await fx.call('GET', '/events', { Id: '6956' })).body.value).toHaveLength(1);
    const rules = (await fx.call('GET', '/sync/rules')).body.value as Json[];
    const out = rules.find((r) => r.Name === 'Out to AAD - Contact Join');
    expect((out?.AttributeFlowMappings as Json[]).map((f) => f.Destination)).toContain('description');
  });

  it('uses the configured Event 6956 provider', async () => {
    fx = createFixture({ event6956Provider: 'Microsoft Azure AD Sync' });
    await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.transferred.objectGuid, Replace: { department: 'Sales' } },
    );
    await fx.cycle();
    const ev = await fx.call('GET', '/events', { ProviderName: 'Microsoft Azure AD Sync', Id: '6956' });
    expect(ev.body.value[0].ProviderName).toBe('Microsoft Azure AD Sync');
    // after a provider change, the old provider's events can still be queried
    fx.server.configure({ event6956Provider: 'ADSync' });
    expect((await fx.call('GET', '/events', { ProviderName: 'Microsoft Azure AD Sync' })).status).toBe(200);
  });

  it('keeps blockOnPremisesSync in step with the tenant and takes a rolled-back object over in two cycles', async () => {
    fx = createFixture();
    // a synced object is transferred in the cloud: the next cycle shows blockOnPremisesSync True
    expect(attr(await entraCs(fx, SEED.plain.anchor), 'blockOnPremisesSync')).toEqual(['False']);
    fx.tenant.transfer('contact', SEED.plain.anchor);
    await fx.cycle();
    expect(attr(await entraCs(fx, SEED.plain.anchor), 'blockOnPremisesSync')).toEqual(['True']);

    // rollback: cycle 1 → awaiting export confirmation, cycle 2 → synced again
    fx.tenant.rollback('contact', SEED.plain.anchor);
    await fx.cycle();
    let cs = await entraCs(fx, SEED.plain.anchor);
    // the real connector-space object has no export state: the Entra connector's Export run shows it
    expect(cs).not.toHaveProperty('ExportState');
    expect(await lastExportUpdates(fx)).toBeGreaterThan(0);
    expect(attr(cs, 'blockOnPremisesSync')).toEqual(['False']);
    expect(fx.tenant.get('contact', SEED.plain.anchor).onPremisesSyncEnabled).toBeNull();

    await fx.cycle();
    cs = await entraCs(fx, SEED.plain.anchor);
    expect(await lastExportUpdates(fx)).toBe(0);
    expect(attr(cs, 'blockOnPremisesSync')).toEqual(['False']);
    expect(fx.tenant.get('contact', SEED.plain.anchor).onPremisesSyncEnabled).toBe(true);
    // the seeded rolled-back-pending object went the same way
    expect(fx.tenant.get('contact', SEED.rolledBack.anchor).onPremisesSyncEnabled).toBe(true);
  });

  it('with takeoverDelayCycles = 2 leaves a rolled-back object as it was for two cycles, then takes it over in two', async () => {
    fx = createFixture();
    fx.tenant.transfer('contact', SEED.plain.anchor);
    await fx.cycle();
    const set = await fx.call('POST', '/configuration', {}, { takeoverDelayCycles: 2 });
    expect(set.body).toMatchObject({ takeoverDelayCycles: 2 });
    fx.tenant.rollback('contact', SEED.plain.anchor);
    const seen: { block: string[]; synced: boolean | null }[] = [];
    for (let i = 0; i < 4; i++) {
      await fx.cycle();
      seen.push({
        block: attr(await entraCs(fx, SEED.plain.anchor), 'blockOnPremisesSync'),
        synced: fx.tenant.get('contact', SEED.plain.anchor).onPremisesSyncEnabled,
      });
    }
    expect(seen).toEqual([
      { block: ['True'], synced: null }, // delay 1: the sync client has not acted on the rollback
      { block: ['True'], synced: null }, // delay 2
      { block: ['False'], synced: null }, // the takeover export, awaiting confirmation
      { block: ['False'], synced: true }, // confirmed: synced from AD again
    ]);
    // a later rollback waits again (the delay counts from the cycle that first met each rollback)
    fx.tenant.transfer('contact', SEED.plain.anchor);
    await fx.cycle();
    fx.tenant.rollback('contact', SEED.plain.anchor);
    await fx.cycle();
    expect(attr(await entraCs(fx, SEED.plain.anchor), 'blockOnPremisesSync')).toEqual(['True']);
    expect((await fx.call('POST', '/configuration', {}, { takeoverDelayCycles: -1 })).status).toBe(400);
  });

  it('imports and syncs but does not export in staging mode', async () => {
    fx = createFixture();
    fx.server.configure({ stagingMode: true });
    expect((await fx.call('GET', '/sync/scheduler')).body.StagingModeEnabled).toBe(true);
    await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.synced.attrs.distinguishedName, Replace: { mail: 'alex@fabrikam.example' } },
    );
    const start = await fx.call('POST', '/sync/cycle');
    expect(start.body).toEqual({ Result: 'Success' });
    await fx.waitIdle();
    const runs = (await fx.call('GET', '/sync/run-history')).body.value as Json[];
    expect(runs.map((r) => r.RunProfileName)).toEqual(['Delta Import', 'Delta Synchronization', 'Delta Import']);
    expect(fx.tenant.writes).toEqual([]);
    const cs = await entraCs(fx, SEED.synced.anchor);
    const stats = await fx.call('GET', '/sync/connector-statistics', {
      ConnectorName: 'contoso.onmicrosoft.com - AAD',
    });
    expect(stats.body).toMatchObject({ ExportAdds: 0, ExportDeletes: 0 });
    expect(stats.body.ExportUpdates).toBeGreaterThanOrEqual(1);
    expect(attr(cs, 'mail')).toEqual(['alex@fabrikam.example']);

    // leaving staging mode exports what was pending
    fx.server.configure({ stagingMode: false });
    await fx.cycle();
    expect(fx.tenant.get('contact', SEED.synced.anchor).attrs.mail).toBe('alex@fabrikam.example');
  });

  it('reports export errors when the cloud object is gone', async () => {
    fx = createFixture();
    fx.tenant.objects.delete(`contact:${SEED.plain.anchor}`);
    await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.plain.attrs.distinguishedName, Replace: { department: 'x' } },
    );
    await fx.cycle();
    const runs = (await fx.call('GET', '/sync/run-history')).body.value as Json[];
    expect(runs.find((r) => r.RunProfileName === 'Export')?.Result).toBe('completed-export-errors');
    const cs = await entraCs(fx, SEED.plain.anchor);
    expect(cs.HasExportError).toBe(true);
    expect(cs.ExportError).toMatchObject({ ErrorType: 'ExportFailure', RetryCount: 0 });
  });
});

describe('connector space and metaverse', () => {
  it('follows the lineage AD CS → MV → Entra CS with the real property names', async () => {
    fx = createFixture();
    const ad = await fx.call('GET', '/sync/cs-objects', {
      ConnectorName: 'contoso.com',
      DistinguishedName: SEED.synced.attrs.distinguishedName.toUpperCase(),
    });
    expect(ad.body.value).toHaveLength(1);
    const adCs = ad.body.value[0];
    expect(Object.keys(adCs)).toEqual(
      expect.arrayContaining([
        'ObjectId',
        'ConnectorId',
        'ConnectorName',
        'ConnectorType',
        'PartitionId',
        'DistinguishedName',
        'AnchorValue',
        'ObjectType',
        'IsTransient',
        'IsPlaceHolder',
        'IsConnector',
        'HasSyncError',
        'HasExportError',
        'ExportError',
        'SynchronizationError',
        'ConnectedMVObjectId',
        'Lineage',
        'Attributes',
      ]),
    );
    expect(adCs).toMatchObject({
      ConnectorName: 'contoso.com',
      ConnectorType: 'AD',
      ObjectType: 'contact',
      DistinguishedName: SEED.synced.attrs.distinguishedName,
    });
    expect(adCs.ConnectedMVObjectId).not.toBe('00000000-0000-0000-0000-000000000000');
    expect(attr(adCs, 'memberOf')).toEqual(['CN=Sales Contacts,OU=Groups,DC=contoso,DC=com']);
    const a0 = (adCs.Attributes as Json[])[0];
    expect(Object.keys(a0)).toEqual([
      'Name',
      'Type',
      'IsMultiValued',
      'SyncRuleName',
      'ConnectorName',
      'LineageId',
      'LastModificationTime',
      'Values',
    ]);

    const mv = (await fx.call('GET', '/sync/mv-objects', { Identifier: adCs.ConnectedMVObjectId })).body.value[0];
    expect(mv.ObjectId).toBe(adCs.ConnectedMVObjectId);
    expect(mv).not.toHaveProperty('ObjectType');
    expect(mv.Lineage).toHaveLength(2);
    expect(mv.Lineage[0]).toEqual({
      LineageId: '00000000-0000-0000-0000-000000000000',
      ConnectorId: adCs.ConnectorId,
      ConnectorName: 'contoso.com',
      ConnectedCsObjectId: adCs.ObjectId,
      ConnectedCsObjectDN: SEED.synced.attrs.distinguishedName,
    });
    const link = mv.Lineage[1];
    const hex = Buffer.from(SEED.synced.anchor, 'ascii').toString('hex').toUpperCase();
    expect(link).toMatchObject({ ConnectorName: 'contoso.onmicrosoft.com - AAD', ConnectedCsObjectDN: `CN={${hex}}` });

    const aadCs = (
      await fx.call('GET', '/sync/cs-objects', {
        ConnectorName: link.ConnectorName,
        DistinguishedName: link.ConnectedCsObjectDN,
      })
    ).body.value[0];
    expect(aadCs).toMatchObject({
      ObjectId: link.ConnectedCsObjectId,
      ConnectorType: 'Extensible2',
      ConnectedMVObjectId: mv.ObjectId,
      HasExportError: false,
    });
    expect(attr(aadCs, 'cloudAnchor')).toEqual([`Contact_${SEED.synced.cloudId}`]);
    expect(attr(aadCs, 'sourceAnchor')).toEqual([SEED.synced.anchor]);
    expect(attr(aadCs, 'cloudMastered')).toEqual(['False']);
    expect(attr(aadCs, 'blockOnPremisesSync')).toEqual(['False']);
    expect((aadCs.Attributes as Json[]).find((a) => a.Name === 'blockOnPremisesSync')).toMatchObject({
      Type: 'Boolean',
      IsMultiValued: false,
    });

    // -Identifier, -ConnectorIdentifier and paging
    expect(
      (await fx.call('GET', '/sync/cs-objects', { Identifier: aadCs.ObjectId })).body.value[0].DistinguishedName,
    ).toBe(link.ConnectedCsObjectDN);
    const page = await fx.call('GET', '/sync/cs-objects', {
      ConnectorIdentifier: 'b891884f-051e-4a83-95af-2544101c9083',
      StartIndex: '1',
      MaxResultCount: '2',
    });
    expect(page.body.value).toHaveLength(2);
    // the transferred seed object starts with blockOnPremisesSync True
    expect(attr(await entraCs(fx, SEED.transferred.anchor), 'blockOnPremisesSync')).toEqual(['True']);
  });

  it('returns empty lists for unknown DNs and ids, 404 for an unknown connector', async () => {
    fx = createFixture();
    expect(
      (
        await fx.call('GET', '/sync/cs-objects', {
          ConnectorName: 'contoso.com',
          DistinguishedName: 'CN=Nobody,DC=contoso,DC=com',
        })
      ).body,
    ).toEqual({ value: [] });
    expect(
      (await fx.call('GET', '/sync/mv-objects', { Identifier: '00000000-0000-0000-0000-000000000000' })).body,
    ).toEqual({ value: [] });
    const r = await fx.call('GET', '/sync/cs-objects', { ConnectorName: 'fabrikam.com' });
    expect(r.status).toBe(404);
    expect(r.body.error.fqid).toBe(
      'System.ArgumentException,Microsoft.IdentityManagement.PowerShell.Cmdlet.GetADSyncCSObjectCmdlet',
    );
  });
});
