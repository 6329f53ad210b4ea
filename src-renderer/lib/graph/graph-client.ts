/**
 * The Microsoft Graph JS client (v3) as soa-pilot uses it.
 *
 * - Tokens come from main through a `TokenSource` port: `(scopes) => Promise<accessToken>`. Each call
 *   names the scopes its step needs, and the provider asks for exactly those (incremental consent).
 * - The base URL is configurable; `customHosts` must list any non-Graph host (the lab), because the
 *   client only attaches the bearer token to https URLs of known Graph hosts or custom hosts.
 * - The middleware chain is our own so the transport (`fetch`) can be injected: the renderer uses the
 *   global fetch; Node tests and the bench pass one that trusts the lab CA.
 *
 * No DOM or bridge imports here, so Node code can use the module.
 */
import {
  AuthenticationHandler,
  AuthenticationHandlerOptions,
  Client,
  ResponseType,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
  type AuthenticationProviderOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import {
  graphErrorOf,
  networkError,
  ok,
  failure,
  type GraphError,
  type GraphResult,
  type RequirementContext,
} from './graph-result';

/**
 * Port: main's `auth.getAccessToken`, reduced to the token string. `forceRefresh` asks for a new token
 * even when the cached one has not expired yet (after Graph refused it with a 401); the next call
 * without it returns that new token.
 */
export type TokenSource = (scopes: string[], options?: { forceRefresh?: boolean }) => Promise<string>;

/**
 * What a TokenSource throws when main refuses a token (e.g. `interactionRequired` because consent
 * for some scopes is missing). Other errors are treated as "not signed in / token unavailable".
 */
export class TokenSourceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly missingScopes: string[] = [],
  ) {
    super(message);
    this.name = 'TokenSourceError';
  }
}

/** The shape of main's `auth.getAccessToken` as the bridge returns it. */
export type AccessTokenCall = (input: {
  scopes: string[];
  forceRefresh?: boolean;
}) => Promise<
  | { ok: true; value: { accessToken: string; expiresOn: string } }
  | { ok: false; error: { code: string; message: string; detail?: unknown } }
>;

/**
 * Main's `auth.getAccessToken` with its expiry (for `cachedTokenSource` in ./token-cache.ts): a refusal
 * becomes a TokenSourceError carrying main's error code and, when main named them, the missing scopes.
 */
export function accessTokenFetchFromIpc(
  getAccessToken: AccessTokenCall,
): (scopes: string[], options?: { forceRefresh?: boolean }) => Promise<{ accessToken: string; expiresOn: string }> {
  return async (scopes, options) => {
    const r = await getAccessToken(options?.forceRefresh ? { scopes, forceRefresh: true } : { scopes });
    if (r.ok) return r.value;
    const detail = r.error.detail;
    const missing =
      typeof detail === 'object' &&
      detail !== null &&
      Array.isArray((detail as { missingScopes?: unknown }).missingScopes)
        ? (detail as { missingScopes: unknown[] }).missingScopes.filter((x): x is string => typeof x === 'string')
        : [];
    throw new TokenSourceError(r.error.code, r.error.message, missing);
  };
}

/** Adapt the bridge's `authGetAccessToken` to a TokenSource (no cache: each call asks main). */
export function tokenSourceFromIpc(getAccessToken: AccessTokenCall): TokenSource {
  const fetchToken = accessTokenFetchFromIpc(getAccessToken);
  return async (scopes, options) => (await fetchToken(scopes, options)).accessToken;
}

export type FetchLike = (input: string | Request, init?: RequestInit) => Promise<Response>;

export interface GraphClientOptions {
  tokenSource: TokenSource;
  /** Graph root without the version segment, e.g. https://graph.microsoft.com or https://localhost:PORT. */
  baseUrl: string;
  /** Hostnames (no scheme or port) that should get the bearer token, e.g. ['localhost']. */
  customHosts?: readonly string[];
  /** Transport; defaults to the global fetch. */
  fetch?: FetchLike;
  /** Outer-request retries for 429/503/504 (RetryHandler honours Retry-After). Default 3. */
  maxRetries?: number;
  /** Base delay for the RetryHandler when no Retry-After is sent, seconds. Default 3. */
  retryDelaySeconds?: number;
  /** Default API version. */
  version?: 'v1.0' | 'beta';
}

