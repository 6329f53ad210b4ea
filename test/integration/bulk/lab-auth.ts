/**
 * Main's AuthService signed in against the lab, for the bulk integration tests that run through real token
 * refreshes: the lab's sign-in page answers the system browser, and the token source is main's
 * `auth.getAccessToken` as the renderer sees it (tokenSourceFromIpc's shape, without IPC).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { labAuthorityMetadata, labCloudDiscoveryMetadata, type LabHandle } from '../../../src-main/lab/index';
import { AuthService } from '../../../src-main/auth/auth-service';
import { readCaFile } from '../../../src-main/auth/https-fetch';
import { SettingsStore } from '../../../src-main/settings/settings-store';
import { OperationError } from '../../../src-main/ipc/errors';
import { TokenSourceError, type TokenSource } from '../../../src-renderer/lib/graph/graph-client';
import { labBrowser } from '../../unit/main/auth/lab-browser';
import { BULK_SCOPES, HYBRID_ADMIN } from './lab-session';

export interface LabAuth {
  auth: AuthService;
  /** How many times the system browser was opened for a sign-in. */
  prompts(): number;
  /** An interactive sign-in of the hybrid admin with the bulk scopes. */
  signIn(): Promise<unknown>;
  tokenSource: TokenSource;
}

export function labAuth(
  lab: LabHandle,
  dir: string,
  hooks: {
    /** every request MSAL sends (token endpoint, metadata…) */
    onNetworkRequest?: (url: string) => void;
    /** every token request of the run, before it is answered */
    onTokenRequest?: (options: { forceRefresh?: boolean } | undefined) => void;
    /** every refusal the token source passes on (main's OperationError as the renderer's TokenSourceError) */
    onRefusal?: (refusal: TokenSourceError) => void;
  } = {},
): LabAuth {
  const info = lab.info;
  const browser = labBrowser(readFileSync(info.caCertPath, 'utf8'), () => HYBRID_ADMIN);
  let prompts = 0;
  const settings = new SettingsStore(path.join(dir, 'settings.json'), {
    tenant: info.tenantId,
    clientId: info.clientId,
    authorityHost: new URL(info.authority).origin,
    graphEndpoint: info.graphBaseUrl,
  });
  const auth = new AuthService({
    getSettings: () => settings.get(),
    dataDir: dir,
    extraCa: readCaFile(info.caCertPath),
    openExternal: async (url) => {
      prompts++;
      await browser.openExternal(url);
    },
    authorityMetadata: labAuthorityMetadata(info),
    cloudDiscoveryMetadata: labCloudDiscoveryMetadata(info),
    ...(hooks.onNetworkRequest ? { onNetworkRequest: hooks.onNetworkRequest } : {}),
  });
  return {
    auth,
    prompts: () => prompts,
    signIn: () =>
      auth.signInInteractive(
        { scopes: [...BULK_SCOPES], loginHint: HYBRID_ADMIN },
        { emit: () => undefined, signal: new AbortController().signal },
      ),
    tokenSource: async (scopes, options) => {
      hooks.onTokenRequest?.(options);
      try {
        const r = await auth.getAccessToken({ scopes, ...(options?.forceRefresh ? { forceRefresh: true } : {}) });
        return r.accessToken;
      } catch (e) {
        if (e instanceof OperationError) {
          const refusal = new TokenSourceError(e.code, e.message);
          hooks.onRefusal?.(refusal);
          throw refusal;
        }
        throw e;
      }
    },
  };
}
