/**
 * The guided transfer-and-verify (steps 1–10) and the rollback of the same contact, end to end:
 * Chromium → browser mode → real pwsh with the lab stand-ins → the lab tenant and sync server.
 * Asserts the lab's final state, the journal file, the report files; screenshots every step and
 * runs axe-core on each.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness';
import {
  control,
  expectAccessible,
  expectSignedIn,
  findFiles,
  journalLines,
  labContact,
  labContacts,
  next,
  openApp,
  proveReadOnly,
  pickSyncedContact,
  searchAndPick,
  searchAndSelect,
  signIn,
  writeLog,
  type LabContact,
} from './wizard-flow';

let e2e: E2E;
const used = new Set<string>();
let contact: LabContact;
const cloudName = (c: LabContact): string => `${c.displayName} Cloud`;

beforeAll(async () => {
  e2e = await startE2E({ contacts: 40 });
  contact = await pickSyncedContact(e2e.lab, used);
});
afterAll(() => e2e?.close());

async function shot(name: string): Promise<void> {
  await e2e.screenshot(name);
  await expectAccessible(e2e.page, name);
}

async function verdict(stepId: string, timeout = 90_000): Promise<string> {
  const v = e2e.page.getByTestId(`verdict-${stepId}`);
  await expect.poll(async () => (await v.count()) > 0 && (await v.textContent()) !== 'Running', { timeout }).toBe(true);
  return (await v.textContent()) ?? '';
}

describe('state panel', () => {
  it('tells rolled-back-pending from cloud-native with the server trace and the sync history', async () => {
    // first in the file: the seed's rolled-back contacts are taken over by the later sync cycles
    const { page, lab } = e2e;
    await openApp(e2e);
    await shot('transfer-00-sign-in');
    await signIn(page, 'hybrid.admin@contoso.onmicrosoft.com');
    await expectSignedIn(page, 'hybrid.admin@contoso.onmicrosoft.com');
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await next(page, 'preflight');
    const pending = (await labContacts(lab, 'rolledBackPending'))[0];
    const cloud = (await labContacts(lab, 'cloudNative')).find((c) => c.mail);
    expect(pending && cloud).toBeTruthy();

    // a search with more than 25 matches says so, and shows the next 25 on request (seed 7: 'c' matches 31)
    await page.getByTestId('contact-search').fill('c');
    await page.getByTestId('contact-search-submit').click();
    const count = page.getByTestId('result-count');
    await expect
      .poll(() => count.textContent(), { timeout: 30_000 })
      .toMatch(/Showing the first 25 of (\d+|more) matches/);
    const total = Number(/of (\d+) matches/.exec((await count.textContent()) ?? '')?.[1] ?? Number.NaN);
    const selectButtons = page.getByTestId('contact-results').getByTestId('select-contact');
    expect(await selectButtons.count()).toBe(25);
    // each row's button is named after its contact, not 25 buttons called "Select"
    const names = await selectButtons.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(new Set(names).size).toBe(25);
    await shot('pick-search-first-page');
    await page.getByTestId('more-results').click();
    if (Number.isNaN(total)) await expect.poll(() => selectButtons.count(), { timeout: 30_000 }).toBeGreaterThan(25);
    else {
      expect(total).toBeGreaterThan(25);
      await expect.poll(() => selectButtons.count(), { timeout: 30_000 }).toBe(Math.min(50, total));
      if (total <= 50) {
        expect(await page.getByTestId('more-results').count()).toBe(0);
        expect(await count.textContent()).toContain(`${total} matches`);
      }
    }

    await searchAndSelect(page, pending as LabContact);
    await expect
      .poll(() => page.getByTestId('state-label').textContent())
      .toBe('Rolled back, waiting for the sync client');
    expect(await page.getByTestId('state-panel').textContent()).toMatch(/Server trace/);
    await shot('state-rolled-back-pending');

    // The list still shows the last search until the new one answers: a slow answer (1.5 s here) must not
    // let the pick land on a row of the old list.
    await control(lab, 'POST', '/faults', {
      method: 'GET',
      path: '^/v1\\.0/contacts$',
      kind: 'latency',
      latencyMs: 1500,
      count: 1,
    });
    await searchAndPick(page, cloud as LabContact);
    // never synced (onPremisesLastSyncDateTime null): cloud-native, not "cannot tell"
    await expect.poll(() => page.getByTestId('state-label').textContent(), { timeout: 30_000 }).toBe('Cloud-native');
    expect(await page.getByTestId('state-panel').textContent()).toMatch(/never synced from AD DS/);
    expect(await page.getByTestId('step-pick').getByTestId('next').isDisabled()).toBe(true);
    await shot('state-cloud-native');
    await page.getByTestId('start-over').click();
  });
});

describe('transfer and verify, then roll back (one contact)', () => {
  it('walks steps 1–10 and leaves the contact cloud-managed with evidence', async () => {
    const { page, lab, dataDir } = e2e;

    // 1. preflight
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('check-graph.hybridAdministrator').getAttribute('data-status'))
      .toBe('pass');
    // Connect Sync only (no provisioning agent): Cloud Sync is not asked, and preflight says so
    const engines = page.getByTestId('check-cloudSync.engines');
    await engines.waitFor({ timeout: 60_000 });
    expect(await engines.getAttribute('data-status')).toBe('notChecked');
    expect(await engines.textContent()).toMatch(/Cloud Sync was not checked: this server shows no provisioning agent/);
    await shot('transfer-01-preflight');
    await next(page, 'preflight');

    // 2. pick
    await searchAndSelect(page, contact);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Synced from AD DS');
    await shot('transfer-02-pick');
    await next(page, 'pick');

    // 3. sync first — keyboard users land on the new step's heading
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('step-sync-title');
    await page.getByTestId('run-sync').click();
    expect(await verdict('sync')).toBe('Pass');
    await shot('transfer-03-sync');
    await next(page, 'sync');

    // 4. read-only proof (this admin may update contacts: by write)
    await proveReadOnly(page, 'write');
    expect(await verdict('readonly')).toBe('Pass');
    expect(await page.getByTestId('readonly-proof-by').textContent()).toMatch(/by write/);
    await shot('transfer-04-readonly');
    await next(page, 'readonly');

    // 5. transfer (typed confirmation)
    await shot('transfer-05-confirm');
    // keyboard only: type the name and press Enter
    await page.getByTestId('transfer-confirm-input').focus();
    await page.keyboard.type(contact.displayName);
    await page.keyboard.press('Enter');
    await page.getByTestId('transfer-done').waitFor({ timeout: 60_000 });
    expect(await verdict('transfer')).toBe('Pass');
    await shot('transfer-05-transfer');
    await next(page, 'transfer');

    // 6. verify in the cloud + audit log
    expect(await verdict('verify-cloud')).toBe('Pass');
    await page.getByTestId('audit-found').waitFor({ timeout: 60_000 });
    await shot('transfer-06-verify-cloud');
    await next(page, 'verify-cloud');

    // 7. writable
    await page.getByTestId('new-display-name').fill(cloudName(contact));
    await page.getByTestId('write-name').click();
    expect(await verdict('writable')).toBe('Pass');
    await shot('transfer-07-writable');
    await next(page, 'writable');

    // 8. server
    await page.getByTestId('run-verify-server').click();
    expect(await verdict('verify-server', 120_000)).toBe('Pass');
    await shot('transfer-08-verify-server');
    await next(page, 'verify-server');

    // 9. AD change blocked (6956), then restore
    const before = await labContact(lab, contact.id);
    await page.getByTestId('ad-agree').check();
    await page.getByTestId('run-ad-probe').click();
    expect(await verdict('ad-blocked', 120_000)).toBe('Pass');
    await page.getByTestId('restore-ad').click();
    await page.getByTestId('ad-restored').waitFor({ timeout: 60_000 });
    await shot('transfer-09-ad-blocked');
    // the run survives a trip to another view (the audit search too)
    await page.getByRole('button', { name: 'Journal' }).click();
    await page.getByTestId('journal-view').waitFor();
    await page.getByRole('button', { name: 'Transfer a contact' }).click();
    await page.getByTestId('ad-restored').waitFor();
    await next(page, 'ad-blocked');

    // 10. summary + report
    await page.getByTestId('save-report').click();
    await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
    await shot('transfer-10-summary');
    // browser mode: "Open" shows the saved HTML report in a new tab, "Save as" downloads the file
    const [reportTab] = await Promise.all([
      e2e.context.waitForEvent('page', { timeout: 30_000 }),
      page.getByTestId('open-report').click(),
    ]);
    await reportTab.waitForLoadState();
    expect(await reportTab.locator('body').textContent()).toContain(contact.id);
    await reportTab.close();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByTestId('save-report-json').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const downloaded = JSON.parse(readFileSync(await download.path(), 'utf8')) as { object: { id: string } };
    expect(downloaded.object.id).toBe(contact.id);

    // lab: cloud-managed, writable name kept, AD change not exported, description restored in AD
    const after = await labContact(lab, contact.id);
    expect(after.isCloudManaged).toBe(true);
    expect(after.onPremisesSyncEnabled).toBeNull();
    expect(after.soaState).toBe('transferred');
    expect(after.displayName).toBe(cloudName(contact));
    expect(after.description).toBe(before.description);
    const ad = (
      await lab.control(
        'GET',
        `/onprem/ad/objects?Identity=${encodeURIComponent(contact.onPremisesDistinguishedName ?? '')}`,
      )
    ).body as { value: { description: string | null }[] };
    expect(ad.value[0]?.description).toBe(contact.description);
    const events = (await lab.control('GET', '/onprem/events?LogName=Application&Id=6956')).body as {
      value: { Message: string }[];
    };
    expect(events.value.some((e) => e.Message.includes(contact.onPremisesDistinguishedName ?? '?'))).toBe(true);

    // write log: exactly one SOA PATCH, one displayName PATCH for this contact
    const writes = (await writeLog(lab)).filter((w) => w.objectId === contact.id);
    expect(writes.filter((w) => w.path.endsWith('/onPremisesSyncBehavior'))).toHaveLength(1);
    expect(writes.filter((w) => /\/contacts\/[^/]+$/.test(w.path))).toHaveLength(1);

    // journal: every intent has a verified "done" result, written after it
    const lines = journalLines(dataDir);
    const intents = lines.filter((l) => l.kind === 'intent' && l.objectId === contact.id);
    expect(intents.map((i) => i.action).sort()).toEqual(['adRestore', 'adTouch', 'displayName', 'transfer']);
    for (const i of intents) {
      const r = lines.find((l) => l.kind === 'result' && l.opId === i.opId);
      expect(r, `result for ${i.action}`).toBeDefined();
      expect(r?.outcome).toBe('done');
      expect(r?.verified).toBe(true);
      expect((r?.seq ?? 0) > i.seq).toBe(true);
    }
    const transferIntent = intents.find((i) => i.action === 'transfer');
    expect(transferIntent?.request).toMatchObject({ method: 'PATCH', body: { isCloudManaged: true } });

    // report files: HTML (printable) and JSON
    const html = findFiles(dataDir, /^transfer-.*\.html$/);
    const json = findFiles(dataDir, /^transfer-.*\.json$/);
    expect(html).toHaveLength(1);
    expect(json).toHaveLength(1);
    const report = JSON.parse(readFileSync(json[0] ?? '', 'utf8')) as {
      kind: string;
      object: { id: string };
      steps: { id: string; verdict: string; requests: { requestId?: string | null }[] }[];
      journal: { opIds: string[] };
    };
    expect(report.kind).toBe('transfer');
    expect(report.object.id).toBe(contact.id);
    const ids = report.steps.map((s) => s.id);
    for (const id of [
      'preflight',
      'pick',
      'sync',
      'readonly',
      'transfer',
      'verify-cloud',
      'writable',
      'verify-server',
      'ad-blocked',
      'audit',
    ]) {
      expect(ids).toContain(id);
    }
    expect(report.steps.find((s) => s.id === 'transfer')?.verdict).toBe('pass');
    expect(report.steps.find((s) => s.id === 'audit')?.verdict).toBe('pass');
    expect(report.steps.find((s) => s.id === 'transfer')?.requests.some((r) => !!r.requestId)).toBe(true);
    expect(report.journal.opIds).toContain(transferIntent?.opId);
    const htmlText = readFileSync(html[0] ?? '', 'utf8');
    const reportPage = await e2e.context.newPage();
    await reportPage.goto(`file://${html[0] ?? ''}`);
    await reportPage.screenshot({ path: 'test-results/e2e/transfer-10-report-html.png', fullPage: true });
    await expectAccessible(reportPage, 'report html');
    await reportPage.close();
    expect(htmlText).toContain('<!doctype html>');
    expect(htmlText).toContain('@media print');
    expect(htmlText).toContain('onPremisesSyncBehavior');
  });

  it('rolls the contact back: references, PATCH false, pending takeover, two cycles, audit, report', async () => {
    const { page, lab, dataDir } = e2e;
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await shot('rollback-01-preflight');
    await next(page, 'preflight');

    const transferred = await labContact(lab, contact.id);
    await searchAndSelect(page, transferred);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('SOA transferred to the cloud');
    await shot('rollback-02-pick');
    await next(page, 'pick');

    await page.getByTestId('hard-match-note').waitFor();
    await expect.poll(() => page.getByTestId('verdict-references').count(), { timeout: 30_000 }).toBe(1);
    if ((await page.getByTestId('ack-references').count()) > 0) await page.getByTestId('ack-references').check();
    await page.getByTestId('ack-hard-match').check();
    await shot('rollback-03-references');
    await next(page, 'references');

    await page.getByTestId('rollback-confirm-input').fill(transferred.displayName);
    await page.getByTestId('rollback-confirm-submit').click();
    await page.getByTestId('rolled-back').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('state-label').textContent())
      .toBe('Rolled back, waiting for the sync client');
    await shot('rollback-04-rolled-back');
    const pendingState = await labContact(lab, contact.id);
    expect(pendingState.soaState).toBe('rolledBackPending');
    await next(page, 'rollback');

    await page.getByTestId('run-takeover').click();
    expect(await verdict('takeover-1', 120_000)).toBe('Pass');
    expect(await verdict('takeover-2', 120_000)).toBe('Pass');
    await page.getByTestId('audit-found').waitFor({ timeout: 60_000 });
    await shot('rollback-05-takeover');
    await next(page, 'takeover');

    await page.getByTestId('save-report').click();
    await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
    await shot('rollback-06-summary');

    const after = await labContact(lab, contact.id);
    expect(after.isCloudManaged).toBe(false);
    expect(after.onPremisesSyncEnabled).toBe(true);
    expect(after.soaState).toBe('synced');
    expect(after.displayName).toBe(contact.displayName); // AD values overwrite cloud edits at takeover

    const writes = (await writeLog(lab)).filter(
      (w) => w.objectId === contact.id && w.path.endsWith('/onPremisesSyncBehavior'),
    );
    expect(writes.map((w) => w.body)).toEqual([{ isCloudManaged: true }, { isCloudManaged: false }]);

    const lines = journalLines(dataDir);
    const rb = lines.find((l) => l.kind === 'intent' && l.objectId === contact.id && l.action === 'rollback');
    expect(rb?.request).toMatchObject({ method: 'PATCH', body: { isCloudManaged: false } });
    expect(lines.find((l) => l.kind === 'result' && l.opId === rb?.opId)).toMatchObject({
      outcome: 'done',
      verified: true,
    });

    const json = findFiles(dataDir, /^rollback-.*\.json$/);
    expect(json).toHaveLength(1);
    const report = JSON.parse(readFileSync(json[0] ?? '', 'utf8')) as {
      kind: string;
      steps: { id: string; verdict: string }[];
    };
    expect(report.kind).toBe('rollback');
    expect(report.steps.map((s) => [s.id, s.verdict])).toEqual(
      expect.arrayContaining([
        ['references', expect.any(String)],
        ['rollback', 'pass'],
        ['verify-rolledback', 'pass'],
        ['takeover-1', 'pass'],
        ['takeover-2', 'pass'],
        ['audit', 'pass'],
      ]),
    );
    expect(findFiles(dataDir, /^rollback-.*\.html$/)).toHaveLength(1);
  });

  it('AU helper: an AU-scoped Hybrid Administrator sees which contacts the scope covers', async () => {
    const { page, lab } = e2e;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'au.admin@contoso.onmicrosoft.com');
    await expectSignedIn(page, 'au.admin@contoso.onmicrosoft.com');
    await page.getByTestId('preflight-checks').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('check-graph.hybridAdministrator').getAttribute('data-status'))
      .toBe('warn');
    await next(page, 'preflight');
    const synced = (
      await control<{ value: (LabContact & { administrativeUnits: unknown[] })[] }>(
        lab,
        'GET',
        '/objects?kind=contact&state=synced&limit=200',
      )
    ).value.filter((c) => c.mail && /^[A-Za-z]+ [A-Za-z]+$/.test(c.displayName));
    const inside = synced.find((c) => c.administrativeUnits.length > 0);
    const outside = synced.find((c) => c.administrativeUnits.length === 0 && c.id !== contact.id);
    expect(inside && outside).toBeTruthy();

    await searchAndSelect(page, outside as LabContact);
    const helper = page.getByTestId('au-helper');
    await helper.locator('summary').click();
    await helper.getByRole('button', { name: 'Check my scope' }).click();
    await expect.poll(() => helper.getByTestId('au-verdict').textContent(), { timeout: 30_000 }).toMatch(/Not covered/);
    await helper.getByRole('button', { name: /Add the contact to/ }).click();
    await helper.getByTestId('message-error').waitFor({ timeout: 30_000 });
    expect(await helper.getByTestId('message-error').textContent()).toMatch(/Privileged Role Administrator/);
    await shot('au-helper-not-covered');

    await searchAndSelect(page, inside as LabContact);
    await helper.locator('summary').click();
    await helper.getByRole('button', { name: 'Check my scope' }).click();
    await expect.poll(() => helper.getByTestId('au-verdict').textContent(), { timeout: 30_000 }).toMatch(/Covered/);
    await shot('au-helper-covered');
  });

  it('device-code sign-in: shows the code and the verification link, then signs in', async () => {
    const { page } = e2e;
    await page.getByRole('button', { name: 'Transfer a contact' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('sign-in-device').click();
    const box = page.getByTestId('device-code');
    await box.waitFor({ timeout: 20_000 });
    const code = (await box.locator('strong').textContent())?.trim() ?? '';
    const href = (await box.locator('a').getAttribute('href')) ?? '';
    expect(code).not.toBe('');
    await shot('sign-in-device-code');
    const verify = await e2e.context.newPage();
    await verify.goto(href);
    await verify.locator('input[name="user_code"]').fill(code);
    await verify.locator('button[value="hybrid.admin@contoso.onmicrosoft.com"]').click();
    await verify.waitForLoadState().catch(() => undefined);
    // page.close() can stall while the form's navigation settles; do not wait for it
    void verify.close().catch(() => undefined);
    await expectSignedIn(page, 'hybrid.admin@contoso.onmicrosoft.com');
  }, 60_000);

  it('journal and settings views are accessible and show the records', async () => {
    const { page } = e2e;
    await page.getByRole('button', { name: 'Journal' }).click();
    await page.getByTestId('journal-records').waitFor();
    await page.getByTestId('no-pending').waitFor();
    await shot('journal-view');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByTestId('settings-consent-link').waitFor();
    await shot('settings-view');
  });
});
