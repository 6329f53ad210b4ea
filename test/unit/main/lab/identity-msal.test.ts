import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PublicClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { decodeJwt } from 'jose';
import {
  labAuthorityMetadata,
  labCloudDiscoveryMetadata,
  startLab,
  type LabHandle,
} from '../../../../src-main/lab/index';
import { graph, rec, request, UPN } from './lab-http';

let lab: LabHandle;
const seenUrls: string[] = [];
const GRAPH_SCOPES = [
  'https://graph.microsoft.com/Contacts-OnPremisesSyncBehavior.ReadWrite.All',
  'https://graph.microsoft.com/User.Read',
];

function send<T>(
  method: string,
  url: string,
  options: NetworkRequestOptions | undefined,
  ca: string,
): Promise<NetworkResponse<T>> {
  seenUrls.push(url);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers: options?.headers ?? {}, ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ headers, status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as T });
      });
    });
    req.on('error', reject);
    if (options?.body) req.write(options.body);
    req.end();
  });
}

function pca(): PublicClientApplication {
  const ca = readFileSync(lab.info.caCertPath, 'utf8');
  const networkClient: INetworkModule = {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('GET', url, options, ca),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options, ca),
  };
  return new PublicClientApplication({
    auth: {
      clientId: lab.info.clientId,
      authority: lab.info.authority,
      knownAuthorities: [new URL(lab.info.authority).host],
      authorityMetadata: labAuthorityMetadata(lab.info),
      cloudDiscoveryMetadata: labCloudDiscoveryMetadata(lab.info),
    },
    system: { networkClient },
  });
}

function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1] ?? ''] = (m[2] ?? '')
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  }
  return out;
}

function postForm(
  url: string,
  fields: Record<string, string>,
  ca: string | null,
): Promise<{ status: number; text: string; location?: string }> {
  const body = new URLSearchParams(fields).toString();
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        agent: false,
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            location: res.headers.location,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What a browser would do: load the lab sign-in page, pick the admin, deliver the form_post to MSAL's loopback. */
function browserSignIn(upn: string, browsed: string[]) {
  return async (authorizeUrl: string): Promise<void> => {
    browsed.push(authorizeUrl);
    const ca = readFileSync(lab.info.caCertPath, 'utf8');
    const pageRes = await request(authorizeUrl, lab.info.caCertPath);
    expect(pageRes.status).toBe(200);
    expect(pageRes.text).toContain(upn);
    const txn = hiddenInputs(pageRes.text).txn ?? '';
    const signIn = `${lab.info.authority}/oauth2/v2.0/authorize`;
    browsed.push(signIn);
    const posted = await postForm(signIn, { txn, upn }, ca);
    expect(posted.status).toBe(200);
    const action = /<form method="POST" name="hiddenform" action="([^"]+)"/.exec(posted.text)?.[1] ?? '';
    expect(new URL(action).hostname).toBe('localhost');
    browsed.push(action);
    await postForm(action, hiddenInputs(posted.text), null);
  };
}

beforeAll(async () => {
  lab = await startLab({ seed: 41, contacts: 20 });
});
afterAll(async () => {
  await lab.close();
});

