/**
 * Users and groups through the same pipeline against the lab: group nesting order (children first on
 * transfer, parents first on rollback), the cloud-reference and cloud-member checks before group
 * rollback, users by filter, and the AU-scoped admin's plan (objects outside the AU are blocked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labSession, allContacts, soaWritesPerObject, BULK_SCOPES } from './lab-session';
import { createNodeGraphBatchPort } from './node-graph-batch-port';
import { Journal, journalPortOf } from '../../../src-main/journal/journal';
import { buildPlan, planItems, resolveAdminScope } from '../../../src-renderer/lib/soa/bulk/plan';
import { runBulk } from '../../../src-renderer/lib/soa/bulk/pipeline';
import { selectByFilter } from '../../../src-renderer/lib/soa/bulk/selection';
import { transferredByRun } from '../../../src-renderer/lib/soa/bulk/rollback';

type Session = Awaited<ReturnType<typeof labSession>>;
const FAST = { retry: { baseMs: 50, maxMs: 500 } };

describe('bulk users and groups against the lab', () => {
  let s: Session;
  let dir: string;
  let journal: Journal;
  beforeAll(async () => {
    s = await labSession({ seed: 3, contacts: 200 });
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-ug-'));
    journal = new Journal(dir, s.lab.info.tenantDomain);
  });
  afterAll(async () => {
    await journal.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('transfers nested groups children first and rolls them back parents first, after the cloud checks', async () => {
    const { lab, graph } = s;
    const groups = await selectByFilter(graph, 'group', { namePrefix: 'DL-' });
    const byName = new Map(groups.map((g) => [g.displayName, g.id]));
    const partners = byName.get('DL-Partners-EMEA')!;
    const suppliers = byName.get('DL-Suppliers')!;
    const all = byName.get('DL-All-External')!;
    expect(partners && suppliers && all).toBeTruthy();

    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'group',
      objects: groups,
      graph,
      scope: { kind: 'tenant' },
      planId: 'groups-t',
    });
    const entry = (id: string) => plan.entries.find((e) => e.objectId === id)!;
    expect([entry(partners).wave, entry(suppliers).wave, entry(all).wave]).toEqual([0, 0, 1]);
    expect(entry(byName.get('DL-Legal-Counsel')!).action).toBe('skipAlreadyTransferred');
    const t = await runBulk({
      runId: 'groups-t',
      items: planItems(plan),
      graph,
      journal: journalPortOf(journal),
      ...FAST,
    });
    expect(t.progress).toMatchObject({ verified: 3, failed: 0, unverified: 0 });
    const seqOf = (id: string) => lab.writeLog().find((w) => w.objectId === id && w.method === 'PATCH')!.seq;
    expect(seqOf(all)).toBeGreaterThan(Math.max(seqOf(partners), seqOf(suppliers)));

    // rollback from the run's journal: DL-Partners-EMEA is a member of a cloud-only group (a cloud reference)
    const { records } = await journal.read({ runId: 'groups-t' });
    const fromJournal = transferredByRun(records, 'groups-t');
    expect(fromJournal.map((o) => o.id).sort()).toEqual([partners, suppliers, all].sort());
    const rb = await buildPlan({
      kind: 'rollback',
      objectType: 'group',
      objects: fromJournal,
      graph,
      scope: { kind: 'tenant' },
      planId: 'groups-r',
    });
    const rentry = (id: string) => rb.entries.find((e) => e.objectId === id)!;
    expect(rentry(partners).action).toBe('blockedCloudReferences');
    expect(rentry(partners).cloudReferences.map((r) => r.displayName)).toContain('All Cloud Recipients');
    expect(rentry(all)).toMatchObject({ action: 'rollback', wave: 0 });
    expect(rentry(suppliers)).toMatchObject({ action: 'rollback', wave: 1 });
    const r = await runBulk({
      runId: 'groups-r',
      items: planItems(rb),
      graph,
      journal: journalPortOf(journal),
      ...FAST,
    });
    expect(r.progress).toMatchObject({ verified: 2, failed: 0 });
    const patches = lab.writeLog().filter((w) => w.method === 'PATCH');
    const lastSeq = (id: string) => patches.filter((w) => w.objectId === id).at(-1)!.seq;
    expect(lastSeq(suppliers)).toBeGreaterThan(lastSeq(all));
    expect(lab.tenant().object(all)?.isCloudManaged).toBe(false);
    expect(lab.tenant().object(partners)?.isCloudManaged).toBe(true);

    // a group with a cloud-only member is blocked before rollback
    const legal = byName.get('DL-Legal-Counsel')!;
    const cloudUser = Object.values(lab.tenant().state.objects).find(
      (o) => o.kind === 'user' && o.onPremisesSyncEnabled !== true,
    )!;
    lab.tenant().object(legal)!.members.push(cloudUser.id); // set-up: add a cloud member
    const lp = await buildPlan({
      kind: 'rollback',
      objectType: 'group',
      objects: groups.filter((g) => g.id === legal),
      graph,
      scope: { kind: 'tenant' },
      planId: 'legal',
    });
    expect(lp.entries[0]).toMatchObject({ action: 'blockedCloudMembers' });
    expect(lp.entries[0]!.cloudReferences.map((c) => c.id)).toContain(cloudUser.id);
  });

  it('runs users through the same pipeline (synced transferred, cloud-native skipped)', async () => {
    const { lab, graph } = s;
    const users = await selectByFilter(graph, 'user', { company: 'Contoso' });
    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'user',
      objects: users,
      graph,
      scope: { kind: 'tenant' },
      planId: 'users',
    });
    expect(plan.counts.transfer).toBeGreaterThan(0);
    expect(plan.counts.skipCloudNative).toBeGreaterThan(0);
    const res = await runBulk({
      runId: 'users',
      items: planItems(plan),
      graph,
      journal: journalPortOf(journal),
      ...FAST,
    });
    expect(res.progress).toMatchObject({ verified: plan.counts.transfer, failed: 0, unverified: 0 });
    for (const e of plan.entries)
      if (e.action === 'transfer') expect(lab.tenant().object(e.objectId)?.isCloudManaged).toBe(true);
    for (const [, n] of soaWritesPerObject(lab)) expect(n).toBeLessThanOrEqual(2); // groups: transfer + rollback
  });

  it("blocks objects outside the AU-scoped admin's administrative unit", async () => {
    const { lab } = s;
    const token = await lab.mintToken('au.admin@contoso.onmicrosoft.com', [
      ...BULK_SCOPES,
      'RoleManagement.Read.Directory',
      'AdministrativeUnit.Read.All',
    ]);
    const graph = createNodeGraphBatchPort({
      graphRoot: lab.info.graphBaseUrl,
      caCertPath: lab.info.caCertPath,
      getToken: async () => token,
    });
    try {
      const scope = await resolveAdminScope(graph);
      expect(scope.kind).toBe('administrativeUnits');
      if (scope.kind !== 'administrativeUnits') return;
      const contacts = (await allContacts(graph)).slice(0, 60);
      const plan = await buildPlan({
        kind: 'transfer',
        objectType: 'contact',
        objects: contacts,
        graph,
        scope,
        planId: 'au',
      });
      const au = lab.tenant().state.administrativeUnits.find((a) => a.id === scope.ids[0])!;
      for (const e of plan.entries) {
        if (e.action === 'transfer') expect(au.members).toContain(e.objectId);
        if (!au.members.includes(e.objectId)) expect(e.action).toBe('blockedNotInScope');
      }
      expect(plan.counts.blockedNotInScope).toBeGreaterThan(0);
      expect(plan.counts.transfer).toBeGreaterThan(0);
    } finally {
      graph.close();
    }
  });
});
