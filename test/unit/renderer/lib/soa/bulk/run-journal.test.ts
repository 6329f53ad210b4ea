/**
 * A bulk run's evidence through the real journal: what was shown before a reload (summary, levels,
 * follow-up cycle log, audit entries) is what the journal gives back after it — and nothing more.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JournalRecordInput, StoredJournalRecord } from '@contract';
import { Journal, journalPortOf } from '../../../../../../src-main/journal/journal';
import {
  auditRecords,
  changedEntries,
  followUpEndRecord,
  appendInCalls,
  partsBySize,
  partsBySizeInSlices,
  RECORDS_PER_CALL,
  restoreRunEvidence,
  runEndRecords,
  serverCycleRecords,
  sweepRecords,
} from '../../../../../../src-renderer/lib/soa/bulk/run-journal';
import type { SweepResult } from '../../../../../../src-renderer/lib/soa/bulk/server-follow-up';
import { summariseLevels, type ServerObservation } from '../../../../../../src-renderer/lib/soa/bulk/evidence-levels';
import type { AuditConfirmation } from '../../../../../../src-renderer/lib/soa/bulk/audit-confirmation';
import type { ItemResult, RunSummary } from '../../../../../../src-renderer/lib/soa/bulk/run-types';
import { runCsv } from '../../../../../../src-renderer/lib/soa/bulk/report';

import { TimeSlicer } from '../../../../../../src-renderer/lib/soa/bulk/time-slice';
import { fakeEnv } from './slice-clock';

const RUN = 'bulk-r-20261201T220000-abc123';

function item(n: number, extra: Partial<ItemResult> = {}): ItemResult {
  return {
    opId: `${RUN}/contact/c${n}`,
    objectId: `c${n}`,
    objectType: 'contact',
    displayName: `Contact ${n}`,
    action: 'rollback',
    outcome: 'verified',
    before: true,
    after: false,
    written: true,
    fromJournal: false,
    writeStatus: 204,
    requestId: `req-${n}`,
    attempts: 1,
    finishedAt: '2026-12-01T22:00:05.000Z',
    ...extra,
  };
}

function summaryOf(items: ItemResult[], over: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: RUN,
    startedAt: '2026-12-01T22:00:00.000Z',
    finishedAt: '2026-12-01T22:00:10.000Z',
    cancelled: false,
    items,
    progress: {
      runId: RUN,
      total: items.length,
      done: items.length,
      verified: items.filter((i) => i.outcome === 'verified').length,
      skipped: items.filter((i) => i.outcome === 'skipped').length,
      failed: 0,
      unverified: 0,
      remaining: 0,
      writesSent: items.length,
      throttled: 0,
      retries: 0,
      ratePerSecond: 2.5,
      etaSeconds: null,
      concurrency: 4,
      writeRate: 10,
      state: 'finished',
    },
    ...over,
  };
}

function obs(id: string, cycle: number, confirmed: boolean, awaiting: boolean | null = false): ServerObservation {
  return {
    objectId: id,
    confirmed,
    awaitingExportConfirmation: awaiting,
    detail: confirmed ? 'Takeover confirmed.' : awaiting ? 'Takeover started.' : 'Takeover not yet confirmed.',
    cycle,
    observedAt: `2026-12-01T22:0${cycle}:00.000Z`,
    // the engine survives the journal (the headline names each engine's evidence from it)
    engine: cycle % 2 === 1 ? 'connectSync' : 'cloudSync',
  };
}

describe('bulk run evidence in the journal', () => {
  let dir: string;
  let journal: Journal;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-run-journal-'));
    journal = new Journal(dir, 't');
  });
  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = (): ReturnType<typeof journalPortOf> => journalPortOf(journal);
  /** the run's records as a restarted app reads them */
  async function reread(): Promise<StoredJournalRecord[]> {
    await journal.close();
    journal = new Journal(dir, 't');
    return port().readRun(RUN);
  }

  it('gives back exactly what was shown: the summary, the levels and headline, the cycle log, the audit entries, the report CSV', async () => {
    const items = [item(1), item(2), item(3, { outcome: 'skipped', written: false, writeStatus: undefined })];
    const summary = summaryOf(items);
    await port().append(await runEndRecords(summary));
    // the model's cycle: observations change, the headline after the cycle is journaled with the changed ones
    const server = new Map<string, ServerObservation>();
    const cycleLog: { cycle: number; pending: number; headline: string; at: string }[] = [];
    for (const [cycle, next] of [
      [1, [obs('c1', 1, false), obs('c2', 1, false), obs('c3', 1, false)]],
      [2, [obs('c1', 2, false, true), obs('c2', 2, false, true), obs('c3', 2, false, true)]],
      [3, [obs('c1', 3, true), obs('c2', 3, true), obs('c3', 3, false, null)]],
    ] as const) {
      const after = new Map(server);
      for (const o of next) after.set(o.objectId, o);
      const seen = changedEntries(server, after);
      for (const [id, o] of after) server.set(id, o);
      const line = {
        cycle,
        pending: [...server.values()].filter((o) => !o.confirmed).length,
        headline: summariseLevels('rollback', items, server).headline,
        at: `2026-12-01T22:0${cycle}:30.000Z`,
      };
      cycleLog.push(line);
      await port().append(serverCycleRecords(RUN, { ...line, observations: [...seen.values()] }));
    }
    await port().append([
      followUpEndRecord(RUN, {
        at: 'x',
        message: 'Timed out; 1 pending.',
        missing: [{ objectId: 'c9', reason: 'no DN' }],
      }),
    ]);
    const audit = new Map<string, AuditConfirmation>([
      [
        'c1',
        {
          status: 'found',
          eventId: 'e1',
          activityDisplayName: 'Undo changes',
          activityDateTime: 't',
          initiatedBy: 'a',
        },
      ],
      ['c2', { status: 'notYetVisible', checkedAt: 't' }],
    ]);
    const queries = [{ window: { from: 'a', to: 'b' }, request: 'GET …', status: 200, requestId: 'q1', entries: 1 }];
    await port().append(auditRecords(RUN, { at: 'y', confirmations: audit, queries }));

    const r = restoreRunEvidence(RUN, await reread());
    expect(r.unreadable).toBe(0);
    expect(r.summary).toEqual(summary);
    expect(r.serverObservations).toEqual(server);
    expect(r.followUpCycles).toEqual(cycleLog);
    expect(r.syncOutcome).toBe('Timed out; 1 pending.');
    expect(r.dnMissing).toEqual([{ objectId: 'c9', reason: 'no DN' }]);
    expect(r.auditChecked).toBe(true);
    expect(r.auditConfirmations).toEqual(audit);
    expect(r.auditQueries).toEqual(queries);
    expect(r.auditProblem).toBeUndefined();
    const before = summariseLevels('rollback', items, server, audit);
    const after = summariseLevels('rollback', r.summary?.items ?? [], r.serverObservations, r.auditConfirmations);
    expect(after).toEqual(before);
    expect(after.complete).toBe(false);
    expect(after.headline).toContain('pending takeover: 1');
    expect(runCsv(r.summary ?? summary, after)).toBe(runCsv(summary, before));
  });

  it('an object pending on the server stays pending after the reload (nothing is confirmed that no record holds)', async () => {
    const items = [item(1), item(2)];
    await port().append(await runEndRecords(summaryOf(items)));
    await port().append(
      serverCycleRecords(RUN, { at: 'a', pending: 2, headline: 'h', observations: [obs('c1', 1, false, true)] }),
    );
    const r = restoreRunEvidence(RUN, await reread());
    const levels = summariseLevels('rollback', r.summary?.items ?? [], r.serverObservations);
    expect(levels.complete).toBe(false);
    expect(levels.objects.map((o) => o.level)).toEqual(['cloudVerified', 'cloudVerified']);
    expect(levels.headline).toContain('pending takeover: 2');
    expect(r.auditChecked).toBe(false);
  });

  it('a later check wins: a resumed run end replaces the earlier one, a later observation replaces an earlier one', async () => {
    const first = summaryOf([item(1), item(2, { outcome: 'cancelled', written: false })], { cancelled: true });
    const resumed = summaryOf([item(1, { fromJournal: true }), item(2)]);
    await port().append(await runEndRecords(first));
    await port().append(
      serverCycleRecords(RUN, { at: 'a', pending: 1, headline: 'h1', observations: [obs('c1', 1, false)] }),
    );
    await port().append(await runEndRecords(resumed));
    await port().append(
      serverCycleRecords(RUN, { at: 'b', pending: 0, headline: 'h2', observations: [obs('c1', 2, true)] }),
    );
    const auditA = new Map<string, AuditConfirmation>([['c1', { status: 'notYetVisible', checkedAt: 't1' }]]);
    await port().append(
      auditRecords(RUN, { at: 'a', confirmations: auditA, queries: [], problem: '403: no reader role' }),
    );
    const found: AuditConfirmation = {
      status: 'found',
      eventId: 'e',
      activityDisplayName: 'Undo',
      activityDateTime: 't',
      initiatedBy: null,
    };
    await port().append(auditRecords(RUN, { at: 'b', confirmations: new Map([['c1', found]]), queries: [] }));
    const r = restoreRunEvidence(RUN, await reread());
    expect(r.summary).toEqual(resumed);
    expect(r.serverObservations.get('c1')?.confirmed).toBe(true);
    expect(r.followUpCycles.map((c) => [c.cycle, c.headline])).toEqual([
      [1, 'h1'],
      [2, 'h2'],
    ]);
    expect(r.auditConfirmations.get('c1')).toEqual(found);
    // the later check read the log without a problem: the earlier problem is not shown any more
    expect(r.auditProblem).toBeUndefined();
  });

  it('a run end with a part missing (a crash between its records) is not shown as the run summary', async () => {
    const long = 'r'.repeat(2000);
    const items = Array.from({ length: 400 }, (_, n) => item(n, { reason: long }));
    const records = await runEndRecords(summaryOf(items));
    expect(records.length).toBeGreaterThan(2);
    await port().append(records.filter((_, i) => i !== 1));
    const r = restoreRunEvidence(RUN, await reread());
    expect(r.summary).toBeUndefined();
  });

  it('a run end of many objects is split into records far below the 1 MiB line limit, and comes back whole and in order', async () => {
    const long = 'é'.repeat(2000);
    const items = Array.from({ length: 1500 }, (_, n) => item(n, { reason: long }));
    const records = await runEndRecords(summaryOf(items));
    for (const rec of records) expect(Buffer.byteLength(JSON.stringify(rec))).toBeLessThan(700 * 1024);
    await port().append(records);
    const r = restoreRunEvidence(RUN, await reread());
    expect(r.summary?.items.map((i) => i.objectId)).toEqual(items.map((i) => i.objectId));
  });

  it("ignores another run's observations and counts records it cannot read (never applied)", async () => {
    await port().append(await runEndRecords(summaryOf([item(1)])));
    await port().append([
      { kind: 'observation', opId: 'other/x/0', runId: 'other-run', topic: 'bulkServerCycle', data: {} },
      {
        kind: 'observation',
        opId: `${RUN}/bulkServerCycle/bad/0`,
        runId: RUN,
        topic: 'bulkServerCycle',
        data: {
          group: 'bad',
          part: 0,
          parts: 1,
          at: 'a',
          pending: 0,
          headline: 'Complete',
          observations: [{ objectId: 'c1', confirmed: 'yes' }],
        },
      },
    ]);
    const all = (await journal.read()).records;
    const r = restoreRunEvidence(RUN, all);
    expect(r.unreadable).toBe(1);
    expect(r.serverObservations.size).toBe(0);
    expect(r.followUpCycles).toEqual([]);
    expect(r.summary?.items).toHaveLength(1);
  });

  const sweepOf = (confirmed: number, notSeen: number, otherEvents = 0): SweepResult => ({
    since: '2026-12-01T22:00:00.000Z',
    provider: 'ADSync',
    confirmed: Array.from({ length: confirmed }, (_, n) => ({
      objectId: `c${n}`,
      dn: `CN=Contact ${n},OU=Contacts,DC=contoso,DC=com`,
      time: '2026-12-01T22:05:00.000Z',
      recordId: 1000 + n,
    })),
    notSeen: Array.from({ length: notSeen }, (_, n) => ({
      objectId: `n${n}`,
      dn: `CN=Other ${n},OU=Contacts,DC=contoso,DC=com`,
    })),
    otherEvents,
  });

  it('gives back the Event 6956 sweep as it was shown; a later sweep wins; no sweep, no sweep shown', async () => {
    await port().append(await runEndRecords(summaryOf([item(1)])));
    expect(restoreRunEvidence(RUN, await reread()).sweep).toBeUndefined();
    const first = sweepOf(1, 2, 3);
    await port().append(sweepRecords(RUN, first, '2026-12-01T22:06:00.000Z'));
    expect(restoreRunEvidence(RUN, await reread()).sweep).toEqual(first);
    const later = sweepOf(3, 0);
    await port().append(sweepRecords(RUN, later, '2026-12-01T22:09:00.000Z'));
    expect(restoreRunEvidence(RUN, await reread()).sweep).toEqual(later);
  });

  it('a sweep of many objects is split into small records; with a part missing the earlier whole sweep is shown', async () => {
    const whole = sweepOf(1, 1);
    await port().append(sweepRecords(RUN, whole, '2026-12-01T22:06:00.000Z'));
    const big = sweepOf(3000, 3000);
    const records = sweepRecords(RUN, big, '2026-12-01T22:09:00.000Z');
    expect(records.length).toBeGreaterThan(2);
    for (const rec of records) expect(Buffer.byteLength(JSON.stringify(rec))).toBeLessThan(700 * 1024);
    await port().append(records.filter((_, i) => i !== 1));
    expect(restoreRunEvidence(RUN, await reread()).sweep).toEqual(whole);
    // the sweep run again (a new record set) is whole
    await port().append(sweepRecords(RUN, big, '2026-12-01T22:12:00.000Z'));
    expect(restoreRunEvidence(RUN, await reread()).sweep).toEqual(big);
  });

  it('journals only what a cycle observed again (unchanged objects are left out)', () => {
    const a = obs('c1', 1, true);
    const before = new Map([
      ['c1', a],
      ['c2', obs('c2', 1, false)],
    ]);
    const after = new Map([
      ['c1', { ...a }],
      ['c2', obs('c2', 2, true)],
      ['c3', obs('c3', 2, false)],
    ]);
    expect([...changedEntries(before, after).keys()]).toEqual(['c2', 'c3']);
  });

  it('a run end of 50,000 objects is made in slices and appended about 1 MiB per call, and comes back whole', async () => {
    const items = Array.from({ length: 50_000 }, (_, n) => item(n));
    const env = fakeEnv(1);
    const records = await runEndRecords(summaryOf(items), 'g1', new TimeSlicer(env));
    // every item was serialised to split them: the thread was given back along the way
    expect(env.yields).toBeGreaterThan(50);
    const calls: number[] = [];
    const counting = {
      append: async (r: JournalRecordInput[]): Promise<void> => {
        calls.push(Buffer.byteLength(JSON.stringify(r)));
        await port().append(r);
      },
    };
    await appendInCalls(counting, records);
    expect(calls.length).toBe(Math.ceil(records.length / RECORDS_PER_CALL));
    expect(calls.length).toBeGreaterThan(3);
    for (const bytes of calls) expect(bytes).toBeLessThan(1.2 * 1024 * 1024);
    const r = restoreRunEvidence(RUN, await reread());
    expect(r.summary?.items).toEqual(items);
  });

  it('partsBySizeInSlices gives exactly the parts of partsBySize', async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ i, pad: 'x'.repeat(i % 7) }));
    expect(await partsBySizeInSlices(items, 250, new TimeSlicer(fakeEnv(1)))).toEqual(partsBySize(items, 250));
    expect(await partsBySizeInSlices([], 250, new TimeSlicer(fakeEnv(1)))).toEqual([[]]);
  });

  it('partsBySize keeps every item, in order, and always gives at least one part', () => {
    expect(partsBySize([])).toEqual([[]]);
    const items = Array.from({ length: 10 }, (_, i) => ({ i, pad: 'x'.repeat(100) }));
    const parts = partsBySize(items, 250);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.flat()).toEqual(items);
  });
});
