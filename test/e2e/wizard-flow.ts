/**
 * Shared steps for the wizard end-to-end tests: sign-in through the lab's sign-in page, axe-core,
 * the lab's control API, and the journal/report files under the harness data folder.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { E2E_ACTION_TIMEOUT_MS, type E2E, type Lab } from './harness';

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_SOURCE = readFileSync(AXE_PATH, 'utf8');

/** Short waits for the tests (the production defaults are minutes). */
export const FAST_TUNING = {
  auditPollIntervalMs: 250,
  auditPollBoundMs: 60_000,
  syncTimeoutSeconds: 120,
  readBackDelayMs: 300,
  readBackAttempts: 4,
  maxWriteAttempts: 4,
};

export async function openApp(e2e: E2E, page: Page = e2e.page, url = e2e.app.bridge.url): Promise<void> {
  e2e.context.setDefaultTimeout(E2E_ACTION_TIMEOUT_MS);
  await page.addInitScript((t) => localStorage.setItem('soa-pilot.tuning', JSON.stringify(t)), FAST_TUNING);
  await page.goto(url);
  await expect.poll(() => page.getByTestId('app-info').textContent(), { timeout: 20_000 }).toContain('Browser mode');
}

/** Sign in through the lab's account picker (the link main hands out in browser mode). */
export async function signIn(page: Page, upn: string): Promise<void> {
  await page.getByTestId('sign-in-browser').click();
  const link = page.getByTestId('sign-in-link');
  await link.waitFor({ timeout: 20_000 });
  const [popup] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await popup.waitForLoadState();
  await popup.locator(`button[value="${upn}"]`).click();
  await popup.waitForLoadState().catch(() => undefined);
  // page.close() can stall while the redirect to the loopback settles; do not wait for it
  void popup.close().catch(() => undefined);
}

export async function expectSignedIn(page: Page, upn: string): Promise<void> {
  await expect
    .poll(
      () =>
        page
          .getByTestId('account')
          .textContent()
          .catch(() => ''),
      { timeout: 30_000 },
    )
    .toBe(upn);
}

/** Page evaluation has no timeout of its own; fail with a name instead of hanging the test. */
export async function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core on the current page: no serious or critical violations. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const has = await page.evaluate(() => 'axe' in window);
  // The app's CSP (script-src 'self') blocks addScriptTag's inline script; evaluate the source instead
  // (CDP evaluation is not subject to the page's CSP).
  if (!has) await page.evaluate(AXE_SOURCE);
  const violations = await withTimeout(
    `axe on ${label}`,
    30_000,
    page.evaluate(async () => {
      const w = window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: unknown,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }>;
        };
      };
      const r = await w.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
    }),
  );
  const bad = violations.filter((v: AxeViolation) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `axe violations on ${label}: ${JSON.stringify(bad)}`).toEqual([]);
}

export async function control<T = unknown>(lab: Lab, method: string, p: string, body?: unknown): Promise<T> {
  const r = await lab.control(method, p, body);
  if (r.status >= 400) throw new Error(`lab control ${method} ${p} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

export interface LabContact {
  id: string;
  displayName: string;
  mail: string | null;
  isCloudManaged: boolean;
  onPremisesSyncEnabled: boolean | null;
  onPremisesDistinguishedName: string | null;
  soaState: string;
  takeover: string;
  description: string | null;
  memberOf: { id: string; displayName: string }[];
}

export async function labContacts(lab: Lab, state: string, limit = 200): Promise<LabContact[]> {
  const r = await control<{ value: LabContact[] }>(lab, 'GET', `/objects?kind=contact&state=${state}&limit=${limit}`);
  return r.value;
}

export async function labContact(lab: Lab, id: string): Promise<LabContact> {
  return control<LabContact>(lab, 'GET', `/contacts/${id}`);
}

/** A synced contact with mail and a plain name (easy to search), not used before. */
export async function pickSyncedContact(lab: Lab, used: Set<string>): Promise<LabContact> {
  const all = await labContacts(lab, 'synced');
  const c = all.find((x) => x.mail && /^[A-Za-z]+ [A-Za-z]+$/.test(x.displayName) && !used.has(x.id));
  if (!c) throw new Error('no synced contact left in the seed');
  used.add(c.id);
  return c;
}

export interface WriteLogRow {
  seq: number;
  method: string;
  path: string;
  objectId: string | null;
  body: unknown;
  upn: string | null;
  clientRequestId: string | null;
}

export async function writeLog(lab: Lab): Promise<WriteLogRow[]> {
  return (await control<{ value: WriteLogRow[] }>(lab, 'GET', '/write-log')).value;
}

export interface JournalLine {
  kind: 'intent' | 'result' | 'observation';
  opId: string;
  seq: number;
  action?: string;
  objectId?: string;
  outcome?: string;
  verified?: boolean;
  reason?: string;
  request?: { method: string; url: string; body?: unknown };
  /** observation records: what was observed, and its data */
  topic?: string;
  runId?: string;
  data?: unknown;
}

export function journalLines(dataDir: string): JournalLine[] {
  const dir = path.join(dataDir, 'journal');
  if (!existsSync(dir)) return [];
  const out: JournalLine[] = [];
  // one folder of segments per tenant (seg-000001.jsonl, …); quarantine.jsonl holds rejected lines
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    for (const f of readdirSync(path.join(dir, e.name))) {
      if (/^seg-\d+\.jsonl$/.test(f)) files.push(path.join(dir, e.name, f));
    }
  }
  for (const f of files) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as JournalLine);
      } catch {
        // a torn last line is tolerated by the journal too
      }
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Every file under the data folder whose name matches (reports live in a subfolder). */
export function findFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/**
 * Step 4: choose how the read-only proof is made. An admin whose roles may update contacts chooses
 * (the write asks for the contact-update scope only now); without such a role the state evidence runs
 * on its own and there is nothing to click.
 */
export async function proveReadOnly(page: Page, by: 'write' | 'state'): Promise<void> {
  const step = page.getByTestId('step-readonly');
  await expect
    .poll(
      async () =>
        (await step.getByTestId(`prove-by-${by}`).count()) > 0 ||
        (await step.getByTestId('readonly-state-only').count()) > 0,
      { timeout: 30_000 },
    )
    .toBe(true);
  if ((await step.getByTestId(`prove-by-${by}`).count()) > 0) await step.getByTestId(`prove-by-${by}`).click();
}

/** Click the step's primary "next" button. */
export async function next(page: Page, stepId: string): Promise<void> {
  const btn = page.getByTestId(`step-${stepId}`).getByTestId('next');
  await expect.poll(() => btn.isEnabled(), { timeout: 60_000 }).toBe(true);
  await btn.click();
}

/**
 * Search by name and pick the contact's own row: the list shows the last search until the new one answers, so
 * "the first row" could still be a contact from before.
 */
export async function searchAndPick(page: Page, contact: LabContact): Promise<void> {
  await page.getByTestId('contact-search').fill(contact.displayName);
  await page.getByTestId('contact-search-submit').click();
  const row = page.getByTestId('contact-results').locator('tr', { hasText: contact.displayName }).first();
  await row.getByTestId('select-contact').click();
}

/** Pick a synced contact and confirm its AD DS DN. */
export async function searchAndSelect(page: Page, contact: LabContact): Promise<void> {
  await searchAndPick(page, contact);
  await page.getByTestId('chosen-contact').waitFor({ timeout: 30_000 });
  const confirm = page.getByTestId('confirm-dn');
  await expect.poll(() => confirm.isEnabled(), { timeout: 30_000 }).toBe(true);
  await confirm.check();
}
