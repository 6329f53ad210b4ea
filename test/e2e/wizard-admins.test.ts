/**
 * The whole single-contact transfer (steps 1–10) and its rollback for the four kinds of admin the docs
 * make different (docs/reference/graph-and-identity.md#role-actions and #proofs-by-write-or-by-state),
 * in one browser, one after the other:
 *
 * 1. Hybrid Administrator only: step 4 by state evidence (no contact-update role), step 7 by write as
 *    another admin (a User Administrator signs in for that one proof);
 * 2. Hybrid Administrator + User Administrator: both proofs by write;
 * 3. Hybrid Administrator through a role-assignable group: step 4 by write as another admin, step 7 by
 *    state evidence;
 * 4. PIM-eligible only: preflight fails and says how to activate; after activating and signing in
 *    again, both proofs by state evidence.
 *
 * Each run checks the verdicts on screen, the lab's state and write log (who sent each write), the
 * journal (the other admin named on the intent) and the report (which proofs were by write, by whom,
 * and which by state).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from './harness';
import {
  control,
  expectAccessible,
  expectSignedIn,
  findFiles,
  journalLines,
  labContact,
  next,
  openApp,
  pickSyncedContact,
  searchAndSelect,
  signIn,
  writeLog,
  type LabContact,
} from './wizard-flow';

type Proof = 'write' | 'state' | 'other';

interface AdminCase {
  local: string;
  /** what preflight shows for Hybrid Administrator and the contact-update role */
  preflight: { hybrid: 'pass' | 'warn' | 'fail'; contactUpdate: 'pass' | 'warn' };
  readonly: Proof;
  writable: Proof;
  /** PIM-eligible: preflight fails first; the admin activates the role and signs in again */
  activate?: boolean;
}

const upn = (local: string): string => `${local}@contoso.onmicrosoft.com`;
const OTHER = 'hybrid.useradmin';

const ADMINS: AdminCase[] = [
  { local: 'hybrid.only', preflight: { hybrid: 'pass', contactUpdate: 'warn' }, readonly: 'state', writable: 'other' },
  {
    local: 'hybrid.useradmin',
    preflight: { hybrid: 'pass', contactUpdate: 'pass' },
    readonly: 'write',
    writable: 'write',
  },
  { local: 'hybrid.group', preflight: { hybrid: 'pass', contactUpdate: 'warn' }, readonly: 'other', writable: 'state' },
  {
    local: 'hybrid.pim',
    preflight: { hybrid: 'fail', contactUpdate: 'warn' },
    readonly: 'state',
    writable: 'state',
    activate: true,
  },
];

let e2e: E2E;
const used = new Set<string>();

beforeAll(async () => {
  e2e = await startE2E({ contacts: 40 });
});
afterAll(() => e2e?.close());

async function verdict(page: Page, stepId: string, timeout = 90_000): Promise<string> {
  const v = page.getByTestId(`verdict-${stepId}`);
  await expect.poll(async () => (await v.count()) > 0 && (await v.textContent()) !== 'Running', { timeout }).toBe(true);
  return (await v.textContent()) ?? '';
}

let opened = false;

async function signInAs(page: Page, local: string): Promise<void> {
  if (!opened) {
    await openApp(e2e); // expect.poll runs inside a test only
    opened = true;
  }
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if ((await signOut.count()) > 0) await signOut.click();
  await signIn(page, upn(local));
  await expectSignedIn(page, upn(local));
}

/** "Prove it with another admin": the other account signs in on the lab's page for this proof only. */
async function proveWithOtherAdmin(page: Page, stepId: 'readonly' | 'writable'): Promise<void> {
  const panel = page.getByTestId(`proof-admin-${stepId}`);
  await panel.waitFor({ timeout: 60_000 });
  await panel.getByTestId('other-admin-upn').fill(upn(OTHER));
  await panel.getByTestId('prove-other-admin').click();
  const link = panel.getByTestId('other-admin-sign-in-link');
  await link.waitFor({ timeout: 30_000 });
  const [popup] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await popup.waitForLoadState();
  await popup.locator(`button[value="${upn(OTHER)}"]`).click();
  await popup.waitForLoadState().catch(() => undefined);
  void popup.close().catch(() => undefined);
}

const proofText = (p: Proof): RegExp =>
  p === 'write'
    ? /^Proof: by write\s*$/
    : p === 'other'
      ? new RegExp(`^Proof: by write as ${upn(OTHER).replace(/\./g, '\\.')}\\s*$`)
      : /^Proof: by state evidence \(no write\)\s*$/;

