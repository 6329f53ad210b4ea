/**
 * The server.* handlers through the real router (input and output validated against the contract),
 * the way both transports call them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import { Router } from '../../../src-main/ipc/router';
import type { ProgressEvent } from '@contract';
import { SettingsStore } from '../../../src-main/settings/settings-store';
import { syncModule } from '../../../src-main/sync/sync-module';
import { labPowerShellConfig } from '../../../src-main/powershell/lab-config';
import type { ServiceConfig, ServiceModule } from '../../../src-main/service-module';

let lab: LabHandle;
let mod: ServiceModule;
let router: Router;
let dir: string;
const sender = { kind: 'bridge', remoteAddress: '127.0.0.1' } as const;

beforeAll(async () => {
  lab = await startLab({ seed: 1, speed: 'fast', contacts: 8 });
  dir = mkdtempSync(path.join(tmpdir(), 'soa-sync-module-'));
  const config: ServiceConfig = {
    transport: 'browser',
    dataDir: dir,
    powershell: labPowerShellConfig(lab.info),
    validateSender: () => true,
  };
  const settings = new SettingsStore(path.join(dir, 'settings.json'));
  mod = syncModule({ config, settings });
  router = new Router({ validateSender: () => true }).register(mod.handlers);
});
afterAll(async () => {
  await mod?.dispose?.();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('server.* through the router', () => {
  it('answers environment and scheduler with contract-valid results', async () => {
    const e = await router.dispatch('server.environment', {}, sender, () => {});
    expect(e.ok).toBe(true);
    const s = await router.dispatch('server.scheduler', {}, sender, () => {});
    expect(s).toMatchObject({ ok: true, value: { syncCycleEnabled: true } });
  });

  it('streams progress for runSyncCycle and returns contract-valid run results', async () => {
    const events: ProgressEvent[] = [];
    const operationId = crypto.randomUUID();
    const r = await router.dispatch(
      'server.runSyncCycle',
      { operationId, policyType: 'Delta', timeoutSeconds: 60 },
      sender,
      (e) => events.push(e),
    );
    expect(r).toMatchObject({ ok: true, value: { status: 'completed' } });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.operationId === operationId && e.operation === 'server.runSyncCycle')).toBe(true);
  });

  it('cancels runSyncCycle through app.cancel', async () => {
    const operationId = crypto.randomUUID();
    const p = router.dispatch(
      'server.runSyncCycle',
      { operationId, policyType: 'Delta', timeoutSeconds: 60 },
      sender,
      (e) => {
        const data = e.data as { phase?: string };
        if (data.phase === 'running') void router.dispatch('app.cancel', { operationId }, sender, () => {});
      },
    );
    expect(await p).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    await router.dispatch(
      'server.waitForSyncCycle',
      { operationId: crypto.randomUUID(), t0: new Date().toISOString(), timeoutSeconds: 60 },
      sender,
      () => {},
    );
  });

  it('returns typed errors and validation failures', async () => {
    const trace = await router.dispatch('server.traceObject', { dn: 'CN=Nobody,DC=contoso,DC=com' }, sender, () => {});
    expect(trace).toMatchObject({ ok: true, value: { status: 'unknownDn' } });
    const events = await router.dispatch('server.events6956', { since: new Date().toISOString() }, sender, () => {});
    expect(events).toMatchObject({ ok: true, value: { events: [] } });
    const noConfirm = await router.dispatch(
      'server.touchOnPremObject',
      { dn: 'CN=x,DC=contoso,DC=com', confirm: false, description: 'x' },
      sender,
      () => {},
    );
    expect(noConfirm).toMatchObject({ ok: false, error: { code: 'validation' } });
    const missing = await router.dispatch(
      'server.touchOnPremObject',
      { dn: 'CN=Nobody,OU=Contacts,DC=contoso,DC=com', confirm: true, description: 'x' },
      sender,
      () => {},
    );
    // Never looked up for this run: refused before PowerShell is asked to change anything.
    expect(missing).toMatchObject({ ok: false, error: { code: 'refused' } });
    const find = await router.dispatch('server.findOnPremContact', {}, sender, () => {});
    expect(find).toMatchObject({ ok: false, error: { code: 'validation' } });
  });
});
