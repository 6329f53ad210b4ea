import { afterEach, describe, expect, it } from 'vitest';
import { createFixture, SEED, type Fixture } from './onprem-fixture.js';

let fx: Fixture;
let other: Fixture | undefined;
afterEach(() => {
  fx?.server.close();
  other?.server.close();
  other = undefined;
});

describe('host probes', () => {
  it('reports services, paths and versions', async () => {
    fx = createFixture();
    const r = await fx.call('GET', '/host/probe');
    expect(r.body).toMatchObject({
      Services: [
        { Name: 'ADSync', Status: 'Running' },
        { Name: 'AADConnectProvisioningAgent', Status: 'Running' },
        { Name: 'AADConnectAgentUpdater', Status: 'Running' },
      ],
      ADSyncParametersPath: 'C:\\Program Files\\Microsoft Azure AD Sync\\',
      ConnectSync: {
        MiiServerPath: 'C:\\Program Files\\Microsoft Azure AD Sync\\Bin\\miiserver.exe',
        FileVersion: '2.5.79.0',
      },
      UninstallEntries: [
        { DisplayName: 'Microsoft Entra Connect Sync', DisplayVersion: '2.5.79.0' },
        { DisplayName: 'Microsoft Entra Provisioning Agent', DisplayVersion: '1.1.1370.0' },
      ],
      CloudSyncAgent: { Version: '1.1.1370.0' },
      StagingModeEnabled: false,
    });
  });

  it('follows configure(): versions, no Cloud Sync agent, staging mode', async () => {
    fx = createFixture();
    const c = await fx.call(
      'POST',
      '/configuration',
      {},
      { connectSyncVersion: '2.4.129.0', cloudSyncAgentVersion: null, stagingMode: true },
    );
    expect(c.body).toMatchObject({ connectSyncVersion: '2.4.129.0', cloudSyncAgentVersion: null, stagingMode: true });
    const r = await fx.call('GET', '/host/probe');
    expect(r.body.Services).toEqual([
      { Name: 'ADSync', DisplayName: 'Microsoft Azure AD Sync', Status: 'Running', StartType: 'Automatic' },
    ]);
    expect(r.body.CloudSyncAgent).toBeNull();
    expect(r.body.UninstallEntries).toHaveLength(1);
    expect(r.body.ConnectSync.FileVersion).toBe('2.4.129.0');
    expect(r.body.StagingModeEnabled).toBe(true);
    const svc = await fx.call('GET', '/host/services', { Name: 'AADConnectProvisioningAgent' });
    expect(svc).toEqual({
      status: 404,
      body: {
        error: {
          type: 'Microsoft.PowerShell.Commands.ServiceCommandException',
          message: "Cannot find any service with service name 'AADConnectProvisioningAgent'.",
          fqid: 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand',
          category: 'ObjectNotFound',
        },
      },
    });
    expect((await fx.call('POST', '/configuration', {}, { bogus: 1 })).status).toBe(400);
  });
});

describe('snapshot and restore', () => {
  it('carries AD, connector space, run history, events and configuration over', async () => {
    fx = createFixture();
    await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.transferred.attrs.distinguishedName, Replace: { description: 'edited' } },
    );
    fx.tenant.rollback('contact', SEED.plain.anchor);
    await fx.cycle();
    fx.server.configure({ event6956Provider: 'Custom', syncCycleMs: 150 });
    const snap = JSON.parse(JSON.stringify(fx.server.snapshot()));

    other = createFixture();
    other.server.restore(snap);
    for (const path of ['/sync/run-history', '/sync/scheduler', '/configuration']) {
      expect((await other.call('GET', path)).body).toEqual((await fx.call('GET', path)).body);
    }
    const q = { Identity: SEED.transferred.attrs.distinguishedName };
    expect((await other.call('GET', '/ad/objects', q)).body).toEqual((await fx.call('GET', '/ad/objects', q)).body);
    const cs = { ConnectorName: 'contoso.onmicrosoft.com - AAD' };
    expect((await other.call('GET', '/sync/cs-objects', cs)).body).toEqual(
      (await fx.call('GET', '/sync/cs-objects', cs)).body,
    );
    expect((await other.call('GET', '/events')).body).toEqual((await fx.call('GET', '/events')).body);
    expect(JSON.parse(JSON.stringify(other.server.snapshot()))).toEqual(snap);

    // the restored server keeps working: the awaiting takeover completes on the next cycle there
    await other.cycle();
    expect(other.tenant.get('contact', SEED.plain.anchor).onPremisesSyncEnabled).toBe(true);
  });

  it('rejects a snapshot that is not one', () => {
    fx = createFixture();
    expect(() => fx.server.restore({ version: 2 })).toThrow(/Invalid on-prem snapshot/);
  });

  it('restoring during a cycle stops it', async () => {
    fx = createFixture();
    const snap = fx.server.snapshot();
    await fx.call('POST', '/sync/cycle');
    fx.server.restore(snap);
    expect((await fx.call('GET', '/sync/scheduler')).body.SyncCycleInProgress).toBe(false);
    expect((await fx.call('POST', '/sync/cycle')).status).toBe(200);
    await fx.waitIdle();
  });
});

describe('routing', () => {
  it('answers 404 and 405 in the error shape', async () => {
    fx = createFixture();
    expect((await fx.call('GET', '/nope')).body.error.fqid).toBe('LabNotFound');
    const m = await fx.call('DELETE', '/sync/scheduler');
    expect(m.status).toBe(405);
    expect((await fx.call('POST', '/sync/cycle', {}, { PolicyType: 'Sometimes' })).status).toBe(400);
  });
});
