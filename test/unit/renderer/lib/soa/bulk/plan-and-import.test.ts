import { describe, expect, it } from 'vitest';
import { FakeGraph } from './fake-graph';
import { buildPlan, parsePlanFile, planItems } from '../../../../../../src-renderer/lib/soa/bulk/plan';
import { importCsv, CSV_MAX_BYTES } from '../../../../../../src-renderer/lib/soa/bulk/csv-import';
import { csvCell } from '../../../../../../src-renderer/lib/csv/csv-writer';
import {
  selectByFilter,
  filterExpression,
  type SelectedObject,
} from '../../../../../../src-renderer/lib/soa/bulk/selection';
import { planCsv, runCsv, runHtml } from '../../../../../../src-renderer/lib/soa/bulk/report';
import { transferredByRun } from '../../../../../../src-renderer/lib/soa/bulk/rollback';
import { rolledBackIds } from '../../../../../../src-renderer/lib/soa/state';
import { limitBoundRate, DOCUMENTED_LIMITS, WritePacer } from '../../../../../../src-renderer/lib/soa/bulk/pacer';
import { relativeGraphUrl } from '../../../../../../src-renderer/lib/soa/bulk/batch-reads';
import type { StoredJournalRecord } from '@contract';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sel = (id: string, objectType: SelectedObject['objectType'] = 'contact'): SelectedObject => ({
  id,
  objectType,
  displayName: id,
  mail: null,
  source: 'test',
});

function tenant(): FakeGraph {
  const g = new FakeGraph();
  g.add({
    id: 'c-synced',
    displayName: 'Ana Silva',
    mail: 'ana@fabrikam.com',
    companyName: 'Fabrikam, Inc.',
    department: 'Sales',
  });
  g.add({
    id: 'c-done',
    displayName: 'Bruno Costa',
    mail: 'bruno@fabrikam.com',
    isCloudManaged: true,
    onPremisesSyncEnabled: null,
  });
  g.add({ id: 'c-cloud', displayName: 'Ana Cloud', mail: 'cloud@litware.com', onPremisesSyncEnabled: null });
  g.add({ id: 'c-dup1', displayName: 'Dup One', mail: 'dup@litware.com' });
  g.add({ id: 'c-dup2', displayName: 'Dup Two', mail: 'dup@litware.com' });
  g.add({ id: 'c-out', displayName: 'Ana Outside', mail: 'out@fabrikam.com', department: 'Sales' });
  return g;
}

describe('selection', () => {
  it('builds filters and selects through Graph', async () => {
    const g = tenant();
    expect(filterExpression({ namePrefix: "O'Brien", mailDomain: '@x.com' })).toBe(
      "startswith(displayName,'O''Brien') and endswith(mail,'@x.com')",
    );
    expect(() => filterExpression({})).toThrow();
    const byName = await selectByFilter(g, 'contact', { namePrefix: 'ana' });
    expect(byName.map((o) => o.id).sort()).toEqual(['c-cloud', 'c-out', 'c-synced']);
    const byDomain = await selectByFilter(g, 'contact', { mailDomain: 'fabrikam.com', department: 'Sales' });
    expect(byDomain.map((o) => o.id).sort()).toEqual(['c-out', 'c-synced']);
    expect(relativeGraphUrl('https://graph.microsoft.com/v1.0/contacts?$skiptoken=abc')).toBe(
      '/contacts?$skiptoken=abc',
    );
  });
});

