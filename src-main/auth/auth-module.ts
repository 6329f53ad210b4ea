/**
 * Wires the auth service into the router: `auth.*` and `settings.consentUrl`.
 */
import type { ServiceFactory, ServiceModule, ServiceConfig } from '../service-module';
import type { SettingsStore } from '../settings/settings-store';
import { AuthService, type AuthServiceOptions } from './auth-service';
import { readCaFile } from './https-fetch';

export interface AuthModuleExtras {
  /** OpenID configuration JSON of the authority (no metadata request). */
  authorityMetadata?: string;
  /** Instance-discovery JSON (no discovery request). */
  cloudDiscoveryMetadata?: string;
  onNetworkRequest?: AuthServiceOptions['onNetworkRequest'];
  extensionsLoader?: AuthServiceOptions['extensionsLoader'];
}

/** Build the AuthService for a service configuration (exported for tests and the bench). */
export function createAuthService(
  config: ServiceConfig,
  settings: SettingsStore,
  extras: AuthModuleExtras = {},
): AuthService {
  return new AuthService({
    getSettings: () => settings.get(),
    dataDir: config.dataDir,
    extraCa: readCaFile(config.lab?.caCertPath),
    ...(config.openExternal ? { openExternal: config.openExternal } : {}),
    ...(config.auth?.authorityMetadata ? { authorityMetadata: config.auth.authorityMetadata } : {}),
    ...(config.auth?.cloudDiscoveryMetadata ? { cloudDiscoveryMetadata: config.auth.cloudDiscoveryMetadata } : {}),
    ...extras,
  });
}

export function authModuleWith(extras: AuthModuleExtras = {}): ServiceFactory {
  return ({ config, settings }): ServiceModule => {
    const service = createAuthService(config, settings, extras);
    const unsubscribe = settings.onChange((next, previous) => {
      void service.onSettingsChanged(next, previous);
    });
    return {
      handlers: {
        'auth.status': () => service.status(),
        'auth.signInInteractive': (input, ctx) => service.signInInteractive(input, ctx),
        'auth.signInDeviceCode': (input, ctx) => service.signInDeviceCode(input, ctx),
        'auth.getAccessToken': (input) => service.getAccessToken(input),
        'auth.signOut': () => service.signOut(),
        'settings.consentUrl': ({ scopes }) => service.consentUrl(scopes),
      },
      dispose() {
        unsubscribe();
        service.dispose();
      },
    };
  };
}

/** The factory `services.ts` registers. */
export const authModule: ServiceFactory = authModuleWith();
