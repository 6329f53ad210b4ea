/**
 * `read()` over several segments: which segment it starts at for `runId`, `afterSeq` and `limit` (it must read
 * neither too much nor too little), the bounded buffer of `read({ limit })`, and that a paged read judges the
 * lines it reads as a full read does. In memory (memory-fs.ts): `segmentBytes: 1` makes every `appendMany` call
 * one segment, so each test lays the segments out by hand.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { Journal, NewestRecords, journalPath } from '../../../../src-main/journal/journal';
import { journalIndex, segmentName } from '../../../../src-main/journal/journal-segments';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { MemoryJournalFs } from './memory-fs';

const DATA = '/data';
const dir = journalPath(DATA, 't');
const clock = () => new Date('2026-12-01T10:00:00.000Z');
const intent = (opId: string, runId = 'run-1'): JournalRecordInput => ({
  kind: 'intent',
  opId,
  runId,
  objectType: 'contact',
  objectId: `obj-${opId}`,
  action: 'transfer',
  request: { method: 'PATCH', url: `/contacts/obj-${opId}/onPremisesSyncBehavior` },
});
const result = (opId: string): JournalRecordInput => ({ kind: 'result', opId, outcome: 'done', verified: true });

/** A journal whose segments hold exactly the given batches (seq counts on from 1 across them). */
async function laidOut(fs: MemoryJournalFs, batches: JournalRecordInput[][]): Promise<Journal> {
  const w = new Journal(DATA, 't', { fs, segmentBytes: 1, now: clock });
  for (const b of batches) await w.appendMany(b);
  await w.close();
  const j = new Journal(DATA, 't', { fs, segmentBytes: 1, now: clock });
  await j.pending(); // opened: what the open read is not counted below
  return j;
}

/** The segment files a call reads. */
async function segmentsReadBy(fs: MemoryJournalFs, call: () => Promise<unknown>): Promise<string[]> {
  const before = new Map(fs.bytesRead);
  await call();
  return [...fs.bytesRead.entries()]
    .filter(([name, n]) => name.startsWith('seg-') && n > (before.get(name) ?? 0))
    .map(([name]) => name)
    .sort();
}

/** Segments: 1 = seq 1–2, 2 = seq 3–4, 3 = seq 5–6, 4 = seq 7 (the active one). */
const fourSegments = (): JournalRecordInput[][] => [
  [intent('a', 'r1'), intent('b', 'r1')],
  [result('a'), intent('c', 'r2')],
  [intent('d', 'r3'), result('c')],
  [result('d')],
];

describe('read() picks its first segment', () => {
  it('for runId: the first segment that lists the run, also when a segment lists too many runs to say', async () => {
    const fs = new MemoryJournalFs();
    await laidOut(fs, [[intent('a', 'r1')], [intent('b', 'r2'), intent('x', 'crowd')], [result('x')], [result('b')]]);
    // segment 2's run list dropped, as it is past 1,000 runs (null: "may hold any run"), so it must be read
    const indexFile = path.join(dir, 'index.json');
    const index = journalIndex.parse(JSON.parse(fs.text(indexFile) ?? 'null'));
    fs.put(
      indexFile,
      JSON.stringify({ ...index, segments: index.segments.map((s) => (s.n === 2 ? { ...s, runIds: null } : s)) }),
    );
    const j = new Journal(DATA, 't', { fs, segmentBytes: 1, now: clock });
    await j.pending();
    let records: { opId: string }[] = [];
    const read = await segmentsReadBy(fs, async () => ({ records } = await j.read({ runId: 'crowd' })));
    expect(records.map((r) => r.opId)).toEqual(['x', 'x']);
    expect(read).toEqual([2, 3, 4].map(segmentName));
    await j.close();
  });

  it('for a runId no segment lists: nothing, and no segment is read', async () => {
    const fs = new MemoryJournalFs();
    const j = await laidOut(fs, fourSegments());
    let answer: unknown;
    const read = await segmentsReadBy(fs, async () => (answer = await j.read({ runId: 'nobody' })));
    expect(answer).toEqual({ records: [], skippedLines: 0 });
    expect(read).toEqual([]);
    await j.close();
  });

  it('for afterSeq: the first segment with a later record (not the one that ends at afterSeq)', async () => {
    const fs = new MemoryJournalFs();
    const j = await laidOut(fs, fourSegments());
    let seqs: number[] = [];
    const read = await segmentsReadBy(fs, async () => {
      seqs = (await j.read({ afterSeq: 4 })).records.map((r) => r.seq);
    });
    expect(seqs).toEqual([5, 6, 7]);
    expect(read).toEqual([segmentName(3), segmentName(4)]);
    // inside a segment: starts there, and skips the records up to afterSeq
    const mid = await segmentsReadBy(fs, async () => {
      seqs = (await j.read({ afterSeq: 3, limit: 2 })).records.map((r) => r.seq);
    });
    expect(seqs).toEqual([4, 5]);
    expect(mid).toEqual([segmentName(2), segmentName(3)]);
    await j.close();
  });

  it('for an afterSeq at or past the last record: exactly nothing, and no segment is read', async () => {
    const fs = new MemoryJournalFs();
    const j = await laidOut(fs, fourSegments());
    for (const afterSeq of [7, 100]) {
      let answer: unknown;
      const read = await segmentsReadBy(fs, async () => (answer = await j.read({ afterSeq })));
      expect(answer).toEqual({ records: [], skippedLines: 0 });
      expect(read).toEqual([]);
    }
    await j.close();
  });

  it('for limit: the newest segments that hold that many records, and no more', async () => {
    const fs = new MemoryJournalFs();
    const j = await laidOut(fs, fourSegments());
    let seqs: number[] = [];
    // the last segment holds exactly one record: one is enough
    let read = await segmentsReadBy(fs, async () => (seqs = (await j.read({ limit: 1 })).records.map((r) => r.seq)));
    expect(seqs).toEqual([7]);
    expect(read).toEqual([segmentName(4)]);
    read = await segmentsReadBy(fs, async () => (seqs = (await j.read({ limit: 3 })).records.map((r) => r.seq)));
    expect(seqs).toEqual([5, 6, 7]);
    expect(read).toEqual([segmentName(3), segmentName(4)]);
    // more than the journal holds: every record, every segment
    read = await segmentsReadBy(fs, async () => (seqs = (await j.read({ limit: 50 })).records.map((r) => r.seq)));
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(read).toEqual([1, 2, 3, 4].map(segmentName));
    await j.close();
  });
});

