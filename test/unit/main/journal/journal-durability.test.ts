import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal, journalPath } from '../../../../src-main/journal/journal';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { MemoryJournalFs } from './memory-fs';
import { RecordingFs, settled } from './recording-fs';

const intent = (opId: string, runId = 'run-1'): JournalRecordInput => ({
  kind: 'intent',
  opId,
  runId,
  objectType: 'contact',
  objectId: `obj-${opId}`,
  action: 'transfer',
  request: { method: 'PATCH', url: `/contacts/obj-${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
});

describe('Journal durability (fs port that sees the fsync)', () => {
  let dir: string;
  let fs: RecordingFs;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-dur-'));
    fs = new RecordingFs();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('append() resolves only after the fsync of its record has completed', async () => {
    const j = new Journal(dir, 't', { fs });
    await j.append(intent('warm-up'));
    const gate = fs.hold('sync');
    const p = j.append(intent('1'));
    await Promise.race([gate.reached, p]);
    expect(fs.events.at(-2)).toBe('write seg-000001.jsonl');
    expect(fs.events.at(-1)).toBe('sync-start seg-000001.jsonl');
    expect(await settled(p)).toBe(false); // written but not yet on stable storage: not resolved
    gate.release();
    await expect(p).resolves.toMatchObject({ seq: 2 });
    expect(fs.events.at(-1)).toBe('sync seg-000001.jsonl');
    await j.close();
  });

  it('group-committed appends all wait for the one fsync that covers them', async () => {
    const j = new Journal(dir, 't', { fs });
    await j.append(intent('warm-up'));
    const gate = fs.hold('sync');
    const first = j.append(intent('1'));
    await gate.reached;
    const others = [j.append(intent('2')), j.appendMany([intent('3'), intent('4')])];
    expect(await settled(first)).toBe(false);
    for (const o of others) expect(await settled(o)).toBe(false);
    gate.release();
    await first;
    await Promise.all(others);
    const writes = fs.events.filter((e) => e.startsWith('write ')).length;
    const syncs = fs.events.filter((e) => e.startsWith('sync ')).length;
    expect(syncs).toBe(writes);
    await j.close();
  });

  it('an append that opens a new segment resolves only after the folder is fsynced', async () => {
    const j = new Journal(dir, 't', { fs, segmentBytes: 200 });
    await j.append(intent('1')); // > 200 bytes: the next append seals this segment
    const gate = fs.hold('syncDir');
    const p = j.append(intent('2'));
    await Promise.race([gate.reached, p]);
    expect(fs.events.slice(-3)).toEqual(['replace index.json', 'open seg-000002.jsonl', 'syncDir-start t']);
    expect(await settled(p)).toBe(false);
    gate.release();
    await p;
    const i = fs.events.indexOf('syncDir t', fs.events.indexOf('open seg-000002.jsonl'));
    expect(i).toBeGreaterThan(-1);
    expect(fs.events.indexOf('sync seg-000002.jsonl')).toBeGreaterThan(i);
    await j.close();
  });

  it('creating the journal folder fsyncs its parent before the first append resolves', async () => {
    const j = new Journal(dir, 't', { fs });
    await j.append(intent('1'));
    const created = fs.events.indexOf('mkdir t');
    expect(fs.events.indexOf('syncDir journal', created)).toBeGreaterThan(created);
    expect(fs.events.indexOf('syncDir t')).toBeGreaterThan(created); // the new segment's entry
    await j.close();
  });

  it('a failed (torn) write rejects its appends; the next append starts on a fresh line and nothing is lost', async () => {
    const j = new Journal(dir, 't', { fs });
    await j.append(intent('1'));
    fs.failNextWrite = new Error('EIO: disk on fire');
    await expect(j.append(intent('2'))).rejects.toThrow(/EIO/);
    const ok = await j.append(intent('3'));
    const { records, skippedLines } = await j.read();
    expect(records.map((r) => r.opId)).toEqual(['1', '3']);
    expect(skippedLines).toBe(1); // the torn half-line
    expect(ok.seq).toBeGreaterThan(1);
    expect((await j.pending()).map((p) => p.opId)).toEqual(['1', '3']);
    await j.close();
  });

  // what is read back is counted at the fs port, so these two run in memory (memory-fs.ts)
  it('appends and pending() read nothing back from disk once the journal is open (O(1) per append)', async () => {
    const mem = new MemoryJournalFs();
    const j = new Journal('/data', 't', { fs: mem, segmentBytes: 4096 });
    for (let i = 0; i < 50; i++) await j.append(intent(`a${i}`));
    await j.close();
    const fs2 = new RecordingFs(mem);
    const j2 = new Journal('/data', 't', { fs: fs2, segmentBytes: 4096 });
    await j2.pending();
    const afterOpen = fs2.totalBytesRead();
    for (let i = 0; i < 200; i++)
      await j2.appendMany([intent(`b${i}`), { kind: 'result', opId: `b${i}`, outcome: 'done', verified: true }]);
    expect((await j2.pending()).length).toBe(50);
    expect(fs2.totalBytesRead()).toBe(afterOpen);
    await j2.close();
  });

  it('a restart reads the index and the active segment only, not the sealed segments', async () => {
    const mem = new MemoryJournalFs();
    const j = new Journal('/data', 't', { fs: mem, segmentBytes: 2048 });
    for (let i = 0; i < 120; i++) await j.append(intent(`op${i}`, `run-${Math.floor(i / 40)}`));
    for (let i = 0; i < 120; i += 2)
      await j.append({ kind: 'result', opId: `op${i}`, outcome: 'done', verified: true });
    await j.close();
    const fs2 = new RecordingFs(mem);
    const j2 = new Journal('/data', 't', { fs: fs2, segmentBytes: 2048 });
    const pending = await j2.pending();
    expect(pending.map((p) => p.opId)).toEqual(Array.from({ length: 60 }, (_, k) => `op${2 * k + 1}`));
    const segmentsRead = [...fs2.bytesRead.keys()].filter((n) => n.startsWith('seg-'));
    expect(j2.stats().segments).toBeGreaterThan(10);
    expect(segmentsRead.length).toBeLessThanOrEqual(1);
    await j2.close();
    expect(journalPath(dir, 't')).toBe(path.join(dir, 'journal', 't'));
  });
});