async function preflight(page: Page, a: AdminCase): Promise<void> {
  await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
  const hybrid = page.getByTestId('check-graph.hybridAdministrator');
  await expect.poll(() => hybrid.getAttribute('data-status'), { timeout: 60_000 }).not.toBe('running');
  if (a.activate) {
    // PIM-eligible only: a failing check that says how to activate; the wizard does not go on
    await expect.poll(() => hybrid.getAttribute('data-status')).toBe('fail');
    expect(await page.getByTestId('step-preflight').textContent()).toMatch(/PIM-eligible/);
    expect(await page.getByTestId('step-preflight').textContent()).toMatch(/activate/i);
    expect(await page.getByTestId('step-preflight').getByTestId('next').isDisabled()).toBe(true);
    await e2e.screenshot(`admins-${a.local}-01-preflight-eligible`);
    // the admin activates the role (PIM), then signs in again so the token carries it
    await control(e2e.lab, 'POST', '/pim/activate', { upn: upn(a.local) });
    await signInAs(page, a.local);
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await expect.poll(() => hybrid.getAttribute('data-status'), { timeout: 60_000 }).toBe('pass');
  } else {
    await expect.poll(() => hybrid.getAttribute('data-status')).toBe(a.preflight.hybrid);
  }
  await expect
    .poll(() => page.getByTestId('check-graph.contactUpdateRole').getAttribute('data-status'))
    .toBe(a.preflight.contactUpdate);
  if (a.local === 'hybrid.group') expect(await hybrid.textContent()).toMatch(/through a role-assignable group/);
  await next(page, 'preflight');
}