describe('unmodified @azure/msal-node against the lab', () => {
  it('auth code + PKCE (form_post to the loopback), then a refresh after expiry', async () => {
    const app = pca();
    const browsed: string[] = [];
    lab.updateSettings({ tokenLifetimeSeconds: 600 });
    const result = await app.acquireTokenInteractive({
      scopes: GRAPH_SCOPES,
      openBrowser: browserSignIn(UPN.full, browsed),
    });
    lab.updateSettings({ tokenLifetimeSeconds: 3600 });
    seenUrls.push(...browsed);
    expect(new URL(browsed[0] ?? '').searchParams.get('code_challenge_method')).toBe('S256');
    expect(new URL(browsed[0] ?? '').searchParams.get('response_mode')).toBe('form_post');
    expect(result.account?.username).toBe(UPN.full);
    expect(result.tenantId).toBe(lab.info.tenantId);
    const claims = decodeJwt(result.accessToken);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      tid: lab.info.tenantId,
      upn: UPN.full,
      preferred_username: UPN.full,
    });
    expect(String(claims.scp).split(' ').sort()).toEqual([
      'Contacts-OnPremisesSyncBehavior.ReadWrite.All',
      'User.Read',
    ]);
    expect(claims.wids).toContain('8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2');
    const me = await graph(lab, '/me', { token: result.accessToken });
    expect(rec(me.json).userPrincipalName).toBe(UPN.full);

    // the lab clock moves past expiry (Graph rejects the token); MSAL keeps its own clock, so ask it to refresh
    const account = result.account;
    if (!account) throw new Error('no account');
    const before = seenUrls.length;
    lab.setClockOffset(601_000);
    try {
      const expired = await graph(lab, '/me', { token: result.accessToken });
      expect(expired.status).toBe(401);
      const refreshed = await app.acquireTokenSilent({ account, scopes: GRAPH_SCOPES, forceRefresh: true });
      expect(refreshed.accessToken).not.toBe(result.accessToken);
      expect((await graph(lab, '/me', { token: refreshed.accessToken })).status).toBe(200);
    } finally {
      lab.setClockOffset(0);
    }
    expect(seenUrls.slice(before).some((u) => new URL(u).pathname.endsWith('/oauth2/v2.0/token'))).toBe(true);
  });

  it('silent refresh of a short-lived token without forceRefresh', async () => {
    const app = pca();
    lab.updateSettings({ tokenLifetimeSeconds: 120 }); // inside MSAL's 300 s renewal offset
    const browsed: string[] = [];
    const first = await app.acquireTokenInteractive({
      scopes: GRAPH_SCOPES,
      openBrowser: browserSignIn(UPN.noAudit, browsed),
    });
    seenUrls.push(...browsed);
    lab.updateSettings({ tokenLifetimeSeconds: 3600 });
    if (!first.account) throw new Error('no account');
    const second = await app.acquireTokenSilent({ account: first.account, scopes: GRAPH_SCOPES });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.fromCache).toBe(false);
  });

  it('device code flow: authorization_pending until approved on the verification page', async () => {
    const app = pca();
    let polledPending = false;
    const result = await app.acquireTokenByDeviceCode({
      scopes: GRAPH_SCOPES,
      deviceCodeCallback: (r) => {
        seenUrls.push(r.verificationUri);
        void (async () => {
          // one poll sees authorization_pending before approval
          await new Promise((ok) => setTimeout(ok, 1300));
          polledPending = true;
          const ok = await postForm(
            r.verificationUri,
            { user_code: r.userCode, upn: UPN.full },
            readFileSync(lab.info.caCertPath, 'utf8'),
          );
          expect(ok.status).toBe(200);
        })();
      },
    });
    expect(polledPending).toBe(true);
    if (!result) throw new Error('no result');
    expect(result.account?.username).toBe(UPN.full);
    expect(decodeJwt(result.accessToken).aud).toBe('https://graph.microsoft.com');
  });

  it('a scope without consent fails with AADSTS65001 consent_required (authorize and token endpoint)', async () => {
    const app = pca();
    const browsed: string[] = [];
    await expect(
      app.acquireTokenInteractive({ scopes: GRAPH_SCOPES, openBrowser: browserSignIn(UPN.noConsent, browsed) }),
    ).rejects.toMatchObject({
      errorCode: 'consent_required',
    });
    seenUrls.push(...browsed);
    const minted = await lab.control('POST', '/token', { upn: UPN.noConsent, scopes: ['User.Read'] });
    expect(minted.status).toBe(400);
    expect(rec(minted.body)).toMatchObject({
      error: 'invalid_grant',
      suberror: 'consent_required',
      error_codes: [65001],
    });
    expect(String(rec(minted.body).error_description)).toMatch(
      /^AADSTS65001: The user or administrator has not consented/,
    );
  });
});

describe('no egress', () => {
  it('every request MSAL (through its networkClient) or the "browser" made went to the lab on loopback', () => {
    expect(seenUrls.length).toBeGreaterThan(5);
    for (const u of seenUrls) {
      expect(['localhost', '127.0.0.1', '[::1]']).toContain(new URL(u).hostname);
      expect(u.startsWith(lab.info.graphBaseUrl) || new URL(u).protocol === 'http:').toBe(true);
    }
    expect(seenUrls.some((u) => u.includes('login.microsoftonline.com') || u.includes('discovery/instance'))).toBe(
      false,
    );
  });
});