describe('a paged read judges its lines as a full read does', () => {
  it('a line in its first segment that repeats the previous segment’s last seq is skipped, not returned', async () => {
    const fs = new MemoryJournalFs();
    const w = new Journal(DATA, 't', { fs, segmentBytes: 1, now: clock });
    await w.appendMany([intent('a'), intent('b')]); // segment 1: seq 1, 2
    await w.appendMany([intent('c'), intent('d')]); // segment 2: seq 3, 4
    await w.close();
    // a copy of seq 2 at the start of segment 2 (a hand-edited file)
    const seg2 = path.join(dir, segmentName(2));
    const dup = JSON.stringify({ ...intent('b-again'), seq: 2, at: clock().toISOString(), tenant: 't' });
    fs.put(seg2, `${dup}\n${fs.text(seg2) ?? ''}`);
    const j = new Journal(DATA, 't', { fs, segmentBytes: 1, now: clock });
    expect(await j.read()).toMatchObject({ skippedLines: 1 });
    for (const page of [{ limit: 2 }, { afterSeq: 2 }, { runId: 'run-1', afterSeq: 2 }]) {
      const { records, skippedLines } = await j.read(page);
      expect(records.map((r) => r.opId)).toEqual(['c', 'd']);
      expect(skippedLines).toBe(1);
    }
    await j.close();
  });
});

describe('read({ afterSeq, limit }) stops at the page', () => {
  it('gives the first `limit` records after afterSeq, in order, and reads no segment past them', async () => {
    const fs = new MemoryJournalFs();
    const j = await laidOut(fs, fourSegments());
    let seqs: number[] = [];
    const read = await segmentsReadBy(fs, async () => {
      seqs = (await j.read({ afterSeq: 1, limit: 3 })).records.map((r) => r.seq);
    });
    expect(seqs).toEqual([2, 3, 4]);
    expect(read).toEqual([segmentName(1), segmentName(2)]);
    await j.close();
  });
});

describe('NewestRecords (the bounded buffer of read({ limit }))', () => {
  it('keeps the newest `limit`, dropping the overflow once it reaches `limit` (never more than twice `limit`)', () => {
    const buf = new NewestRecords<number>(3);
    const held: number[] = [];
    for (let i = 1; i <= 10; i++) {
      buf.push(i);
      held.push(buf.held);
    }
    expect(held).toEqual([1, 2, 3, 4, 5, 3, 4, 5, 3, 4]);
    expect(buf.newest()).toEqual([8, 9, 10]);
    const one = new NewestRecords<number>(1);
    for (let i = 1; i <= 4; i++) one.push(i);
    expect(one.held).toBe(1);
    expect(one.newest()).toEqual([4]);
  });

  it('keeps everything without a limit, and fewer than `limit` as they came', () => {
    const all = new NewestRecords<number>();
    for (let i = 1; i <= 7; i++) all.push(i);
    expect(all.held).toBe(7);
    expect(all.newest()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const few = new NewestRecords<number>(5);
    few.push(1);
    few.push(2);
    expect(few.newest()).toEqual([1, 2]);
  });
});
