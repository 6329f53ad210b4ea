/**
 * A tenant with both engines (the lab's bothEngines: contoso.com on Connect Sync, adatum.com on Cloud Sync): a bulk
 * transfer and a bulk rollback over contacts of both domains. The follow-up routes each object to its engine —
 * delta cycles and the trace for contoso.com, provisioning-log queries per job for adatum.com (never one
 * provisionOnDemand per object, never /start) — and the saved report carries each object's evidence. After the
 * transfer a Cloud Sync object with no AD change has no log entry: the report says so (no claim), until an AD
 * change is skipped for the SOA.
 */
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBulkView, runFromCsv } from './bulk-flow';
import { startE2E, type E2E } from './harness';
import {
  control,
  expectAccessible,
  findFiles,
  labContact,
  labContacts,
  writeLog,
  type LabContact,
} from './wizard-flow';

let e2e: E2E;
const ADATUM = /DC=adatum,DC=com$/i;
const CONTOSO = /DC=contoso,DC=com$/i;

beforeAll(async () => {
  e2e = await startE2E({ contacts: 20, scenario: 'bothEngines' });
});
afterAll(() => e2e?.close());

/** Two synced contacts of a domain with a mail, a unique name and no group membership (few objects: a cheap run). */
async function two(domain: RegExp, all: LabContact[]): Promise<LabContact[]> {
  const names = new Map<string, number>();
  for (const c of all) names.set(c.displayName, (names.get(c.displayName) ?? 0) + 1);
  const out: LabContact[] = [];
  for (const c of all) {
    if (!c.mail || names.get(c.displayName) !== 1 || !domain.test(c.onPremisesDistinguishedName ?? '')) continue;
    const full = await labContact(e2e.lab, c.id);
    if (full.memberOf.length > 0) continue;
    out.push(full);
    if (out.length === 2) return out;
  }
  throw new Error(`only ${out.length} suitable synced contacts for ${String(domain)}`);
}

async function followUp(): Promise<string> {
  const { page } = e2e;
  const outcome = page.getByTestId('sync-outcome');
  await page.getByTestId('sync-sweep').click();
  // the previous outcome goes away when the follow-up starts; the new one shows when it ends
  await outcome.waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
  await outcome.waitFor({ timeout: 180_000 });
  await expect.poll(() => page.getByTestId('sync-cancel').count(), { timeout: 180_000 }).toBe(0);
  return (await outcome.textContent()) ?? '';
}

/** The saved run report's CSV line of each object. */
async function reportLines(kind: 'transfer' | 'rollback', ids: string[]): Promise<Map<string, string>> {
  const { page } = e2e;
  const clicked = Date.now() - 1000;
  await page.getByTestId('save-run-report').click();
  // the newest report of this run (one is saved per click)
  const newest = async (): Promise<string> => {
    const files = findFiles(e2e.dataDir, /^bulk-run-.*\.csv$/)
      .map((f) => ({ f, at: statSync(f).mtimeMs }))
      .filter((x) => x.at >= clicked)
      .sort((a, b) => a.at - b.at)
      .map((x) => readFileSync(x.f, 'utf8'))
      .filter((t) => ids.every((id) => t.includes(id)) && t.includes(`,${kind},`));
    return files.at(-1) ?? '';
  };
  await expect.poll(newest, { timeout: 30_000 }).not.toBe('');
  const lines = (await newest()).split('\r\n');
  return new Map(ids.map((id) => [id, lines.find((l) => l.startsWith(id)) ?? '']));
}

