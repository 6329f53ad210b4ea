import { describe, expect, it } from 'vitest';
import type { JournalRecordInput } from '@contract';
import {
  RunJournalWriter,
  intentRecord,
  resultRecord,
} from '../../../../../../../src-renderer/lib/soa/bulk/stages/journal-writer';
import { JournalRefusedError, type JournalPort } from '../../../../../../../src-renderer/lib/soa/bulk/ports';
import type { Slot } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
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

/** Make these slots' intents durable the way a run does: queued ahead, appended in the background. */
async function journalAhead(w: RunJournalWriter, slots: Slot[]): Promise<void> {
  for (const s of slots) w.queueIntent(s);
  w.startFlush();
  await w.idle();
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
    await journalAhead(w, [durable]);
    expect(durable.intentWritten).toBe(true);
    w.queueResult(durable, 'verified', { after: true });
    w.queueResult(refusedNever, 'failed', {}); // no intent: nothing to close
    w.queueResult(durable, 'cancelled', {}); // a cancel leaves the intent pending for resume
    expect(w.pendingResults).toBe(1);
    await w.flushResults();
    await w.flushResults(); // nothing left: no empty append
    expect(port.calls.map((c) => c.map((r) => r.kind))).toEqual([['intent'], ['result']]);
  });

  it('flushes results in the background: one append at a time, results queued meanwhile go with the next', async () => {
    let release: () => void = () => undefined;
    const calls: JournalRecordInput[][] = [];
    const port: JournalPort = {
      append: (records) => {
        calls.push(records);
        return records[0]?.kind === 'result' && calls.length === 2
          ? new Promise<void>((r) => (release = r))
          : Promise.resolve();
      },
      readRun: () => Promise.resolve([]),
    };
    const w = new RunJournalWriter(port, 'run');
    const [a, b, c] = [slotOf(), slotOf({}, { objectId: 'b' }), slotOf({}, { objectId: 'c' })];
    await journalAhead(w, [a, b, c]);
    w.queueResult(a, 'verified', {});
    w.startFlush(); // returns at once although the append is held
    w.queueResult(b, 'verified', {});
    w.startFlush(); // one append at a time: b waits for the next
    w.queueResult(c, 'failed', {});
    expect(calls.map((x) => x.length)).toEqual([3, 1]);
    const done = w.flushResults();
    release();
    await done;
    expect(calls.map((x) => x.map((r) => r.opId))).toEqual([[a.opId, b.opId, c.opId], [a.opId], [b.opId, c.opId]]);
    expect(w.pendingResults).toBe(0);
  });

  it('a background flush that fails is kept and stops the run at the next flushResults()', async () => {
    const a = slotOf();
    const w = new RunJournalWriter(
      recordingPort((recs) => (recs[0]?.kind === 'result' ? new Error('disk full') : undefined)),
      'run',
    );
    await journalAhead(w, [a]);
    w.queueResult(a, 'verified', {});
    w.startFlush();
    await expect(w.flushResults()).rejects.toThrow('disk full');
    expect(w.failure).toBeInstanceOf(Error);
  });

  it('appends intents ahead in the background: pending until the append resolved, then durable and settled', async () => {
    const held: (() => void)[] = [];
    const calls: JournalRecordInput[][] = [];
    const port: JournalPort = {
      append: (records) => {
        calls.push(records);
        return records[0]?.kind === 'intent' ? new Promise<void>((r) => held.push(r)) : Promise.resolve();
      },
      readRun: () => Promise.resolve([]),
    };
    let settled = 0;
    const w = new RunJournalWriter(port, 'run', { refused: () => undefined, settled: () => settled++ });
    const [a, b, c] = [slotOf(), slotOf({}, { objectId: 'b' }), slotOf({}, { objectId: 'c' })];
    w.queueIntent(a);
    w.queueIntent(b);
    w.queueIntent(a); // already queued: not twice
    expect([a.intentPending, a.intentWritten]).toEqual([true, false]);
    w.startFlush();
    w.queueIntent(c); // queued while one append is out: goes with the next
    w.startFlush();
    expect(calls.map((x) => x.map((r) => r.opId))).toEqual([[a.opId, b.opId]]);
    // not durable before the append resolved
    await Promise.resolve();
    expect([a.intentWritten, b.intentWritten, settled]).toEqual([false, false, 0]);
    held.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
    expect([a.intentPending, a.intentWritten, b.intentWritten, c.intentWritten]).toEqual([false, true, true, false]);
    expect(settled).toBe(1);
    expect(calls.map((x) => x.map((r) => r.opId))).toEqual([[a.opId, b.opId], [c.opId]]);
    const done = w.idle();
    held.shift()?.();
    await done;
    expect([c.intentPending, c.intentWritten, settled]).toEqual([false, true, 2]);
    // durable already: never queued again
    w.queueIntent(a);
    w.startFlush();
    expect(calls).toHaveLength(2);
  });

  it('a slow result append never holds an intent appended ahead back (two chains)', async () => {
    let releaseResults: () => void = () => undefined;
    const port: JournalPort = {
      append: (records) =>
        records[0]?.kind === 'result' ? new Promise<void>((r) => (releaseResults = r)) : Promise.resolve(),
      readRun: () => Promise.resolve([]),
    };
    const w = new RunJournalWriter(port, 'run');
    const [a, b] = [slotOf(), slotOf({}, { objectId: 'b' })];
    await journalAhead(w, [a]);
    w.queueResult(a, 'verified', {});
    w.startFlush(); // the result append is held
    w.queueIntent(b);
    w.startFlush();
    await new Promise((r) => setTimeout(r, 0));
    expect(b.intentWritten).toBe(true);
    releaseResults();
    await w.idle();
  });

  it('an intent refused ahead is reported with its reason and never durable; a failed append stops the run', async () => {
    const [a, b] = [slotOf(), slotOf({}, { objectId: 'b' })];
    const refusedSlots: [string, string][] = [];
    const w = new RunJournalWriter(
      recordingPort(() => new JournalRefusedError([{ opId: b.opId, message: 'carries a credential' }])),
      'run',
      { refused: (s, why) => refusedSlots.push([s.opId, why]), settled: () => undefined },
    );
    w.queueIntent(a);
    w.queueIntent(b);
    w.startFlush();
    await w.idle();
    expect([a.intentWritten, b.intentWritten, b.intentPending]).toEqual([true, false, false]);
    expect(refusedSlots).toEqual([[b.opId, 'carries a credential']]);

    const c = slotOf({}, { objectId: 'c' });
    let settled = 0;
    const failing = new RunJournalWriter(
      recordingPort(() => new Error('disk full')),
      'run',
      { refused: () => undefined, settled: () => settled++ },
    );
    failing.queueIntent(c);
    failing.startFlush();
    await failing.idle();
    // its write is never sent: still pending, and the run learns of the failure
    expect([c.intentPending, c.intentWritten, settled]).toEqual([true, false, 1]);
    expect(failing.failure).toBeInstanceOf(Error);
    await expect(failing.flushResults()).rejects.toThrow('disk full');
  });

  it('records only what is known: no displayName, before, request id, status, read-back or reason when absent', () => {
    const bare = slotOf({}, { displayName: undefined });
    const intent = intentRecord('run', bare);
    // strict: an absent field is left out, not written as undefined
    expect(intent).toStrictEqual({
      kind: 'intent',
      opId: bare.opId,
      runId: 'run',
      objectType: 'contact',
      objectId: ID,
      action: 'transfer',
      request: {
        method: 'PATCH',
        url: `/contacts/${ID}/onPremisesSyncBehavior`,
        body: { isCloudManaged: true },
      },
    });
    expect(resultRecord(bare, 'cancelled', { reason: '' })).toStrictEqual({
      kind: 'result',
      opId: bare.opId,
      outcome: 'unknown',
      verified: false,
    });
    const long = intentRecord('run', slotOf({}, { displayName: 'n'.repeat(600) }));
    expect(long.kind === 'intent' && long.displayName).toHaveLength(512);
    const rollback = intentRecord('run', slotOf({ target: false, before: true }, { action: 'rollback' }));
    expect(rollback).toMatchObject({ action: 'rollback', before: { isCloudManaged: true } });
    expect(rollback.kind === 'intent' && rollback.request.body).toEqual({ isCloudManaged: false });
  });

  it('a refused result leaves its intent pending and does not stop the run; nothing to flush appends nothing', async () => {
    const a = slotOf();
    const port = recordingPort((recs) =>
      recs[0]?.kind === 'result' ? new JournalRefusedError([{ opId: a.opId, message: 'credential' }]) : undefined,
    );
    const w = new RunJournalWriter(port, 'run');
    w.startFlush(); // nothing queued: no append
    await journalAhead(w, [a]);
    w.queueResult(a, 'verified', {});
    await expect(w.flushResults()).resolves.toBeUndefined();
    w.queueResult(a, 'verified', {});
    w.startFlush();
    await w.flushResults();
    expect(w.failure).toBeUndefined();
    expect(port.calls.map((c) => c[0]?.kind)).toEqual(['intent', 'result', 'result']);
  });

  it('after a failed background flush, no further flush starts and every flushResults() throws', async () => {
    const a = slotOf();
    const b = slotOf({}, { objectId: 'b' });
    const port = recordingPort((recs) => (recs[0]?.kind === 'result' ? new Error('disk full') : undefined));
    const w = new RunJournalWriter(port, 'run');
    await journalAhead(w, [a, b]);
    w.queueResult(a, 'verified', {});
    w.startFlush();
    await expect(w.flushResults()).rejects.toThrow('disk full');
    w.queueResult(b, 'verified', {});
    w.startFlush();
    await expect(w.flushResults()).rejects.toThrow('disk full');
    expect(port.calls).toHaveLength(2);
    expect(w.pendingResults).toBe(1);
  });

  it('after a failed append, no intent is appended ahead any more (its write stays unsent)', async () => {
    const [a, b] = [slotOf(), slotOf({}, { objectId: 'b' })];
    const port = recordingPort(() => new Error('disk full'));
    const w = new RunJournalWriter(port, 'run');
    w.queueIntent(a);
    w.startFlush();
    await w.idle();
    expect(w.failure).toBeInstanceOf(Error);
    w.queueIntent(b);
    w.startFlush();
    await w.idle();
    expect(port.calls).toHaveLength(1);
    expect([b.intentPending, b.intentWritten]).toEqual([true, false]);
  });
});
