/**
 * Resumable runs, end to end (one lab, one browser, one app process for the whole file):
 *
 * - a baseline transfer + rollback without interruption;
 * - the same for another contact with a page reload at every step of the transfer (1–10) and of the
 *   rollback (1–6): resume is offered each time, and the resumed runs' evidence equals the baseline's
 *   (compared without timestamps, ids and names);
 * - the app process (browser mode, a child process) killed with a real SIGKILL right after the
 *   transfer PATCH reached the tenant, restarted on the same data folder: the run resumes to the report;
 * - cancel and re-run during the rollback takeover: the step's verdict and the state panel agree.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startLab } from '../../src-main/lab/index';
import { chromiumArgs, labSpkiHashes } from '../../scripts/lab-trust';
import {
  ARTIFACTS,
  CHROMIUM,
  E2E_ACTION_TIMEOUT_MS,
  E2E_LAB_CLOCKS,
  E2E_SYNC_CYCLE_TIMING,
  useE2ELabClocks,
  type Lab,
} from './harness';
import {
  control,
  journalLines,
  labContacts,
  expectAccessible,
  expectSignedIn,
  findFiles,
  labContact,
  next,
  pickSyncedContact,
  searchAndSelect,
  signIn,
  writeLog,
  FAST_TUNING,
  type LabContact,
} from './wizard-flow';

const ADMIN = 'hybrid.admin@contoso.onmicrosoft.com';
const CHILD = fileURLToPath(new URL('./browser-mode-child.ts', import.meta.url));

let lab: Lab;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dataDir: string;
let app: ChildProcess | undefined;
// below Linux's ephemeral range (32768–60999), so no outgoing connection of this machine can hold it between restarts
const port = 20_000 + Math.floor(Math.random() * 12_000);
const token = randomBytes(24).toString('base64url');
const url = `http://127.0.0.1:${port}/?token=${token}`;
const used = new Set<string>();

/** Start the app (browser mode) as a child process on the fixed port and token; resolves once it listens. */
async function startApp(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      SOA_LAB_INFO: JSON.stringify(lab.info),
      SOA_DATA_DIR: dataDir,
      SOA_PORT: String(port),
      SOA_BRIDGE_TOKEN: token,
      SOA_SYNC_POLL_MS: String(E2E_SYNC_CYCLE_TIMING.pollMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('the app process did not start in 60 s')), 60_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('READY')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      reject(new Error(`the app process exited before it was ready (${String(code ?? signal)})`));
    });
  });
  return child;
}

async function killApp(child: ChildProcess): Promise<void> {
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
  expect(child.kill('SIGKILL')).toBe(true);
  expect(await exited).toBe('SIGKILL');
}

beforeAll(async () => {
  lab = await startLab({ seed: 11, speed: 'fast', contacts: 40 });
  await useE2ELabClocks(lab);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'soa-e2e-resume-'));
  app = await startApp();
  const spki = await labSpkiHashes(lab.info.graphBaseUrl, lab.info.caCertPath);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(spki, false) });
  // 1,400 px wide: the 10-step stepper must fit on one line
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(E2E_ACTION_TIMEOUT_MS);
  page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.addInitScript((t) => localStorage.setItem('soa-pilot.tuning', JSON.stringify(t)), FAST_TUNING);
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (app && app.exitCode === null && app.signalCode === null) await killApp(app).catch(() => undefined);
  await lab?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function appReady(p: Page = page): Promise<void> {
  await expect
    .poll(
      () =>
        p
          .getByTestId('app-info')
          .textContent()
          .catch(() => ''),
      { timeout: 30_000 },
    )
    .toContain('Browser mode');
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  await expectAccessible(page, name);
}

async function verdict(stepId: string, timeout = 90_000): Promise<string> {
  const v = page.getByTestId(`verdict-${stepId}`);
  await expect.poll(async () => (await v.count()) > 0 && (await v.textContent()) !== 'Running', { timeout }).toBe(true);
  return (await v.textContent()) ?? '';
}

type Kind = 'transfer' | 'rollback';
/** Called when step `n` has done its work, before "Next". */
type Hook = (kind: Kind, n: number, name: string | null) => Promise<void>;
const noHook: Hook = async () => {};

