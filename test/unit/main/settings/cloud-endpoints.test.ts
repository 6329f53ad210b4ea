import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SettingsStore, defaultSettings } from '../../../../src-main/settings/settings-store';
import { nationalClouds } from '../../../../src-main/ipc/contract';
import {
  cloudEndpointProblem,
  externalUrlOrigins,
  nationalCloudOf,
} from '../../../../src-main/settings/cloud-endpoints';
import { createServices, type Services } from '../../../../src-main/services';
import { isAllowedExternalUrl } from '../../../../src-main/window-security';

const dirs: string[] = [];
const tmpDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'soa-cloud-'));
  dirs.push(d);
  return d;
};
const tmp = () => path.join(tmpDir(), 'settings.json');
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const LAB = { authorityHost: 'https://localhost:45123', graphEndpoint: 'https://localhost:45123' };

describe('settings accept only national-cloud endpoints unless custom cloud is on', () => {
  it('accepts each national cloud pair, in one change', async () => {
    const store = new SettingsStore(tmp());
    for (const c of nationalClouds) {
      await store.set({ authorityHost: c.authorityHost, graphEndpoint: c.graphEndpoint });
      expect(nationalCloudOf(store.get())).toEqual(c);
    }
    await store.set({
      authorityHost: 'https://login.microsoftonline.com/',
      graphEndpoint: 'https://graph.microsoft.com/',
    });
    expect(nationalCloudOf(store.get())?.label).toMatch(/Global/);
  });

  it.each([
    ['another host', { authorityHost: 'https://login.evil.example' }],
    ['another Graph host', { graphEndpoint: 'https://graph.evil.example' }],
    ['a look-alike suffix', { authorityHost: 'https://login.microsoftonline.com.evil.example' }],
    ['a port', { authorityHost: 'https://login.microsoftonline.com:8443' }],
    ['credentials', { authorityHost: 'https://user:pw@login.microsoftonline.com' }],
    ['a path', { graphEndpoint: 'https://graph.microsoft.com/evil' }],
    ['a query', { authorityHost: 'https://login.microsoftonline.com/?x=1' }],
    ['two clouds mixed', { graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn' }],
    ['the lab without being configured for it', LAB],
  ])('refuses %s and keeps the previous settings', async (_name, patch) => {
    const store = new SettingsStore(tmp());
    await expect(store.set(patch)).rejects.toMatchObject({ code: 'validation', message: /Custom cloud/ });
    expect(store.get()).toEqual(defaultSettings);
  });

  it('accepts another cloud only after the admin turns on custom cloud, and never plain http or credentials', async () => {
    const store = new SettingsStore(tmp());
    const custom = {
      authorityHost: 'https://login.sovereign.example',
      graphEndpoint: 'https://graph.sovereign.example',
    };
    await expect(store.set(custom)).rejects.toMatchObject({ code: 'validation' });
    await store.set({ ...custom, customCloud: true });
    expect(store.get()).toMatchObject({ ...custom, customCloud: true });
    await expect(store.set({ customCloud: false })).rejects.toMatchObject({ code: 'validation' });
    await expect(store.set({ authorityHost: 'https://u:p@login.sovereign.example' })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(store.set({ graphEndpoint: 'http://graph.sovereign.example' })).rejects.toThrow();
    await store.set({ ...nationalClouds[0]!, customCloud: false });
    expect(store.get().customCloud).toBe(false);
  });

  it('accepts the lab endpoints the run was configured with, and other changes alongside them', async () => {
    const store = new SettingsStore(tmp(), { tenant: 'lab-tenant', ...LAB });
    await store.set({ tenant: 'contoso.onmicrosoft.com', auditPollMinutes: 10 });
    expect(store.get()).toMatchObject({ ...LAB, tenant: 'contoso.onmicrosoft.com' });
    await expect(store.set({ authorityHost: 'https://localhost:9' })).rejects.toMatchObject({ code: 'validation' });
  });

  it('falls back to the global cloud when the stored file names another host without custom cloud', () => {
    const file = tmp();
    writeFileSync(
      file,
      JSON.stringify({
        tenant: 'contoso.com',
        authorityHost: 'https://login.evil.example',
        graphEndpoint: 'https://graph.microsoft.com',
      }),
    );
    const s = new SettingsStore(file).get();
    expect(s).toMatchObject({ tenant: 'contoso.com', authorityHost: defaultSettings.authorityHost });
    expect(s.graphEndpoint).toBe(defaultSettings.graphEndpoint);
    expect(readFileSync(file, 'utf8')).toContain('evil');
  });

  it('keeps a stored custom cloud the admin turned on', () => {
    const file = tmp();
    const custom = {
      authorityHost: 'https://login.sovereign.example',
      graphEndpoint: 'https://graph.sovereign.example',
    };
    writeFileSync(file, JSON.stringify({ ...custom, customCloud: true }));
    expect(new SettingsStore(file).get()).toMatchObject({ ...custom, customCloud: true });
  });

  it('says what to do in the refusal', () => {
    const problem = cloudEndpointProblem({
      authorityHost: 'https://login.evil.example',
      graphEndpoint: 'https://graph.microsoft.com',
      customCloud: false,
    });
    expect(problem).toMatch(/login\.microsoftonline\.us with https:\/\/dod-graph\.microsoft\.us/);
    expect(problem).toMatch(/turn on "Custom cloud" in Settings/);
  });
});

describe('the openExternal allow-list comes only from validated settings', () => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.dispose();
    services = undefined;
  });

  it('a renderer cannot widen it by setting a foreign authority', async () => {
    services = createServices({ transport: 'browser', dataDir: tmpDir(), validateSender: () => true });
    const sender = { kind: 'bridge', remoteAddress: '127.0.0.1' } as const;
    const r = await services.router.dispatch(
      'settings.set',
      { authorityHost: 'https://phish.example' },
      sender,
      () => {},
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'validation' } });
    const origins = externalUrlOrigins(services.settings.get());
    expect(origins).toEqual(['https://login.microsoftonline.com']);
    expect(isAllowedExternalUrl('https://phish.example/common/oauth2/v2.0/authorize', origins)).toBe(false);
    expect(isAllowedExternalUrl('https://login.microsoftonline.com/common/oauth2/v2.0/authorize', origins)).toBe(true);
  });
});