describe('dry-run plan', () => {
  it('classifies each object and blocks objects outside the admin AU scope', async () => {
    const g = tenant();
    g.aus.set('au-1', ['c-synced', 'c-done', 'c-cloud', 'c-missing']);
    const objects = ['c-synced', 'c-done', 'c-cloud', 'c-out', 'c-missing'].map((id) => sel(id));
    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'contact',
      objects,
      graph: g,
      scope: { kind: 'administrativeUnits', ids: ['au-1'] },
      planId: 'p1',
    });
    const action = Object.fromEntries(plan.entries.map((e) => [e.objectId, e.action]));
    expect(action).toEqual({
      'c-synced': 'transfer',
      'c-done': 'skipAlreadyTransferred',
      'c-cloud': 'skipCloudNative',
      'c-out': 'blockedNotInScope',
      'c-missing': 'blockedUnreadable',
    });
    expect(plan.counts.transfer).toBe(1);
    expect(planItems(plan)).toEqual([
      { objectId: 'c-synced', objectType: 'contact', displayName: 'Ana Silva', action: 'transfer', wave: 0 },
    ]);
    expect(g.writeLog).toHaveLength(0);
    const csv = planCsv(plan);
    expect(csv.split('\r\n')[0]).toContain('objectId,objectType,displayName');
    expect(csv).toContain('c-out,contact,Ana Outside');
  });

  it('reads the SOA state through the one classifier: never-synced is cloud-native, synced-once is not', async () => {
    const g = new FakeGraph();
    g.add({ id: 'c-native', onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: null });
    g.add({ id: 'c-once', onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z' });
    g.add({ id: 'c-journal', onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z' });
    g.add({ id: 'c-silent', onPremisesSyncEnabled: null });
    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'contact',
      objects: ['c-native', 'c-once', 'c-journal', 'c-silent'].map((id) => sel(id)),
      graph: g,
      scope: { kind: 'tenant' },
      planId: 'p-state',
      rolledBackIds: new Set(['c-journal']),
    });
    const state = Object.fromEntries(plan.entries.map((e) => [e.objectId, [e.state, e.stateCertain]]));
    expect(state).toEqual({
      'c-native': ['cloudNative', true],
      'c-once': ['rolledBackPending', false],
      'c-journal': ['rolledBackPending', true],
      'c-silent': ['rolledBackOrCloudNative', false],
    });
    expect(plan.entries.every((e) => e.action === 'skipCloudNative')).toBe(true);
    // the CSV shows the label, never the raw state name
    const csv = planCsv(plan);
    expect(csv).toContain('Cloud-native');
    expect(csv).toContain('Rolled back, waiting for the sync client (not confirmed)');
    expect(csv).not.toMatch(/,cloudNative,|,rolledBackOrCloudNative,/);
    // a plan saved with the old spelling still loads, under the one vocabulary
    const legacy = JSON.stringify({
      ...plan,
      entries: plan.entries.map(({ stateCertain: _c, ...e }) => ({
        ...e,
        state: e.state === 'rolledBackOrCloudNative' ? 'cloudNativeOrRolledBack' : e.state,
      })),
    });
    const reloaded = parsePlanFile(legacy).entries.find((e) => e.objectId === 'c-silent');
    expect(reloaded).toMatchObject({ state: 'rolledBackOrCloudNative', stateCertain: true });
  });

  it('rollback plans block cloud references and groups with cloud members; group waves follow nesting', async () => {
    const g = new FakeGraph();
    g.add({ id: 'c-1', isCloudManaged: true, onPremisesSyncEnabled: null });
    g.add({ id: 'c-2', isCloudManaged: true, onPremisesSyncEnabled: null });
    g.add({
      id: 'cloud-group',
      kind: 'group',
      displayName: 'Cloud Team',
      onPremisesSyncEnabled: null,
      members: ['c-1'],
    });
    g.add({ id: 'synced-group', kind: 'group', displayName: 'DL', onPremisesSyncEnabled: true, members: ['c-2'] });
    const plan = await buildPlan({
      kind: 'rollback',
      objectType: 'contact',
      objects: [sel('c-1'), sel('c-2')],
      graph: g,
      scope: { kind: 'tenant' },
      planId: 'p2',
    });
    expect(plan.entries.find((e) => e.objectId === 'c-1')).toMatchObject({
      action: 'blockedCloudReferences',
      cloudReferences: [{ id: 'cloud-group' }],
    });
    expect(plan.entries.find((e) => e.objectId === 'c-2')?.action).toBe('rollback');

    const gg = new FakeGraph();
    gg.add({ id: 'u-cloud', kind: 'user', onPremisesSyncEnabled: null });
    gg.add({ id: 'u-synced', kind: 'user', onPremisesSyncEnabled: true });
    gg.add({ id: 'leaf', kind: 'group', isCloudManaged: true, onPremisesSyncEnabled: null, members: ['u-synced'] });
    gg.add({ id: 'mid', kind: 'group', isCloudManaged: true, onPremisesSyncEnabled: null, members: ['leaf'] });
    gg.add({ id: 'top', kind: 'group', isCloudManaged: false, onPremisesSyncEnabled: true, members: ['mid'] });
    gg.add({ id: 'withcloud', kind: 'group', isCloudManaged: true, onPremisesSyncEnabled: null, members: ['u-cloud'] });
    const groups = ['top', 'mid', 'leaf'].map((id) => sel(id, 'group'));
    const t = await buildPlan({
      kind: 'transfer',
      objectType: 'group',
      objects: groups,
      graph: gg,
      scope: { kind: 'tenant' },
      planId: 'p3',
    });
    const wave = Object.fromEntries(t.entries.map((e) => [e.objectId, e.wave]));
    expect(wave).toEqual({ leaf: 0, mid: 1, top: 2 });
    const r = await buildPlan({
      kind: 'rollback',
      objectType: 'group',
      objects: [...groups, sel('withcloud', 'group')],
      graph: gg,
      scope: { kind: 'tenant' },
      planId: 'p4',
    });
    const rw = Object.fromEntries(r.entries.map((e) => [e.objectId, [e.wave, e.action]]));
    expect(rw['top']).toEqual([0, 'skipNotTransferred']);
    expect(rw['withcloud']?.[1]).toBe('blockedCloudMembers');
    // selected groups roll back parents first, so nesting inside the selection is not a blocking reference
    expect(rw['mid']).toEqual([1, 'rollback']);
    expect(rw['leaf']).toEqual([2, 'rollback']);
  });
});

