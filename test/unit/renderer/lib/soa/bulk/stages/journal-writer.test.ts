import { describe, expect, it } from 'vitest';
import type { JournalRecordInput } from '@contract';
import {
  RunJournalWriter,
  intentRecord,
  resultRecord,
} from '../../../../../../../src-renderer/lib/soa/bulk/stages/journal-writer';
import { JournalRefusedError, type JournalPort } from '../../../../../../../src-renderer/lib/soa/bulk/ports';
import { ID, slotOf } from './slot-fixture';

function recordingPort(
  fail?: (records: JournalRecordInput[]) => unknown,
): JournalPort & { calls: JournalRecordInput[][] } {
  const calls: JournalRecordInput[][] = [];
  return {
    calls,
    append: (records) => {
      calls.push(records);
      const e = fail?.(records);
      return e ? Promise.reject(e) : Promise.resolve();
    },
    readRun: () => Promise.resolve([]),
  };
}

describe('journal writer', () => {
  it('an intent names the run, the object, the state read before and the exact PATCH', () => {
    const rec = intentRecord('run', slotOf({ before: false }));
    expect(rec).toMatchObject({
      kind: 'intent',
      runId: 'run',
      objectId: ID,
      action: 'transfer',
      before: { isCloudManaged: false },
      request: { method: 'PATCH', body: { isCloudManaged: true } },
    });
    expect(rec.kind === 'intent' && rec.request.url).toContain(ID);
  });

  it('a result is "done" and verified only for a verified outcome', () => {
    const slot = slotOf({ requestId: 'rq', writeStatus: 204 });
    expect(resultRecord(slot, 'verified', { after: true })).toMatchObject({
      outcome: 'done',
      verified: true,
      status: 204,
      requestId: 'rq',
      after: { isCloudManaged: true },
    });
    expect(resultRecord(slot, 'unverified', {})).toMatchObject({ outcome: 'unknown', verified: false });
    expect(resultRecord(slot, 'failed', { reason: 'x'.repeat(3000) })).toMatchObject({
      outcome: 'failed',
      verified: false,
    });
    expect((resultRecord(slot, 'failed', { reason: 'x'.repeat(3000) }) as { reason: string }).reason).toHaveLength(
      2000,
    );
  });

  it('marks a slot durable only after the append resolved, and queues results only for durable intents', async () => {
    const port = recordingPort();
    const w = new RunJournalWriter(port, 'run');
    const durable = slotOf();
    const refusedNever = slotOf({}, { objectId: 'other' });
    expect(await w.writeIntents([durable])).toEqual(new Map());
    expect(durable.intentWritten).toBe(true);
    w.queueResult(durable, 'verified', { after: true });
    w.queueResult(refusedNever, 'failed', {}); // no intent: nothing to close
    w.queueResult(durable, 'cancelled', {}); // a cancel leaves the intent pending for resume
    expect(w.pendingResults).toBe(1);
    await w.flushResults();
    await w.flushResults(); // nothing left: no empty append
    expect(port.calls.map((c) => c.map((r) => r.kind))).toEqual([['intent'], ['result']]);
  });

  it('a refused intent is reported and left not durable; the others are durable', async () => {
    const a = slotOf();
    const b = slotOf({}, { objectId: 'b' });
    const port = recordingPort(() => new JournalRefusedError([{ opId: b.opId, message: 'carries a credential' }]));
    const refused = await new RunJournalWriter(port, 'run').writeIntents([a, b]);
    expect(refused).toEqual(new Map([[b.opId, 'carries a credential']]));
    expect([a.intentWritten, b.intentWritten]).toEqual([true, false]);
  });

  it('any other journal failure rejects (the run must stop), and the slot stays not durable', async () => {
    const a = slotOf();
    const w = new RunJournalWriter(
      recordingPort(() => new Error('disk full')),
      'run',
    );
    await expect(w.writeIntents([a])).rejects.toThrow('disk full');
    expect(a.intentWritten).toBe(false);
  });
});
