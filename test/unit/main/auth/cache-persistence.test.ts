import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCachePersistence } from '../../../../src-main/auth/cache-persistence';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'soa-auth-cache-'));

describe('token cache persistence', () => {
  it('stays in memory and says why when msal-node-extensions is not installed (the real loader on this machine)', async () => {
    const dir = dataDir();
    const c = await createCachePersistence({ dataDir: dir });
    expect(c.persistence).toBe('memory');
    expect(c.plugin).toBeUndefined();
    expect(c.message).toMatch(/memory only/i);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('uses DPAPI (CurrentUser) on Windows when the extensions load', async () => {
    const seen: Record<string, unknown>[] = [];
    const fake = {
      DataProtectionScope: { CurrentUser: 'CurrentUser', LocalMachine: 'LocalMachine' },
      PersistenceCreator: {
        createPersistence: async (config: Record<string, unknown>) => {
          seen.push(config);
          return { kind: 'fake' };
        },
      },
      PersistenceCachePlugin: class {
        beforeCacheAccess = async () => undefined;
        afterCacheAccess = async () => undefined;
      },
    };
    const c = await createCachePersistence({ dataDir: dataDir(), platform: 'win32', loader: async () => fake });
    expect(c.persistence).toBe('dpapi');
    expect(c.plugin).toBeDefined();
    expect(seen[0]).toMatchObject({ dataProtectionScope: 'CurrentUser', usePlaintextFileOnLinux: false });
  });

  it('never falls back to plaintext: an unverifiable libsecret store means memory, with a message', async () => {
    const fake = {
      DataProtectionScope: { CurrentUser: 'CurrentUser' },
      PersistenceCreator: {
        createPersistence: async (config: Record<string, unknown>) => {
          expect(config.usePlaintextFileOnLinux).toBe(false);
          throw new Error('Persistence could not be verified');
        },
      },
      PersistenceCachePlugin: class {},
    };
    const dir = dataDir();
    const c = await createCachePersistence({ dataDir: dir, platform: 'linux', loader: async () => fake });
    expect(c.persistence).toBe('memory');
    expect(c.message).toMatch(/libsecret/);
    expect(c.message).toMatch(/never falls back to a plaintext file/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
