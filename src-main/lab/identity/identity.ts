/**
 * The lab's Microsoft identity platform (v2.0 endpoints) that unmodified MSAL-node talks to:
 * OpenID metadata, JWKS, instance discovery, /authorize (auth code + PKCE, lab sign-in page,
 * form_post), /token (authorization_code, refresh_token, device_code), /devicecode with a
 * verification page, and the v2.0 admin-consent page. Errors use AAD's JSON shape.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { LabInfo } from '../types';
import { GRAPH_APP_ID, GRAPH_RESOURCE, LAB_APP_SCOPES, OIDC_SCOPES, ROLE, type LabSettings } from '../tenant/model';
import type { Tenant } from '../tenant/tenant';
import type { TokenService } from './tokens';

export interface IdentityRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
}

export interface IdentityResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdentityDeps {
  tenant: () => Tenant;
  tokens: TokenService;
  /** https://localhost:PORT */
  baseUrl: () => string;
}

/** The `/{tenant}/v2.0/.well-known/openid-configuration` document. */
export function openIdConfiguration(baseUrl: string, tenantId: string): Record<string, unknown> {
  const t = `${baseUrl}/${tenantId}`;
  return {
    token_endpoint: `${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${t}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${t}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'localhost',
    cloud_graph_host_name: 'localhost',
    msgraph_host: new URL(baseUrl).host,
    rbac_url: baseUrl,
  };
}

export function instanceDiscovery(baseUrl: string, tenantId: string): Record<string, unknown> {
  const host = new URL(baseUrl).host;
  return {
    tenant_discovery_endpoint: `${baseUrl}/${tenantId}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

function baseOf(info: Pick<LabInfo, 'authority' | 'tenantId'>): string {
  return info.authority.replace(new RegExp(`/${info.tenantId}/?$`), '');
}

/** MSAL `auth.authorityMetadata` for the lab authority (JSON string). */
export function labAuthorityMetadata(info: Pick<LabInfo, 'authority' | 'tenantId'>): string {
  return JSON.stringify(openIdConfiguration(baseOf(info), info.tenantId));
}

/** MSAL `auth.cloudDiscoveryMetadata` for the lab authority (JSON string). */
export function labCloudDiscoveryMetadata(info: Pick<LabInfo, 'authority' | 'tenantId'>): string {
  return JSON.stringify(instanceDiscovery(baseOf(info), info.tenantId));
}

interface AuthTxn {
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: string;
  state: string | null;
  nonce: string | null;
  responseMode: string;
  createdAt: number;
}
interface AuthCode {
  txn: AuthTxn;
  oid: string;
  expiresAt: number;
  used: boolean;
}
interface DeviceCode {
  userCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  approvedBy: string | null;
}

export class AadError extends Error {
  constructor(
    readonly error: string,
    readonly code: number,
    readonly description: string,
    readonly suberror?: string,
    readonly status = 400,
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:Segoe UI,system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}button{display:block;width:100%;text-align:left;margin:.4rem 0;padding:.6rem;border:1px solid #8a8886;background:#fff;cursor:pointer}button:hover{background:#f3f2f1}.note{color:#605e5c;font-size:.85rem}.banner{background:#fff4ce;padding:.5rem}</style></head>
<body><p class="banner">soa-pilot <strong>lab</strong> sign-in — not Microsoft. No password needed.</p><h1>${esc(title)}</h1>${body}</body></html>`;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

interface ScopeRequest {
  oidc: string[];
  /** as spelled by the caller */
  graph: string[];
}

function shortScope(s: string): string | null {
  const lower = s.toLowerCase();
  for (const prefix of [`${GRAPH_RESOURCE}/`, `${GRAPH_APP_ID}/`]) {
    if (lower.startsWith(prefix)) return s.slice(prefix.length);
  }
  if (s.includes('/') || s.includes(':')) return null;
  return s;
}

export class IdentityService {
  private txns = new Map<string, AuthTxn>();
  private codes = new Map<string, AuthCode>();
  private devices = new Map<string, DeviceCode>();

  constructor(private readonly deps: IdentityDeps) {}

  private now(): number {
    return this.deps.tenant().clock.now();
  }

  private json(status: number, body: unknown, extra: Record<string, string> = {}): IdentityResponse {
    return {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache', ...extra },
      body: JSON.stringify(body),
    };
  }

  private html(status: number, body: string): IdentityResponse {
    return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
  }

  aadErrorBody(e: AadError): Record<string, unknown> {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const ts = new Date(this.now())
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    const body: Record<string, unknown> = {
      error: e.error,
      error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${ts}`,
      error_codes: [e.code],
      timestamp: ts,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${this.deps.baseUrl()}/error?code=${e.code}`,
    };
    if (e.suberror) body.suberror = e.suberror;
    return body;
  }

  private checkTenant(t: string): void {
    const s = this.deps.tenant().state;
    const ok = [s.tenantId, s.tenantDomain, 'organizations', 'common'].some((x) => x.toLowerCase() === t.toLowerCase());
    if (!ok)
      throw new AadError(
        'invalid_tenant',
        90002,
        `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
  }

  private checkClient(clientId: string | null): string {
    const s = this.deps.tenant().state;
    if (!clientId)
      throw new AadError(
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    if (clientId !== s.clientId) {
      throw new AadError(
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${s.tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    }
    return clientId;
  }

  private parseScopes(scope: string): ScopeRequest {
    const out: ScopeRequest = { oidc: [], graph: [] };
    for (const s of scope.split(/\s+/).filter(Boolean)) {
      if (OIDC_SCOPES.includes(s.toLowerCase())) out.oidc.push(s.toLowerCase());
      else {
        const short = shortScope(s);
        if (short === null) {
          throw new AadError(
            'invalid_resource',
            500011,
            `The resource principal named ${s.split('/').slice(0, -1).join('/')} was not found in the tenant named ${this.deps.tenant().state.tenantDomain}.`,
          );
        }
        out.graph.push(s);
      }
    }
    return out;
  }

  /** Granted Graph scopes (short names) and the response `scope` string; throws AADSTS65001 when consent is missing. */
  private grant(oid: string, req: ScopeRequest): { short: string[]; scope: string } {
    const t = this.deps.tenant();
    const consented = t.consentedScopes(oid);
    const has = (s: string): string | undefined => consented.find((c) => c.toLowerCase() === s.toLowerCase());
    const short: string[] = [];
    const echo: string[] = [];
    const missing: string[] = [];
    for (const s of req.graph) {
      const sh = shortScope(s) ?? s;
      if (sh.toLowerCase() === '.default') {
        if (consented.length === 0) missing.push(s);
        for (const c of consented) {
          short.push(c);
          echo.push(`${GRAPH_RESOURCE}/${c}`);
        }
        continue;
      }
      const hit = has(sh);
      if (hit) {
        short.push(hit);
        echo.push(s);
      } else missing.push(s);
    }
    if (missing.length > 0) {
      throw new AadError(
        'invalid_grant',
        65001,
        `The user or administrator has not consented to use the application with ID '${t.state.clientId}' named 'soa-pilot (lab)'. Send an interactive authorization request for this user and resource.`,
        'consent_required',
      );
    }
    return { short: [...new Set(short)], scope: [...new Set([...echo, ...req.oidc])].join(' ') };
  }

  /** Issue tokens exactly as /token does (also used by the control API's POST /token). */
  async issue(oid: string, clientId: string, scope: string, nonce: string | null): Promise<Record<string, unknown>> {
    const t = this.deps.tenant();
    const user = t.object(oid);
    if (!user || user.kind !== 'user' || !user.userPrincipalName)
      throw new AadError(
        'invalid_grant',
        50034,
        `The user account ${oid} does not exist in the ${t.state.tenantDomain} directory.`,
      );
    const req = this.parseScopes(scope);
    const granted = this.grant(oid, req);
    const lifetime = tokenLifetimeOf(t.settings);
    const at = await this.deps.tokens.accessToken(
      {
        oid,
        upn: user.userPrincipalName,
        name: user.displayName,
        tenantId: t.state.tenantId,
        clientId,
        scopes: granted.short,
        wids: t.widsOf(oid),
      },
      lifetime,
    );
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: granted.scope,
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: at.token,
    };
    if (req.oidc.includes('offline_access')) {
      const rt = `1.lab.${b64url(randomBytes(48))}`;
      t.state.refreshTokens[rt] = {
        oid,
        clientId,
        scopes: req.graph,
        expiresAt: this.now() + t.settings.refreshTokenLifetimeSeconds * 1000,
        issuedAt: this.now(),
      };
      body.refresh_token = rt;
    }
    if (req.oidc.includes('openid')) {
      body.id_token = await this.deps.tokens.idToken(
        {
          oid,
          upn: user.userPrincipalName,
          name: user.displayName,
          tenantId: t.state.tenantId,
          clientId,
          nonce: nonce ?? undefined,
        },
        lifetime,
      );
    }
    body.client_info = b64url(Buffer.from(JSON.stringify({ uid: oid, utid: t.state.tenantId })));
    return body;
  }

  async handle(req: IdentityRequest): Promise<IdentityResponse | null> {
    const base = this.deps.baseUrl();
    const t = this.deps.tenant();
    const p = req.path;
    try {
      if (req.method === 'GET' && /^\/(common|organizations|[^/]+)\/discovery\/instance$/i.test(p)) {
        return this.json(200, instanceDiscovery(base, t.state.tenantId));
      }
      if (req.method === 'GET' && p === '/devicelogin') return this.deviceLoginPage(null);
      if (req.method === 'POST' && p === '/devicelogin') return this.deviceLoginSubmit(req.form);
      const m = /^\/([^/]+)(\/.*)$/.exec(p);
      if (!m) return null;
      const tenantSeg = m[1] ?? '';
      const rest = m[2] ?? '';
      const known = [
        '/v2.0/.well-known/openid-configuration',
        '/discovery/v2.0/keys',
        '/discovery/keys',
        '/oauth2/v2.0/authorize',
        '/oauth2/v2.0/token',
        '/oauth2/v2.0/devicecode',
        '/oauth2/v2.0/logout',
        '/v2.0/adminconsent',
      ];
      if (!known.includes(rest)) return null;
      this.checkTenant(tenantSeg);
      switch (`${req.method} ${rest}`) {
        case 'GET /v2.0/.well-known/openid-configuration':
          return this.json(200, openIdConfiguration(base, t.state.tenantId));
        case 'GET /discovery/v2.0/keys':
        case 'GET /discovery/keys':
          return this.json(200, { keys: [this.jwk()] });
        case 'GET /oauth2/v2.0/authorize':
          return this.authorizePage(req.query);
        case 'POST /oauth2/v2.0/authorize':
          return this.authorizeSubmit(req.form);
        case 'POST /oauth2/v2.0/token':
          return await this.token(req.form);
        case 'POST /oauth2/v2.0/devicecode':
          return this.deviceCode(req.form);
        case 'GET /oauth2/v2.0/logout':
          return this.html(200, page('Signed out', '<p>You have signed out of the lab.</p>'));
        case 'GET /v2.0/adminconsent':
          return this.adminConsentPage(req.query);
        case 'POST /v2.0/adminconsent':
          return this.adminConsentSubmit(req.form);
        default:
          return this.json(405, { error: 'invalid_request', error_description: 'Method not allowed.' });
      }
    } catch (e) {
      if (e instanceof AadError) return this.json(e.status, this.aadErrorBody(e));
      throw e;
    }
  }

  private jwk(): Record<string, unknown> {
    return {
      ...this.deps.tokens.publicJwk(),
      issuer: `${this.deps.baseUrl()}/${this.deps.tenant().state.tenantId}/v2.0`,
    };
  }

  // ---- authorize ------------------------------------------------------------------------------

  private authorizePage(q: URLSearchParams): IdentityResponse {
    this.checkClient(q.get('client_id'));
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!isAllowedRedirect(redirectUri)) {
      return this.html(
        400,
        page(
          'Sign-in error',
          `<p>AADSTS50011: The redirect URI '${esc(redirectUri)}' specified in the request does not match the redirect URIs configured for the application '${esc(this.deps.tenant().state.clientId)}'.</p>`,
        ),
      );
    }
    if ((q.get('response_type') ?? '') !== 'code') {
      return this.html(
        400,
        page(
          'Sign-in error',
          `<p>AADSTS900144: The request body must contain the following parameter: 'response_type' (only 'code' is supported by the lab).</p>`,
        ),
      );
    }
    const method = q.get('code_challenge_method') ?? 'plain';
    if (q.get('code_challenge') && method !== 'S256' && method !== 'plain') {
      return this.html(400, page('Sign-in error', '<p>AADSTS501491: Invalid size of Code_Challenge parameter.</p>'));
    }
    const txnId = b64url(randomBytes(18));
    this.txns.set(txnId, {
      clientId: q.get('client_id') ?? '',
      redirectUri,
      scope: q.get('scope') ?? 'openid profile offline_access',
      codeChallenge: q.get('code_challenge'),
      codeChallengeMethod: method,
      state: q.get('state'),
      nonce: q.get('nonce'),
      responseMode: q.get('response_mode') ?? 'query',
      createdAt: this.now(),
    });
    const hint = (q.get('login_hint') ?? '').toLowerCase();
    const buttons = this.deps
      .tenant()
      .labAdmins()
      .map(
        (a) =>
          `<button type="submit" name="upn" value="${esc(a.upn)}"${a.upn.toLowerCase() === hint ? ' autofocus' : ''}><strong>${esc(a.displayName)}</strong> — ${esc(a.upn)}<br><span class="note">${esc(a.note)}</span></button>`,
      )
      .join('\n');
    return this.html(
      200,
      page(
        'Pick an account',
        `<form method="post" action="authorize"><input type="hidden" name="txn" value="${esc(txnId)}">${buttons}</form>`,
      ),
    );
  }

  private authorizeSubmit(form: URLSearchParams): IdentityResponse {
    const txn = this.txns.get(form.get('txn') ?? '');
    if (!txn)
      return this.html(
        400,
        page('Sign-in error', '<p>AADSTS90014: The sign-in session has expired or is unknown. Start again.</p>'),
      );
    this.txns.delete(form.get('txn') ?? '');
    const user = this.deps.tenant().adminByUpn(form.get('upn') ?? '');
    if (!user)
      return this.html(
        400,
        page('Sign-in error', '<p>AADSTS50034: The user account does not exist in this directory.</p>'),
      );
    const fields: Record<string, string> = {};
    try {
      this.grant(user.id, this.parseScopes(txn.scope));
      const code = `1.lab.${b64url(randomBytes(32))}`;
      this.codes.set(code, { txn, oid: user.id, expiresAt: this.now() + 10 * 60_000, used: false });
      fields.code = code;
      fields.client_info = b64url(
        Buffer.from(JSON.stringify({ uid: user.id, utid: this.deps.tenant().state.tenantId })),
      );
      fields.session_state = randomUUID();
    } catch (e) {
      if (!(e instanceof AadError)) throw e;
      const body = this.aadErrorBody(e);
      fields.error = e.suberror ?? e.error;
      fields.error_description = String(body.error_description);
      fields.error_uri = String(body.error_uri);
    }
    if (txn.state !== null) fields.state = txn.state;
    if (txn.responseMode === 'form_post') {
      const inputs = Object.entries(fields)
        .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
        .join('');
      return this.html(
        200,
        `<!doctype html><html><head><title>Working...</title></head><body onload="document.forms[0].submit()"><form method="POST" name="hiddenform" action="${esc(txn.redirectUri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form></body></html>`,
      );
    }
    const u = new URL(txn.redirectUri);
    for (const [k, v] of Object.entries(fields)) u.searchParams.set(k, v);
    return { status: 302, headers: { location: u.toString(), 'cache-control': 'no-store' }, body: '' };
  }

  // ---- token ----------------------------------------------------------------------------------

  private async token(form: URLSearchParams): Promise<IdentityResponse> {
    const t = this.deps.tenant();
    const grantType = form.get('grant_type') ?? '';
    const clientId = this.checkClient(form.get('client_id'));
    if (grantType === 'authorization_code') {
      const codeValue = form.get('code') ?? '';
      const code = this.codes.get(codeValue);
      if (!code) throw new AadError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      if (code.used)
        throw new AadError(
          'invalid_grant',
          54005,
          'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
        );
      if (code.expiresAt < this.now())
        throw new AadError(
          'invalid_grant',
          70008,
          'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
        );
      if (code.txn.clientId !== clientId)
        throw new AadError(
          'invalid_grant',
          70002,
          'The client does not match the client the authorization code was issued to.',
        );
      if ((form.get('redirect_uri') ?? '') !== code.txn.redirectUri) {
        throw new AadError(
          'invalid_grant',
          50011,
          `The redirect URI '${form.get('redirect_uri') ?? ''}' specified in the request does not match the redirect URI used to obtain the authorization code.`,
        );
      }
      if (code.txn.codeChallenge) {
        const verifier = form.get('code_verifier');
        if (!verifier)
          throw new AadError(
            'invalid_request',
            900144,
            "The request body must contain the following parameter: 'code_verifier'.",
          );
        const computed =
          code.txn.codeChallengeMethod === 'S256' ? b64url(createHash('sha256').update(verifier).digest()) : verifier;
        if (computed !== code.txn.codeChallenge)
          throw new AadError(
            'invalid_grant',
            501481,
            'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
          );
      }
      code.used = true;
      const scope = form.get('scope') ?? code.txn.scope;
      return this.json(200, await this.issue(code.oid, clientId, scope, code.txn.nonce));
    }
    if (grantType === 'refresh_token') {
      const rtValue = form.get('refresh_token') ?? '';
      const rt = t.state.refreshTokens[rtValue];
      if (!rt) throw new AadError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      if (rt.expiresAt < this.now())
        throw new AadError(
          'invalid_grant',
          700082,
          'The refresh token has expired due to inactivity. The token was issued on a date and was inactive for the maximum inactive time.',
        );
      if (rt.clientId !== clientId)
        throw new AadError('invalid_grant', 70000, 'Provided grant is invalid or malformed.');
      const validFrom = t.state.signInSessionsValidFrom?.[rt.oid];
      if (validFrom !== undefined && (rt.issuedAt ?? 0) < validFrom)
        // docs/reference/token-lifetime.md#revoked-refresh-tokens
        throw new AadError(
          'invalid_grant',
          50173,
          `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${new Date(rt.issuedAt ?? 0).toISOString()}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${new Date(validFrom).toISOString()}'.`,
        );
      const scope = form.get('scope') ?? ['openid', 'profile', 'offline_access', ...rt.scopes].join(' ');
      return this.json(200, await this.issue(rt.oid, clientId, scope, null));
    }
    if (grantType === 'urn:ietf:params:oauth:grant-type:device_code' || grantType === 'device_code') {
      const dcValue = form.get('device_code') ?? form.get('code') ?? '';
      const dc = this.devices.get(dcValue);
      if (!dc)
        throw new AadError(
          'bad_verification_code',
          70000,
          "The provided value for the input parameter 'device_code' is not valid.",
        );
      if (dc.expiresAt < this.now()) {
        this.devices.delete(dcValue);
        throw new AadError(
          'expired_token',
          70020,
          "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        );
      }
      if (dc.clientId !== clientId)
        throw new AadError('invalid_grant', 70000, 'Provided grant is invalid or malformed.');
      if (!dc.approvedBy)
        throw new AadError(
          'authorization_pending',
          70016,
          'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
        );
      this.devices.delete(dcValue);
      return this.json(200, await this.issue(dc.approvedBy, clientId, dc.scope, null));
    }
    throw new AadError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }

  // ---- device code ----------------------------------------------------------------------------

  private deviceCode(form: URLSearchParams): IdentityResponse {
    const t = this.deps.tenant();
    const clientId = this.checkClient(form.get('client_id'));
    const scope = form.get('scope') ?? 'openid profile offline_access';
    this.parseScopes(scope);
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const bytes = randomBytes(9);
    const userCode = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    const deviceCode = `DAQABAAEAAAD--lab${b64url(randomBytes(48))}`;
    const lifetime = t.settings.deviceCodeLifetimeSeconds;
    this.devices.set(deviceCode, {
      userCode,
      clientId,
      scope,
      expiresAt: this.now() + lifetime * 1000,
      approvedBy: null,
    });
    const verificationUri = `${this.deps.baseUrl()}/devicelogin`;
    return this.json(200, {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: lifetime,
      interval: t.settings.deviceCodeIntervalSeconds,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  }

  private deviceLoginPage(error: string | null): IdentityResponse {
    const admins = this.deps
      .tenant()
      .labAdmins()
      .map(
        (a) =>
          `<button type="submit" name="upn" value="${esc(a.upn)}"><strong>${esc(a.displayName)}</strong> — ${esc(a.upn)}<br><span class="note">${esc(a.note)}</span></button>`,
      )
      .join('\n');
    return this.html(
      error ? 400 : 200,
      page(
        'Enter code',
        `${error ? `<p role="alert">${esc(error)}</p>` : ''}<form method="post" action="/devicelogin"><label>Code <input name="user_code" autocomplete="off" required></label><p>Then pick the account:</p>${admins}</form>`,
      ),
    );
  }

  /** Approve a device code (the verification page's form; tests may POST `user_code` + `upn` directly). */
  private deviceLoginSubmit(form: URLSearchParams): IdentityResponse {
    const userCode = (form.get('user_code') ?? '').trim().toUpperCase();
    const entry = [...this.devices.values()].find((d) => d.userCode === userCode);
    if (!entry || entry.expiresAt < this.now())
      return this.deviceLoginPage("AADSTS70019: That code didn't work. Check the code and try again.");
    const user = this.deps.tenant().adminByUpn(form.get('upn') ?? '');
    if (!user) return this.deviceLoginPage('AADSTS50034: The user account does not exist in this directory.');
    entry.approvedBy = user.id;
    return this.html(
      200,
      page(
        'Signed in',
        `<p>You have signed in to the soa-pilot (lab) application on your device as ${esc(user.userPrincipalName ?? '')}. You may now close this window.</p>`,
      ),
    );
  }

  // ---- admin consent --------------------------------------------------------------------------

  private adminConsentPage(q: URLSearchParams): IdentityResponse {
    this.checkClient(q.get('client_id'));
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!isAllowedRedirect(redirectUri))
      return this.html(
        400,
        page(
          'Consent error',
          `<p>AADSTS50011: The redirect URI '${esc(redirectUri)}' does not match the app registration.</p>`,
        ),
      );
    const hidden = ['client_id', 'scope', 'redirect_uri', 'state']
      .map((k) => `<input type="hidden" name="${k}" value="${esc(q.get(k) ?? '')}">`)
      .join('');
    const admins = this.deps
      .tenant()
      .labAdmins()
      .map(
        (a) =>
          `<button type="submit" name="upn" value="${esc(a.upn)}"><strong>${esc(a.displayName)}</strong> — ${esc(a.upn)}</button>`,
      )
      .join('\n');
    return this.html(
      200,
      page(
        'Permissions requested (admin consent)',
        `<p>soa-pilot (lab) asks for: ${esc(q.get('scope') ?? '')}</p><form method="post" action="adminconsent">${hidden}${admins}</form>`,
      ),
    );
  }

  private adminConsentSubmit(form: URLSearchParams): IdentityResponse {
    const t = this.deps.tenant();
    this.checkClient(form.get('client_id'));
    const redirectUri = form.get('redirect_uri') ?? '';
    if (!isAllowedRedirect(redirectUri))
      return this.html(400, page('Consent error', '<p>AADSTS50011: redirect URI mismatch.</p>'));
    const user = t.adminByUpn(form.get('upn') ?? '');
    const u = new URL(redirectUri);
    const state = form.get('state');
    const scope = form.get('scope') ?? `${GRAPH_RESOURCE}/.default`;
    if (
      !user ||
      !t.hasTenantRole(user.id, [
        ROLE.globalAdministrator,
        ROLE.applicationAdministrator,
        ROLE.cloudApplicationAdministrator,
      ])
    ) {
      u.searchParams.set('admin_consent', 'True');
      u.searchParams.set('error', 'consent_required');
      u.searchParams.set(
        'error_description',
        'AADSTS90094: Admin consent is required for the permissions requested by this application. An administrator (Global, Application or Cloud Application Administrator) must grant it.',
      );
    } else {
      const requested = scope
        .split(/\s+/)
        .filter(Boolean)
        .map((s) => shortScope(s) ?? s);
      const scopes = requested.some((s) => s.toLowerCase() === '.default')
        ? [...LAB_APP_SCOPES]
        : requested.filter((s) => !OIDC_SCOPES.includes(s.toLowerCase()));
      let g = t.state.grants.find(
        (x) => x.consentType === 'AllPrincipals' && x.clientId === t.state.appServicePrincipalId,
      );
      if (!g) {
        g = {
          id: randomUUID(),
          clientId: t.state.appServicePrincipalId,
          consentType: 'AllPrincipals',
          principalId: null,
          resourceId: t.state.graphServicePrincipalId,
          scope: '',
        };
        t.state.grants.push(g);
      }
      g.scope = [...new Set([...g.scope.split(' ').filter(Boolean), ...scopes])].join(' ');
      t.logWrite(
        { oid: user.id, upn: user.userPrincipalName ?? '', name: user.displayName, appId: t.state.clientId },
        'POST',
        `/${t.state.tenantId}/v2.0/adminconsent`,
        g.id,
        { scope },
        { requestId: randomUUID(), clientRequestId: null, batchStepId: null },
      );
      u.searchParams.set('admin_consent', 'True');
      u.searchParams.set('tenant', t.state.tenantId);
      u.searchParams.set('scope', scope);
    }
    if (state !== null) u.searchParams.set('state', state);
    return { status: 302, headers: { location: u.toString(), 'cache-control': 'no-store' }, body: '' };
  }
}

/** The lab app registration's redirect URIs: loopback http on any port (as AAD allows for public clients), plus nativeclient. */
export function isAllowedRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    if (u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1')) return true;
    if (uri === 'https://login.microsoftonline.com/common/oauth2/nativeclient') return true;
    if (u.protocol.startsWith('msal')) return true;
    return false;
  } catch {
    return false;
  }
}

/** One token's lifetime, seconds: the minimum plus a random share of the spread (Entra: 60–90 min). */
export function tokenLifetimeOf(
  settings: Pick<LabSettings, 'tokenLifetimeSeconds' | 'tokenLifetimeSpreadSeconds'>,
  random: (maxExclusive: number) => number = (max) => randomInt(max),
): number {
  const spread = Math.max(0, Math.floor(settings.tokenLifetimeSpreadSeconds));
  return settings.tokenLifetimeSeconds + (spread > 0 ? random(spread + 1) : 0);
}