describe('CSV import', () => {
  it('resolves ids and unique mails', async () => {
    const g = tenant();
    const res = await importCsv(enc('\ufeffmail\r\nana@fabrikam.com\r\n"out@fabrikam.com"\r\n\r\n'), {
      objectType: 'contact',
      graph: g,
    });
    expect(res.ok).toBe(true);
    expect(res.objects.map((o) => o.id)).toEqual(['c-synced', 'c-out']);
  });

  it('reports every bad row and returns nothing to plan', async () => {
    const g = tenant();
    const text = [
      'id',
      '11111111-2222-4333-8444-555555555555', // unknown id
      'dup@litware.com', // ambiguous
      'nobody@nowhere.example', // unknown mail
      '"broken, quote', // malformed (unterminated)
      'not-an-id', // neither
      'ana@fabrikam.com', // fine
    ].join('\n');
    const res = await importCsv(enc(text), { objectType: 'contact', graph: g });
    expect(res.ok).toBe(false);
    expect(res.objects).toEqual([]);
    expect(res.rowErrors.map((e) => [e.line, e.code])).toEqual([
      [2, 'unknownId'],
      [3, 'ambiguousMail'],
      [4, 'unknownMail'],
      [5, 'malformed'],
    ]);
    expect(g.writeLog).toHaveLength(0);
  });

  it('rejects a bad encoding and files over 10 MB without reading Graph', async () => {
    const g = tenant();
    const bytes = enc('mail\nana@fabrikam.com\n');
    const bad = new Uint8Array([...bytes, 0xff, 0xfe, 0x41, 0x0a]);
    const r1 = await importCsv(bad, { objectType: 'contact', graph: g });
    expect(r1).toMatchObject({ ok: false, fileError: { code: 'badEncoding' } });
    expect(r1.fileError?.message).toMatch(/line 3/);
    const big = new Uint8Array(CSV_MAX_BYTES + 1).fill(0x41);
    expect(await importCsv(big, { objectType: 'contact', graph: g })).toMatchObject({
      ok: false,
      fileError: { code: 'tooLarge' },
    });
    expect(await importCsv(enc('\n\n'), { objectType: 'contact', graph: g })).toMatchObject({
      ok: false,
      fileError: { code: 'empty' },
    });
    expect(g.batches).toBe(0);
  });
});

