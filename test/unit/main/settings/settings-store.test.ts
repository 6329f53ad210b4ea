import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SettingsStore, defaultSettings } from '../../../../src-main/settings/settings-store';

const tmp = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'soa-settings-')), 'settings.json');

describe('SettingsStore', () => {
  it('starts from defaults and persists validated changes atomically', async () => {
    const file = tmp();
    const store = new SettingsStore(file);
    expect(store.get()).toEqual(defaultSettings);
    await store.set({ tenant: 'contoso.onmicrosoft.com', auditPollMinutes: 45 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      tenant: 'contoso.onmicrosoft.com',
      auditPollMinutes: 45,
    });
    expect(new SettingsStore(file).get().tenant).toBe('contoso.onmicrosoft.com');
  });

  it('refuses invalid values and keeps the previous settings', async () => {
    const store = new SettingsStore(tmp());
    await expect(store.set({ authorityHost: 'http://login.example' })).rejects.toThrow();
    await expect(store.set({ clientId: 'not-a-guid' })).rejects.toThrow();
    expect(store.get()).toEqual(defaultSettings);
  });

  it('falls back to defaults (not a crash) when the file is damaged', () => {
    const file = tmp();
    writeFileSync(file, '{"tenant": 42, ');
    expect(new SettingsStore(file).get()).toEqual(defaultSettings);
  });

  it('applies run overrides without writing them, and tells listeners about changes', async () => {
    const file = tmp();
    const store = new SettingsStore(file, { tenant: 'lab-tenant' });
    expect(store.get().tenant).toBe('lab-tenant');
    const seen: string[] = [];
    store.onChange((next, previous) => {
      seen.push(`${previous.tenant}→${next.tenant}`);
    });
    await store.set({ tenant: 'fabrikam.com' });
    expect(seen).toEqual(['lab-tenant→fabrikam.com']);
  });
});
