/**
 * Failure paths of the wizard, end to end against the lab (one harness for the file):
 * missing consent, a missing role, a busy sync engine, a throttled PATCH (429, retried, verified),
 * a lost response after an applied PATCH (reconciled by reading back, no second write), and the
 * app killed between the journal intent and the result (a fresh start on the same data folder
 * shows the pending operation and reconciles it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startBrowserMode } from '../../src-main/bridge/browser-mode';
import { E2E_LAB_CLOCKS, E2E_SYNC_CYCLE_TIMING, startE2E, type E2E } from './harness';
import {
  control,
  expectAccessible,
  expectSignedIn,
  journalLines,
  labContact,
  labContacts,
  next,
  proveReadOnly,
  openApp,
  pickSyncedContact,
  searchAndSelect,
  signIn,
  writeLog,
  type LabContact,
} from './wizard-flow';

let e2e: E2E;
const used = new Set<string>();
const ADMIN = 'hybrid.admin@contoso.onmicrosoft.com';

beforeAll(async () => {
  e2e = await startE2E({ contacts: 40 });
});
afterAll(async () => {
  // the "killed" test closes the first app itself; a second close is harmless
  await e2e?.close().catch(() => undefined);
});

async function shot(name: string, page: Page = e2e.page): Promise<void> {
  await page.screenshot({ path: `test-results/e2e/${name}.png`, fullPage: true });
  await expectAccessible(page, name);
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByTestId('sign-in').waitFor();
}

/** Start a fresh transfer run and get to step 5 for `c`. */
async function toTransferStep(page: Page, c: LabContact, options: { sync: boolean }): Promise<void> {
  await page.getByTestId('start-over').click();
  await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
  await next(page, 'preflight');
  await searchAndSelect(page, c);
  await next(page, 'pick');
  if (!options.sync) {
    await page.locator('#sync-enabled').uncheck();
    await page.getByTestId('step-sync').getByTestId('next').click();
    await proveReadOnly(page, 'write');
  }
}

async function verdictOf(page: Page, stepId: string, timeout = 90_000): Promise<string> {
  const v = page.getByTestId(`verdict-${stepId}`);
  await expect.poll(async () => (await v.count()) > 0 && (await v.textContent()) !== 'Running', { timeout }).toBe(true);
  return (await v.textContent()) ?? '';
}

/** Preflight lists each check once (its table row, nowhere else) and offers one "run the checks again" button. */
async function expectEachCheckOnce(page: Page): Promise<void> {
  const step = page.getByTestId('step-preflight');
  await expect.poll(() => step.getByTestId('verdict-preflight').textContent(), { timeout: 60_000 }).not.toBe('Running');
  // The verdict is recorded once before the sync-engine lines join the table; wait for those too.
  await expect.poll(() => step.getByTestId('preflight-engines-wait').count(), { timeout: 60_000 }).toBe(0);
  // One snapshot of the step (titles, the table's text and the text around it) in a single page task, so a
  // re-render between reads cannot leave part of the table in the "outside" text.
  const { titles, outside } = await step.evaluate((el) => {
    const table = el.querySelector<HTMLElement>('[data-testid="preflight-checks"]');
    const purpose = el.querySelector<HTMLElement>('.purpose');
    const rows = Array.from(table?.querySelectorAll('tbody tr') ?? []);
    return {
      titles: rows.map((tr) => tr.querySelector('td')?.textContent?.trim() ?? ''),
      // The step's text outside the table (and outside its purpose line, which names what the checks cover).
      outside: (el as HTMLElement).innerText.replace(purpose?.innerText ?? '', '').replace(table?.innerText ?? '', ''),
    };
  });
  expect(titles.length).toBeGreaterThan(3);
  expect(new Set(titles).size).toBe(titles.length);
  for (const t of titles) expect(outside, `check "${t}" is listed again outside the table`).not.toContain(t);
  expect(await step.getByRole('button', { name: /again/i }).count()).toBe(1);
}

function soaPath(id: string): string {
  return `^/v1\\.0/contacts/${id}/onPremisesSyncBehavior$`;
}

