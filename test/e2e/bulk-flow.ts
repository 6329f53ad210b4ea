/**
 * Shared steps for the Bulk view's end-to-end tests: signed in and on the Bulk view, contacts a rollback can take,
 * a selection from a saved file or a CSV, and a run from CSV to the success bar.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { E2E, Lab } from './harness';
import { expectSignedIn, labContact, labContacts, openApp, signIn, type LabContact } from './wizard-flow';

/** Open the app, sign in as `upn` and open the Bulk view. */
export async function openBulkView(e2e: E2E, upn = 'hybrid.admin@contoso.onmicrosoft.com'): Promise<void> {
  const { page } = e2e;
  await openApp(e2e);
  await signIn(page, upn);
  await expectSignedIn(page, upn);
  await page.getByRole('button', { name: 'Bulk', exact: true }).click();
  await page.getByTestId('bulk-selection').waitFor({ timeout: 30_000 });
}

/** `n` synced contacts with a mail, a unique name and no group membership (nothing blocks their rollback). */
export async function rollbackableContacts(lab: Lab, n: number): Promise<LabContact[]> {
  const synced = await labContacts(lab, 'synced', 1000);
  const names = new Map<string, number>();
  for (const c of synced) names.set(c.displayName, (names.get(c.displayName) ?? 0) + 1);
  const out: LabContact[] = [];
  for (const c of synced) {
    if (!c.mail || names.get(c.displayName) !== 1) continue;
    const full = await labContact(lab, c.id);
    if (full.memberOf.length > 0) continue;
    out.push(full);
    if (out.length === n) return out;
  }
  throw new Error(`only ${out.length} suitable synced contacts in the seed`);
}

/** Select `ids` from a saved selection file (the format the Bulk view saves) and wait until they are counted. */
export async function selectSaved(page: Page, ids: string[], name = 'selection.json'): Promise<void> {
  await page.getByTestId('bulk-mode-saved').check();
  await page.getByTestId('saved-file').setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({ version: 1, objectType: 'contact', createdAt: new Date().toISOString(), description: '', ids }),
    ),
  });
  await expect
    .poll(() => page.getByTestId('selection-count').textContent(), { timeout: 30_000 })
    .toContain(`${ids.length} contacts selected`);
}

/**
 * A transfer or rollback of `ids` from a CSV: the plan (which must hold exactly these objects for this action), the
 * typed confirmation, then the success bar.
 */
export async function runFromCsv(page: Page, kind: 'transfer' | 'rollback', ids: string[]): Promise<void> {
  if (kind === 'rollback') await page.getByTestId('bulk-kind-rollback').check();
  await page.getByTestId('bulk-mode-csv').check();
  await page
    .getByLabel('CSV file', { exact: true })
    .setInputFiles({ name: `${kind}.csv`, mimeType: 'text/csv', buffer: Buffer.from(['id', ...ids].join('\r\n')) });
  await expect
    .poll(() => page.getByTestId('selection-count').textContent(), { timeout: 30_000 })
    .toContain(`${ids.length} contacts selected`);
  await page.getByTestId('build-plan').click();
  await page.getByTestId('plan-table').waitFor({ timeout: 30_000 });
  const planned = await page
    .locator(`[data-testid="plan-row"][data-action="${kind}"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-object-id') ?? ''));
  expect([...planned].sort()).toEqual([...ids].sort());
  const phrase = `${kind.toUpperCase()} ${ids.length}`;
  const confirm = page.getByLabel(`Type ${phrase} to confirm`);
  await confirm.fill(phrase);
  await confirm.press('Enter');
  await page.getByTestId('bulk-success').waitFor({ timeout: 90_000 });
}