/** What a resumed step needs again from the admin (confirmations are not carried over a reload). */
async function afterResume(kind: Kind, n: number): Promise<void> {
  if (n === 2) {
    const confirm = page.getByTestId('confirm-dn');
    await expect.poll(() => confirm.isEnabled(), { timeout: 30_000 }).toBe(true);
    await confirm.check();
  }
  if (kind === 'rollback' && n === 3) {
    await expect.poll(() => page.getByTestId('verdict-references').count(), { timeout: 30_000 }).toBe(1);
    if ((await page.getByTestId('ack-references').count()) > 0) await page.getByTestId('ack-references').check();
    await page.getByTestId('ack-hard-match').check();
  }
}

/** Reload the page once the run is saved; resume is offered for this run at this step. */
const reloadHook: Hook = async (kind, n, name) => {
  await expect.poll(() => page.getByTestId('run-saved').getAttribute('data-state'), { timeout: 30_000 }).toBe('saved');
  // A reload: the page loads again from the printed URL (the RPC token lives only in page memory).
  await page.goto(url);
  await appReady();
  if (kind === 'rollback') await page.getByRole('button', { name: 'Roll back' }).click();
  const offer = page.getByTestId('resume-offer');
  await offer.waitFor({ timeout: 30_000 });
  const buttons = offer.getByTestId('resume-run');
  expect(await buttons.count()).toBe(1);
  const text = (await buttons.textContent())?.trim() ?? '';
  if (name) expect(text).toBe(`Resume ${kind} for ${name} at step ${n}`);
  else expect(text).toMatch(new RegExp(`^Resume ${kind} for run [0-9a-f]{8} at step ${n}$`));
  if ((kind === 'transfer' && (n === 6 || n === 10)) || (kind === 'rollback' && n === 5)) {
    await shot(`resume-${kind}-offer-step-${n}`);
  }
  await buttons.click();
  await page.getByTestId('resumed-note').waitFor({ timeout: 60_000 });
  expect(await page.locator('nav.stepper [aria-current="step"]').getAttribute('data-testid')).toBe(
    `stepper-${stepIds[kind][n - 1] ?? ''}`,
  );
  await afterResume(kind, n);
};

const stepIds: Record<Kind, string[]> = {
  transfer: [
    'preflight',
    'pick',
    'sync',
    'readonly',
    'transfer',
    'verify-cloud',
    'writable',
    'verify-server',
    'ad-blocked',
    'summary',
  ],
  rollback: ['preflight', 'pick', 'references', 'rollback', 'takeover', 'summary'],
};

const cloudName = (c: LabContact): string => `${c.displayName} Cloud`;

/** Step 4: the admin chooses the proof (this admin may update contacts: by a write). */
async function proveReadOnly(): Promise<void> {
  await page.getByTestId('prove-by-write').click();
}

/** A new run in the current wizard: past the resume offer, or "Start over" after a finished run. */
async function freshRun(): Promise<void> {
  if ((await page.getByTestId('start-new-run').count()) > 0) await page.getByTestId('start-new-run').click();
  else await page.getByTestId('start-over').click();
}

async function walkTransfer(c: LabContact, hook: Hook): Promise<void> {
  await page.getByRole('button', { name: 'Transfer a contact' }).click();
  await freshRun();
  await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
  await hook('transfer', 1, null);
  await next(page, 'preflight');
  await searchAndSelect(page, c);
  await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Synced from AD DS');
  await hook('transfer', 2, c.displayName);
  await next(page, 'pick');
  await page.getByTestId('run-sync').click();
  expect(await verdict('sync')).toBe('Pass');
  await hook('transfer', 3, c.displayName);
  await next(page, 'sync');
  await proveReadOnly();
  expect(await verdict('readonly')).toBe('Pass');
  await hook('transfer', 4, c.displayName);
  await next(page, 'readonly');
  await page.getByTestId('transfer-confirm-input').fill(c.displayName);
  await page.getByTestId('transfer-confirm-submit').click();
  await page.getByTestId('transfer-done').waitFor({ timeout: 60_000 });
  await hook('transfer', 5, c.displayName);
  await next(page, 'transfer');
  expect(await verdict('verify-cloud')).toBe('Pass');
  await page.getByTestId('audit-found').waitFor({ timeout: 60_000 });
  await hook('transfer', 6, c.displayName);
  await next(page, 'verify-cloud');
  await page.getByTestId('new-display-name').fill(cloudName(c));
  await page.getByTestId('write-name').click();
  expect(await verdict('writable')).toBe('Pass');
  await hook('transfer', 7, cloudName(c));
  await next(page, 'writable');
  await page.getByTestId('run-verify-server').click();
  expect(await verdict('verify-server', 120_000)).toBe('Pass');
  await hook('transfer', 8, cloudName(c));
  await next(page, 'verify-server');
  await page.getByTestId('ad-agree').check();
  await page.getByTestId('run-ad-probe').click();
  expect(await verdict('ad-blocked', 120_000)).toBe('Pass');
  await page.getByTestId('restore-ad').click();
  await page.getByTestId('ad-restored').waitFor({ timeout: 60_000 });
  await hook('transfer', 9, cloudName(c));
  await next(page, 'ad-blocked');
  await hook('transfer', 10, cloudName(c));
  await page.getByTestId('save-report').click();
  await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
}

