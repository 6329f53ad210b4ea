import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal, journalPath, legacyJournalPath } from '../../../../src-main/journal/journal';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { MemoryJournalFs } from './memory-fs';
import { RecordingFs } from './recording-fs';

const intent = (opId: string, runId = 'run-1'): JournalRecordInput => ({
  kind: 'intent',
  opId,
  runId,
  objectType: 'contact',
  objectId: `obj-${opId}`,
  action: 'transfer',
  request: { method: 'PATCH', url: `/contacts/obj-${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
});
const result = (opId: string): JournalRecordInput => ({ kind: 'result', opId, outcome: 'done', verified: true });

/** Rotation, the index and reading across segments: the journal's logic, in memory (memory-fs.ts). */
describe('segmented journal', () => {
  const DATA = '/data';
  const folder = journalPath(DATA, 't');
  let mem: MemoryJournalFs;
  beforeEach(() => {
    mem = new MemoryJournalFs();
  });

  async function fill(j: Journal): Promise<void> {
    // three runs; each run's results land in later segments than its intents
    for (const run of ['r0', 'r1', 'r2']) {
      for (let i = 0; i < 30; i++) await j.append(intent(`${run}-${i}`, run));
      for (let i = 0; i < 30; i += 3) await j.append(result(`${run}-${i}`));
    }
  }

  it('rotates into segments with an index, and keeps seq, read and pending right across them', async () => {
    const j = new Journal(DATA, 't', { fs: mem, segmentBytes: 1500 });
    await fill(j);
    const files = mem.names(folder);
    expect(files.filter((f) => f.startsWith('seg-')).length).toBeGreaterThan(10);
    expect(files).toContain('index.json');
    const all = await j.read();
    expect(all.records.map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const r1 = await j.read({ runId: 'r1' });
    expect(r1.records).toHaveLength(40);
    expect(r1.records.every((r) => r.opId.startsWith('r1-'))).toBe(true);
    expect((await j.read({ limit: 5 })).records.map((r) => r.seq)).toEqual([116, 117, 118, 119, 120]);
    expect(await j.pending()).toHaveLength(60);
    await j.close();
    // the same answers after a restart (index + active segment), and after the index is lost
    for (const drop of [false, true]) {
      if (drop) mem.remove(path.join(folder, 'index.json'));
      const j2 = new Journal(DATA, 't', { fs: mem, segmentBytes: 1500 });
      const open = ['r0', 'r1', 'r2'].flatMap((run) =>
        Array.from({ length: 30 }, (_, i) => i)
          .filter((i) => i % 3 !== 0)
          .map((i) => `${run}-${i}`),
      );
      expect((await j2.pending()).map((p) => p.opId)).toEqual(drop ? [...open, 'next'] : open);
      expect((await j2.append(intent('next'))).seq).toBe(drop ? 122 : 121);
      expect((await j2.read({ runId: 'r2' })).records).toHaveLength(40);
      await j2.close();
    }
    const j3 = new Journal(DATA, 't', { fs: mem, segmentBytes: 1500 });
    expect((await j3.read()).records).toHaveLength(122);
    await j3.close();
  });

  it('read({ limit }) reads only the newest segments; read({ runId }) skips segments before the run', async () => {
    const j = new Journal(DATA, 't', { fs: mem, segmentBytes: 1500 });
    await fill(j);
    await j.close();
    const fs = new RecordingFs(mem);
    const j2 = new Journal(DATA, 't', { fs, segmentBytes: 1500 });
    await j2.pending();
    const before = new Set(fs.bytesRead.keys());
    await j2.read({ limit: 3 });
    const limitRead = [...fs.bytesRead.keys()].filter((k) => k.startsWith('seg-') && !before.has(k));
    expect(limitRead.length).toBeLessThanOrEqual(1);
    const segs = mem.names(folder).filter((f) => f.startsWith('seg-'));
    const fs3 = new RecordingFs(mem);
    const j3 = new Journal(DATA, 't', { fs: fs3, segmentBytes: 1500 });
    await j3.read({ runId: 'r2' });
    expect(fs3.bytesRead.has(segs[0]!)).toBe(false);
    await j2.close();
    await j3.close();
  });

  it('read({ afterSeq, limit }) pages forward through a run across segments', async () => {
    const j = new Journal(DATA, 't', { fs: mem, segmentBytes: 1500 });
    await fill(j);
    for (const runId of ['r1', undefined]) {
      const whole = (await j.read(runId ? { runId } : {})).records;
      const paged = [];
      let afterSeq = 0;
      for (;;) {
        const page = (await j.read({ ...(runId ? { runId } : {}), afterSeq, limit: 7 })).records;
        expect(page.length).toBeLessThanOrEqual(7);
        paged.push(...page);
        if (page.length < 7) break;
        afterSeq = page.at(-1)!.seq;
      }
      expect(paged).toEqual(whole);
    }
    await j.close();
  });

  it('an index that does not match the files is rebuilt by a scan', async () => {
    const j = new Journal(DATA, 't', { fs: mem, segmentBytes: 1500 });
    await fill(j);
    await j.close();
    const seg1 = path.join(folder, 'seg-000001.jsonl');
    // a hand-edited sealed segment: one more (bad) line; its size no longer matches the index
    mem.add(seg1, '{"kind":"intent","garbage":true}\n');
    const j2 = new Journal(DATA, 't', { fs: mem, segmentBytes: 1500 });
    expect(await j2.pending()).toHaveLength(60);
    expect((await j2.read()).skippedLines).toBe(1);
    expect(j2.stats().quarantined).toBe(1);
    await j2.close();
  });
});

/** What touches the disk: the single-file journal's move, bad lines and an over-long line in real files. */
describe('segmented journal on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-seg-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves the single-file journal of earlier versions into the folder as its first segment', async () => {
    mkdirSync(path.join(dir, 'journal'), { recursive: true });
    const at = new Date(0).toISOString();
    const lines = [
      { ...intent('old-1'), seq: 1, at, tenant: 't' },
      { ...intent('old-2'), seq: 2, at, tenant: 't' },
      { ...result('old-1'), seq: 3, at, tenant: 't' },
    ];
    writeFileSync(legacyJournalPath(dir, 't'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const j = new Journal(dir, 't', { segmentBytes: 100 });
    expect((await j.pending()).map((p) => p.opId)).toEqual(['old-2']);
    expect((await j.append(result('old-2'))).seq).toBe(4);
    expect(existsSync(legacyJournalPath(dir, 't'))).toBe(false);
    expect((await j.read()).records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(await j.pending()).toEqual([]);
    await j.close();
  });

  it('quarantines bad lines once (kept aside in quarantine.jsonl) and reports them', async () => {
    const j = new Journal(dir, 't');
    await j.append(intent('1'));
    await j.close();
    const poisoned = { ...intent('evil'), seq: Number.MAX_SAFE_INTEGER, at: new Date(0).toISOString(), tenant: 't' };
    appendFileSync(path.join(journalPath(dir, 't'), 'seg-000001.jsonl'), JSON.stringify(poisoned) + '\nnot json\n');
    for (let round = 0; round < 2; round++) {
      const j2 = new Journal(dir, 't');
      await j2.append(intent(`after-${round}`));
      expect(j2.stats().quarantined).toBe(2);
      await j2.close();
    }
    const q = readFileSync(path.join(journalPath(dir, 't'), 'quarantine.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(q).toHaveLength(2);
    expect(JSON.parse(q[0]!)).toMatchObject({
      segment: 'seg-000001.jsonl',
      reason: expect.stringMatching(/jumps too far/),
    });
    expect(JSON.parse(q[1]!)).toMatchObject({ reason: expect.stringMatching(/not JSON/) });
    const j3 = new Journal(dir, 't');
    expect((await j3.pending()).map((p) => p.opId)).toEqual(['1', 'after-0', 'after-1']);
    await j3.close();
  });

  it('an over-long line is rejected without being assembled in memory', async () => {
    const j = new Journal(dir, 't');
    await j.append(intent('1'));
    await j.close();
    appendFileSync(path.join(journalPath(dir, 't'), 'seg-000001.jsonl'), 'x'.repeat(3 * 1024 * 1024) + '\n');
    const j2 = new Journal(dir, 't');
    await j2.append(intent('2'));
    const { records, skippedLines } = await j2.read();
    expect(records.map((r) => r.opId)).toEqual(['1', '2']);
    expect(skippedLines).toBe(1);
    await j2.close();
    await expect(
      new Journal(dir, 't').append({
        ...intent('big'),
        before: { blob: 'y'.repeat(2 * 1024 * 1024) },
      } as JournalRecordInput),
    ).rejects.toMatchObject({ code: 'validation' });
  });
});