class FetchHandler implements Middleware {
  constructor(private readonly fetchImpl: FetchLike) {}
  async execute(context: Context): Promise<void> {
    context.response = await this.fetchImpl(context.request as string | Request, context.options as RequestInit);
  }
}

/** Decode the `scp` claim of a JWT access token (no verification: diagnostics only). */
export function tokenScopes(token: string): string[] | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const b64 = part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof json === 'object' && json !== null && typeof (json as { scp?: unknown }).scp === 'string') {
      return (json as { scp: string }).scp.split(' ').filter(Boolean);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export interface GraphCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the version (`/contacts/{id}`), or an absolute https URL (an `@odata.nextLink`). */
  path: string;
  /** Scopes this call needs; the token provider asks main for exactly these. */
  scopes: readonly string[];
  requiredRole?: string;
  roleHint?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  version?: 'v1.0' | 'beta';
  /** Cancels the request (and any wait of the retry handler). */
  signal?: AbortSignal;
  /**
   * Outer retries of a 429/503/504 for this call; default the session's `maxRetries`. The bulk
   * `$batch` sender passes 0: its pacer must see every throttle to slow down.
   */
  retries?: number;
}

export interface GraphRawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A Graph client plus what soa-pilot needs around it (scopes per call, request ids, typed errors). */
export class GraphSession {
  readonly client: Client;
  /** Scopes the last token for each scope set carried (from `scp`), to explain 403s. */
  private readonly granted = new Map<string, string[]>();
  private tokenFailure: { key: string; error: unknown } | undefined;

