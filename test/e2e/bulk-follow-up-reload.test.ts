/**
 * A bulk rollback's follow-up survives reloads. The lab's sync client acts on a rollback two cycles late
 * (`takeoverDelayCycles: 2`). After one follow-up cycle and an audit check, a reload shows the same summary,
 * levels, cycle log, audit entries and report CSV as before it (all rebuilt from the journal). The resume panel
 * offers "Check pending objects"; a reload in the middle of that follow-up loses nothing that was journaled, and
 * the run says "Complete" only once the server and Entra ID show every takeover.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBulkView, rollbackableContacts, runFromCsv } from './bulk-flow';
import { startE2E, type E2E } from './harness';
import { control, expectAccessible, expectSignedIn, journalLines, labContact, openApp } from './wizard-flow';

const COUNT = 6;
let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ contacts: 60, seed: 11 });
});
afterAll(() => e2e?.close());

async function shot(name: string): Promise<void> {
  await e2e.screenshot(name);
  await expectAccessible(e2e.page, name);
}

/** Everything the summary shows about the run's evidence (the table holds all rows: 6 fit in view). */
async function evidenceShown(page: Page): Promise<unknown> {
  const headline = page.getByTestId('bulk-level-headline');
  return {
    headline: await headline.textContent(),
    level: await headline.getAttribute('data-level'),
    complete: await headline.getAttribute('data-complete'),
    cycles: await page
      .getByTestId('follow-up-cycle')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-pending')}|${e.textContent ?? ''}`)),
    audit: (await page.getByTestId('audit-result').count())
      ? await page.getByTestId('audit-result').textContent()
      : null,
    rows: await page
      .getByTestId('run-row')
      .evaluateAll((els) =>
        els.map((e) => [...e.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '').join(' | ')),
      ),
    levels: await page.getByTestId('run-row-level').evaluateAll((els) => els.map((e) => e.getAttribute('data-level'))),
  };
}

/** Save the report and return the CSV the app wrote (its path is shown once the save is done). */
async function savedCsv(page: Page): Promise<string> {
  await page.getByTestId('save-run-report').click();
  const paths = page.getByTestId('run-report-saved').locator('.mono');
  await expect.poll(() => paths.count(), { timeout: 30_000 }).toBe(2);
  const file = (await paths.nth(1).textContent())?.trim() ?? '';
  expect(file).toMatch(/\.csv$/);
  return readFileSync(file, 'utf8');
}

/**
 * A reload. In browser mode the session token lives only in page memory (it is stripped from the address bar), so
 * a reload is a fresh load of the printed URL; the sign-in is in main's token cache.
 */
async function reloadBulk(): Promise<void> {
  await openApp(e2e);
  await expectSignedIn(e2e.page, 'hybrid.admin@contoso.onmicrosoft.com');
  await e2e.page.getByRole('button', { name: 'Bulk', exact: true }).click();
}

async function shownRunId(page: Page): Promise<string> {
  const label = await page.locator('#bulk-progress-label .mono').textContent();
  if (!label) throw new Error('no run id on screen');
  return label.trim();
}

