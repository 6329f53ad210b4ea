/**
 * Segment rotation at its edges: a segment that is exactly full is sealed before the next record, and a crash
 * between sealing a segment (the index written) and creating the next one never sends later records into a
 * sealed segment.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal, journalPath } from '../../../../src-main/journal/journal';
import { nodeJournalFs, type JournalFs } from '../../../../src-main/journal/journal-fs';
import { segmentName } from '../../../../src-main/journal/journal-segments';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { MAX_LINE_BYTES } from '../../../../src-main/journal/journal-segments';

const result = (opId: string): JournalRecordInput => ({ kind: 'result', opId, outcome: 'done', verified: true });
const clock = () => new Date('2026-12-01T10:00:00.000Z');

describe('journal segment rotation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-rot-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const segments = () =>
    readdirSync(journalPath(dir, 't'))
      .filter((f) => f.startsWith('seg-'))
      .sort();
  const lines = (n: number) =>
    readFileSync(path.join(journalPath(dir, 't'), segmentName(n)), 'utf8')
      .split('\n')
      .filter(Boolean);

  it('seals a segment that is exactly full before the next record', async () => {
    const probeDir = path.join(dir, 'probe');
    const probe = new Journal(probeDir, 't', { now: clock });
    await probe.append(result('op-a'));
    await probe.close();
    const oneLine = statSync(path.join(journalPath(probeDir, 't'), segmentName(1))).size;
    const j = new Journal(dir, 't', { now: clock, segmentBytes: oneLine });
    await j.append(result('op-a'));
    await j.append(result('op-b'));
    await j.close();
    expect(segments()).toEqual([segmentName(1), segmentName(2)]);
    expect(lines(1)).toHaveLength(1);
    // the failing case: one byte more room and both records share the first segment
    rmSync(journalPath(dir, 't'), { recursive: true });
    const roomy = new Journal(dir, 't', { now: clock, segmentBytes: oneLine + 1 });
    await roomy.append(result('op-a'));
    await roomy.append(result('op-b'));
    await roomy.close();
    expect(segments()).toEqual([segmentName(1)]);
  });

  it('after a crash between sealing a segment and creating the next, appends go to the next segment', async () => {
    // segment 2 cannot be created: the process "dies" right after the index sealed segment 1
    const crashing: JournalFs = {
      ...nodeJournalFs,
      openAppend: (file) =>
        path.basename(file) === segmentName(2)
          ? Promise.reject(new Error('killed before the segment was created'))
          : nodeJournalFs.openAppend(file),
    };
    const before = new Journal(dir, 't', { now: clock, segmentBytes: 1, fs: crashing });
    await before.append(result('op-a'));
    await expect(before.append(result('op-b'))).rejects.toThrow(/killed/);
    expect(segments()).toEqual([segmentName(1)]);

    const after = new Journal(dir, 't', { now: clock, segmentBytes: 1 });
    await after.append(result('op-c'));
    expect(segments()).toEqual([segmentName(1), segmentName(2)]);
    expect(lines(1).map((l) => (JSON.parse(l) as { opId: string }).opId)).toEqual(['op-a']);
    expect((await after.read()).records.map((r) => [r.opId, r.seq])).toEqual([
      ['op-a', 1],
      ['op-c', 2], // seq 2 never reached the disk
    ]);
    await after.close();
  });
});

describe('journal append guards', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-guard-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An intent whose JSON is exactly `bytes` long (its `before` pads it). */
  const intentOf = (opId: string, bytes: number): JournalRecordInput => {
    const make = (pad: number): JournalRecordInput => ({
      kind: 'intent',
      opId,
      objectType: 'contact',
      objectId: 'c1',
      action: 'transfer',
      before: { pad: 'x'.repeat(pad) },
      request: { method: 'PATCH', url: '/contacts/c1/onPremisesSyncBehavior' },
    });
    return make(bytes - Buffer.byteLength(JSON.stringify(make(0))));
  };

  it('refuses appends once closed, saying so', async () => {
    const j = new Journal(dir, 't', { now: clock });
    await j.append(result('op-a'));
    await j.close();
    await expect(j.append(result('op-b'))).rejects.toThrow('The journal is closed.');
    await expect(j.append(result('op-b'))).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('names the schema problem of an invalid record', async () => {
    const j = new Journal(dir, 't', { now: clock });
    await expect(j.append({ ...result('op-a'), outcome: 'maybe' } as unknown as JournalRecordInput)).rejects.toThrow(
      /^Invalid journal record: (?!bad record)\S/,
    );
    await j.close();
  });

  it('takes a record of exactly 1 MiB − 4 KiB and refuses one byte more, naming it', async () => {
    const limit = MAX_LINE_BYTES - 4096;
    expect(Buffer.byteLength(JSON.stringify(intentOf('op-edge', limit)))).toBe(limit);
    const j = new Journal(dir, 't', { now: clock });
    await expect(j.append(intentOf('op-edge', limit))).resolves.toMatchObject({ seq: 1 });
    await expect(j.append(intentOf('op-big', limit + 1))).rejects.toThrow(
      'Journal record op-big is larger than 1 MiB; shorten it.',
    );
    await j.close();
  });

  it('an empty batch writes nothing (no segment, no blank line)', async () => {
    const j = new Journal(dir, 't', { now: clock });
    expect(await j.appendMany([])).toEqual([]);
    await j.close();
    expect(readdirSync(journalPath(dir, 't')).filter((f) => f.startsWith('seg-'))).toEqual([]);
  });
});