  constructor(private readonly options: GraphClientOptions) {
    const provider: AuthenticationProvider = {
      getAccessToken: async (o?: AuthenticationProviderOptions) => {
        const scopes = o?.scopes ?? [];
        if (scopes.length === 0) throw new Error('soa-pilot: every Graph call must name its scopes.');
        let token: string;
        try {
          token = await options.tokenSource([...scopes]);
        } catch (e) {
          this.tokenFailure = { key: scopeKey(scopes), error: e };
          throw e;
        }
        const scp = tokenScopes(token);
        if (scp) this.granted.set(scopeKey(scopes), scp);
        return token;
      },
    };
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    const auth = new AuthenticationHandler(provider);
    const retry = new RetryHandler(new RetryHandlerOptions(options.retryDelaySeconds ?? 3, options.maxRetries ?? 3));
    const telemetry = new TelemetryHandler();
    const transport = new FetchHandler(fetchImpl);
    auth.setNext(retry);
    retry.setNext(telemetry);
    telemetry.setNext(transport);
    this.client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl: options.baseUrl.replace(/\/+$/, '') + '/',
      defaultVersion: options.version ?? 'v1.0',
      customHosts: new Set(options.customHosts ?? []),
    });
  }

  get baseUrl(): string {
    return this.options.baseUrl.replace(/\/+$/, '');
  }

  /** The same Graph endpoint and transport with another token source (another admin's proof sign-in). */
  withTokenSource(tokenSource: TokenSource): GraphSession {
    return new GraphSession({ ...this.options, tokenSource });
  }

  private lastTokenFailure(): { key: string; error: unknown } | undefined {
    return this.tokenFailure;
  }

  grantedScopes(scopes: readonly string[]): string[] | undefined {
    return this.granted.get(scopeKey(scopes));
  }

  /**
   * Send one request; never throws. A 401 (the token expired or was revoked between its acquisition and
   * Graph's check) is retried once after a forced silent refresh: Graph rejected the request before
   * acting on it, so the retry cannot repeat a write (docs/reference/token-lifetime.md). When the
   * refresh itself fails, the result carries that `tokenError` (e.g. sign-in required).
   */
  async raw(call: GraphCall): Promise<{ response?: GraphRawResponse; error?: unknown; tokenError?: unknown }> {
    const first = await this.send(call);
    if (first.response?.status !== 401 || call.signal?.aborted) return first;
    try {
      await this.refreshToken(call.scopes);
    } catch (e) {
      return { error: e, tokenError: e };
    }
    return this.send(call);
  }

  /**
   * Force a silent refresh of the token for `scopes` (main's cache then holds the new one). Throws the
   * token source's error when it needs a sign-in.
   */
  async refreshToken(scopes: readonly string[]): Promise<void> {
    await this.options.tokenSource([...scopes], { forceRefresh: true });
  }

  private async send(call: GraphCall): Promise<{ response?: GraphRawResponse; error?: unknown; tokenError?: unknown }> {
    this.tokenFailure = undefined;
    try {
      let req = this.client.api(call.path).responseType(ResponseType.RAW);
      if (!/^https:\/\//i.test(call.path)) req = req.version(call.version ?? this.options.version ?? 'v1.0');
      req = req.middlewareOptions([
        new AuthenticationHandlerOptions(undefined, { scopes: [...call.scopes] }),
        ...(call.retries !== undefined
          ? [new RetryHandlerOptions(this.options.retryDelaySeconds ?? 3, call.retries)]
          : []),
      ]);
      if (call.signal) req = req.option('signal', call.signal);
      if (call.query) req = req.query(call.query);
      if (call.headers) req = req.headers(call.headers);
      let res: unknown;
      switch (call.method) {
        case 'GET':
          res = await req.get();
          break;
        case 'POST':
          res = await req.post(call.body ?? {});
          break;
        case 'PATCH':
          res = await req.patch(call.body ?? {});
          break;
        case 'DELETE':
          res = await req.delete();
          break;
      }
      if (!(res instanceof Response)) return { error: new Error('Graph client returned no response') };
      const text = res.status === 204 ? '' : await res.text();
      let body: unknown = undefined;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      return { response: { status: res.status, headers: res.headers, body } };
    } catch (e) {
      const tf = this.lastTokenFailure();
      if (tf && tf.key === scopeKey(call.scopes)) return { error: e, tokenError: tf.error };
      return { error: e };
    }
  }

  /** Send one request and parse a success body with `parse`; failures become typed errors. */
  async call<T>(call: GraphCall, parse: (body: unknown, status: number) => T): Promise<GraphResult<T>> {
    const { response, error, tokenError } = await this.raw(call);
    if (tokenError !== undefined) return failure(tokenFailureError(tokenError, call.scopes), null);
    if (!response) return failure(networkError(error), null);
    const requestId = response.headers.get('request-id');
    if (response.status >= 200 && response.status < 300) {
      try {
        return ok(parse(response.body, response.status), response.status, requestId);
      } catch (e) {
        return failure(
          {
            kind: 'server',
            status: response.status,
            code: 'unexpectedResponse',
            message: `Unexpected response shape: ${e instanceof Error ? e.message : String(e)}`,
          },
          requestId,
        );
      }
    }
    const req: RequirementContext = {
      requiredScopes: call.scopes,
      ...(this.grantedScopes(call.scopes) ? { grantedScopes: this.grantedScopes(call.scopes) } : {}),
      ...(call.requiredRole ? { requiredRole: call.requiredRole } : {}),
      ...(call.roleHint ? { roleHint: call.roleHint } : {}),
    };
    return failure(graphErrorOf(response.status, response.headers, response.body, req), requestId);
  }
}

/** A token main would not give: missing consent becomes `forbidden` with the scopes, the rest `unauthorized`. */
export function tokenFailureError(e: unknown, scopes: readonly string[]): GraphError {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof TokenSourceError && e.code === 'notSignedIn') {
    return { kind: 'unauthorized', status: 401, code: e.code, message, fix: 'Sign in first.' };
  }
  if (e instanceof TokenSourceError && (e.code === 'interactionRequired' || e.missingScopes.length > 0)) {
    const missing = e.missingScopes.length > 0 ? e.missingScopes : [...scopes];
    return {
      kind: 'forbidden',
      status: 403,
      code: 'consent_required',
      message,
      missingScopes: missing,
      fix: `Grant admin consent for ${missing.join(', ')} on the app registration (consent link in Settings, as an Application Administrator or Cloud Application Administrator), then sign in again.`,
    };
  }
  return {
    kind: 'unauthorized',
    status: 401,
    code: e instanceof TokenSourceError ? e.code : 'token',
    message,
    fix: 'Sign in again, then retry.',
  };
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes]
    .map((s) => s.toLowerCase())
    .sort()
    .join(' ');
}

export function createGraphSession(options: GraphClientOptions): GraphSession {
  return new GraphSession(options);
}
