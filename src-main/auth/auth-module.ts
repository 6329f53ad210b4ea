/**
 * Wires the auth service into the router: `auth.*` and `settings.consentUrl`.
 */
import type { ServiceFactory, ServiceModule } from '../service-module';
import { AuthService } from './auth-service';
import { ProofAdminSessions } from './proof-admin';
import { readCaFile } from './https-fetch';

/** The factory `services.ts` registers. */
export const authModule: ServiceFactory = ({ config, settings }): ServiceModule => {
  const service = new AuthService({
    getSettings: () => settings.get(),
    dataDir: config.dataDir,
    extraCa: readCaFile(config.lab?.caCertPath),
    ...(config.openExternal ? { openExternal: config.openExternal } : {}),
    ...(config.auth?.authorityMetadata ? { authorityMetadata: config.auth.authorityMetadata } : {}),
    ...(config.auth?.cloudDiscoveryMetadata ? { cloudDiscoveryMetadata: config.auth.cloudDiscoveryMetadata } : {}),
    ...(config.auth?.platformFetch ? { platformFetch: config.auth.platformFetch } : {}),
  });
  // Another admin's sign-in for one proof write (docs/reference/graph-and-identity.md#proofs-by-write-or-by-state).
  const proofAdmin = new ProofAdminSessions(service);
  // Awaited by settings.set: the sign-out is complete before the caller reads auth.status.
  const unsubscribe = settings.onChange(async (next, previous) => {
    await proofAdmin.endAll();
    await service.onSettingsChanged(next, previous);
  });
  return {
    handlers: {
      'auth.status': () => service.status(),
      'auth.signInInteractive': (input, ctx) => service.signInInteractive(input, ctx),
      'auth.signInDeviceCode': (input, ctx) => service.signInDeviceCode(input, ctx),
      'auth.getAccessToken': (input) => service.getAccessToken(input),
      'auth.signOut': async () => {
        await proofAdmin.endAll();
        return service.signOut();
      },
      'auth.proofAdminSignIn': (input, ctx) => proofAdmin.signIn(input, ctx),
      'auth.proofAdminToken': (input) => proofAdmin.token(input),
      'auth.proofAdminEnd': (input) => proofAdmin.end(input),
      'settings.consentUrl': ({ scopes }) => service.consentUrl(scopes),
    },
    dispose() {
      unsubscribe();
      void proofAdmin.endAll();
      service.dispose();
    },
  };
};
