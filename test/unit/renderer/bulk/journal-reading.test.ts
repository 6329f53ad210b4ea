/**
 * The bulk view reads the journal page by page (`journalPages`) and folds each page: the runs offered for a
 * rollback, the rollbacks a transfer plan must know about. Memory holds one page, never the whole journal.
 */
import { describe, expect, it } from 'vitest';
import type { StoredJournalRecord } from '@contract';
import { journalPages, type BridgeCall } from '../../../../src-renderer/lib/soa/bulk/bridge-ports';
import { FinishedSoaWrites, rolledBackIds } from '../../../../src-renderer/lib/soa/state';
import { JournalRunTally } from '../../../../src-renderer/bulk/run-store';
import { transferRunsInJournal } from '../../../../src-renderer/bulk/selection-sources';
import { rolledBackInJournal } from '../../../../src-renderer/bulk/dry-run-plan';

const at = (seq: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();

function intent(seq: number, runId: string, objectId: string, action: 'transfer' | 'rollback'): StoredJournalRecord {
  return {
    kind: 'intent',
    opId: `${runId}/contact/${objectId}`,
    runId,
    objectType: 'contact',
    objectId,
    action,
    request: { method: 'PATCH', url: `/contacts/${objectId}/onPremisesSyncBehavior`, body: {} },
    seq,
    at: at(seq),
    tenant: 't',
  } as StoredJournalRecord;
}
function result(seq: number, opId: string, outcome: 'done' | 'failed'): StoredJournalRecord {
  return {
    kind: 'result',
    opId,
    outcome,
    verified: outcome === 'done',
    seq,
    at: at(seq),
    tenant: 't',
  } as StoredJournalRecord;
}

/** 3 runs: run-a transfers 30 objects, run-b rolls back 10 of them, run-c's transfers all fail. */
function journal(): StoredJournalRecord[] {
  const out: StoredJournalRecord[] = [];
  let seq = 0;
  const write = (runId: string, id: string, action: 'transfer' | 'rollback', outcome: 'done' | 'failed'): void => {
    out.push(intent(++seq, runId, id, action));
    out.push(result(++seq, `${runId}/contact/${id}`, outcome));
  };
  for (let i = 0; i < 30; i++) write('run-a', `c${i}`, 'transfer', 'done');
  for (let i = 0; i < 10; i++) write('run-b', `c${i}`, 'rollback', 'done');
  for (let i = 30; i < 35; i++) write('run-c', `c${i}`, 'transfer', 'failed');
  return out;
}

/** A bridge over an in-memory journal that answers `journal.read` like main (runId filter, afterSeq, limit). */
function bridgeOver(records: StoredJournalRecord[], fail?: { afterCalls: number }): BridgeCall & { pages: number[] } {
  const pages: number[] = [];
  return {
    pages,
    call: ((name: string, input: { runId?: string; afterSeq?: number; limit: number }) => {
      if (name !== 'journal.read') throw new Error(`unexpected ${name}`);
      if (fail && pages.length >= fail.afterCalls)
        return Promise.resolve({ ok: false, error: { code: 'io', message: 'disk error' } });
      const runOps = new Set(records.filter((r) => r.kind === 'intent' && r.runId === input.runId).map((r) => r.opId));
      const page = records
        .filter((r) => input.runId === undefined || runOps.has(r.opId))
        .filter((r) => r.seq > (input.afterSeq ?? 0))
        .slice(0, input.limit);
      pages.push(page.length);
      return Promise.resolve({ ok: true, value: { records: page, path: '/j' } });
    }) as BridgeCall['call'],
  };
}

describe('paged journal reading', () => {
  it('pages forward by afterSeq, never asks for more than a page, and yields every record once', async () => {
    const records = journal();
    const bridge = bridgeOver(records);
    const seen: number[] = [];
    for await (const page of journalPages(bridge, {}, 7)) {
      expect(page.length).toBeLessThanOrEqual(7);
      seen.push(...page.map((r) => r.seq));
    }
    expect(seen).toEqual(records.map((r) => r.seq));
    expect(bridge.pages.every((n) => n <= 7)).toBe(true);
    expect(bridge.pages.length).toBe(Math.ceil(records.length / 7) + (records.length % 7 === 0 ? 1 : 0));
  });

  it("a failed page throws with main's message (never a silently short journal)", async () => {
    const bridge = bridgeOver(journal(), { afterCalls: 1 });
    const read = async (): Promise<void> => {
      for await (const page of journalPages(bridge, {}, 5)) void page;
    };
    await expect(read()).rejects.toThrow('journal.read failed: disk error');
  });

  it('folding page by page gives the same answer as reading everything at once', () => {
    const records = journal();
    const whole = rolledBackIds(records);
    for (const size of [1, 2, 3, 7, 100]) {
      const folded = new FinishedSoaWrites();
      const tally = new JournalRunTally();
      for (let i = 0; i < records.length; i += size) {
        folded.add(records.slice(i, i + size));
        tally.add(records.slice(i, i + size));
      }
      expect(folded.rolledBackIds()).toEqual(whole);
      expect(tally.runs().map((r) => [r.runId, r.intents, r.results, r.done])).toEqual([
        ['run-c', 5, 5, 0],
        ['run-b', 10, 10, 10],
        ['run-a', 30, 30, 30],
      ]);
    }
    expect([...whole].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`).sort());
  });

  it('a result before its intent (any order) still counts; a failed result never does', () => {
    const w = new FinishedSoaWrites();
    w.add([result(5, 'r/contact/x', 'done'), result(6, 'r/contact/y', 'failed')]);
    w.add([intent(1, 'r', 'x', 'rollback'), intent(2, 'r', 'y', 'rollback')]);
    expect(w.rolledBackIds()).toEqual(new Set(['x']));
  });

  it('the runs offered for a rollback are transfer runs with verified objects, read in pages', async () => {
    const bridge = bridgeOver(journal());
    const runs = await transferRunsInJournal(bridge);
    expect(runs.map((r) => r.runId)).toEqual(['run-a']);
    expect(bridge.pages.length).toBe(1); // 90 records: one page of JOURNAL_PAGE
  });

  it('the rollbacks a transfer plan skips come from every page; an unreadable journal gives none (not an empty set)', async () => {
    expect(await rolledBackInJournal(bridgeOver(journal()))).toEqual(rolledBackIds(journal()));
    expect(await rolledBackInJournal(bridgeOver(journal(), { afterCalls: 0 }))).toBeUndefined();
  });
});
