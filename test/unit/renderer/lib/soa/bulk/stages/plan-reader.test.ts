import { describe, expect, it } from 'vitest';
import type { StoredJournalRecord } from '@contract';
import {
  opIdFor,
  readPlanSlots,
  restoreSlots,
} from '../../../../../../../src-renderer/lib/soa/bulk/stages/plan-reader';
import type { BulkItem } from '../../../../../../../src-renderer/lib/soa/bulk/run-types';
import type { JournalPort } from '../../../../../../../src-renderer/lib/soa/bulk/ports';
import { TimeSlicer } from '../../../../../../../src-renderer/lib/soa/bulk/time-slice';
import { fakeEnv } from '../slice-clock';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const item = (objectId: string, over: Partial<BulkItem> = {}): BulkItem => ({
  objectId,
  objectType: 'contact',
  action: 'transfer',
  ...over,
});
const meta = (seq: number) => ({ seq, at: '2026-01-01T00:00:00.000Z', tenant: 't' });

function intent(runId: string, id: string, seq: number): StoredJournalRecord {
  return {
    kind: 'intent',
    opId: opIdFor(runId, 'contact', id),
    runId,
    objectType: 'contact',
    objectId: id,
    action: 'transfer',
    request: { method: 'PATCH', url: '/x', body: { isCloudManaged: true } },
    ...meta(seq),
  } as StoredJournalRecord;
}
function result(
  runId: string,
  id: string,
  seq: number,
  outcome: 'done' | 'failed' | 'unknown',
  verified: boolean,
): StoredJournalRecord {
  return {
    kind: 'result',
    opId: opIdFor(runId, 'contact', id),
    outcome,
    verified,
    status: 204,
    ...meta(seq),
  } as StoredJournalRecord;
}

describe('plan reader', () => {
  it('makes one fresh slot per object, in plan order, de-duplicated, with the action as target and the wave', async () => {
    const slots = await restoreSlots('r', [item(A, { wave: 2 }), item(B, { action: 'rollback' }), item(A)], []);
    expect(slots.map((s) => s.item.objectId)).toEqual([A, B]);
    expect(slots.map((s) => [s.target, s.wave, s.phase, s.uncertain, s.intentWritten])).toEqual([
      [true, 2, 'check', false, false],
      [false, 0, 'check', false, false],
    ]);
  });

  it('restores the journal: a result makes the object final from the journal, an intent alone makes it uncertain', async () => {
    const records = [
      intent('r', A, 1),
      result('r', A, 2, 'done', true),
      intent('r', B, 3),
      intent('r', C, 4),
      result('r', C, 5, 'done', false),
    ];
    const [a, b, c] = await restoreSlots('r', [item(A), item(B), item(C)], records);
    expect(a).toMatchObject({ phase: 'final', result: { outcome: 'verified', fromJournal: true, writeStatus: 204 } });
    expect(c).toMatchObject({ phase: 'final', result: { outcome: 'unverified', fromJournal: true } });
    // failing case: an intent without a result must never count as final or as certain
    expect(b).toMatchObject({ phase: 'check', uncertain: true, intentWritten: true });
    expect(b?.result).toBeUndefined();
  });

  it('maps a failed result to failed and an unknown one to unverified, never to verified', async () => {
    const records = [
      intent('r', A, 1),
      result('r', A, 2, 'failed', false),
      intent('r', B, 3),
      result('r', B, 4, 'unknown', false),
    ];
    const [a, b] = await restoreSlots('r', [item(A), item(B)], records);
    expect(a?.result?.outcome).toBe('failed');
    expect(b?.result?.outcome).toBe('unverified');
  });

  it('reads only the run it is given from the journal port', async () => {
    const asked: string[] = [];
    const port: JournalPort = {
      append: () => Promise.resolve(),
      readRun: (runId) => {
        asked.push(runId);
        return Promise.resolve([intent(runId, A, 1)]);
      },
    };
    const [a] = await readPlanSlots('run-x', [item(A)], port);
    expect(asked).toEqual(['run-x']);
    expect(a?.uncertain).toBe(true);
  });

  it('cuts an op id to 100 characters (a 60-character run id and a GUID make 105)', () => {
    const op = opIdFor('r'.repeat(60), 'contact', A);
    expect(op).toBe(`${'r'.repeat(60)}/contact/${A}`.slice(0, 100));
    expect(op).toHaveLength(100);
  });

  it('restores no object as written, and takes only result records as results (an observation is neither)', async () => {
    const observation = {
      kind: 'observation',
      opId: opIdFor('r', 'contact', A),
      ...meta(2),
    } as unknown as StoredJournalRecord;
    const slots = await restoreSlots('r', [item(A), item(B)], [intent('r', A, 1), observation]);
    expect(slots.map((s) => [s.phase, s.written, s.uncertain])).toEqual([
      ['check', false, true],
      ['check', false, false],
    ]);
  });

  it('gives the thread back in slices while reading the records and while making the slots', async () => {
    const records = Array.from({ length: 640 }, (_, i) => intent('r', `id-${i}`, i + 1));
    const items = Array.from({ length: 640 }, (_, i) => item(`id-${i}`));
    const yieldsFor = async (rs: StoredJournalRecord[], its: BulkItem[]) => {
      const env = fakeEnv(10); // a slice of 25 ms runs out at every third clock read (every 96 calls)
      await restoreSlots('r', its, rs, new TimeSlicer(env, 25));
      return env.yields;
    };
    expect(await yieldsFor(records, [])).toBe(6);
    expect(await yieldsFor([], items)).toBe(6);
  });
});
