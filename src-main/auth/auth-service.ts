/**
 * MSAL-node public client for the admin's own app registration.
 *
 * - One `PublicClientApplication` per (tenant, client, authority, Graph endpoint); rebuilt, and the
 *   admin signed out, when those settings change.
 * - Interactive sign-in through the system browser (auth code + PKCE, MSAL's loopback with form_post);
 *   the sign-in URL is also emitted as progress so browser mode can show it.
 * - Device code with progress; silent refresh; incremental scopes; sign-out clears account and cache.
 * - `getAccessToken` hands out only an access token and its expiry, and only when the token carries
 *   every requested scope; refresh tokens never leave this module.
 */
import {
  InteractionRequiredAuthError,
  LogLevel,
  PublicClientApplication,
  ServerError,
  AuthError,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type INetworkModule,
} from '@azure/msal-node';
import type { Account, Settings } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import { logger } from '../log';
import { authorityFor, knownAuthorityFor, adminConsentUrl, uncoveredScopes, trimSlash } from './authority';
import { createCachePersistence, type CachePersistence, type ExtensionsLoader } from './cache-persistence';
import { TrustingNetworkClient } from './network-client';
import { createHttpsFetch, type FetchFn } from './https-fetch';
import { describeProxy, proxyFromEnv, type ProxySettings } from './proxy';

const log = logger('auth');

export interface AuthServiceOptions {
  getSettings(): Settings;
  dataDir: string;
  /** Extra CA certificates (PEM) to trust for the identity endpoints (lab or TLS inspection). */
  extraCa?: string[];
  /** Opens the system browser; the caller allow-lists URLs. */
  openExternal?: (url: string) => Promise<void>;
  /** Whole OpenID configuration JSON for the authority (skips the metadata request). */
  authorityMetadata?: string;
  /** Whole instance-discovery JSON (skips instance discovery). */
  cloudDiscoveryMetadata?: string;
  /** Observer for every identity request MSAL makes (tests assert no egress). */
  onNetworkRequest?: (url: string, method: string) => void;
  /**
   * Replace the identity transport (e.g. a proxy-aware client). Defaults to a TrustingNetworkClient
   * over Node https with `extraCa`; `onNetworkRequest` only observes the default client.
   */
  networkClient?: INetworkModule;
  /**
   * The platform's fetch for identity traffic (Electron's `net.fetch`: system proxy, Windows trust store).
   * Without it, Node https is used with `extraCa` and `proxy`.
   */
  platformFetch?: FetchFn;
  /** Proxy for the Node transport. Default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment. */
  proxy?: ProxySettings | null;
  /** Override the optional msal-node-extensions loader (tests). */
  extensionsLoader?: ExtensionsLoader;
  platform?: NodeJS.Platform;
}

export interface ProgressContext<P> {
  emit(progress: P): void;
  signal: AbortSignal;
}

export interface AuthStatusResult {
  signedIn: boolean;
  account?: Account;
  cache: { persistence: CachePersistence['persistence']; message: string };
}

export interface AccessTokenResult {
  accessToken: string;
  expiresOn: string;
  scopes: string[];
}

const SUCCESS_TEMPLATE =
  '<!doctype html><html><head><meta charset="utf-8"><title>soa-pilot</title></head><body style="font-family:sans-serif">' +
  '<h1>Signed in to soa-pilot</h1><p>You can close this tab and return to soa-pilot.</p></body></html>';
const ERROR_TEMPLATE =
  '<!doctype html><html><head><meta charset="utf-8"><title>soa-pilot</title></head><body style="font-family:sans-serif">' +
  '<h1>Sign-in did not complete</h1><p>Return to soa-pilot for the reason and what to do next.</p></body></html>';

export function toAccount(a: AccountInfo): Account {
  return {
    username: a.username,
    ...(a.name ? { name: a.name } : {}),
    tenantId: a.tenantId,
    homeAccountId: a.homeAccountId,
    localAccountId: a.localAccountId,
  };
}