async function walkRollback(c: LabContact, hook: Hook): Promise<void> {
  await page.getByRole('button', { name: 'Roll back' }).click();
  await freshRun();
  await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
  await hook('rollback', 1, null);
  await next(page, 'preflight');
  const transferred = await labContact(lab, c.id);
  await searchAndSelect(page, transferred);
  await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('SOA transferred to the cloud');
  await hook('rollback', 2, transferred.displayName);
  await next(page, 'pick');
  await afterResume('rollback', 3);
  await hook('rollback', 3, transferred.displayName);
  await next(page, 'references');
  await page.getByTestId('rollback-confirm-input').fill(transferred.displayName);
  await page.getByTestId('rollback-confirm-submit').click();
  await page.getByTestId('rolled-back').waitFor({ timeout: 60_000 });
  await hook('rollback', 4, transferred.displayName);
  await next(page, 'rollback');
  await page.getByTestId('run-takeover').click();
  expect(await verdict('takeover-1', 120_000)).toBe('Pass');
  expect(await verdict('takeover-2', 120_000)).toBe('Pass');
  await page.getByTestId('audit-found').waitFor({ timeout: 60_000 });
  await hook('rollback', 5, transferred.displayName);
  await next(page, 'takeover');
  await hook('rollback', 6, transferred.displayName);
  await page.getByTestId('save-report').click();
  await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
}

interface Report {
  kind: string;
  object: { id: string };
  outcome: string;
  steps: {
    id: string;
    title: string;
    verdict: string;
    expected: string;
    observed: string;
    requests: { kind: string; label: string; status?: unknown }[];
  }[];
  journal: { opIds: string[] };
}

function report(kind: Kind, c: LabContact): Report {
  const files = findFiles(dataDir, new RegExp(`^${kind}-${c.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}.*\\.json$`));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(files[0] ?? '', 'utf8')) as Report;
}

