/**
 * A bulk rollback of 20 contacts while the lab's sync client acts on a rollback two cycles late
 * (`takeoverDelayCycles: 2`): the summary never claims success early. Right after the PATCHes and
 * after each follow-up cycle it says "pending takeover: 20"; it says "Complete" only once every
 * object's takeover is confirmed by the server trace. The audit check finds each undo entry with
 * time-window queries, and the saved report lists each object's level and audit entry.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBulkView, rollbackableContacts, runFromCsv } from './bulk-flow';
import { startE2E, type E2E } from './harness';
import { control, expectAccessible, findFiles, labContact } from './wizard-flow';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ contacts: 80 });
});
afterAll(() => e2e?.close());

async function shot(name: string): Promise<void> {
  await e2e.screenshot(name);
  await expectAccessible(e2e.page, name);
}

describe('bulk rollback with a delayed takeover', () => {
  it('says "pending takeover: 20" until the server confirms each takeover, then "Complete"', async () => {
    const { page, lab } = e2e;
    const contacts = await rollbackableContacts(lab, 20);
    const ids = contacts.map((c) => c.id);

    await openBulkView(e2e);

    await runFromCsv(page, 'transfer', ids);
    for (const id of ids) expect((await labContact(lab, id)).soaState).toBe('transferred');

    // the sync client acts on a rollback two cycles late, then takes it over in the documented two cycles
    await control(lab, 'POST', '/onprem/configuration', { takeoverDelayCycles: 2 });
    try {
      await page.getByTestId('bulk-new-run').click();
      await runFromCsv(page, 'rollback', ids);
      const headline = page.getByTestId('bulk-level-headline');
      expect(await headline.getAttribute('data-complete')).toBe('false');
      expect(await headline.textContent()).toContain('pending takeover: 20');
      expect(await page.getByTestId('bulk-summary').textContent()).not.toMatch(
        /Every planned object is in its target state/,
      );
      await shot('bulk-rollback-01-pending-takeover');

      // the follow-up repeats cycles until each takeover is confirmed (four cycles, each a few PowerShell calls, after
      // the AD lookup and the engine check: minutes on a loaded machine; it ends as soon as the outcome shows)
      await page.getByTestId('sync-sweep').click();
      await page.getByTestId('sync-outcome').waitFor({ timeout: 300_000 });
      const cycles = page.getByTestId('follow-up-cycle');
      const log = await cycles.evaluateAll((els) =>
        els.map((e) => ({ pending: Number(e.getAttribute('data-pending')), text: e.textContent ?? '' })),
      );
      // cycles 1 and 2: the sync client has not acted; 3: awaiting export confirmation; 4: taken over
      expect(log.map((c) => c.pending)).toEqual([20, 20, 20, 0]);
      for (const c of log.slice(0, 3)) {
        expect(c.text).toContain('pending takeover: 20');
        expect(c.text).not.toMatch(/Complete/);
      }
      expect(log[3]?.text).toMatch(/Complete — the sync client has taken over all 20 objects/);
      expect(await headline.getAttribute('data-complete')).toBe('true');
      // every row shown says so (the table is virtualised: the saved report below checks all 20)
      const shown = page.locator('[data-testid="run-row-level"]');
      expect(await shown.count()).toBeGreaterThan(0);
      for (const l of await shown.evaluateAll((els) => els.map((e) => e.getAttribute('data-level'))))
        expect(l).toBe('serverConfirmed');
      for (const id of ids) expect((await labContact(lab, id)).onPremisesSyncEnabled).toBe(true);
      await shot('bulk-rollback-02-complete');

      // the audit log: each undo entry, found with a few time-window queries
      await page.getByTestId('audit-check').click();
      const audit = page.getByTestId('audit-result');
      await audit.waitFor({ timeout: 60_000 });
      await expect
        .poll(
          async () => {
            if ((await audit.getAttribute('data-found')) !== '20') await page.getByTestId('audit-check').click();
            return audit.getAttribute('data-found');
          },
          { timeout: 60_000, interval: 3000 },
        )
        .toBe('20');
      expect(await audit.getAttribute('data-checked')).toBe('20');
      for (const v of await page
        .locator('[data-testid="run-row-audit"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-audit'))))
        expect(v).toBe('found');
      expect(await headline.textContent()).toContain('the undo entry was found for all 20 written objects');
      await shot('bulk-rollback-03-audit');

      // the report lists each object's level and audit entry
      await page.getByTestId('save-run-report').click();
      await page.getByTestId('run-report-saved').waitFor({ timeout: 30_000 });
      const csvFile = findFiles(e2e.dataDir, /^bulk-run-.*\.csv$/)
        .map((f) => ({ f, text: readFileSync(f, 'utf8') }))
        .find((x) => ids.every((id) => x.text.includes(id)) && x.text.includes(',rollback,'));
      expect(csvFile).toBeDefined();
      const lines = (csvFile?.text ?? '').split('\r\n').filter((l) => l.length > 0);
      for (const id of ids) {
        const line = lines.find((l) => l.startsWith(id));
        expect(line, id).toContain('Confirmed on the server');
        expect(line, id).toContain('Found: ""Undo changes to Source of Authority');
      }
    } finally {
      await control(lab, 'POST', '/onprem/configuration', { takeoverDelayCycles: 0 });
    }
    // two bulk runs and a four-cycle follow-up: beyond the project's 300 s on a loaded machine (a bound, not a wait)
  }, 540_000);
});
