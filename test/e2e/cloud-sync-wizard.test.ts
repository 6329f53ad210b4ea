/**
 * A contact synced by Cloud Sync (the lab's bothEngines tenant: adatum.com on Cloud Sync beside contoso.com on
 * Connect Sync) through the guided transfer and the rollback, end to end: Chromium → browser mode → real pwsh with the
 * lab stand-ins → the lab tenant. The engine step routes it to Cloud Sync; provisionOnDemand and the provisioning log
 * replace the Connect Sync cycle, trace and Event 6956; both reports end with the provisioning-log evidence.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness';
import {
  control,
  expectAccessible,
  expectSignedIn,
  findFiles,
  labContact,
  labContacts,
  next,
  openApp,
  proveReadOnly,
  searchAndSelect,
  signIn,
  writeLog,
  type LabContact,
} from './wizard-flow';

let e2e: E2E;
let contact: LabContact;
const ADATUM = /DC=adatum,DC=com$/i;

beforeAll(async () => {
  e2e = await startE2E({ contacts: 20, scenario: 'bothEngines' });
  // no scheduled cycle falls due during the test: every Cloud Sync outcome comes from the app's provisionOnDemand
  // (a 2-s cycle would take the rolled-back contact over before the rollback step's read-back)
  await control(e2e.lab, 'POST', '/settings', { cloudSyncCycleMs: 600_000 });
  const synced = await labContacts(e2e.lab, 'synced', 1000);
  const c = synced.find(
    (x) => ADATUM.test(x.onPremisesDistinguishedName ?? '') && x.mail && /^[A-Za-z]+ [A-Za-z]+$/.test(x.displayName),
  );
  if (!c) throw new Error('no synced adatum.com contact in the bothEngines seed');
  contact = c;
});
afterAll(() => e2e?.close());

async function verdict(stepId: string, timeout = 90_000): Promise<string> {
  const v = e2e.page.getByTestId(`verdict-${stepId}`);
  await expect.poll(async () => (await v.count()) > 0 && (await v.textContent()) !== 'Running', { timeout }).toBe(true);
  return (await v.textContent()) ?? '';
}

interface Report {
  kind: string;
  steps: { id: string; verdict: string; observed: string }[];
  syncEngine?: { engine: string; basis: string[] };
  provisioningLog?: { entries: { id: string; status: string | null; reason: string | null }[]; statement: string };
}

function report(kind: 'transfer' | 'rollback'): { json: Report; html: string } {
  const json = findFiles(e2e.dataDir, new RegExp(`^${kind}-.*\\.json$`));
  const html = findFiles(e2e.dataDir, new RegExp(`^${kind}-.*\\.html$`));
  expect(json).toHaveLength(1);
  expect(html).toHaveLength(1);
  return {
    json: JSON.parse(readFileSync(json[0] ?? '', 'utf8')) as Report,
    html: readFileSync(html[0] ?? '', 'utf8'),
  };
}

describe('a Cloud-Sync-synced contact through the transfer and the rollback', () => {
  it('transfers with Cloud Sync proofs and ends with provisioning-log evidence in the report', async () => {
    const { page, lab } = e2e;
    await openApp(e2e);
    await signIn(page, 'hybrid.admin@contoso.onmicrosoft.com');
    await expectSignedIn(page, 'hybrid.admin@contoso.onmicrosoft.com');
    await page.getByTestId('preflight-checks').waitFor({ timeout: 120_000 });
    // the server runs the provisioning agent: preflight asks Cloud Sync and lists what each engine covers
    const engines = page.getByTestId('check-cloudSync.engines');
    await engines.waitFor({ timeout: 120_000 });
    expect(await engines.textContent()).toMatch(/Cloud Sync: adatum\.com \(job AD2AADProvisioning\.[0-9a-f]+\)/);
    expect(await engines.textContent()).toMatch(/Connect Sync: [^(]+\(DC=contoso,DC=com\)/);
    expect(await page.getByTestId('check-cloudSync.synchronizationApi').getAttribute('data-status')).toBe('pass');
    expect(await page.getByTestId('check-cloudSync.provisioningLog').getAttribute('data-status')).toBe('pass');
    await next(page, 'preflight');

    // 2. pick: the engine step routes the adatum.com contact to Cloud Sync
    await searchAndSelect(page, contact);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('Synced from AD DS');
    const engine = page.getByTestId('sync-engine');
    await expect.poll(() => engine.getAttribute('data-engine'), { timeout: 60_000 }).toBe('cloudSync');
    expect(await engine.textContent()).toMatch(/Cloud Sync \(job AD2AADProvisioning\.[0-9a-f]+, domain adatum\.com\)/);
    await e2e.screenshot('cloud-sync-02-pick');
    await expectAccessible(page, 'cloud sync pick');
    await next(page, 'pick');

    // 3. no Connect Sync cycle to run first
    await page.getByTestId('sync-cloud-sync').waitFor();
    await next(page, 'sync');

    // 4–7: the cloud-side proofs are the same for both engines
    await proveReadOnly(page, 'write');
    expect(await verdict('readonly')).toBe('Pass');
    await next(page, 'readonly');
    await page.getByTestId('transfer-confirm-input').fill(contact.displayName);
    await page.keyboard.press('Enter');
    await page.getByTestId('transfer-done').waitFor({ timeout: 60_000 });
    expect(await verdict('transfer')).toBe('Pass');
    await next(page, 'transfer');
    expect(await verdict('verify-cloud')).toBe('Pass');
    await next(page, 'verify-cloud');
    await page.getByTestId('new-display-name').fill(`${contact.displayName} Cloud`);
    await page.getByTestId('write-name').click();
    expect(await verdict('writable')).toBe('Pass');
    await next(page, 'writable');

    // 8. verify with Cloud Sync: provisionOnDemand says skipped for the SOA; the stepper names what Cloud Sync shows
    expect(await page.getByTestId('stepper-verify-server').textContent()).toContain('Verify the Cloud Sync skip');
    await page.getByTestId('run-verify-cloud-sync').click();
    expect(await verdict('verify-server', 120_000)).toBe('Pass');
    expect(await page.getByTestId('step-verify-server').textContent()).toMatch(/SOA is in the cloud/);
    await e2e.screenshot('cloud-sync-08-verify');
    await expectAccessible(page, 'cloud sync verify');
    await next(page, 'verify-server');

    // 9. AD change → Cloud Sync skips it for the SOA, the cloud is unchanged; restore AD
    await page.getByTestId('ad-agree').check();
    await page.getByTestId('run-ad-probe').click();
    expect(await verdict('ad-blocked', 120_000)).toBe('Pass');
    await page.getByTestId('restore-ad').click();
    await page.getByTestId('ad-restored').waitFor({ timeout: 60_000 });
    await next(page, 'ad-blocked');

    // 10. report
    await page.getByTestId('save-report').click();
    await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });
    await e2e.screenshot('cloud-sync-10-summary');

    const { json, html } = report('transfer');
    expect(json.syncEngine?.engine).toBe('cloudSync');
    const byId = new Map(json.steps.map((s) => [s.id, s]));
    expect(byId.get('engine')?.verdict).toBe('pass');
    expect(byId.get('sync')?.verdict).toBe('skipped');
    expect(byId.get('verify-server')?.verdict).toBe('pass');
    expect(byId.get('ad-blocked')?.verdict).toBe('pass');
    expect(byId.get('ad-blocked')?.observed).toMatch(/skipped the object because its SOA is in the cloud/);
    const entries = json.provisioningLog?.entries ?? [];
    expect(entries.length).toBeGreaterThan(0);
    expect(
      entries.some((e) => e.status === 'skipped' && /SOA of this contact is in the cloud/.test(e.reason ?? '')),
    ).toBe(true);
    expect(json.provisioningLog?.statement).toMatch(/provisioning-log entr(y|ies) for this object/);
    expect(html).toContain('data-evidence="provisioning-log"');

    const after = await labContact(lab, contact.id);
    expect(after.isCloudManaged).toBe(true);
    expect(after.displayName).toBe(`${contact.displayName} Cloud`);
    // no Connect Sync cycle, trace or 6956 for this object; never the job's /start
    const events = (await lab.control('GET', '/onprem/events?LogName=Application&Id=6956')).body as {
      value?: { Message: string }[];
    };
    expect((events.value ?? []).some((e) => e.Message.includes(contact.onPremisesDistinguishedName ?? '?'))).toBe(
      false,
    );
    expect((await writeLog(lab)).some((w) => /\/synchronization\/jobs\/[^/]+\/start$/.test(w.path))).toBe(false);
  });

  it('rolls back: Cloud Sync processes the object again, and the report carries that log entry', async () => {
    const { page, lab } = e2e;
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByTestId('preflight-checks').waitFor({ timeout: 120_000 });
    await next(page, 'preflight');
    const transferred = await labContact(lab, contact.id);
    await searchAndSelect(page, transferred);
    await expect.poll(() => page.getByTestId('state-label').textContent()).toBe('SOA transferred to the cloud');
    await expect.poll(() => page.getByTestId('sync-engine').getAttribute('data-engine')).toBe('cloudSync');
    await next(page, 'pick');

    await expect.poll(() => page.getByTestId('verdict-references').count(), { timeout: 30_000 }).toBe(1);
    if ((await page.getByTestId('ack-references').count()) > 0) await page.getByTestId('ack-references').check();
    await page.getByTestId('ack-hard-match').check();
    await next(page, 'references');

    await page.getByTestId('rollback-confirm-input').fill(transferred.displayName);
    await page.getByTestId('rollback-confirm-submit').click();
    await page.getByTestId('rolled-back').waitFor({ timeout: 60_000 });
    await next(page, 'rollback');

    await page.getByTestId('run-takeover').click();
    expect(await verdict('takeover', 120_000)).toBe('Pass');
    await expect.poll(() => page.getByTestId('takeover-verdict').getAttribute('data-complete')).toBe('true');
    await e2e.screenshot('cloud-sync-rollback-05-takeover');
    await expectAccessible(page, 'cloud sync takeover');
    await next(page, 'takeover');
    await page.getByTestId('save-report').click();
    await page.getByTestId('report-saved').waitFor({ timeout: 30_000 });

    const { json, html } = report('rollback');
    expect(json.syncEngine?.engine).toBe('cloudSync');
    const takeover = json.steps.find((s) => s.id === 'takeover');
    expect(takeover?.verdict).toBe('pass');
    expect(takeover?.observed).toMatch(/processed the object again.*attributes match AD/);
    expect(json.steps.some((s) => s.id === 'takeover-1' || s.id === 'takeover-2')).toBe(false);
    expect(json.provisioningLog?.entries.some((e) => e.status === 'success')).toBe(true);
    expect(html).toContain('data-evidence="provisioning-log"');

    const after = await labContact(lab, contact.id);
    expect(after.isCloudManaged).toBe(false);
    expect(after.onPremisesSyncEnabled).toBe(true);
    expect(after.soaState).toBe('synced');
    expect(after.displayName).toBe(contact.displayName);
  });
});