describe('wizard failure paths', () => {
  it('missing consent: the sign-in is refused with the consent fix and link', async () => {
    const { page } = e2e;
    await openApp(e2e);
    await signIn(page, 'noconsent.admin@contoso.onmicrosoft.com');
    const bar = page.getByTestId('sign-in').getByTestId('message-error');
    await bar.waitFor({ timeout: 30_000 });
    expect(await bar.textContent()).toMatch(/consent/i);
    await page.getByTestId('consent-link').waitFor();
    expect(await page.getByTestId('consent-link').getAttribute('href')).toMatch(/adminconsent/);
    await shot('failure-consent');
  });

  it('missing role: preflight fails the Hybrid Administrator check with a fix and blocks the wizard', async () => {
    const { page } = e2e;
    await signIn(page, 'helpdesk@contoso.onmicrosoft.com');
    await expectSignedIn(page, 'helpdesk@contoso.onmicrosoft.com');
    const check = page.getByTestId('check-graph.hybridAdministrator');
    await expect.poll(() => check.getAttribute('data-status'), { timeout: 60_000 }).toBe('fail');
    expect(await check.textContent()).toMatch(/Privileged Role Administrator/);
    expect(await page.getByTestId('step-preflight').getByTestId('next').isDisabled()).toBe(true);
    await page.getByText('Preflight found a blocking problem.').waitFor();
    // One "run again" button, even with the blocking-problem bar shown.
    expect(await page.getByTestId('step-preflight').getByRole('button', { name: /again/i }).count()).toBe(1);
    await shot('failure-role');
    await signOut(page);
  });

  it('busy sync engine: waits with a message, then runs the delta cycle', async () => {
    const { page, lab } = e2e;
    await signIn(page, ADMIN);
    await expectSignedIn(page, ADMIN);
    const c = await pickSyncedContact(lab, used);
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await expectEachCheckOnce(page);
    await next(page, 'preflight');
    await searchAndSelect(page, c);
    await next(page, 'pick');
    await control(lab, 'POST', '/onprem/configuration', { syncCycleMs: 6000 });
    try {
      await control(lab, 'POST', '/onprem/sync/cycle', { PolicyType: 'Delta' });
      await page.getByTestId('run-sync').click();
      await expect
        .poll(
          () =>
            page
              .getByTestId('sync-wait-message')
              .textContent()
              .catch(() => ''),
          { timeout: 30_000 },
        )
        .toMatch(/busy/i);
      await shot('failure-busy-waiting');
      expect(await verdictOf(page, 'sync', 120_000)).toBe('Pass');
      await page.getByText('The sync engine was busy.').waitFor();
      await shot('failure-busy-done');
    } finally {
      await control(lab, 'POST', '/onprem/configuration', { syncCycleMs: E2E_LAB_CLOCKS.syncCycleMs });
    }
  });

  it('cancel: stopping a sync wait leaves a message and next actions (retry or continue)', async () => {
    const { page, lab } = e2e;
    const c = await pickSyncedContact(lab, used);
    await page.getByTestId('start-over').click();
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await next(page, 'preflight');
    await searchAndSelect(page, c);
    await next(page, 'pick');
    await control(lab, 'POST', '/onprem/configuration', { syncCycleMs: 20_000 });
    try {
      await page.getByTestId('run-sync').click();
      await page.getByTestId('sync-wait').getByRole('button', { name: 'Stop waiting' }).click();
      // a deliberate stop is neutral: an information bar and a "Cancelled" verdict, never a red failure
      const bar = page.getByTestId('step-sync').getByTestId('message-info');
      await bar.waitFor({ timeout: 30_000 });
      expect(await bar.textContent()).toMatch(/cancelled/i);
      expect(await page.getByTestId('step-sync').getByTestId('message-error').count()).toBe(0);
      expect(await page.getByTestId('verdict-sync').textContent()).toBe('Cancelled');
      await bar.getByRole('button', { name: 'Continue without syncing' }).waitFor();
      await shot('failure-cancelled-sync');
    } finally {
      await control(lab, 'POST', '/onprem/configuration', { syncCycleMs: E2E_LAB_CLOCKS.syncCycleMs });
    }
  });

  it('throttled PATCH: 429 (Retry-After not exposed to the browser), retried by the Graph client, then verified', async () => {
    const { page, lab } = e2e;
    const c = await pickSyncedContact(lab, used);
    await toTransferStep(page, c, { sync: false });
    expect(await verdictOf(page, 'readonly')).toBe('Pass');
    await next(page, 'readonly');
    await page.getByTestId('transfer-confirm-input').fill(c.displayName);

    // The lab answers the wizard's PATCH once with 429 + Retry-After, exactly as a dry write bucket
    // does (Request_ThrottledTemporarily, x-ms-throttle-* headers); nothing is written by that answer.
    await control(lab, 'POST', '/faults', {
      method: 'PATCH',
      path: soaPath(c.id),
      kind: 'status',
      status: 429,
      retryAfterSeconds: 2,
      count: 1,
    });
    try {
      const mark = (await writeLog(lab)).length;
      await page.getByTestId('transfer-confirm-submit').click();
      await page.getByTestId('transfer-done').waitFor({ timeout: 60_000 });
      expect(await verdictOf(page, 'transfer')).toBe('Pass');
      const evidence = page.getByTestId('evidence-transfer');
      await evidence.locator('summary').click();
      // Graph's CORS does not expose Retry-After, so the renderer never sees it: the client backed off on its own
      const attempts = (await evidence.getByTestId('attempts').textContent()) ?? '';
      expect(attempts).toMatch(/PATCH → 429; PATCH → 204/);
      expect(attempts).not.toMatch(/Retry-After/);
      expect(await evidence.textContent()).toMatch(/the Graph client waited and retried \(2 HTTP attempts/);
      await shot('failure-throttled');
      const writes = (await writeLog(lab)).slice(mark).filter((w) => w.objectId === c.id);
      expect(writes).toHaveLength(1);
      expect((await labContact(lab, c.id)).isCloudManaged).toBe(true);
      const lines = journalLines(e2e.dataDir);
      const intent = lines.find((l) => l.kind === 'intent' && l.objectId === c.id && l.action === 'transfer');
      expect(lines.filter((l) => l.kind === 'result' && l.opId === intent?.opId)).toMatchObject([
        { outcome: 'done', verified: true },
      ]);
    } finally {
      await control(lab, 'DELETE', '/faults');
    }
  });

  it('lost response after an applied PATCH: reconciled by reading back, no second write', async () => {
    const { page, lab } = e2e;
    const c = await pickSyncedContact(lab, used);
    await toTransferStep(page, c, { sync: false });
    await next(page, 'readonly');
    // The lab applies the PATCH, then cuts the connection mid-response (so the browser cannot quietly
    // resend it): the app sees no answer and must settle the outcome by reading back.
    await control(lab, 'POST', '/faults', { method: 'PATCH', path: soaPath(c.id), kind: 'appliedLost', count: 1 });
    try {
      await page.getByTestId('transfer-confirm-input').fill(c.displayName);
      await page.getByTestId('transfer-confirm-submit').click();
      await page.getByTestId('transfer-done').waitFor({ timeout: 60_000 });
      const evidence = page.getByTestId('evidence-transfer');
      expect(await evidence.textContent()).toMatch(/IS in place\. Not sending it again/);
      await shot('failure-lost-response');
      // Exactly one write reached the tenant: the app read the state back instead of resending.
      const writes = (await writeLog(lab)).filter((w) => w.objectId === c.id);
      expect(writes).toHaveLength(1);
      expect((await labContact(lab, c.id)).isCloudManaged).toBe(true);
      const lines = journalLines(e2e.dataDir);
      const intent = lines.find((l) => l.kind === 'intent' && l.objectId === c.id);
      const results = lines.filter((l) => l.kind === 'result' && l.opId === intent?.opId);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ outcome: 'done', verified: true });
      expect(results[0]?.reason).toMatch(/not received/);
    } finally {
      await control(lab, 'DELETE', '/faults');
    }
  });

  it('cloud references: the rollback waits for an explicit acknowledgement', async () => {
    const { page, lab } = e2e;
    const withRef = (await labContacts(lab, 'transferred')).find((c) =>
      c.memberOf.some((g) => g.displayName === 'Cloud Partner Newsletter'),
    );
    expect(withRef).toBeTruthy();
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await next(page, 'preflight');
    await searchAndSelect(page, withRef as LabContact);
    await next(page, 'pick');
    await page.getByTestId('references').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('references').textContent()).toMatch(/Cloud Partner Newsletter/);
    await page.getByTestId('ack-hard-match').check();
    const nextBtn = page.getByTestId('step-references').getByTestId('next');
    expect(await nextBtn.isDisabled()).toBe(true);
    await shot('failure-cloud-references');
    await page.getByTestId('ack-references').check();
    expect(await nextBtn.isEnabled()).toBe(true);
    await page.getByTestId('start-over').click();
    await page.getByRole('button', { name: 'Transfer a contact' }).click();
  });

  it('app killed between the intent and the result: the restart shows it and reconciles it', async () => {
    const { page, lab, dataDir } = e2e;
    const c = await pickSyncedContact(lab, used);
    await toTransferStep(page, c, { sync: false });
    await next(page, 'readonly');
    // Hold the PATCH in the lab long enough to kill the app while it is in flight.
    await control(lab, 'POST', '/faults', {
      method: 'PATCH',
      path: soaPath(c.id),
      kind: 'latency',
      latencyMs: 3000,
      count: 1,
    });
    await page.getByTestId('transfer-confirm-input').fill(c.displayName);
    await page.getByTestId('transfer-confirm-submit').click();
    await expect
      .poll(() => journalLines(dataDir).some((l) => l.kind === 'intent' && l.objectId === c.id), { timeout: 20_000 })
      .toBe(true);
    // the PATCH has reached the lab (and is being held) — now kill the app
    await expect
      .poll(async () => (await control<{ value: { hits: number }[] }>(lab, 'GET', '/faults')).value[0]?.hits ?? 0, {
        timeout: 20_000,
        interval: 50,
      })
      .toBe(1);
    await page.close();
    await e2e.app.close();
    const intent = journalLines(dataDir).find((l) => l.kind === 'intent' && l.objectId === c.id);
    expect(journalLines(dataDir).some((l) => l.kind === 'result' && l.opId === intent?.opId)).toBe(false);
    await new Promise((r) => setTimeout(r, 3500)); // the held PATCH lands in the lab meanwhile

    const app2 = await startBrowserMode({ dataDir, lab: lab.info, syncCycleTiming: E2E_SYNC_CYCLE_TIMING });
    try {
      const page2 = await e2e.context.newPage();
      await openApp(e2e, page2, app2.bridge.url);
      await page2.getByTestId('journal-view').waitFor();
      await page2.getByTestId(`pending-${intent?.opId ?? ''}`).waitFor({ timeout: 20_000 });
      await shot('failure-killed-restart', page2);
      await signIn(page2, ADMIN);
      await expectSignedIn(page2, ADMIN);
      await page2.getByTestId('reverify').click();
      const result = page2.getByTestId('reconcile-results').locator('li').first();
      await result.waitFor({ timeout: 30_000 });
      expect(await result.getAttribute('data-outcome')).toBe('done');
      await page2.getByTestId('no-pending').waitFor({ timeout: 20_000 });
      await shot('failure-killed-reconciled', page2);

      expect((await labContact(lab, c.id)).isCloudManaged).toBe(true);
      expect((await writeLog(lab)).filter((w) => w.objectId === c.id)).toHaveLength(1);
      const results = journalLines(dataDir).filter((l) => l.kind === 'result' && l.opId === intent?.opId);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ outcome: 'done', verified: true });
      expect(results[0]?.reason).toMatch(/restart/);
    } finally {
      await control(lab, 'DELETE', '/faults');
      await app2.close();
    }
  });
});
