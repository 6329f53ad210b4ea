/**
 * How the packaged app loads its UI, checked in Debian's Chromium (the Electron binary cannot run
 * here). The built renderer is served by the very handler the shell mounts on app://soa-pilot/
 * (src-main/renderer-assets.ts), here mounted on a loopback origin that stands in for the scheme;
 * `window.soa` stands in for the preload and dispatches into the real router, checked by the same
 * sender validator as in Electron, with the stand-in origin as the trusted one.
 *
 * The second test records why the scheme exists: the same build opened from file:// stays blank.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { startLab } from '../../src-main/lab/index';
import { labAuthorityMetadata, labCloudDiscoveryMetadata } from '../../src-main/lab/identity/identity';
import { createServices, type Services } from '../../src-main/services';
import { contentSecurityPolicy, originOf } from '../../src-main/bridge/content-security-policy';
import { rendererRequestHandler, writeWebResponse } from '../../src-main/renderer-assets';
import { electronSenderValidator } from '../../src-main/window-security';
import { methodName, operationNames, type ProgressEvent } from '../../src-main/ipc/contract';
import { chromiumArgs, labSpkiHashes } from '../../scripts/lab-trust';
import { CHROMIUM, ARTIFACTS } from './harness';

const rendererDir = path.resolve('out', 'renderer');

let lab: Awaited<ReturnType<typeof startLab>>;
let services: Services;
let server: http.Server;
let origin: string;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error('The renderer is not built: run `npx vite build --config vite.renderer.config.mts` first.');
  }
  lab = await startLab({ seed: 5, speed: 'fast', contacts: 20 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'soa-scheme-'));
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  services = createServices({
    transport: 'electron',
    dataDir,
    lab: lab.info,
    settingsOverride: {
      tenant: lab.info.tenantId,
      clientId: lab.info.clientId,
      authorityHost: new URL(lab.info.authority).origin,
      graphEndpoint: lab.info.graphBaseUrl,
    },
    auth: {
      authorityMetadata: labAuthorityMetadata(lab.info),
      cloudDiscoveryMetadata: labCloudDiscoveryMetadata(lab.info),
    },
    validateSender: electronSenderValidator([origin]),
  });
  // Lab mode: the lab's exact origins join the policy, in the header and in the meta tag.
  const connect = [originOf(lab.info.graphBaseUrl), originOf(lab.info.authority)];
  const handle = rendererRequestHandler({
    rendererDir,
    csp: contentSecurityPolicy(connect),
    metaCsp: contentSecurityPolicy(connect, { delivery: 'meta' }),
    origin,
  });
  server.on('request', (req, res) => {
    void handle(new Request(origin + (req.url ?? '/'), { method: req.method })).then((r) => writeWebResponse(res, r));
  });
  const spki = await labSpkiHashes(lab.info.graphBaseUrl, lab.info.caCertPath);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(spki, false) });
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await services?.dispose();
  await lab?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Console errors and uncaught exceptions of a page, collected from its first script on. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return errors;
}

describe('the packaged app loads its UI from the app scheme', () => {
  it('renders the built renderer served by the scheme handler, with no console error', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = watchErrors(page);
    const methods = operationNames.map((n) => [n, methodName(n)] as const);
    await page.exposeBinding('__soaInvoke', async (source, name: string, input: unknown) =>
      services.router.dispatch(name, input, { kind: 'electron', url: source.frame.url() }, (event: ProgressEvent) => {
        void page.evaluate((e) => (window as unknown as { __soaEmit(e: unknown): void }).__soaEmit(e), event);
      }),
    );
    // The preload's shape: one named function per operation plus onProgress (src-main/preload.ts).
    await page.addInitScript((pairs: (readonly [string, string])[]) => {
      const w = window as unknown as Record<string, unknown> & {
        __soaInvoke(name: string, input: unknown): Promise<unknown>;
      };
      const listeners = new Set<(e: unknown) => void>();
      const api: Record<string, unknown> = {};
      for (const [name, method] of pairs) api[method] = (input: unknown) => w.__soaInvoke(name, input);
      api.onProgress = (l: (e: unknown) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      };
      w.__soaEmit = (e: unknown) => listeners.forEach((l) => l(e));
      w.soa = Object.freeze(api);
    }, methods);

    const response = await page.goto(`${origin}/index.html`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.getByTestId('app-info').textContent(), { timeout: 30_000 }).toContain('Desktop');
    expect(await page.locator('h1').first().textContent()).toBe('soa-pilot');
    await page.screenshot({ path: path.join(ARTIFACTS, 'app-scheme.png') });
    // the module script and the stylesheet loaded (the two things file:// refuses)
    expect(await page.evaluate(() => document.styleSheets.length)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the same build opened from file:// stays blank: Chromium refuses its module script (why the scheme exists)', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(pathToFileURL(path.join(rendererDir, 'index.html')).href);
    await expect.poll(() => errors.join('\n'), { timeout: 15_000 }).toMatch(/CORS policy/);
    expect(errors.join('\n')).toMatch(/Access to script at 'file:\/\/.*\/assets\/index-.*\.js' from origin 'null'/);
    expect(await page.locator('#app').innerHTML()).toBe('');
    expect(await page.locator('h1').count()).toBe(0);
    await page.close();
  });
});