describe('bulk over a tenant with both engines', () => {
  it('routes each object to its engine and ends the transfer and the rollback with per-object evidence', async () => {
    const { page, lab } = e2e;
    const synced = await labContacts(lab, 'synced', 1000);
    const contoso = await two(CONTOSO, synced);
    const adatum = await two(ADATUM, synced);
    const ids = [...contoso, ...adatum].map((c) => c.id);

    await openBulkView(e2e);

    // ---- transfer, then the follow-up per engine
    await runFromCsv(page, 'transfer', ids);
    const afterTransfer = await followUp();
    expect(afterTransfer).toMatch(/Connect Sync \(2 object\(s\)\): /);
    expect(afterTransfer).toMatch(/Cloud Sync: 0 of 2 object\(s\) confirmed by the provisioning log/);
    // the pending headline names the Cloud Sync evidence, never Connect Sync's blockOnPremisesSync
    const pendingHeadline = (await page.getByTestId('bulk-level-headline').textContent()) ?? '';
    expect(pendingHeadline).toMatch(/pending on the server: 2 \(Cloud Sync, no SOA skip in the provisioning log yet\)/);
    expect(pendingHeadline).not.toContain('blockOnPremisesSync');
    await e2e.screenshot('cloud-sync-bulk-01-transfer-follow-up');
    await expectAccessible(page, 'cloud sync bulk transfer follow-up');
    let lines = await reportLines('transfer', ids);
    for (const c of contoso) {
      expect(lines.get(c.id), c.displayName).toContain('Confirmed on the server');
      expect(lines.get(c.id)).toContain('blockOnPremisesSync = true');
    }
    for (const c of adatum) {
      // no AD change, so no log entry: the level stays at the cloud read, and the report says why
      expect(lines.get(c.id), c.displayName).toContain('Verified in the cloud');
      expect(lines.get(c.id)).toMatch(/Cloud Sync \(provisioning log\): No provisioning-log entry for the object yet/);
      // never the Connect Sync trace for a Cloud Sync object
      expect(lines.get(c.id)).not.toContain('Entra connector object');
    }

    // an AD change to one Cloud Sync object: its next cycle skips it for the SOA, and the follow-up sees that
    const changed = adatum[0] as LabContact;
    await control(lab, 'POST', '/onprem/ad/objects/set', {
      Identity: changed.onPremisesDistinguishedName,
      Replace: { department: 'soa-pilot e2e change' },
    });
    await expect
      .poll(
        async () => {
          await followUp();
          return (await reportLines('transfer', ids)).get(changed.id) ?? '';
        },
        { timeout: 120_000, interval: 3000 },
      )
      .toMatch(/Confirmed on the server.*Cloud Sync skipped the object because its SOA is in the cloud/);
    expect((await labContact(lab, changed.id)).isCloudManaged).toBe(true);

    // ---- rollback of all four: takeover by each engine
    await page.getByTestId('bulk-new-run').click();
    await runFromCsv(page, 'rollback', ids);
    const afterRollback = await followUp();
    expect(afterRollback).toMatch(/Cloud Sync: 2 of 2 object\(s\) confirmed by the provisioning log/);
    expect(await page.getByTestId('bulk-level-headline').getAttribute('data-complete')).toBe('true');
    await e2e.screenshot('cloud-sync-bulk-02-rollback-follow-up');
    lines = await reportLines('rollback', ids);
    for (const c of contoso) {
      expect(lines.get(c.id), c.displayName).toContain('Confirmed on the server');
      expect(lines.get(c.id)).toContain('Takeover confirmed');
    }
    for (const c of adatum) {
      expect(lines.get(c.id), c.displayName).toContain('Confirmed on the server');
      expect(lines.get(c.id)).toMatch(/Cloud Sync \(provisioning log\): Cloud Sync processed the object again/);
      // the takeover also needs Entra ID to read the object as synced again, and its attributes to match AD
      expect(lines.get(c.id)).toMatch(/onPremisesSyncEnabled = true\) and its displayName and mail match AD\./);
    }
    for (const id of ids) expect((await labContact(lab, id)).onPremisesSyncEnabled).toBe(true);
    // never the job's /start, never one provisionOnDemand per object
    const writes = await writeLog(lab);
    expect(writes.some((w) => /\/synchronization\/jobs\/[^/]+\/(start|provisionOnDemand)$/.test(w.path))).toBe(false);
  });
});