describe('bulk follow-up across reloads', () => {
  it('shows the same evidence after a reload, and "Check pending objects" finishes the takeover after a reload mid-check', async () => {
    const { page, lab } = e2e;
    const ids = (await rollbackableContacts(lab, COUNT)).map((c) => c.id);

    await openBulkView(e2e);
    await runFromCsv(page, 'transfer', ids);
    for (const id of ids) expect((await labContact(lab, id)).soaState).toBe('transferred');

    const { syncCycleMs } = await control<{ syncCycleMs: number }>(lab, 'GET', '/onprem/configuration');
    await control(lab, 'POST', '/onprem/configuration', { takeoverDelayCycles: 2 });
    try {
      await page.getByTestId('bulk-new-run').click();
      await runFromCsv(page, 'rollback', ids);
      const runId = await shownRunId(page);
      const headline = page.getByTestId('bulk-level-headline');
      expect(await headline.textContent()).toContain(`pending takeover: ${COUNT}`);

      // one follow-up cycle, then the admin stops it: the sync client has not acted yet
      await page.getByTestId('sync-sweep').click();
      await page.getByTestId('follow-up-cycle').first().waitFor({ timeout: 120_000 });
      await page.getByTestId('sync-cancel').click();
      await expect.poll(() => page.getByTestId('sync-cancel').count(), { timeout: 120_000 }).toBe(0);
      expect(await headline.getAttribute('data-complete')).toBe('false');
      await page.getByTestId('audit-check').click();
      await page.getByTestId('audit-result').waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByTestId('bulk-follow-up-pending').count(), { timeout: 10_000 }).toBe(1);

      const before = await evidenceShown(page);
      const csvBefore = await savedCsv(page);
      expect(csvBefore.split('\r\n').filter((l) => l.includes(runId))).toHaveLength(COUNT);
      await shot('bulk-follow-up-reload-01-before');

      // a reload: the run on screen comes back from the journal, exactly as it was
      await reloadBulk();
      await page.getByTestId('bulk-summary').waitFor({ timeout: 60_000 });
      expect(await shownRunId(page)).toBe(runId);
      expect(await evidenceShown(page)).toEqual(before);
      const csvAfter = await savedCsv(page);
      expect(csvAfter).toBe(csvBefore);
      const offered = page.getByTestId(`check-pending-${runId}`);
      await offered.waitFor({ timeout: 10_000 });
      expect(await offered.textContent()).toContain(`Check pending objects of run ${runId}`);
      await shot('bulk-follow-up-reload-02-after-reload');

      // the journal holds each observation of the run (after it was made)
      const obs = (journalLines(e2e.dataDir) as unknown as { kind: string; runId?: string; topic?: string }[]).filter(
        (l) => l.kind === 'observation' && l.runId === runId,
      );
      expect(obs.filter((o) => o.topic === 'bulkRunEnd').length).toBeGreaterThanOrEqual(1);
      expect(obs.filter((o) => o.topic === 'bulkServerCycle').length).toBe(
        (before as { cycles: string[] }).cycles.length,
      );
      expect(obs.filter((o) => o.topic === 'bulkAudit').length).toBe(1);

      // "Check pending objects", with cycles slow enough that the reload lands in the middle of one
      await control(lab, 'POST', '/onprem/configuration', { syncCycleMs: 6000 });
      const linesBefore = (before as { cycles: string[] }).cycles.length;
      await offered.click();
      await expect
        .poll(() => page.getByTestId('follow-up-cycle').count(), { timeout: 120_000 })
        .toBeGreaterThan(linesBefore);
      const midCheck = await evidenceShown(page);
      await reloadBulk();
      await page.getByTestId('bulk-summary').waitFor({ timeout: 60_000 });
      const restored = (await evidenceShown(page)) as { cycles: string[]; complete: string };
      // every cycle shown before the reload is shown after it (a cycle that ended during the reload may follow)
      expect(restored.cycles.slice(0, (midCheck as { cycles: string[] }).cycles.length)).toEqual(
        (midCheck as { cycles: string[] }).cycles,
      );
      await control(lab, 'POST', '/onprem/configuration', { syncCycleMs });

      // check again until the takeover is confirmed (a cycle still running on the server answers "busy" first)
      await expect
        .poll(
          async () => {
            if ((await headline.getAttribute('data-complete')) === 'true') return 'true';
            if ((await page.getByTestId('sync-cancel').count()) === 0) {
              const again = page.getByTestId(`check-pending-${runId}`);
              if (await again.count()) await again.click();
              else await page.getByTestId('sync-sweep').click();
            }
            return headline.getAttribute('data-complete');
          },
          { timeout: 240_000, interval: 3000 },
        )
        .toBe('true');
      // "Complete" only once Entra ID reads every object as synced again (the read-back), never before
      for (const id of ids) expect((await labContact(lab, id)).onPremisesSyncEnabled).toBe(true);
      expect(await headline.textContent()).toContain(`Complete — the sync client has taken over all ${COUNT} objects`);
      const cycles = await page
        .getByTestId('follow-up-cycle')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pending'))));
      expect(cycles.at(-1)).toBe(0);
      expect(cycles.slice(0, -1).every((p) => p > 0)).toBe(true);
      // the run is no longer offered (the transfer run before it still is: its server check was never run)
      const offer = page.locator(`[data-testid="follow-up-run"][data-run-id="${runId}"]`);
      await expect.poll(() => offer.count(), { timeout: 10_000 }).toBe(0);

      // and a last reload shows the completed run as it was
      const done = await evidenceShown(page);
      await reloadBulk();
      await page.getByTestId('bulk-summary').waitFor({ timeout: 60_000 });
      expect(await evidenceShown(page)).toEqual(done);
      expect(await offer.count()).toBe(0);
      await shot('bulk-follow-up-reload-03-complete-after-reload');
    } finally {
      await control(lab, 'POST', '/onprem/configuration', { takeoverDelayCycles: 0, syncCycleMs });
    }
  });
});
