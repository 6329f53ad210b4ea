/**
 * The real MSAL-node against the in-process lab: interactive sign-in (the authorize redirect is
 * followed programmatically), device code, silent refresh after expiry, incremental scopes without
 * silent reuse, consent errors, sign-out — with no request leaving localhost and no token in logs
 * or files.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startLab,
  labAuthorityMetadata,
  labCloudDiscoveryMetadata,
  type LabInfo,
} from '../../../../src-main/lab/index';
import { AuthService } from '../../../../src-main/auth/auth-service';
import { readCaFile } from '../../../../src-main/auth/https-fetch';
import { TrustingNetworkClient } from '../../../../src-main/auth/network-client';
import type { INetworkModule, NetworkRequestOptions } from '@azure/msal-node';
import { SettingsStore } from '../../../../src-main/settings/settings-store';
import { OperationError } from '../../../../src-main/ipc/errors';
import { setLogSink } from '../../../../src-main/log';
import { STEP_SCOPES } from '../../../../src-renderer/lib/graph/scopes';
import { tokenScopes } from '../../../../src-renderer/lib/graph/graph-client';
import { labBrowser, type LabBrowser } from './lab-browser';

type Lab = Awaited<ReturnType<typeof startLab>>;

let lab: Lab;
let info: LabInfo;
let ca: string;
const logLines: string[] = [];
const msalUrls: string[] = [];
const tokensSeen = new Set<string>();
const dataDirs: string[] = [];

const upnOf = (local: string): string => {
  const a = info.admins.find((x) => x.upn.startsWith(`${local}@`));
  if (!a) throw new Error(`lab admin ${local} missing`);
  return a.upn;
};

function makeService(browser: LabBrowser, opts: { metadata?: boolean } = {}): AuthService {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'soa-auth-lab-'));
  dataDirs.push(dataDir);
  const settings = new SettingsStore(path.join(dataDir, 'settings.json'), {
    tenant: info.tenantId,
    clientId: info.clientId,
    authorityHost: new URL(info.authority).origin,
    graphEndpoint: info.graphBaseUrl,
  });
  return new AuthService({
    getSettings: () => settings.get(),
    dataDir,
    extraCa: readCaFile(info.caCertPath),
    openExternal: (url) => browser.openExternal(url),
    ...(opts.metadata === false
      ? {}
      : { authorityMetadata: labAuthorityMetadata(info), cloudDiscoveryMetadata: labCloudDiscoveryMetadata(info) }),
    onNetworkRequest: (url) => msalUrls.push(url),
  });
}

const ctx = <P>(events: P[] = [], signal: AbortSignal = new AbortController().signal) => ({
  emit: (p: P) => events.push(p),
  signal,
});

async function signIn(service: AuthService, local: string, scopes: readonly string[] = STEP_SCOPES.contacts) {
  const events: { signInUrl: string }[] = [];
  const account = await service.signInInteractive({ scopes: [...scopes], loginHint: upnOf(local) }, ctx(events));
  return { account, events };
}

beforeAll(async () => {
  setLogSink((line) => logLines.push(line), 'debug');
  lab = await startLab({ seed: 1, speed: 'fast', contacts: 40 });
  info = lab.info;
  ca = readFileSync(info.caCertPath, 'utf8');
});

afterAll(async () => {
  setLogSink((line) => process.stderr.write(line + '\n'), 'info');
  await lab?.close();
});

let current = 'hybrid.admin';
let browser: LabBrowser;
beforeEach(() => {
  current = 'hybrid.admin';
  browser = labBrowser(ca, () => upnOf(current));
});

describe('MSAL-node against the lab', () => {
  it('signs in interactively through the (scripted) system browser and emits the sign-in URL', async () => {
    const service = makeService(browser);
    const { account, events } = await signIn(service, 'hybrid.admin');
    expect(account.username).toBe(upnOf('hybrid.admin'));
    expect(account.tenantId).toBe(info.tenantId);
    expect(events).toHaveLength(1);
    const signInUrl = new URL(events[0]?.signInUrl ?? '');
    expect(signInUrl.origin).toBe(new URL(info.authority).origin);
    expect(signInUrl.searchParams.get('response_mode')).toBe('form_post');
    expect(signInUrl.searchParams.get('code_challenge_method')).toBe('S256');
    // the account the admin typed reaches the sign-in page (MSAL drops it next to prompt=select_account)
    expect(signInUrl.searchParams.get('login_hint')).toBe(upnOf('hybrid.admin'));
    expect(signInUrl.searchParams.get('prompt')).toBeNull();
    const status = await service.status();
    expect(status).toMatchObject({
      signedIn: true,
      account: { username: upnOf('hybrid.admin') },
      cache: { persistence: 'memory' },
    });

    const t = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
    tokensSeen.add(t.accessToken);
    expect(tokenScopes(t.accessToken)).toEqual(expect.arrayContaining([...STEP_SCOPES.contacts]));
    expect(Object.keys(t).sort()).toEqual(['accessToken', 'expiresOn', 'scopes']);
  });

  it('works without pre-supplied metadata too (knownAuthorities only), still talking only to the lab', async () => {
    const service = makeService(browser, { metadata: false });
    const before = msalUrls.length;
    await signIn(service, 'hybrid.admin');
    const urls = msalUrls.slice(before).map((u) => new URL(u));
    expect(urls.some((u) => u.pathname.endsWith('/v2.0/.well-known/openid-configuration'))).toBe(true);
    expect(urls.every((u) => u.hostname === 'localhost' || u.hostname === '127.0.0.1')).toBe(true);
  });

  it('requests scopes incrementally and never hands out a token issued for another scope set', async () => {
    const service = makeService(browser);
    await signIn(service, 'hybrid.admin');
    const contacts = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
    const audit = await service.getAccessToken({ scopes: [...STEP_SCOPES.audit] });
    tokensSeen.add(contacts.accessToken).add(audit.accessToken);
    expect(audit.accessToken).not.toBe(contacts.accessToken);
    const auditScp = tokenScopes(audit.accessToken) ?? [];
    expect(auditScp).toEqual(expect.arrayContaining([...STEP_SCOPES.audit]));
    expect(auditScp).not.toContain('Contacts-OnPremisesSyncBehavior.ReadWrite.All');
    // asking again for the first set returns a token that carries it (from the cache), not the audit one
    const again = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
    expect(again.accessToken).toBe(contacts.accessToken);
  });

  it('refuses a step whose scopes were never consented instead of reusing the sign-in token', async () => {
    current = 'noconsent.admin';
    const service = makeService(browser);
    // OIDC-only sign-in needs no consent; the Graph step then must not get that token
    await service.signInInteractive({ scopes: ['openid'] }, ctx());
    const err = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).code).toBe('interactionRequired');
    expect((err as OperationError).message).toMatch(/consent/i);
  });

  it('refuses a token whose granted scopes fall short of the request (Entra may grant a subset)', async () => {
    // the identity platform answers the refresh for the audit step with only part of the scopes
    const inner = new TrustingNetworkClient({
      extraCa: readCaFile(info.caCertPath),
      onRequest: (u) => msalUrls.push(u),
    });
    const narrowing: INetworkModule = {
      sendGetRequestAsync: (url, options, timeout) => inner.sendGetRequestAsync(url, options, timeout),
      sendPostRequestAsync: async <T>(url: string, options?: NetworkRequestOptions) => {
        const r = await inner.sendPostRequestAsync<T>(url, options);
        const body = r.body as Record<string, unknown>;
        if (typeof body.scope === 'string' && body.scope.includes('AuditLog.Read.All')) {
          body.scope = body.scope
            .split(' ')
            .filter((x) => !x.endsWith('AuditLog.Read.All'))
            .join(' ');
        }
        return r;
      },
    };
    const dataDir = mkdtempSync(path.join(tmpdir(), 'soa-auth-lab-'));
    dataDirs.push(dataDir);
    const settings = new SettingsStore(path.join(dataDir, 'settings.json'), {
      tenant: info.tenantId,
      clientId: info.clientId,
      authorityHost: new URL(info.authority).origin,
      graphEndpoint: info.graphBaseUrl,
    });
    const service = new AuthService({
      getSettings: () => settings.get(),
      dataDir,
      networkClient: narrowing,
      openExternal: (url) => browser.openExternal(url),
    });
    await signIn(service, 'hybrid.admin');
    const err = await service.getAccessToken({ scopes: [...STEP_SCOPES.audit] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(err).toMatchObject({ code: 'interactionRequired', detail: { missingScopes: ['AuditLog.Read.All'] } });
    expect((err as OperationError).message).toMatch(/lacks AuditLog\.Read\.All/);
    // the contacts step is unaffected
    expect((await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] })).scopes).toEqual(
      expect.arrayContaining([...STEP_SCOPES.contacts]),
    );
  });

  it('turns a consent_required sign-in into an interactionRequired error that names admin consent', async () => {
    current = 'noconsent.admin';
    const service = makeService(browser);
    const err = await service.signInInteractive({ scopes: [...STEP_SCOPES.contacts] }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).code).toBe('interactionRequired');
    expect((err as OperationError).message).toMatch(/admin consent/i);
    expect((await service.status()).signedIn).toBe(false);
  });

  it('signs in with a device code (the test completes the lab verification page)', async () => {
    const service = makeService(browser);
    current = 'hybrid.noaudit';
    const events: { userCode: string; verificationUri: string; message: string; expiresIn: number }[] = [];
    const flow = service.signInDeviceCode(
      { scopes: [...STEP_SCOPES.contacts] },
      {
        emit: (p) => {
          events.push(p);
          void browser.approveDeviceCode(p.verificationUri, p.userCode);
        },
        signal: new AbortController().signal,
      },
    );
    const account = await flow;
    expect(account.username).toBe(upnOf('hybrid.noaudit'));
    expect(events).toHaveLength(1);
    expect(events[0]?.userCode).toMatch(/\S+/);
    expect(new URL(events[0]?.verificationUri ?? '').hostname).toBe('localhost');
  });

  it('cancels a pending device-code flow', async () => {
    const service = makeService(browser);
    const controller = new AbortController();
    const flow = service.signInDeviceCode(
      { scopes: [...STEP_SCOPES.contacts] },
      { emit: () => controller.abort(), signal: controller.signal },
    );
    await expect(flow).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('refreshes silently after the access token expired (short lab token lifetime)', async () => {
    const previous = lab.settings().tokenLifetimeSeconds;
    lab.updateSettings({ tokenLifetimeSeconds: 2 });
    try {
      const service = makeService(browser);
      await signIn(service, 'hybrid.admin');
      const first = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
      await new Promise((r) => setTimeout(r, 2_100));
      const before = msalUrls.length;
      const second = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
      tokensSeen.add(first.accessToken).add(second.accessToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(Date.parse(second.expiresOn)).toBeGreaterThan(Date.now());
      expect(msalUrls.slice(before).some((u) => new URL(u).pathname.endsWith('/oauth2/v2.0/token'))).toBe(true);
      // forceRefresh asks the token endpoint even for a valid token
      lab.updateSettings({ tokenLifetimeSeconds: 3600 });
      const third = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
      const forced = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts], forceRefresh: true });
      tokensSeen.add(third.accessToken).add(forced.accessToken);
      expect(forced.accessToken).not.toBe(third.accessToken);
    } finally {
      lab.updateSettings({ tokenLifetimeSeconds: previous });
    }
  });

  it('signs out: the account and its tokens are gone', async () => {
    const service = makeService(browser);
    await signIn(service, 'hybrid.admin');
    expect(await service.signOut()).toEqual({ signedOut: true });
    expect((await service.status()).signedIn).toBe(false);
    await expect(service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] })).rejects.toMatchObject({
      code: 'notSignedIn',
    });
    const pca = await service.client();
    expect(await pca.getTokenCache().getAllAccounts()).toEqual([]);
    expect(JSON.parse(pca.getTokenCache().serialize()) as Record<string, Record<string, unknown>>).toMatchObject({
      AccessToken: {},
      RefreshToken: {},
    });
  });

  it("cancels a pending interactive sign-in and releases MSAL's loopback listener", async () => {
    const controller = new AbortController();
    let signInUrl = '';
    const dataDir = mkdtempSync(path.join(tmpdir(), 'soa-auth-lab-'));
    const settings = new SettingsStore(path.join(dataDir, 'settings.json'), {
      tenant: info.tenantId,
      clientId: info.clientId,
      authorityHost: new URL(info.authority).origin,
      graphEndpoint: info.graphBaseUrl,
    });
    // a browser that never completes the sign-in (the admin walked away)
    const service = new AuthService({
      getSettings: () => settings.get(),
      dataDir,
      extraCa: readCaFile(info.caCertPath),
      openExternal: async () => undefined,
      onNetworkRequest: (url) => msalUrls.push(url),
    });
    const flow = service.signInInteractive(
      { scopes: [...STEP_SCOPES.contacts] },
      {
        emit: (p) => {
          signInUrl = p.signInUrl;
          setTimeout(() => controller.abort(), 10);
        },
        signal: controller.signal,
      },
    );
    await expect(flow).rejects.toMatchObject({ code: 'cancelled' });
    const redirect = new URL(signInUrl).searchParams.get('redirect_uri') ?? '';
    expect(new URL(redirect).hostname).toBe('localhost');
    // the loopback port is closed again, and a new sign-in works
    await new Promise((r) => setTimeout(r, 50));
    await expect(browser.fetch(redirect)).rejects.toThrow();
    current = 'hybrid.admin';
    const again = new AuthService({
      getSettings: () => settings.get(),
      dataDir,
      extraCa: readCaFile(info.caCertPath),
      openExternal: (url) => browser.openExternal(url),
    });
    expect((await again.signInInteractive({ scopes: [...STEP_SCOPES.contacts] }, ctx())).username).toBe(
      upnOf('hybrid.admin'),
    );
  });

  it('signs out when the tenant, client or authority settings change', async () => {
    const service = makeService(browser);
    await signIn(service, 'hybrid.admin');
    const s = service['options'].getSettings();
    await service.onSettingsChanged({ ...s, event6956Provider: 'x' }, s);
    expect((await service.status()).signedIn).toBe(true);
    await service.onSettingsChanged({ ...s, clientId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787347' }, s);
    expect((await service.status()).signedIn).toBe(false);
  });

  it('signs out when only the Graph endpoint changes, and the token cache holds no account or token', async () => {
    const service = makeService(browser);
    await signIn(service, 'hybrid.admin');
    const s = service['options'].getSettings();
    await service.onSettingsChanged({ ...s, graphEndpoint: `${s.graphEndpoint}/` }, s);
    expect((await service.status()).signedIn).toBe(true);
    await service.onSettingsChanged({ ...s, graphEndpoint: 'https://graph.example.test' }, s);
    expect((await service.status()).signedIn).toBe(false);
    const pca = await service.client();
    expect(await pca.getTokenCache().getAllAccounts()).toEqual([]);
    expect(JSON.parse(pca.getTokenCache().serialize()) as Record<string, Record<string, unknown>>).toMatchObject({
      AccessToken: {},
      RefreshToken: {},
    });
  });

  it('sent every request (MSAL and browser) to localhost only', () => {
    const all = [...msalUrls, ...browser.seen];
    expect(msalUrls.length).toBeGreaterThan(5);
    for (const u of all) expect(['localhost', '127.0.0.1']).toContain(new URL(u).hostname);
  });

  it('wrote no access or refresh token to the logs or to files in the data dir', async () => {
    // collect refresh tokens from a live cache too
    const service = makeService(browser);
    await signIn(service, 'hybrid.admin');
    const t = await service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
    tokensSeen.add(t.accessToken);
    const cache = JSON.parse((await service.client()).getTokenCache().serialize()) as Record<
      string,
      Record<string, { secret?: string }>
    >;
    const secrets = [
      ...tokensSeen,
      ...Object.values(cache.RefreshToken ?? {}).map((r) => r.secret ?? ''),
      ...Object.values(cache.AccessToken ?? {}).map((r) => r.secret ?? ''),
    ].filter((s) => s.length > 20);
    expect(secrets.length).toBeGreaterThan(3);
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('\n');
    for (const s of secrets) expect(logs.includes(s)).toBe(false);
    const files = dataDirs.flatMap((d) => walk(d));
    for (const f of files) {
      const content = readFileSync(f, 'utf8');
      for (const s of secrets) expect(content.includes(s), `${f} contains a token`).toBe(false);
    }
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