describe('lab identity endpoints (raw)', () => {
  const form = (fields: Record<string, string>): Promise<{ status: number; text: string }> =>
    postForm(`${lab.info.authority}/oauth2/v2.0/token`, fields, readFileSync(lab.info.caCertPath, 'utf8'));

  it('OpenID metadata and JWKS', async () => {
    const r = await request(`${lab.info.authority}/v2.0/.well-known/openid-configuration`, lab.info.caCertPath);
    expect(rec(r.json)).toMatchObject({
      issuer: `${lab.info.authority}/v2.0`,
      token_endpoint: `${lab.info.authority}/oauth2/v2.0/token`,
    });
    expect(JSON.parse(labAuthorityMetadata(lab.info))).toEqual(r.json);
    const k = await request(String(rec(r.json).jwks_uri), lab.info.caCertPath);
    expect(rec((rec(k.json).keys as unknown[])[0])).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('PKCE mismatch and code reuse are rejected in the AAD error shape', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = 'http://localhost:53123/';
    const q = new URLSearchParams({
      client_id: lab.info.clientId,
      response_type: 'code',
      redirect_uri: redirect,
      scope: 'openid offline_access User.Read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 's1',
    });
    const page = await request(`${lab.info.authority}/oauth2/v2.0/authorize?${q.toString()}`, lab.info.caCertPath);
    const txn = hiddenInputs(page.text).txn ?? '';
    const posted = await postForm(
      `${lab.info.authority}/oauth2/v2.0/authorize`,
      { txn, upn: UPN.full },
      readFileSync(lab.info.caCertPath, 'utf8'),
    );
    expect(posted.status).toBe(302); // response_mode=query (default) redirects
    const code = new URL(posted.location ?? '').searchParams.get('code') ?? '';
    const bad = await form({
      grant_type: 'authorization_code',
      client_id: lab.info.clientId,
      code,
      redirect_uri: redirect,
      code_verifier: 'wrong',
    });
    expect(bad.status).toBe(400);
    const badBody = rec(JSON.parse(bad.text));
    expect(badBody).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    const good = await form({
      grant_type: 'authorization_code',
      client_id: lab.info.clientId,
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
    });
    expect(good.status).toBe(200);
    const again = await form({
      grant_type: 'authorization_code',
      client_id: lab.info.clientId,
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
    });
    expect(rec(JSON.parse(again.text))).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
  });

  it('device code: authorization_pending, then expired_token', async () => {
    const dc = await postForm(
      `${lab.info.authority}/oauth2/v2.0/devicecode`,
      { client_id: lab.info.clientId, scope: 'openid User.Read' },
      readFileSync(lab.info.caCertPath, 'utf8'),
    );
    const d = rec(JSON.parse(dc.text));
    expect(d).toMatchObject({ verification_uri: `${lab.info.graphBaseUrl}/devicelogin`, expires_in: 900 });
    const poll = {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: lab.info.clientId,
      device_code: String(d.device_code),
    };
    const p1 = rec(JSON.parse((await form(poll)).text));
    expect(p1).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
    expect(String(p1.error_description)).toMatch(/^AADSTS70016: /);
    lab.setClockOffset(901_000);
    try {
      const p2 = rec(JSON.parse((await form(poll)).text));
      expect(p2).toMatchObject({ error: 'expired_token', error_codes: [70020] });
    } finally {
      lab.setClockOffset(0);
    }
  });

  it('admin consent page: a Global Administrator grants consent for all principals', async () => {
    const q = new URLSearchParams({
      client_id: lab.info.clientId,
      scope: 'https://graph.microsoft.com/.default',
      redirect_uri: 'http://localhost:5000/consent',
      state: 'xyz',
    });
    const page = await request(`${lab.info.authority}/v2.0/adminconsent?${q.toString()}`, lab.info.caCertPath);
    expect(page.status).toBe(200);
    const fields = hiddenInputs(page.text);
    const denied = await postForm(
      `${lab.info.authority}/v2.0/adminconsent`,
      { ...fields, upn: UPN.full },
      readFileSync(lab.info.caCertPath, 'utf8'),
    );
    expect(new URL(denied.location ?? '').searchParams.get('error')).toBe('consent_required');
    const ok = await postForm(
      `${lab.info.authority}/v2.0/adminconsent`,
      { ...fields, upn: UPN.global },
      readFileSync(lab.info.caCertPath, 'utf8'),
    );
    const loc = new URL(ok.location ?? '');
    expect(loc.searchParams.get('admin_consent')).toBe('True');
    expect(loc.searchParams.get('tenant')).toBe(lab.info.tenantId);
    expect(loc.searchParams.get('state')).toBe('xyz');
    const minted = await lab.control('POST', '/token', { upn: UPN.noConsent, scopes: ['User.Read'] });
    expect(minted.status).toBe(200);
  });
});