describe('reports, rollback sources, pacing', () => {
  it('neutralises formulas and escapes HTML', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    const summary = {
      runId: 'r',
      startedAt: 'a',
      finishedAt: 'b',
      cancelled: false,
      progress: {
        runId: 'r',
        total: 1,
        done: 1,
        verified: 1,
        skipped: 0,
        failed: 0,
        unverified: 0,
        remaining: 0,
        writesSent: 1,
        throttled: 0,
        retries: 0,
        ratePerSecond: 0,
        etaSeconds: 0,
        concurrency: 1,
        writeRate: 1,
        state: 'finished' as const,
      },
      items: [
        {
          opId: 'r/contact/x',
          objectId: 'x',
          objectType: 'contact' as const,
          displayName: '<script>',
          action: 'transfer' as const,
          outcome: 'verified' as const,
          before: false,
          after: true,
          written: true,
          fromJournal: false,
          writeStatus: 204,
          requestId: 'req-1',
          attempts: 0,
        },
      ],
    };
    expect(runHtml(summary)).toContain('&lt;script&gt;');
    expect(runHtml(summary)).toContain('req-1');
    expect(runCsv(summary)).toContain('x,contact,<script>,transfer,verified,false,true,true,204,req-1');
    // the Event 6956 sweep is in the report only when one was observed, each object as observed
    expect(runHtml(summary)).not.toContain('Event 6956 sweep');
    const html = runHtml(summary, undefined, {
      sweep: {
        since: '2026-12-01T22:00:00.000Z',
        provider: 'ADSync',
        confirmed: [
          { objectId: 'x', dn: 'CN=<x>,DC=contoso,DC=com', time: '2026-12-01T22:05:00.000Z', recordId: 4711 },
        ],
        notSeen: [{ objectId: 'y', dn: 'CN=y,DC=contoso,DC=com' }],
        otherEvents: 2,
      },
    });
    expect(html).toContain('1 object(s) confirmed blocked by an Event 6956, 1 without one yet, 2 event(s)');
    expect(html).toContain('CN=&lt;x&gt;,DC=contoso,DC=com</td><td>Event 6956 (record 4711');
    expect(html).toContain('CN=y,DC=contoso,DC=com</td><td>No Event 6956 yet');
  });

  it('finds what a run transferred and what soa-pilot rolled back', () => {
    const base = { tenant: 't', at: '2026-01-01T00:00:00.000Z' };
    const recs: StoredJournalRecord[] = [
      {
        ...base,
        seq: 1,
        kind: 'intent',
        opId: 'a',
        runId: 'r1',
        objectType: 'contact',
        objectId: 'x',
        action: 'transfer',
        request: { method: 'PATCH', url: '/x' },
      },
      { ...base, seq: 2, kind: 'result', opId: 'a', outcome: 'done', verified: true },
      {
        ...base,
        seq: 3,
        kind: 'intent',
        opId: 'b',
        runId: 'r1',
        objectType: 'contact',
        objectId: 'y',
        action: 'transfer',
        request: { method: 'PATCH', url: '/y' },
      },
      { ...base, seq: 4, kind: 'result', opId: 'b', outcome: 'failed', verified: false },
      {
        ...base,
        seq: 5,
        kind: 'intent',
        opId: 'c',
        runId: 'r2',
        objectType: 'contact',
        objectId: 'x',
        action: 'rollback',
        request: { method: 'PATCH', url: '/x' },
      },
      { ...base, seq: 6, kind: 'result', opId: 'c', outcome: 'done', verified: true },
    ];
    expect(transferredByRun(recs, 'r1').map((o) => o.id)).toEqual(['x']);
    expect([...rolledBackIds(recs)]).toEqual(['x']);
  });

  it('paces at the limit-bound rate and backs off on throttle signals', () => {
    expect(limitBoundRate(DOCUMENTED_LIMITS)).toBe(20);
    expect(limitBoundRate({ ...DOCUMENTED_LIMITS, appWritesPerWindow: 30000, tenantWritesPerWindow: 180000 })).toBe(
      200,
    );
    const p = new WritePacer({ ...DOCUMENTED_LIMITS, burst: 20 }, 0);
    expect(p.available(0)).toBe(20);
    p.take(20, 0);
    expect(p.available(0)).toBe(0);
    expect(p.available(1000)).toBe(19); // (3,000 − 20) / 150 s × 0.995 = 19.8/s
    p.throttled(5000, 1000);
    expect(p.available(3000)).toBe(0);
    expect(p.available(7000)).toBeGreaterThan(0);
    expect(p.rate).toBeLessThan(p.baseRate);
    p.recovered(1500); // too soon after the cut
    expect(p.rate).toBe(p.baseRate / 2);
    p.recovered(4000); // 3 clean seconds: +30 % of the target
    expect(p.rate).toBeCloseTo(p.baseRate * 0.8);
    p.recovered(20000); // quickly up to 90 % of the rate that was throttled, no further within a minute
    expect(p.rate).toBeCloseTo(p.baseRate * 0.9);
    p.recovered(70000); // a calm minute: back to the target
    expect(p.rate).toBe(p.baseRate);
  });
});
