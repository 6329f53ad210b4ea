/**
 * End-to-end harness: the in-process lab, the app in browser mode (the same services and router the
 * Electron build uses), and Debian's Chromium driven by playwright-core, trusting the lab's CA.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startLab } from '../../src-main/lab/index';
import { startBrowserMode, type BrowserMode } from '../../src-main/bridge/browser-mode';
import { chromiumArgs, labSpkiHashes } from '../../scripts/lab-trust';

export type Lab = Awaited<ReturnType<typeof startLab>>;

export interface E2E {
  lab: Lab;
  app: BrowserMode;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  /** Saves a screenshot under test-results/e2e/<name>.png (kept as a CI artifact). */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export const CHROMIUM = process.env.SOA_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The lab's clocks for the end-to-end tests (lab settings; the app's verdict logic is the same): a Connect
 * Sync cycle of 0.4 s instead of 1.5 s, and audit entries visible after 0.5 s instead of 2 s. The app polls
 * a running cycle every 0.2 s (`E2E_SYNC_CYCLE_TIMING`) instead of the production 2 s, which would
 * otherwise be most of every sync wait. A test that needs a cycle still running when it acts (cancel, busy)
 * sets a longer `syncCycleMs` itself and puts back `E2E_LAB_CLOCKS.syncCycleMs` after.
 */
export const E2E_LAB_CLOCKS = { syncCycleMs: 400, auditIngestionMs: 500 } as const;
export const E2E_SYNC_CYCLE_TIMING = { pollMs: 200 } as const;

/** Puts the lab on the end-to-end clocks (`E2E_LAB_CLOCKS`). */
export async function useE2ELabClocks(lab: Lab): Promise<void> {
  const r = await lab.control('POST', '/settings', E2E_LAB_CLOCKS);
  if (r.status >= 400) throw new Error(`lab settings for the e2e clocks → ${r.status} ${JSON.stringify(r.body)}`);
}
export const ARTIFACTS = path.resolve('test-results', 'e2e');
/**
 * How long a page action (click, fill, setInputFiles, waitFor without its own timeout) may wait. No action
 * waits forever, so a missing element fails with a message; 60 s because the e2e lane shares 2 cores with
 * the unit + integration lane, and an action on a busy renderer was seen to need over 30 s at load 20.
 */
export const E2E_ACTION_TIMEOUT_MS = 60_000;

export async function startE2E(
  options: { seed?: number; contacts?: number; dataDir?: string; scenario?: 'connectSync' | 'bothEngines' } = {},
): Promise<E2E> {
  const lab = await startLab({
    seed: options.seed ?? 7,
    speed: 'fast',
    contacts: options.contacts ?? 120,
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
  await useE2ELabClocks(lab);
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'soa-e2e-'));
  const app = await startBrowserMode({ dataDir, lab: lab.info, syncCycleTiming: E2E_SYNC_CYCLE_TIMING });
  const spki = await labSpkiHashes(lab.info.graphBaseUrl, lab.info.caCertPath);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(spki, false),
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(E2E_ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    lab,
    app,
    browser,
    context,
    page,
    dataDir,
    async screenshot(name) {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close().catch(() => {});
      await app.close();
      await lab.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
