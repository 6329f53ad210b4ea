/**
 * Bulk rollback of a contact that is in a cloud group while its memberOf read fails (403, and
 * separately 500): the plan blocks it as "could not check" (a failed read is never "no references"),
 * the run skips it, the report says why; an override is journaled and only then lets it run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGraph } from './fake-graph';
import { Journal, journalPortOf } from '../../../../../../src-main/journal/journal';
import { buildPlan, overrideCouldNotCheck, planItems } from '../../../../../../src-renderer/lib/soa/bulk/plan';
import { runBulk } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import { runHtml } from '../../../../../../src-renderer/lib/soa/bulk/report';
import type { SelectedObject } from '../../../../../../src-renderer/lib/soa/bulk/selection';

const sel = (id: string): SelectedObject => ({
  id,
  objectType: 'contact',
  displayName: id,
  mail: null,
  source: 'test',
});
const FAST = {
  retry: { baseMs: 2, maxMs: 20, maxAttempts: 30, uncertainSettleMs: 5 },
  limits: { appWritesPerWindow: 1_000_000, tenantWritesPerWindow: 2_000_000, burst: 200 },
};

/** A clock whose sleeps only move its own time forward. */
function virtualClock(): { now(): number; sleep(ms: number): Promise<void> } {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  };
}

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soa-plan-'));
  journal = new Journal(dir, 'contoso');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tenant(): FakeGraph {
  const g = new FakeGraph();
  g.add({ id: 'c-in-cloud-group', isCloudManaged: true, onPremisesSyncEnabled: null });
  g.add({ id: 'c-clean', isCloudManaged: true, onPremisesSyncEnabled: null });
  g.add({
    id: 'cloud-group',
    kind: 'group',
    displayName: 'Cloud Team',
    onPremisesSyncEnabled: null,
    members: ['c-in-cloud-group'],
  });
  return g;
}

describe.each(['403', '500'] as const)('memberOf read fails with %s', (status) => {
  it('blocks the object as "could not check", the run skips it, the report says why; an override is journaled', async () => {
    const g = tenant();
    g.faults = { decide: (r) => (r.url.startsWith('/contacts/c-in-cloud-group/memberOf') ? status : 'none') };
    const plan = await buildPlan({
      kind: 'rollback',
      objectType: 'contact',
      objects: [sel('c-in-cloud-group'), sel('c-clean')],
      graph: g,
      scope: { kind: 'tenant' },
      planId: `p-${status}`,
      // reads of a 500 are retried with backoff, a bounded number of times; the test's clock only pretends to wait
      clock: virtualClock(),
    });
    const blocked = plan.entries.find((e) => e.objectId === 'c-in-cloud-group');
    expect(blocked).toMatchObject({ action: 'blockedCouldNotCheck', cloudReferences: [] });
    expect(blocked?.reason).toMatch(
      status === '500'
        ? /memberOf \(HTTP 500 on 4 attempts over [\d.]+ s\).*Graph kept failing for this read; plan again later/
        : /memberOf \(HTTP 403\).*Fix the read \(permission/,
    );
    expect(blocked?.reason).toMatch(/never "no references"/);
    expect(plan.entries.find((e) => e.objectId === 'c-clean')?.action).toBe('rollback');
    expect(planItems(plan).map((i) => i.objectId)).toEqual(['c-clean']);

    const port = journalPortOf(journal);
    const summary = await runBulk({ runId: `run-${status}`, items: planItems(plan), graph: g, journal: port, ...FAST });
    expect(summary.items.map((i) => [i.objectId, i.outcome])).toEqual([['c-clean', 'verified']]);
    expect(g.writesFor('c-in-cloud-group')).toBe(0);
    const html = runHtml(summary, plan);
    expect(html).toContain('Not run (from the plan), and why');
    expect(html).toContain('blockedCouldNotCheck');
    expect(html).toMatch(/Could not check the cloud references: reading memberOf/);

    // an override needs a reason, is journaled (intent + result, never pending), and only then runs the object
    await expect(overrideCouldNotCheck(plan, 'c-clean', 'x', port, { opId: 'o0' })).rejects.toThrow(
      /Only an object blocked/,
    );
    await expect(overrideCouldNotCheck(plan, 'c-in-cloud-group', ' ', port, { opId: 'o1' })).rejects.toThrow(/Say why/);
    const over = await overrideCouldNotCheck(plan, 'c-in-cloud-group', 'checked by hand in the portal', port, {
      opId: `ov-${status}`,
      runId: `run-${status}`,
    });
    const records = await port.readRun(`run-${status}`);
    const mine = records.filter((r) => r.opId === `ov-${status}`);
    expect(mine.map((r) => r.kind)).toEqual(['intent', 'result']);
    expect(mine[0]).toMatchObject({ action: 'planOverride', objectId: 'c-in-cloud-group' });
    expect(over.entries.find((e) => e.objectId === 'c-in-cloud-group')).toMatchObject({
      action: 'rollback',
      override: { reason: 'checked by hand in the portal', opId: `ov-${status}` },
    });
    expect(planItems(over).map((i) => i.objectId)).toContain('c-in-cloud-group');
    expect(runHtml(summary, over)).toContain('Overrides (journaled)');
  });
});

it('a memberOf read that works and shows a cloud group still blocks as a cloud reference (not "could not check")', async () => {
  const plan = await buildPlan({
    kind: 'rollback',
    objectType: 'contact',
    objects: [sel('c-in-cloud-group')],
    graph: tenant(),
    scope: { kind: 'tenant' },
    planId: 'p-ok',
  });
  expect(plan.entries[0]?.action).toBe('blockedCloudReferences');
});
