/**
 * Sign-in and token traffic from main through a proxy: the real MSAL-node, the lab, and a loopback CONNECT
 * proxy that counts its tunnels.
 *
 * MSAL is pointed at `localhost:<trap port>`, where nothing but a trap listens that counts and drops every
 * connection; only the proxy knows that this address is the lab. So a sign-in that succeeds went through the
 * proxy, and the trap's count shows any direct connection. The failing cases prove the trap sees one.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLab,
  labAuthorityMetadata,
  labCloudDiscoveryMetadata,
  type LabHandle,
} from '../../../../src-main/lab/index';
import { AuthService } from '../../../../src-main/auth/auth-service';
import { TrustingNetworkClient } from '../../../../src-main/auth/network-client';
import { describeProxy, proxyFromEnv, type ProxySettings } from '../../../../src-main/auth/proxy';
import { SettingsStore } from '../../../../src-main/settings/settings-store';
import { STEP_SCOPES } from '../../../../src-renderer/lib/graph/scopes';
import { labBrowser } from './lab-browser';

interface CountingProxy {
  port: number;
  tunnels: string[];
  close(): Promise<void>;
}

/** A CONNECT proxy on 127.0.0.1 that maps `localhost:<from>` to 127.0.0.1:<to> and records each tunnel. */
async function countingProxy(map: Record<string, number>): Promise<CountingProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405).end('this test proxy only tunnels (CONNECT)');
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    sockets.add(client);
    const port = map[target];
    if (!port) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Listens on a port and drops every connection, counting them: a direct connection lands here. */
async function trap(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let lab: LabHandle;
let ca: string;
let proxy: CountingProxy;
let direct: Awaited<ReturnType<typeof trap>>;
let authority: string;

beforeAll(async () => {
  lab = await startLab({ seed: 1, speed: 'fast', contacts: 10 });
  ca = readFileSync(lab.info.caCertPath, 'utf8');
  direct = await trap();
  const labPort = Number(new URL(lab.info.authority).port);
  proxy = await countingProxy({ [`localhost:${direct.port}`]: labPort });
  authority = `https://localhost:${direct.port}/${lab.info.tenantId}`;
});
afterAll(async () => {
  await proxy?.close();
  await direct?.close();
  await lab?.close();
});

function service(proxySettings: ProxySettings | null): AuthService {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'soa-auth-proxy-'));
  const settings = new SettingsStore(path.join(dataDir, 'settings.json'), {
    tenant: lab.info.tenantId,
    clientId: lab.info.clientId,
    authorityHost: new URL(authority).origin,
    graphEndpoint: lab.info.graphBaseUrl,
  });
  const info = { authority, tenantId: lab.info.tenantId };
  return new AuthService({
    getSettings: () => settings.get(),
    dataDir,
    extraCa: [ca],
    authorityMetadata: labAuthorityMetadata(info),
    cloudDiscoveryMetadata: labCloudDiscoveryMetadata(info),
    proxy: proxySettings,
  });
}

const hybridAdmin = () => lab.info.admins.find((a) => a.upn.startsWith('hybrid.admin@'))?.upn ?? '';

/** A device-code sign-in; the "user's browser" approves the code on the lab directly. */
async function deviceCodeSignIn(s: AuthService) {
  const browser = labBrowser(ca, hybridAdmin);
  const labOrigin = new URL(lab.info.authority).origin;
  return s.signInDeviceCode(
    { scopes: [...STEP_SCOPES.contacts] },
    {
      emit: (p) => {
        const page = new URL(p.verificationUri);
        void browser.approveDeviceCode(`${labOrigin}${page.pathname}${page.search}`, p.userCode);
      },
      signal: AbortSignal.timeout(60_000),
    },
  );
}

describe('MSAL sign-in through a loopback CONNECT proxy', () => {
  it('signs in and gets a token only through the proxy: tunnels > 0, no direct connection', async () => {
    const tunnelsBefore = proxy.tunnels.length;
    const directBefore = direct.connections();
    const s = service({ httpsProxy: `http://127.0.0.1:${proxy.port}`, noProxy: '' });
    const account = await deviceCodeSignIn(s);
    expect(account.username).toBe(hybridAdmin());
    const token = await s.getAccessToken({ scopes: [...STEP_SCOPES.contacts], forceRefresh: true });
    expect(token.accessToken.length).toBeGreaterThan(20);
    const tunnels = proxy.tunnels.slice(tunnelsBefore);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([`localhost:${direct.port}`]));
    expect(direct.connections() - directBefore).toBe(0);
    s.dispose();
  });

  it('without the proxy the same sign-in connects directly (the trap sees it) and fails', async () => {
    const tunnelsBefore = proxy.tunnels.length;
    const directBefore = direct.connections();
    const s = service(null);
    await expect(deviceCodeSignIn(s)).rejects.toThrow();
    expect(direct.connections() - directBefore).toBeGreaterThan(0);
    expect(proxy.tunnels.length - tunnelsBefore).toBe(0);
    s.dispose();
  });

  it('NO_PROXY naming the host sends it directly, not through the proxy', async () => {
    const tunnelsBefore = proxy.tunnels.length;
    const directBefore = direct.connections();
    const s = service({ httpsProxy: `http://127.0.0.1:${proxy.port}`, noProxy: 'example.org, localhost' });
    await expect(deviceCodeSignIn(s)).rejects.toThrow();
    expect(direct.connections() - directBefore).toBeGreaterThan(0);
    expect(proxy.tunnels.length - tunnelsBefore).toBe(0);
    s.dispose();
  });
});

describe('proxyFromEnv', () => {
  it('reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY in either case, and nothing when none is set', () => {
    expect(proxyFromEnv({})).toBeUndefined();
    expect(proxyFromEnv({ NO_PROXY: 'localhost' })).toBeUndefined();
    expect(proxyFromEnv({ HTTPS_PROXY: 'http://p:8080', NO_PROXY: '.corp' })).toEqual({
      httpsProxy: 'http://p:8080',
      noProxy: '.corp',
    });
    expect(proxyFromEnv({ https_proxy: 'http://a:1', http_proxy: 'http://b:2' })).toEqual({
      httpsProxy: 'http://a:1',
      httpProxy: 'http://b:2',
      noProxy: '',
    });
  });

  it('never shows the proxy credentials', () => {
    const text = describeProxy({ httpsProxy: 'http://user:s3cret@proxy.corp:3128', noProxy: '.corp' });
    expect(text).toBe('http://proxy.corp:3128 (not for .corp)');
    expect(text).not.toContain('s3cret');
  });
});

describe('the platform fetch (Electron net.fetch)', () => {
  it('carries every identity request when given, not Node https', async () => {
    const seen: string[] = [];
    const client = new TrustingNetworkClient({
      proxy: { httpsProxy: 'http://127.0.0.1:1', noProxy: '' },
      platformFetch: (input) => {
        seen.push(input.toString());
        return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
      },
    });
    const r = await client.sendGetRequestAsync<{ ok: boolean }>('https://login.microsoftonline.com/x');
    expect(r.body.ok).toBe(true);
    expect(seen).toEqual(['https://login.microsoftonline.com/x']);
  });
});
