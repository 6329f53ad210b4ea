/// <reference lib="dom" />
/**
 * The bulk view's model (`BulkModel`) over a recording bridge client: what it refuses to do (run a plan that was not
 * saved, keep an overridden plan's old saved file, keep one admin's selection for another), and how it shows a
 * finished run from the journal. The engine underneath (plan, pipeline, evidence levels) has its own tests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecordInput } from '@contract';
import { BulkModel } from '../../../../src-renderer/bulk/bulk-model.svelte';
import { setShownRun, shownRun } from '../../../../src-renderer/bulk/run-store';
import { planFileParts, runEndRecords } from '../../../../src-renderer/lib/soa/bulk';
import {
  APP_INFO,
  failed,
  item,
  ok,
  plan,
  planEntry,
  recordingClient,
  stored,
  summary,
  type Answers,
} from './bulk-fakes';

afterEach(() => localStorage.clear());

const model = (answers: Answers): { m: BulkModel; calls: ReturnType<typeof recordingClient>['calls'] } => {
  const client = recordingClient(answers);
  return { m: new BulkModel(client, APP_INFO), calls: client.calls };
};

async function withPlan(m: BulkModel, p = plan([planEntry('c1')])): Promise<void> {
  m.kind = p.kind;
  m.objectType = p.objectType;
  m.plan = p;
  m.planParts = await planFileParts(p);
}

describe('BulkModel', () => {
  const UPLOAD = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
  const planUpload = (end: Answers['report.saveEnd']): Answers => ({
    'report.saveBegin': () => ok({ uploadId: UPLOAD }),
    'report.savePart': (input) => ok({ chars: input.content.length }),
    'report.saveEnd': end,
    'report.saveAbort': () => ok({ aborted: true }),
  });

  it('runs only a saved plan: when saving it fails, nothing is journaled or sent and the admin is told', async () => {
    const { m, calls } = model(planUpload(() => failed('disk full')));
    await withPlan(m);
    await m.execute();
    expect(calls.map((c) => c.name)).toEqual([
      'report.saveBegin',
      'report.savePart',
      'report.saveEnd',
      'report.saveAbort',
    ]);
    expect(m.problem).toMatchObject({ title: 'The plan was not saved.', message: 'disk full' });
    expect(m.planPath).toBeUndefined();
    expect(m.runId).toBeUndefined();
    expect(m.running).toBe(false);
  });

  it('saves the plan text in parts, and starts the run only once main answers that the last part is durable', async () => {
    let endReached!: () => void;
    const reached = new Promise<void>((r) => (endReached = r));
    let answerEnd!: (r: ReturnType<typeof ok<{ path: string }>>) => void;
    const { m, calls } = model({
      ...planUpload(() => {
        endReached();
        return new Promise((r) => (answerEnd = r));
      }),
      'journal.pending': () => ok({ pending: [] }),
    });
    await withPlan(m, plan([planEntry('c1'), planEntry('c2')]));
    const run = m.execute();
    await reached;
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(calls.map((c) => c.name)).toEqual(['report.saveBegin', 'report.savePart', 'report.saveEnd']);
    const sent = calls.filter((c) => c.name === 'report.savePart').map((c) => (c.input as { content: string }).content);
    expect(sent.join('')).toBe(JSON.stringify(m.plan, null, 2));
    expect(calls[2]?.input).toEqual({ uploadId: UPLOAD, parts: 1, chars: sent.join('').length });
    expect(m.runId).toBeUndefined();
    expect(m.running).toBe(false);
    answerEnd(ok({ path: '/data/reports/bulk-plan-plan-1.json' }));
    await run;
    expect(m.planPath).toBe('/data/reports/bulk-plan-plan-1.json');
    // the run started (and stopped at its first call this fake does not answer)
    expect(m.runId).toBeDefined();
    expect(calls.length).toBeGreaterThan(3);
  });

  it('saves one plan text once: a second save or a run shares the save under way or done', async () => {
    let answerEnd!: (r: ReturnType<typeof ok<{ path: string }>>) => void;
    const { m, calls } = model({
      ...planUpload(() => new Promise((r) => (answerEnd = r))),
      'journal.pending': () => ok({ pending: [] }),
    });
    await withPlan(m);
    const first = m.savePlan();
    const again = m.savePlan();
    const run = m.execute();
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(calls.filter((c) => c.name === 'report.saveBegin')).toHaveLength(1);
    expect(m.runId).toBeUndefined();
    answerEnd(ok({ path: '/data/reports/bulk-plan-plan-1.json' }));
    expect([await first, await again]).toEqual(Array(2).fill('/data/reports/bulk-plan-plan-1.json'));
    await run;
    expect(m.runId).toBeDefined();
    expect(await m.savePlan()).toBe('/data/reports/bulk-plan-plan-1.json');
    expect(calls.filter((c) => c.name === 'report.saveBegin')).toHaveLength(1);
  });

  it('a save whose plan was overridden meanwhile is not taken as the saved plan; the new text is saved anew', async () => {
    let answerEnd!: (r: ReturnType<typeof ok<{ path: string }>>) => void;
    const ends: string[] = [];
    const { m, calls } = model({
      ...planUpload(() => {
        ends.push('end');
        return ends.length === 1
          ? new Promise((r) => (answerEnd = r))
          : Promise.resolve(ok({ path: '/data/reports/bulk-plan-plan-1 (2).json' }));
      }),
      'journal.appendMany': (input) =>
        ok({ written: input.records.map((_, i) => ({ seq: i + 1, at: 'x' })), refused: [] }),
    });
    await withPlan(m, plan([planEntry('c1', { action: 'blockedCouldNotCheck', reason: 'memberOf unreadable' })]));
    const old = m.savePlan();
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(await m.overrideCouldNotCheck('c1', 'checked by hand')).toBe(true);
    answerEnd(ok({ path: '/data/reports/bulk-plan-plan-1.json' }));
    expect(await old).toBeUndefined();
    expect(m.planPath).toBeUndefined();
    expect(await m.savePlan()).toBe('/data/reports/bulk-plan-plan-1 (2).json');
    const texts = calls
      .filter((c) => c.name === 'report.savePart')
      .map((c) => (c.input as { content: string }).content);
    expect(texts.at(-1)).toContain('checked by hand');
  });

  it('a failed save is tried again by the next save', async () => {
    let n = 0;
    const { m, calls } = model(
      planUpload(() => (++n === 1 ? failed('disk full') : ok({ path: '/data/reports/bulk-plan-plan-1.json' }))),
    );
    await withPlan(m);
    expect(await m.savePlan()).toBeUndefined();
    expect(m.problem?.title).toBe('The plan was not saved.');
    expect(await m.savePlan()).toBe('/data/reports/bulk-plan-plan-1.json');
    expect(calls.filter((c) => c.name === 'report.saveBegin')).toHaveLength(2);
  });

  it('saves the run reports, the plan CSV and the selection in parts too', async () => {
    const { m, calls } = model({
      ...planUpload(() => ok({ path: '/data/reports/saved' })),
      'journal.read': () => ok({ records: [], path: '/data/journal' }),
    });
    await withPlan(m);
    m.summary = summary('run-r', [item('c1')]);
    await m.saveReports();
    await m.exportPlanCsv();
    m.selected = [{ id: 'c1', displayName: 'Contact c1' }] as typeof m.selected;
    await m.saveCurrentSelection();
    const upload = ['report.saveBegin', 'report.savePart', 'report.saveEnd'];
    expect(calls.map((c) => c.name)).toEqual(['journal.read', ...upload, ...upload, ...upload, ...upload]);
    expect(calls.filter((c) => c.name === 'report.saveBegin').map((c) => c.input)).toEqual([
      { name: 'bulk-run-run-r', format: 'html' },
      { name: 'bulk-run-run-r', format: 'csv' },
      { name: 'bulk-plan-plan-1', format: 'csv' },
      { name: expect.stringMatching(/^selection-contact-/), format: 'json' },
    ]);
    expect([m.runHtmlPath, m.runCsvPath, m.planCsvPath, m.selectionSavedPath]).toEqual(
      Array(4).fill('/data/reports/saved'),
    );
  });

  it('an override is journaled first and makes the plan be saved again (the old file is not what will run)', async () => {
    const { m, calls } = model({
      'journal.appendMany': (input) =>
        ok({ written: input.records.map((_, i) => ({ seq: i + 1, at: 'x' })), refused: [] }),
    });
    await withPlan(m, plan([planEntry('c1', { action: 'blockedCouldNotCheck', reason: 'memberOf unreadable' })]));
    m.planPath = 'bulk-plan-plan-1.json';
    expect(await m.overrideCouldNotCheck('c1', 'checked by hand')).toBe(true);
    expect(calls.map((c) => c.name)).toEqual(['journal.appendMany']);
    expect(calls[0]?.input).toMatchObject({
      records: [{ kind: 'intent', action: 'planOverride', objectId: 'c1' }, { kind: 'result' }],
    });
    expect(m.plan?.entries[0]).toMatchObject({ action: 'rollback', override: { reason: 'checked by hand' } });
    expect(m.planParts).toEqual(await planFileParts(m.plan!));
    expect(m.planPath).toBeUndefined();
    expect(m.notice).toContain('Override journaled');
  });

  it('an override the journal did not take changes nothing in the plan', async () => {
    const { m } = model({ 'journal.appendMany': () => failed('journal offline') });
    const before = plan([planEntry('c1', { action: 'blockedCouldNotCheck' })]);
    await withPlan(m, before);
    m.planPath = 'bulk-plan-plan-1.json';
    expect(await m.overrideCouldNotCheck('c1', 'checked by hand')).toBe(false);
    expect(m.plan).toBe(before);
    expect(m.planPath).toBe('bulk-plan-plan-1.json');
    expect(m.problem?.title).toBe('The override was not recorded.');
    expect(m.busy).toBeUndefined();
  });

  it("another admin's sign-in drops the selection and plan; the same admin's, or one during a run, does not", async () => {
    const { m } = model({});
    await withPlan(m);
    m.selected = [{ id: 'c1', objectType: 'contact', displayName: 'Contact c1', mail: null, source: 'test' }];
    m.resumable = [{ runId: 'transfer-0', pending: 2, hasPlan: true }];
    m.forAccount('admin-a');
    m.forAccount('admin-a');
    expect(m.plan).toBeDefined();
    expect(m.resumable).toHaveLength(1);
    // a run in progress keeps going: its plan and the resume offers stay on screen
    m.running = true;
    m.forAccount('admin-b');
    expect(m.plan).toBeDefined();
    expect(m.resumable).toHaveLength(1);
    m.running = false;
    m.forAccount('admin-a');
    expect(m.plan).toBeUndefined();
    expect(m.selected).toBeUndefined();
    expect(m.resumable).toEqual([]);
  });

  it('opens a finished run from the journal as the run it was (its action and type, not the ones chosen on screen)', async () => {
    const run = summary('rollback-1', [item('g1', { objectType: 'group', action: 'rollback' })]);
    const records = stored(await runEndRecords(run));
    const { m } = model({ 'journal.read': () => ok({ records, path: '/j' }) });
    expect(m.kind).toBe('transfer');
    expect(await m.openRun('rollback-1')).toBe(true);
    expect(m.kind).toBe('rollback');
    expect(m.objectType).toBe('group');
    expect(m.summary?.items.map((i) => i.objectId)).toEqual(['g1']);
    expect(m.runId).toBe('rollback-1');
    expect(shownRun()).toBe('rollback-1');
  });

  it('a run the journal holds no final results of is a problem, and is no longer reopened after a reload', async () => {
    const intent: JournalRecordInput = {
      kind: 'intent',
      opId: 'op-c1',
      runId: 'transfer-1',
      objectType: 'contact',
      objectId: 'c1',
      action: 'transfer',
      request: { method: 'PATCH', url: '/contacts/c1' },
    };
    const { m } = model({ 'journal.read': () => ok({ records: stored([intent]), path: '/j' }) });
    setShownRun('transfer-1');
    expect(await m.openRun('transfer-1')).toBe(false);
    expect(m.problem?.title).toBe('The journal holds no final results of run transfer-1.');
    expect(m.summary).toBeUndefined();
    expect(shownRun()).toBeUndefined();
  });
});