/** The evidence without what differs between two contacts and two moments: ids, names, times. */
function comparable(r: Report, c: LabContact): unknown {
  const names = [
    c.id,
    cloudName(c),
    c.displayName,
    c.mail ?? '',
    c.onPremisesDistinguishedName ?? '',
    c.description ?? '',
  ]
    .filter((x) => x.length > 0)
    .sort((a, b) => b.length - a.length);
  const norm = (s: string): string => {
    let out = s;
    for (const n of names) out = out.split(n).join('<object>');
    return (
      out
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
        .replace(/\d+(\.\d+)? s\b/g, '<n> s')
        .replace(/\(\d+ reads?\)/g, '(<n> reads)')
        // the AD probe restores the picked object's own value of the attribute it changed: object data
        .replace(
          /\b(description|department|company|givenName|sn)( = | restored to |=)(["'])[^"']*\3/g,
          '$1$2$3<value>$3',
        )
    );
  };
  return {
    kind: r.kind,
    outcome: norm(r.outcome),
    writes: r.journal.opIds.length,
    steps: r.steps.map((s) => ({
      id: s.id,
      title: s.title,
      verdict: s.verdict,
      expected: norm(s.expected),
      observed: norm(s.observed),
      // a read-back may take one more read on one run than on the other: compare the distinct requests
      requests: [...new Set(s.requests.map((q) => `${q.kind} ${norm(q.label)} → ${String(q.status ?? '')}`))],
    })),
  };
}

describe('resumable runs', () => {
  let baseline: LabContact;
  let resumed: LabContact;

  it('baseline: a transfer and its rollback without interruption', async () => {
    await page.goto(url);
    await appReady();
    await signIn(page, ADMIN);
    await expectSignedIn(page, ADMIN);
    baseline = await pickSyncedContact(lab, used);
    await walkTransfer(baseline, noHook);
    await walkRollback(baseline, noHook);
  }, 600_000);

  it('a reload at every transfer step (1–10): resume is offered each time; the evidence equals the baseline', async () => {
    resumed = await pickSyncedContact(lab, used);
    await walkTransfer(resumed, reloadHook);
    await shot('resume-transfer-report');
    const stepper = await page
      .locator('nav.stepper li')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(new Set(stepper).size, 'the 10-step stepper is on one line at 1,400 px').toBe(1);
    expect(comparable(report('transfer', resumed), resumed)).toEqual(
      comparable(report('transfer', baseline), baseline),
    );
    // one SOA PATCH for the contact, in spite of ten reloads
    const writes = (await writeLog(lab)).filter(
      (w) => w.objectId === resumed.id && w.path.endsWith('/onPremisesSyncBehavior'),
    );
    expect(writes).toHaveLength(1);
  }, 900_000);

  it('a reload at every rollback step (1–6): resume is offered each time; the evidence equals the baseline', async () => {
    await walkRollback(resumed, reloadHook);
    expect(comparable(report('rollback', resumed), resumed)).toEqual(
      comparable(report('rollback', baseline), baseline),
    );
    expect((await labContact(lab, resumed.id)).soaState).toBe('synced');
  }, 600_000);

  it('the app process SIGKILLed right after the transfer PATCH: after a restart the run resumes to the report', async () => {
    const c = await pickSyncedContact(lab, used);
    await page.getByRole('button', { name: 'Transfer a contact' }).click();
    await freshRun();
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await next(page, 'preflight');
    await searchAndSelect(page, c);
    await next(page, 'pick');
    await page.locator('#sync-enabled').uncheck();
    await page.getByTestId('step-sync').getByTestId('next').click();
    await proveReadOnly();
    expect(await verdict('readonly')).toBe('Pass');
    await next(page, 'readonly');
    await expect
      .poll(() => page.getByTestId('run-saved').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('saved');
    // The lab holds the PATCH (it is applied after 3 s): the app dies while the write is in flight.
    const soaPath = `^/v1\\.0/contacts/${c.id}/onPremisesSyncBehavior$`;
    await control(lab, 'POST', '/faults', {
      method: 'PATCH',
      path: soaPath,
      kind: 'latency',
      latencyMs: 3000,
      count: 1,
    });
    try {
      await page.getByTestId('transfer-confirm-input').fill(c.displayName);
      await page.getByTestId('transfer-confirm-submit').click();
      await expect
        .poll(async () => (await control<{ value: { hits: number }[] }>(lab, 'GET', '/faults')).value[0]?.hits ?? 0, {
          timeout: 20_000,
          interval: 50,
        })
        .toBe(1);
      if (!app) throw new Error('the app process is not running');
      await killApp(app); // a real SIGKILL: no shutdown code runs
      app = undefined;
      await page.goto('about:blank'); // the app's window goes with its process
      const intent = journalLines(dataDir).find(
        (l) => l.kind === 'intent' && l.objectId === c.id && l.action === 'transfer',
      );
      expect(intent, 'the intent was journaled before the PATCH').toBeDefined();
      expect(journalLines(dataDir).some((l) => l.kind === 'result' && l.opId === intent?.opId)).toBe(false);
      // the held PATCH lands in the tenant meanwhile
      await expect.poll(async () => (await labContact(lab, c.id)).isCloudManaged, { timeout: 20_000 }).toBe(true);

      app = await startApp(); // same data folder, port and token
      await page.goto(url);
      await appReady();
      await page.getByRole('button', { name: 'Transfer a contact' }).click();
      await signIn(page, ADMIN); // the token cache was in the killed process's memory
      await expectSignedIn(page, ADMIN);
      // the restart opens the Journal view (an intent has no result); the run is resumed from its wizard
      await page.getByRole('button', { name: 'Transfer a contact' }).click();
      const offer = page.getByTestId('resume-offer').getByTestId('resume-run');
      await offer.waitFor({ timeout: 30_000 });
      expect(await offer.count()).toBe(1);
      expect((await offer.textContent())?.trim()).toBe(`Resume transfer for ${c.displayName} at step 5`);
      await shot('resume-after-sigkill-offer');
      await offer.click();
      await page.getByTestId('resumed-note').waitFor({ timeout: 60_000 });
      expect(await verdict('transfer')).toBe('Pass');
      expect(await page.getByTestId('observed-transfer').textContent()).toMatch(/restart/);
      await shot('resume-after-sigkill-transfer');
      await next(page, 'transfer');
      expect(await verdict('verify-cloud')).toBe('Pass');
      await next(page, 'verify-cloud');
      await page.getByTestId('new-display-name').fill(cloudName(c));
      await page.getByTestId('write-name').click();
      expect(await verdict('writable')).toBe('Pass');
      await next(page, 'writable');
      await page.getByTestId('run-verify-server').click();
      expect(await verdict('verify-server', 120_000)).toBe('Pass');
      await next(page, 'verify-server');
      await page.getByTestId('skip-ad').click();
      await page.getByTestId('save-report').click();
      await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
      await shot('resume-after-sigkill-report');

      const r = report('transfer', c);
      expect(r.steps.find((x) => x.id === 'transfer')?.verdict).toBe('pass');
      expect(r.journal.opIds).toContain(intent?.opId);
      const results = journalLines(dataDir).filter((l) => l.kind === 'result' && l.opId === intent?.opId);
      expect(results).toMatchObject([{ outcome: 'done', verified: true }]);
      const soaWrites = (await writeLog(lab)).filter(
        (w) => w.objectId === c.id && w.path.endsWith('/onPremisesSyncBehavior'),
      );
      expect(soaWrites, 'nothing was sent twice').toHaveLength(1);
    } finally {
      await control(lab, 'DELETE', '/faults');
    }
  }, 600_000);

  it('cancel and re-run during the takeover: the step verdict and the state panel agree', async () => {
    const c = (await labContacts(lab, 'transferred')).find(
      (x) => x.mail && x.memberOf.length === 0 && /^[A-Za-z]+ [A-Za-z]+$/.test(x.displayName),
    );
    if (!c) throw new Error('no transferred contact without cloud references in the seed');
    await page.getByRole('button', { name: 'Roll back' }).click();
    await freshRun();
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await next(page, 'preflight');
    await searchAndSelect(page, c);
    await next(page, 'pick');
    await afterResume('rollback', 3);
    await next(page, 'references');
    await page.getByTestId('rollback-confirm-input').fill(c.displayName);
    await page.getByTestId('rollback-confirm-submit').click();
    await page.getByTestId('rolled-back').waitFor({ timeout: 60_000 });
    await next(page, 'rollback');
    const step = page.getByTestId('step-takeover');
    await control(lab, 'POST', '/onprem/configuration', { syncCycleMs: 6000 });
    try {
      await page.getByTestId('run-takeover').click();
      await page.getByTestId('sync-wait').getByRole('button', { name: 'Stop waiting' }).click();
      // a deliberate stop is neutral, not a red failure
      await step.getByTestId('message-info').waitFor({ timeout: 30_000 });
      expect(await step.getByTestId('message-error').count()).toBe(0);
      await shot('takeover-stopped');
      // the server finishes the cycle on its own meanwhile
      await expect
        .poll(
          async () =>
            (await control<{ SyncCycleInProgress: boolean }>(lab, 'GET', '/onprem/sync/scheduler')).SyncCycleInProgress,
          {
            timeout: 30_000,
          },
        )
        .toBe(false);
    } finally {
      await control(lab, 'POST', '/onprem/configuration', { syncCycleMs: E2E_LAB_CLOCKS.syncCycleMs });
    }
    await step.getByRole('button', { name: 'Run the cycles again' }).click();
    expect(await verdict('takeover-2', 120_000)).toBe('Pass');
    await expect.poll(() => page.getByTestId('takeover-verdict').getAttribute('data-complete')).toBe('true');
    expect(await page.getByTestId('state-label').textContent()).toBe('Synced from AD DS');
    expect(await step.textContent()).not.toMatch(/not complete/);
    expect(['Pass', 'Info']).toContain(await page.getByTestId('verdict-takeover-1').textContent());
    await shot('takeover-rerun-agrees');
  }, 300_000);
});
