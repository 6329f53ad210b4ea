/**
 * Token-cache persistence through the optional `@azure/msal-node-extensions`:
 * DPAPI (CurrentUser) on Windows, Keychain on macOS, libsecret on Linux. When the package is absent
 * or the platform store cannot be verified, the cache stays in memory and `auth.status` says so.
 * There is never a plaintext fallback (`usePlaintextFileOnLinux: false`).
 */
import path from 'node:path';
import type { ICachePlugin } from '@azure/msal-node';
import { logger } from '../log';

const log = logger('auth.cache');

export type CachePersistenceKind = 'dpapi' | 'keychain' | 'libsecret' | 'memory';

export interface CachePersistence {
  persistence: CachePersistenceKind;
  message: string;
  plugin?: ICachePlugin;
}

/** The part of msal-node-extensions soa-pilot uses (the package is optional, so no static types). */
interface ExtensionsModule {
  PersistenceCreator: { createPersistence(config: Record<string, unknown>): Promise<unknown> };
  PersistenceCachePlugin: new (persistence: unknown, options?: Record<string, unknown>) => ICachePlugin;
  DataProtectionScope: { CurrentUser: string };
}

function isExtensionsModule(m: unknown): m is ExtensionsModule {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  const pc = r.PersistenceCreator as Record<string, unknown> | undefined;
  const dps = r.DataProtectionScope as Record<string, unknown> | undefined;
  return (
    typeof pc === 'object' &&
    pc !== null &&
    typeof pc.createPersistence === 'function' &&
    typeof r.PersistenceCachePlugin === 'function' &&
    typeof dps === 'object' &&
    dps !== null &&
    typeof dps.CurrentUser === 'string'
  );
}

export type ExtensionsLoader = () => Promise<unknown>;

/** Dynamic import by a non-literal name so bundlers and tsc do not require the optional package. */
const defaultLoader: ExtensionsLoader = async () => {
  const name = '@azure/msal-node-extensions';
  return import(/* @vite-ignore */ name);
};

function platformKind(platform: NodeJS.Platform): Exclude<CachePersistenceKind, 'memory'> | undefined {
  if (platform === 'win32') return 'dpapi';
  if (platform === 'darwin') return 'keychain';
  if (platform === 'linux') return 'libsecret';
  return undefined;
}

export interface CachePersistenceOptions {
  dataDir: string;
  platform?: NodeJS.Platform;
  loader?: ExtensionsLoader;
}

export async function createCachePersistence(options: CachePersistenceOptions): Promise<CachePersistence> {
  const kind = platformKind(options.platform ?? process.platform);
  if (!kind) {
    return {
      persistence: 'memory',
      message: 'No protected token store on this platform; tokens are kept in memory until the app closes.',
    };
  }
  let mod: unknown;
  try {
    mod = await (options.loader ?? defaultLoader)();
  } catch (e) {
    log.info('msal-node-extensions not available; token cache in memory', {
      reason: e instanceof Error ? e.message : String(e),
    });
    return {
      persistence: 'memory',
      message:
        'Token cache kept in memory only: @azure/msal-node-extensions is not installed, so no protected store is available. You will sign in again after a restart.',
    };
  }
  if (!isExtensionsModule(mod)) {
    const inner = (mod as { default?: unknown } | null)?.default;
    if (isExtensionsModule(inner)) mod = inner;
    else
      return {
        persistence: 'memory',
        message: 'Token cache kept in memory only: @azure/msal-node-extensions has an unexpected shape.',
      };
  }
  const ext = mod as ExtensionsModule;
  try {
    const persistence = await ext.PersistenceCreator.createPersistence({
      cachePath: path.join(options.dataDir, 'msal-cache.bin'),
      dataProtectionScope: ext.DataProtectionScope.CurrentUser,
      serviceName: 'soa-pilot',
      accountName: 'msal-token-cache',
      usePlaintextFileOnLinux: false,
    });
    const plugin = new ext.PersistenceCachePlugin(persistence, { retryNumber: 20, retryDelay: 100 });
    const label =
      kind === 'dpapi'
        ? 'DPAPI (current user)'
        : kind === 'keychain'
          ? 'the macOS Keychain'
          : 'libsecret (Secret Service)';
    return { persistence: kind, plugin, message: `Token cache persisted with ${label}.` };
  } catch (e) {
    log.warn('protected token store unavailable; token cache in memory', {
      reason: e instanceof Error ? e.message : String(e),
    });
    return {
      persistence: 'memory',
      message: `Token cache kept in memory only: the protected store (${kind}) could not be verified, and soa-pilot never falls back to a plaintext file.`,
    };
  }
}