/** Error text without anything token-like (MSAL messages can contain trace and correlation ids only). */
function describe(e: unknown): string {
  if (e instanceof AuthError) return `${e.errorCode}${e.errorMessage ? `: ${e.errorMessage.split('\n')[0]}` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

const CONSENT_CODES = new Set(['consent_required', 'invalid_grant', 'interaction_required', 'login_required']);

export class AuthService {
  private pca: PublicClientApplication | undefined;
  private pcaKey = '';
  private cache: Promise<CachePersistence>;
  private currentHomeAccountId: string | undefined;
  private interactiveBusy = false;

  constructor(private readonly options: AuthServiceOptions) {
    this.cache = createCachePersistence({
      dataDir: options.dataDir,
      ...(options.platform ? { platform: options.platform } : {}),
      ...(options.extensionsLoader ? { loader: options.extensionsLoader } : {}),
    });
  }

  /** What the signed-in session belongs to: changing any of these signs the admin out. */
  /** Electron's net.fetch when given; else Node https with the extra CA and the environment's proxy. */
  private defaultNetworkClient(): TrustingNetworkClient {
    const proxy = this.options.platformFetch
      ? undefined
      : this.options.proxy === undefined
        ? proxyFromEnv()
        : (this.options.proxy ?? undefined);
    if (this.options.platformFetch) log.info('identity traffic goes through the platform fetch (system proxy)');
    else if (proxy) log.info('identity traffic goes through a proxy', { proxy: describeProxy(proxy) });
    return new TrustingNetworkClient({
      ...(this.options.extraCa ? { extraCa: this.options.extraCa } : {}),
      ...(this.options.onNetworkRequest ? { onRequest: this.options.onNetworkRequest } : {}),
      ...(proxy ? { proxy } : {}),
      ...(this.options.platformFetch ? { platformFetch: this.options.platformFetch } : {}),
    });
  }

  private settingsKey(s: Settings): string {
    return JSON.stringify([s.tenant, s.clientId, trimSlash(s.authorityHost), trimSlash(s.graphEndpoint)]);
  }

  /** The MSAL client for the current settings (rebuilt when tenant, client, authority or Graph changed). */
  async client(): Promise<PublicClientApplication> {
    const s = this.options.getSettings();
    const key = this.settingsKey(s);
    if (this.pca && this.pcaKey === key) return this.pca;
    const cache = await this.cache;
    this.pca = new PublicClientApplication(this.msalConfig(cache.plugin));
    this.pcaKey = key;
    this.currentHomeAccountId = undefined;
    return this.pca;
  }

  /**
   * The MSAL configuration for the current settings. Without a cache plugin the client's token cache
   * lives in memory only (the other admin's sign-in for one proof: see `proof-admin.ts`).
   */
  private msalConfig(cachePlugin: CachePersistence['plugin']): Configuration {
    const s = this.options.getSettings();
    const known = knownAuthorityFor(s.authorityHost);
    const config: Configuration = {
      auth: {
        clientId: s.clientId,
        authority: authorityFor(s),
        ...(known ? { knownAuthorities: [known] } : {}),
        ...(this.options.authorityMetadata ? { authorityMetadata: this.options.authorityMetadata } : {}),
        ...(this.options.cloudDiscoveryMetadata ? { cloudDiscoveryMetadata: this.options.cloudDiscoveryMetadata } : {}),
      },
      ...(cachePlugin ? { cache: { cachePlugin } } : {}),
      system: {
        networkClient: this.options.networkClient ?? this.defaultNetworkClient(),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message, containsPii) => {
            if (containsPii) return;
            if (level === LogLevel.Error) log.warn('msal', { message });
            else log.debug('msal', { message });
          },
        },
      },
    };
    return config;
  }

  /** A client whose token cache is in memory only, dropped with the client (never persisted). */
  memoryOnlyClient(): PublicClientApplication {
    return new PublicClientApplication(this.msalConfig(undefined));
  }

  /**
   * Called when settings change: a different tenant, client, authority or Graph endpoint signs the
   * admin out. Every account is removed from the token cache, including the persisted cache when
   * no client was built yet in this process (tokens of the old endpoints must not be reused).
   */
  async onSettingsChanged(next: Settings, previous: Settings): Promise<void> {
    if (this.settingsKey(next) === this.settingsKey(previous)) return;
    if (this.pca) await this.clearAccounts(this.pca);
    this.pca = undefined;
    this.currentHomeAccountId = undefined;
    // The client for the new settings shares the (persisted) cache: clear what it loads too.
    await this.clearAccounts(await this.client());
    log.info('identity settings changed; signed out');
  }

  private async currentAccount(): Promise<AccountInfo | undefined> {
    const pca = await this.client();
    const accounts = await pca.getTokenCache().getAllAccounts();
    if (this.currentHomeAccountId) return accounts.find((a) => a.homeAccountId === this.currentHomeAccountId);
    // After a restart with a persisted cache: the one account of this tenant, if exactly one.
    const tenant = this.options.getSettings().tenant.toLowerCase();
    const mine = accounts.filter((a) => a.tenantId.toLowerCase() === tenant || !/^[0-9a-f-]{36}$/.test(tenant));
    if (mine.length === 1 && mine[0]) {
      this.currentHomeAccountId = mine[0].homeAccountId;
      return mine[0];
    }
    return undefined;
  }

  /** The home account id of the signed-in admin (undefined when nobody is signed in). */
  async signedInHomeAccountId(): Promise<string | undefined> {
    return (await this.currentAccount())?.homeAccountId;
  }

  async status(): Promise<AuthStatusResult> {
    const cache = await this.cache;
    const account = await this.currentAccount();
    return {
      signedIn: Boolean(account),
      ...(account ? { account: toAccount(account) } : {}),
      cache: { persistence: cache.persistence, message: cache.message },
    };
  }

  private assertAuthorityUrl(url: string): void {
    const s = this.options.getSettings();
    const expected = new URL(authorityFor(s));
    const got = new URL(url);
    if (
      got.protocol !== 'https:' ||
      got.origin !== expected.origin ||
      !got.pathname.startsWith(expected.pathname + '/')
    ) {
      throw new OperationError(
        'refused',
        'The sign-in URL does not point at the configured authority; not opening it.',
      );
    }
  }

  async signInInteractive(
    input: { scopes: string[]; loginHint?: string },
    ctx: ProgressContext<{ signInUrl: string }>,
  ): Promise<Account> {
    const result = await this.interactive(() => this.client(), input, ctx);
    return this.accepted(result);
  }

  /**
   * One interactive sign-in (auth code + PKCE through the system browser) on the client `pca` gives;
   * one at a time, because MSAL's loopback listener serves one flow.
   */
  async interactive(
    pcaOf: () => Promise<PublicClientApplication> | PublicClientApplication,
    input: { scopes: string[]; loginHint?: string },
    ctx: ProgressContext<{ signInUrl: string }>,
  ): Promise<AuthenticationResult> {
    if (this.interactiveBusy)
      throw new OperationError('busy', 'An interactive sign-in is already waiting in the browser.');
    this.interactiveBusy = true;
    let pca: PublicClientApplication;
    try {
      pca = await pcaOf();
    } catch (e) {
      this.interactiveBusy = false;
      throw e;
    }
    let signInUrl: string | undefined;
    let aborted: (() => void) | undefined;
    const abortedPromise = new Promise<never>((_, reject) => {
      aborted = () => reject(new OperationError('cancelled', 'Sign-in cancelled.'));
    });
    const onAbort = (): void => {
      aborted?.();
      if (signInUrl) void this.releaseLoopback(signInUrl);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (ctx.signal.aborted) throw new OperationError('cancelled', 'Sign-in cancelled.');
      const flow = pca.acquireTokenInteractive({
        scopes: input.scopes,
        // MSAL drops login_hint when prompt is select_account (Entra refuses the pair), so the
        // account picker is asked for only when the admin named no account.
        ...(input.loginHint ? { loginHint: input.loginHint } : { prompt: 'select_account' }),
        successTemplate: SUCCESS_TEMPLATE,
        errorTemplate: ERROR_TEMPLATE,
        openBrowser: async (url: string) => {
          this.assertAuthorityUrl(url);
          signInUrl = url;
          ctx.emit({ signInUrl: url });
          if (ctx.signal.aborted) {
            void this.releaseLoopback(url);
            return;
          }
          if (this.options.openExternal) {
            try {
              await this.options.openExternal(url);
            } catch (e) {
              log.warn('could not open the system browser; the sign-in URL was sent as progress', {
                reason: describe(e),
              });
            }
          }
        },
      });
      flow.catch(() => undefined); // settled below; avoid an unhandled rejection after cancel
      return await Promise.race([flow, abortedPromise]);
    } catch (e) {
      throw this.mapSignInError(e);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      this.interactiveBusy = false;
    }
  }

  /** Cancel a pending interactive flow: answer MSAL's loopback with an error so it closes its listener. */
  private async releaseLoopback(signInUrl: string): Promise<void> {
    try {
      const u = new URL(signInUrl);
      const redirect = u.searchParams.get('redirect_uri');
      const state = u.searchParams.get('state');
      if (!redirect || !state) return;
      const r = new URL(redirect);
      if (r.protocol !== 'http:' || (r.hostname !== 'localhost' && r.hostname !== '127.0.0.1')) return;
      const fetchLoopback = createHttpsFetch({ allowLoopbackHttp: true });
      await fetchLoopback(redirect, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          error: 'access_denied',
          error_description: 'Cancelled in soa-pilot',
          state,
        }).toString(),
      });
    } catch {
      // the listener may already be gone
    }
  }

  async signInDeviceCode(
    input: { scopes: string[] },
    ctx: ProgressContext<{ userCode: string; verificationUri: string; message: string; expiresIn: number }>,
  ): Promise<Account> {
    const pca = await this.client();
    const request = {
      scopes: input.scopes,
      cancel: false,
      deviceCodeCallback: (r: { userCode: string; verificationUri: string; message: string; expiresIn: number }) => {
        ctx.emit({
          userCode: r.userCode,
          verificationUri: r.verificationUri,
          message: r.message,
          expiresIn: r.expiresIn,
        });
      },
    };
    const onAbort = (): void => {
      request.cancel = true;
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await pca.acquireTokenByDeviceCode(request);
      if (!result) throw new OperationError('interactionRequired', 'The device-code flow returned no token.');
      return this.accepted(result);
    } catch (e) {
      if (ctx.signal.aborted) throw new OperationError('cancelled', 'Sign-in cancelled.');
      throw this.mapSignInError(e);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  private accepted(result: AuthenticationResult): Account {
    if (!result.account) throw new OperationError('interactionRequired', 'Sign-in returned no account.');
    this.currentHomeAccountId = result.account.homeAccountId;
    log.info('signed in', { tenantId: result.account.tenantId, scopes: result.scopes });
    return toAccount(result.account);
  }

  mapSignInError(e: unknown): unknown {
    if (e instanceof OperationError) return e;
    if (e instanceof AuthError && (e.errorCode === 'consent_required' || /AADSTS65001/.test(e.errorMessage))) {
      return new OperationError(
        'interactionRequired',
        'The app registration has no admin consent for the requested permissions. Open the admin-consent link (Settings) as an Application Administrator or Cloud Application Administrator, then sign in again.',
        { errorCode: e.errorCode },
      );
    }
    if (e instanceof AuthError && e.errorCode === 'device_code_expired') {
      return new OperationError('timeout', 'The device code expired before sign-in completed. Start again.');
    }
    if (e instanceof AuthError) {
      log.warn('sign-in failed', { error: describe(e) });
      return new OperationError('interactionRequired', `Sign-in failed: ${describe(e)}`, { errorCode: e.errorCode });
    }
    return e;
  }

  async getAccessToken(input: { scopes: string[]; forceRefresh?: boolean }): Promise<AccessTokenResult> {
    const pca = await this.client();
    const account = await this.currentAccount();
    if (!account) throw new OperationError('notSignedIn', 'Sign in first.');
    let result: AuthenticationResult;
    try {
      result = await pca.acquireTokenSilent({
        account,
        scopes: input.scopes,
        forceRefresh: input.forceRefresh ?? false,
      });
    } catch (e) {
      if (e instanceof InteractionRequiredAuthError || (e instanceof ServerError && CONSENT_CODES.has(e.errorCode))) {
        const consent = e.errorCode === 'consent_required' || /AADSTS65001/.test(e.errorMessage);
        throw new OperationError(
          'interactionRequired',
          consent
            ? `Consent is missing for ${input.scopes.join(', ')}. Grant admin consent (Settings → consent link), then sign in again.`
            : `A new sign-in is needed for ${input.scopes.join(', ')} (${e.errorCode}).`,
          { errorCode: e.errorCode, scopes: input.scopes },
        );
      }
      throw new OperationError('unavailable', `Token request failed: ${describe(e)}`);
    }
    const missing = uncoveredScopes(input.scopes, result.scopes);
    if (missing.length > 0) {
      log.warn('token does not carry the requested scopes; refusing to hand it out', {
        requested: input.scopes,
        granted: result.scopes,
      });
      throw new OperationError(
        'interactionRequired',
        `The token issued for this step lacks ${missing.join(', ')} (it carries ${result.scopes.join(', ') || 'no scopes'}). ` +
          'Sign in again for this step, and make sure admin consent covers these permissions.',
        { missingScopes: missing, grantedScopes: result.scopes },
      );
    }
    if (result.account && result.account.homeAccountId !== account.homeAccountId) {
      throw new OperationError('interactionRequired', 'The token belongs to a different account; sign in again.');
    }
    const expiresOn = result.expiresOn ?? new Date(Date.now() + 60_000);
    return { accessToken: result.accessToken, expiresOn: expiresOn.toISOString(), scopes: result.scopes };
  }

  private async clearAccounts(pca: PublicClientApplication): Promise<void> {
    const cache = pca.getTokenCache();
    for (const a of await cache.getAllAccounts()) await cache.removeAccount(a);
  }

  async signOut(): Promise<{ signedOut: boolean }> {
    const pca = await this.client();
    const had = (await pca.getTokenCache().getAllAccounts()).length > 0;
    await this.clearAccounts(pca);
    this.currentHomeAccountId = undefined;
    log.info('signed out');
    return { signedOut: had };
  }

  consentUrl(scopes: string[]): { url: string } {
    return { url: adminConsentUrl(this.options.getSettings(), scopes) };
  }

  dispose(): void {
    this.pca = undefined;
  }
}
