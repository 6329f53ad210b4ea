/**
 * The Bulk view at scale: a dry-run plan of 20,000 contacts (a saved selection file, planned against the
 * lab) scrolls end to end and filters, while the plan table keeps at most about 200 row elements in the
 * DOM (the table renders only the rows in view).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBulkView, selectSaved } from './bulk-flow';
import { startE2E, type E2E } from './harness';

const ROWS = 20_000;
const MAX_ROW_ELEMENTS = 200;

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ contacts: ROWS });
}, 120_000);
afterAll(() => e2e?.close());

/** Row elements in the plan table's body (rendered rows and the spacers). */
function rowElements(page: Page): Promise<number> {
  return page.locator('[data-testid="plan-table"] tbody tr').count();
}

async function scrollPlanTo(page: Page, fraction: number): Promise<void> {
  await page.getByTestId('plan-table-viewport').evaluate((el, f) => {
    el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
    el.dispatchEvent(new Event('scroll'));
  }, fraction);
}

/** The data-object-id of the rendered plan rows, in order. */
function renderedIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="plan-row"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-object-id') ?? ''));
}

describe('bulk plan of 20,000 contacts', () => {
  it('scrolls and filters with at most about 200 row elements in the DOM', async () => {
    const { page, lab } = e2e;
    const contacts = lab
      .tenant()
      .objectsOf('contact')
      .filter((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged);
    expect(contacts.length).toBeGreaterThanOrEqual(ROWS);
    const ids = contacts.slice(0, ROWS).map((c) => c.id);

    await openBulkView(e2e);

    // a saved selection of 20,000 contacts
    await selectSaved(page, ids, 'selection-scale.json');

    // the plan: every contact read, 20,000 entries
    await page.getByTestId('build-plan').click();
    await page.getByTestId('plan-table').waitFor({ timeout: 600_000 });
    expect(await page.getByTestId('plan-table').getAttribute('data-rows')).toBe(String(ROWS));
    expect(await page.getByTestId('plan-count-transfer').textContent()).toContain(String(ROWS));

    // top, middle, end: the rows in view change, the row elements stay few
    const top = await renderedIds(page);
    expect(top[0]).toBe(ids[0]);
    expect(await rowElements(page)).toBeLessThanOrEqual(MAX_ROW_ELEMENTS);
    await scrollPlanTo(page, 0.5);
    await expect.poll(async () => (await renderedIds(page)).includes(ids[ROWS / 2] ?? '')).toBe(true);
    expect(await rowElements(page)).toBeLessThanOrEqual(MAX_ROW_ELEMENTS);
    await scrollPlanTo(page, 1);
    await expect.poll(async () => (await renderedIds(page)).at(-1)).toBe(ids[ROWS - 1]);
    expect(await rowElements(page)).toBeLessThanOrEqual(MAX_ROW_ELEMENTS);
    await e2e.screenshot('bulk-scale-01-plan-end');

    // filter by a name: only matching rows, from the top again, still few elements
    const target = contacts.find((c) => c.id === ids[ROWS - 1]);
    const needle = target?.displayName ?? '';
    const matching = contacts.slice(0, ROWS).filter((c) => c.displayName.toLowerCase().includes(needle.toLowerCase()));
    await page.getByTestId('plan-find').fill(needle);
    await expect.poll(() => page.getByTestId('plan-table').getAttribute('data-rows')).toBe(String(matching.length));
    const shown = await renderedIds(page);
    expect(shown).toContain(target?.id);
    expect(shown.every((id) => matching.some((c) => c.id === id))).toBe(true);
    expect(await rowElements(page)).toBeLessThanOrEqual(MAX_ROW_ELEMENTS);

    // the action filter (every contact of the selection is synced, so every row is a transfer)
    await page.getByTestId('plan-find').fill('');
    await page.getByLabel('Show').selectOption('transfer');
    await expect.poll(() => page.getByTestId('plan-table').getAttribute('data-rows')).toBe(String(ROWS));
    expect(await rowElements(page)).toBeLessThanOrEqual(MAX_ROW_ELEMENTS);
  }, 900_000);
});