describe.each(ADMINS)('$local: transfer (steps 1–10) and rollback', (a) => {
  let contact: LabContact;
  const cloudName = (): string => `${contact.displayName} Cloud`;

  it('transfers with the right verdicts; the report says which proofs were by write (and by whom) and which by state', async () => {
    const { page, lab, dataDir } = e2e;
    contact = await pickSyncedContact(lab, used);
    await signInAs(page, a.local);
    await page.getByRole('button', { name: 'Transfer a contact' }).click();
    const reportsBefore = findFiles(dataDir, /^transfer-.*\.json$/).length;

    // 1. preflight
    await preflight(page, a);

    // 2. pick, 3. sync
    await searchAndSelect(page, contact);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Synced from AD DS');
    await next(page, 'pick');
    await page.getByTestId('run-sync').click();
    expect(await verdict(page, 'sync')).toBe('Pass');
    await next(page, 'sync');

    // 4. read-only proof
    const ro = page.getByTestId('step-readonly');
    if (a.readonly === 'write') {
      await ro.getByTestId('prove-by-write').click();
    } else {
      // no contact-update role: the state evidence runs on its own, nothing to choose
      await ro.getByTestId('readonly-state-only').waitFor({ timeout: 30_000 });
      await expect
        .poll(() => ro.getByTestId('readonly-proof-by').textContent(), { timeout: 60_000 })
        .toMatch(proofText('state'));
      // the offer to prove it by a write with another admin (never a dead end without it)
      await ro.getByTestId('proof-admin-readonly').waitFor({ timeout: 30_000 });
      if (a.local === 'hybrid.only') await expectAccessible(page, 'readonly-other-admin-offer');
      if (a.readonly === 'other') await proveWithOtherAdmin(page, 'readonly');
    }
    await expect
      .poll(() => ro.getByTestId('readonly-proof-by').textContent(), { timeout: 60_000 })
      .toMatch(proofText(a.readonly));
    expect(await verdict(page, 'readonly')).toBe('Pass');
    await e2e.screenshot(`admins-${a.local}-04-readonly`);
    await next(page, 'readonly');

    // 5. transfer
    await page.getByTestId('transfer-confirm-input').fill(contact.displayName);
    await page.keyboard.press('Enter');
    await page.getByTestId('transfer-done').waitFor({ timeout: 60_000 });
    expect(await verdict(page, 'transfer')).toBe('Pass');
    await next(page, 'transfer');

    // 6. verify in the cloud + audit
    expect(await verdict(page, 'verify-cloud')).toBe('Pass');
    await page.getByTestId('audit-found').waitFor({ timeout: 60_000 });
    await next(page, 'verify-cloud');

    // 7. writable proof
    const wr = page.getByTestId('step-writable');
    await wr.getByTestId('new-display-name').fill(cloudName());
    if (a.writable === 'write') await wr.getByTestId('write-name').click();
    else if (a.writable === 'state') await wr.getByTestId('prove-by-state').click();
    else await proveWithOtherAdmin(page, 'writable');
    await expect
      .poll(() => wr.getByTestId('writable-proof-by').textContent(), { timeout: 60_000 })
      .toMatch(proofText(a.writable));
    expect(await verdict(page, 'writable')).toBe('Pass');
    await e2e.screenshot(`admins-${a.local}-07-writable`);
    await next(page, 'writable');

    // 8. server, 9. AD change blocked (6956) and restored
    await page.getByTestId('run-verify-server').click();
    expect(await verdict(page, 'verify-server', 120_000)).toBe('Pass');
    await next(page, 'verify-server');
    await page.getByTestId('ad-agree').check();
    await page.getByTestId('run-ad-probe').click();
    expect(await verdict(page, 'ad-blocked', 120_000)).toBe('Pass');
    await page.getByTestId('restore-ad').click();
    await page.getByTestId('ad-restored').waitFor({ timeout: 60_000 });
    await next(page, 'ad-blocked');

    // 10. report
    await page.getByTestId('save-report').click();
    await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
    await e2e.screenshot(`admins-${a.local}-10-summary`);

    // lab: transferred; the name written only when step 7 was a write
    const byWrite7 = a.writable !== 'state';
    const after = await labContact(lab, contact.id);
    expect(after.soaState).toBe('transferred');
    expect(after.displayName).toBe(byWrite7 ? cloudName() : contact.displayName);
    const writes = (await writeLog(lab)).filter((w) => w.objectId === contact.id);
    const soa = writes.filter((w) => w.path.endsWith('/onPremisesSyncBehavior'));
    expect(soa.map((w) => w.upn)).toEqual([upn(a.local)]); // the transfer: always the signed-in admin
    const names = writes.filter((w) => /\/contacts\/[^/]+$/.test(w.path));
    expect(names.map((w) => w.upn)).toEqual(
      a.writable === 'write' ? [upn(a.local)] : a.writable === 'other' ? [upn(OTHER)] : [],
    );

    // journal: the other admin's proof writes carry their account; every intent has its result after it
    const lines = journalLines(dataDir).filter((l) => l.objectId === contact.id || l.kind === 'result');
    const intents = lines.filter((l) => l.kind === 'intent' && l.objectId === contact.id);
    const byOther = intents.filter((i) => (i as { actor?: string }).actor === upn(OTHER));
    expect(byOther).toHaveLength([a.readonly, a.writable].filter((p) => p === 'other').length);
    for (const i of intents) {
      const r = lines.find((l) => l.kind === 'result' && l.opId === i.opId);
      expect(r, `result for ${i.action}`).toBeDefined();
      expect((r?.seq ?? 0) > i.seq).toBe(true);
    }
    expect(intents.filter((i) => (i as { actor?: string }).actor && i.action !== 'displayName')).toEqual([]);

    // report: each proof by write (and by whom) or by state
    const json = findFiles(dataDir, /^transfer-.*\.json$/);
    expect(json).toHaveLength(reportsBefore + 1);
    const file = json.find((f) => readFileSync(f, 'utf8').includes(contact.id)) ?? '';
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      admin: string;
      steps: { id: string; verdict: string; proof?: { by: string; account?: string } }[];
    };
    expect(report.admin).toBe(upn(a.local));
    const proofOf = (id: string) => report.steps.find((s) => s.id === id)?.proof;
    const expectProof = (id: string, p: Proof): void => {
      expect(proofOf(id)?.by).toBe(p === 'state' ? 'state' : 'write');
      expect(proofOf(id)?.account).toBe(p === 'other' ? upn(OTHER) : undefined);
    };
    expectProof('readonly', a.readonly);
    expectProof('writable', a.writable);
    for (const id of ['readonly', 'transfer', 'verify-cloud', 'writable', 'verify-server', 'ad-blocked', 'audit'])
      expect(report.steps.find((s) => s.id === id)?.verdict, id).toBe('pass');
    const html = readFileSync(file.replace(/\.json$/, '.html'), 'utf8');
    const label = (p: Proof): string =>
      p === 'write' ? 'by write' : p === 'other' ? `by write as ${upn(OTHER)}` : 'by state evidence (no write)';
    expect(html).toContain(`Prove it is synced and read-only: ${label(a.readonly)}`);
    expect(html).toContain(`Prove it is writable in the cloud: ${label(a.writable)}`);
  });

  it('rolls the same contact back with the right verdicts', async () => {
    const { page, lab } = e2e;
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await next(page, 'preflight');
    const transferred = await labContact(lab, contact.id);
    await searchAndSelect(page, transferred);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('SOA transferred to the cloud');
    await next(page, 'pick');
    await page.getByTestId('hard-match-note').waitFor();
    await expect.poll(() => page.getByTestId('verdict-references').count(), { timeout: 30_000 }).toBe(1);
    if ((await page.getByTestId('ack-references').count()) > 0) await page.getByTestId('ack-references').check();
    await page.getByTestId('ack-hard-match').check();
    await next(page, 'references');
    await page.getByTestId('rollback-confirm-input').fill(transferred.displayName);
    await page.getByTestId('rollback-confirm-submit').click();
    await page.getByTestId('rolled-back').waitFor({ timeout: 60_000 });
    await next(page, 'rollback');
    await page.getByTestId('run-takeover').click();
    expect(await verdict(page, 'takeover-1', 120_000)).toBe('Pass');
    expect(await verdict(page, 'takeover-2', 120_000)).toBe('Pass');
    await page.getByTestId('audit-found').waitFor({ timeout: 60_000 });
    await next(page, 'takeover');
    await page.getByTestId('save-report').click();
    await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
    await e2e.screenshot(`admins-${a.local}-rollback-summary`);

    const after = await labContact(lab, contact.id);
    expect(after.soaState).toBe('synced');
    expect(after.displayName).toBe(contact.displayName);
    const soa = (await writeLog(lab)).filter(
      (w) => w.objectId === contact.id && w.path.endsWith('/onPremisesSyncBehavior'),
    );
    expect(soa.map((w) => [w.body, w.upn])).toEqual([
      [{ isCloudManaged: true }, upn(a.local)],
      [{ isCloudManaged: false }, upn(a.local)],
    ]);
  });
});
