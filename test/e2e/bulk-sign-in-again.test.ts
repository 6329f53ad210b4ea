/**
 * The Bulk view when the refresh token is revoked mid-run: Chromium → browser mode → the lab. A saved selection
 * of contacts is planned and run; after the first objects are done the lab revokes the admin's sign-in sessions
 * (like Graph's revokeSignInSessions) and its clock passes every issued token's lifetime, so the next silent
 * refresh is refused (AADSTS50173). The run pauses and the view shows the "sign in again" card with the reason;
 * nothing is written while it waits. A new sign-in from the card and "Resume the run" finish the run: every
 * planned contact transferred, exactly one SOA PATCH each, one intent and one verified result each in the journal
 * (docs/reference/token-lifetime.md#revoked-refresh-tokens).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBulkView, selectSaved } from './bulk-flow';
import { startE2E, type E2E } from './harness';
import { control, expectAccessible, expectSignedIn, journalLines, writeLog } from './wizard-flow';

const N = 150;
const UPN = 'hybrid.admin@contoso.onmicrosoft.com';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ contacts: 220 });
}, 120_000);
afterAll(() => e2e?.close());

async function figure(id: string): Promise<number> {
  return Number(((await e2e.page.getByTestId(id).textContent()) ?? '').replace(/\D/g, '') || NaN);
}

describe('bulk run: refresh token revoked mid-run', () => {
  it('pauses with the "sign in again" card; a new sign-in resumes it: 0 lost, 0 double writes', async () => {
    const { page, lab } = e2e;
    const ids = lab
      .tenant()
      .objectsOf('contact')
      .filter((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged)
      .slice(0, N)
      .map((c) => c.id);
    expect(ids).toHaveLength(N);

    await openBulkView(e2e, UPN);
    await selectSaved(page, ids, 'selection-revoked.json');
    await page.getByTestId('build-plan').click();
    await page.getByTestId('plan-table').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('plan-count-transfer').textContent()).toContain(String(N));

    // slow Graph down so the run is still going when the grant is revoked
    await control(lab, 'POST', '/settings', { latencyMs: 150 });
    await page.getByTestId('bulk-confirm').fill(`TRANSFER ${N}`);
    await page.getByTestId('bulk-confirm').press('Enter');
    await expect.poll(() => figure('p-done'), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(5);
    const revoked = await control<{ refreshTokensRevoked: number }>(lab, 'POST', '/revoke-sign-in-sessions', {
      upn: UPN,
    });
    expect(revoked.refreshTokensRevoked).toBeGreaterThan(0);
    // every access token handed out so far expires (the lab's clock; main's MSAL still thinks them valid, so Graph's
    // 401 makes it refresh, and the refresh is refused)
    await control(lab, 'POST', '/clock', { advanceMs: 4 * 3600 * 1000 });

    const card = page.getByTestId('bulk-signin-paused');
    await card.waitFor({ timeout: 120_000 });
    await expect.poll(() => card.textContent()).toMatch(/Sign in again to resume the run\./);
    expect(await page.getByTestId('bulk-progress').getAttribute('data-state')).toBe('paused');
    await e2e.screenshot('bulk-sign-in-again-01-paused');
    await expectAccessible(page, 'bulk-sign-in-again-01-paused');

    // nothing is written while the run waits for the sign-in
    const before = (await writeLog(lab)).length;
    const doneBefore = await figure('p-done');
    expect(doneBefore).toBeLessThan(N);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await writeLog(lab)).length).toBe(before);
    expect(await figure('p-failed')).toBe(0);

    // a new sign-in from the card, then resume
    await control(lab, 'POST', '/settings', { latencyMs: 0 });
    await card.getByTestId('sign-in-browser').click();
    const link = card.getByTestId('sign-in-link');
    await link.waitFor({ timeout: 20_000 });
    const [popup] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await popup.waitForLoadState();
    await popup.locator(`button[value="${UPN}"]`).click();
    await popup.waitForLoadState().catch(() => undefined);
    // the header still names the account while paused, so wait for the sign-in itself to finish (the panel's wait
    // goes and its buttons come back) before resuming; resuming earlier would only pause the run again. The popup
    // stays open until then: closing it early can cut the redirect back to the app.
    await expect.poll(() => card.getByTestId('sign-in-wait').count(), { timeout: 60_000 }).toBe(0);
    await card.getByTestId('sign-in-browser').waitFor({ timeout: 30_000 });
    void popup.close().catch(() => undefined);
    await expectSignedIn(page, UPN);
    await page.getByTestId('bulk-signin-resume').click();

    await page.getByTestId('bulk-summary').waitFor({ timeout: 180_000 });
    expect(await figure('p-verified')).toBe(N);
    expect(await figure('p-failed')).toBe(0);
    expect(await figure('p-unverified')).toBe(0);
    await expect.poll(() => page.getByTestId('bulk-signin-paused').count()).toBe(0);

    // 0 lost, 0 double writes: one SOA PATCH per planned contact, each transferred; journaled once each
    const writes = (await writeLog(lab)).filter((w) => w.objectId && ids.includes(w.objectId));
    for (const id of ids) {
      const mine = writes.filter((w) => w.objectId === id);
      expect(mine, `writes for ${id}`).toHaveLength(1);
      expect(mine[0]?.body).toEqual({ isCloudManaged: true });
      expect(lab.tenant().object(id)?.isCloudManaged, id).toBe(true);
    }
    const lines = journalLines(e2e.dataDir);
    const intents = lines.filter((l) => l.kind === 'intent' && ids.includes(l.objectId ?? ''));
    expect(intents).toHaveLength(N);
    for (const i of intents) {
      const results = lines.filter((l) => l.kind === 'result' && l.opId === i.opId);
      expect(results, i.opId).toHaveLength(1);
      expect(results[0]).toMatchObject({ outcome: 'done', verified: true });
    }
  }, 600_000);
});
