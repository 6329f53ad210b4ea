/**
 * Opening a journal: when the index is trusted, rebuilt or rewritten, what a torn or empty active segment gets,
 * the folders' fsyncs, the single-file journal of earlier versions, a failed open that can be retried, `close()`
 * during a write, and what is logged. In memory (memory-fs.ts; recording-fs.ts over it where the order of calls
 * matters): `segmentBytes: 1` makes every `appendMany` call one segment.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Journal, journalPath, legacyJournalPath } from '../../../../src-main/journal/journal';
import type { JournalFs } from '../../../../src-main/journal/journal-fs';
import { journalIndex, segmentName, type JournalIndex } from '../../../../src-main/journal/journal-segments';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { setLogSink } from '../../../../src-main/log';
import { MemoryJournalFs } from './memory-fs';
import { RecordingFs, settled } from './recording-fs';

const DATA = '/data';
const dir = journalPath(DATA, 't');
const indexFile = path.join(dir, 'index.json');
const seg = (n: number): string => path.join(dir, segmentName(n));
const clock = () => new Date('2026-12-01T10:00:00.000Z');
const at = clock().toISOString();
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
const stored = (r: JournalRecordInput, seq: number): string => JSON.stringify({ ...r, seq, at, tenant: 't' });
const open = (fs: JournalFs): Journal => new Journal(DATA, 't', { fs, segmentBytes: 1, now: clock });

async function write(fs: JournalFs, batches: JournalRecordInput[][]): Promise<void> {
  const w = open(fs);
  for (const b of batches) await w.appendMany(b);
  await w.close();
}
const indexOf = (fs: MemoryJournalFs): JournalIndex => journalIndex.parse(JSON.parse(fs.text(indexFile) ?? 'null'));

let logLines: string[] = [];
beforeEach(() => {
  logLines = [];
  setLogSink((line) => logLines.push(line), 'info');
});
afterEach(() => setLogSink((line) => process.stderr.write(line + '\n'), 'info'));

describe('the index on open', () => {
  it('is written by a rebuild with each segment’s accepted and rejected lines', async () => {
    const fs = new MemoryJournalFs();
    await write(fs, [[intent('a'), intent('b')], [intent('c', 'run-2')], [result('a')]]);
    fs.remove(indexFile);
    fs.add(seg(1), 'not json\n');
    const j = open(fs);
    expect((await j.pending()).map((p) => p.opId)).toEqual(['b', 'c']);
    // rebuilt on open, before any append
    const index = indexOf(fs);
    expect(
      index.segments.map(({ n, count, rejected, lastSeq, runIds }) => ({ n, count, rejected, lastSeq, runIds })),
    ).toEqual([
      { n: 1, count: 2, rejected: 1, lastSeq: 2, runIds: ['run-1'] },
      { n: 2, count: 1, rejected: 0, lastSeq: 3, runIds: ['run-2'] },
    ]);
    expect(index.segments[0]?.bytes).toBe(await fs.size(seg(1)));
    expect(j.stats()).toEqual({ segments: 3, openIntents: 2, nextSeq: 5, quarantined: 1 });
    await j.close();
  });

  it('that lags behind the segments (sealed ones it does not list) is rewritten on open', async () => {
    const fs = new MemoryJournalFs();
    await write(fs, [[intent('a')], [intent('b')]]);
    const early = fs.text(indexFile) ?? '';
    await write(fs, [[intent('c')], [intent('d')]]);
    fs.put(indexFile, early); // lists segment 1 only; segments 2 and 3 are sealed too
    const j = open(fs);
    await j.pending();
    expect(indexOf(fs).segments.map((s) => s.n)).toEqual([1, 2, 3]);
    expect((await j.read()).records.map((r) => r.opId)).toEqual(['a', 'b', 'c', 'd']);
    await j.close();
  });

  it('is not written when a start finds nothing to add (new journal, one segment, index + active segment)', async () => {
    const fs = new RecordingFs(new MemoryJournalFs());
    const fresh = open(fs);
    await fresh.pending();
    await fresh.append(intent('a'));
    await fresh.close();
    const one = open(fs);
    await one.pending();
    await one.close();
    expect(fs.events.filter((e) => e.startsWith('replace'))).toEqual([]);
    await write(fs, [[intent('b')], [intent('c')]]);
    const replacesBefore = fs.events.filter((e) => e.startsWith('replace')).length;
    const again = open(fs);
    expect((await again.pending()).map((p) => p.opId)).toEqual(['a', 'b', 'c']);
    await again.close();
    expect(fs.events.filter((e) => e.startsWith('replace')).length).toBe(replacesBefore);
  });

  it('is not trusted when its segments are not the first files of the folder (sizes alone match)', async () => {
    const fs = new MemoryJournalFs();
    await write(fs, [[intent('a')], [intent('b')], [intent('c')], [intent('d')]]);
    // a hand-edited index that starts at segment 2: every size it lists is right, the listing is not
    const index = indexOf(fs);
    fs.put(indexFile, JSON.stringify({ ...index, segments: index.segments.slice(1) }));
    const j = open(fs);
    const { records, skippedLines } = await j.read();
    expect(records.map((r) => r.opId)).toEqual(['a', 'b', 'c', 'd']);
    expect(skippedLines).toBe(0);
    expect(indexOf(fs).segments.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(
      logLines.some(
        (l) =>
          l.includes('WARN [journal] The journal index does not match the segment files; rebuilding it.') &&
          l.includes(`"path":"${dir}"`),
      ),
    ).toBe(true);
    await j.close();
  });

  it('lists a stray seg-000000.jsonl like any other segment, so the next start trusts it instead of rescanning', async () => {
    const mem = new MemoryJournalFs();
    const fs = new RecordingFs(mem);
    await write(fs, [[intent('a')], [intent('b')], [intent('c')]]);
    mem.add(seg(0), '');
    const first = open(fs);
    expect((await first.pending()).map((p) => p.opId)).toEqual(['a', 'b', 'c']);
    await first.close();
    expect(indexOf(mem).segments.map((s) => s.n)).toEqual([0, 1, 2]); // 3 is the active segment
    const replacesBefore = fs.events.filter((e) => e.startsWith('replace')).length;
    const again = open(fs);
    expect((await again.pending()).map((p) => p.opId)).toEqual(['a', 'b', 'c']);
    await again.close();
    expect(fs.events.filter((e) => e.startsWith('replace')).length).toBe(replacesBefore);
  });

  it('open intents it lists that are not intents (a hand-edited index) are never pending', async () => {
    const fs = new MemoryJournalFs();
    await write(fs, [[intent('a'), intent('b')], [result('a')]]);
    const index = indexOf(fs);
    fs.put(indexFile, JSON.stringify({ ...index, open: [...index.open, stored(result('zz'), 9), 'garbage'] }));
    const j = open(fs);
    expect((await j.pending()).map((p) => p.opId)).toEqual(['b']);
    await j.close();
  });
});

describe('the active segment on open', () => {
  it('a normal restart appends right after the last line (no blank line)', async () => {
    const fs = new MemoryJournalFs();
    const w = new Journal(DATA, 't', { fs, now: clock });
    await w.append(intent('a'));
    await w.close();
    const j = new Journal(DATA, 't', { fs, now: clock });
    await j.append(intent('b'));
    await j.close();
    expect(fs.text(seg(1))).toBe(`${stored(intent('a'), 1)}\n${stored(intent('b'), 2)}\n`);
  });

  it('an empty active segment (a crash after it was created) gets its first record on its first line', async () => {
    const mem = new MemoryJournalFs();
    // segment 2 is created (and segment 1 sealed), then the write of the record into it never happens
    const dies: JournalFs = Object.assign(Object.create(mem) as JournalFs, {
      openAppend: async (file: string) => {
        const f = await mem.openAppend(file);
        return path.basename(file) === segmentName(2)
          ? { ...f, write: () => Promise.reject(new Error('killed before the write')) }
          : f;
      },
    });
    const w = open(dies);
    await w.append(intent('a'));
    await expect(w.append(intent('b'))).rejects.toThrow(/killed/);
    expect(mem.text(seg(2))).toBe('');
    const j = open(mem);
    await j.append(intent('c'));
    await j.close();
    expect(mem.text(seg(2))).toBe(`${stored(intent('c'), 2)}\n`);
  });

  it('after a crash between sealing a segment and creating the next, a restart reads the sealed records', async () => {
    const mem = new MemoryJournalFs();
    const crashing: JournalFs = Object.assign(Object.create(mem) as JournalFs, {
      openAppend: (file: string) =>
        path.basename(file) === segmentName(2)
          ? Promise.reject(new Error('killed before the segment was created'))
          : mem.openAppend(file),
    });
    const w = open(crashing);
    await w.append(intent('a'));
    await expect(w.append(intent('b'))).rejects.toThrow(/killed/);
    await w.close();
    const j = open(mem);
    expect((await j.read()).records.map((r) => r.opId)).toEqual(['a']);
    expect(j.stats()).toEqual({ segments: 1, openIntents: 1, nextSeq: 2, quarantined: 0 });
    await j.close();
  });
});

describe('opening the folders', () => {
  it('fsyncs the data folder when it creates the journal folder, and only then', async () => {
    const fs = new RecordingFs(new MemoryJournalFs());
    const j = new Journal(DATA, 't', { fs, now: clock });
    await j.pending();
    expect(fs.events).toEqual([
      'mkdir journal',
      'syncDir-start data',
      'syncDir data',
      'mkdir t',
      'syncDir-start journal',
      'syncDir journal',
    ]);
    await j.close();
    const other = new Journal(DATA, 'u', { fs, now: clock });
    fs.events.length = 0;
    await other.pending();
    expect(fs.events).toEqual(['mkdir journal', 'mkdir u', 'syncDir-start journal', 'syncDir journal']);
    await other.close();
  });

  it('a failed open rejects its call and is tried again by the next one', async () => {
    const mem = new MemoryJournalFs();
    let failures = 1;
    const flaky: JournalFs = Object.assign(Object.create(mem) as JournalFs, {
      list: (d: string) => (failures-- > 0 ? Promise.reject(new Error('EIO: listing failed')) : mem.list(d)),
    });
    const j = new Journal(DATA, 't', { fs: flaky, now: clock });
    await expect(j.append(intent('a'))).rejects.toThrow('EIO: listing failed');
    await expect(j.append(intent('b'))).resolves.toMatchObject({ seq: 1 });
    await j.close();
  });

  it('a single-file journal of earlier versions is moved in only when there are no segments (and says so)', async () => {
    const fs = new MemoryJournalFs();
    const legacy = legacyJournalPath(DATA, 't');
    fs.put(legacy, `${stored(intent('old'), 1)}\n`);
    const moved = open(fs);
    expect((await moved.pending()).map((p) => p.opId)).toEqual(['old']);
    await moved.close();
    expect(fs.text(legacy)).toBeNull();
    expect(
      logLines.filter(
        (l) =>
          l.includes('INFO [journal] Moved the single-file journal into its segment folder.') &&
          l.includes(`"path":"${dir}"`),
      ),
    ).toHaveLength(1);
    // a stray legacy file next to segments is left alone: the segments are the journal
    fs.put(legacy, `${stored(intent('stray'), 1)}\n`);
    const j = open(fs);
    expect((await j.read()).records.map((r) => r.opId)).toEqual(['old']);
    await j.close();
    expect(fs.text(legacy)).toBe(`${stored(intent('stray'), 1)}\n`);
  });

  it('a clean start logs nothing', async () => {
    const fs = new MemoryJournalFs();
    await write(fs, [[intent('a')], [intent('b')]]);
    logLines = [];
    const j = open(fs);
    await j.pending();
    await j.close();
    expect(logLines).toEqual([]);
  });
});

describe('close()', () => {
  it('waits for a write in progress; its append still resolves', async () => {
    const fs = new RecordingFs(new MemoryJournalFs());
    const j = new Journal(DATA, 't', { fs, now: clock });
    await j.append(intent('warm-up'));
    const gate = fs.hold('sync');
    const appended = j.append(intent('a'));
    await gate.reached;
    const closed = j.close();
    expect(await settled(closed)).toBe(false);
    gate.release();
    await expect(appended).resolves.toMatchObject({ seq: 2 });
    await closed;
  });
});
