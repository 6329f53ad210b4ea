/**
 * Lines that fail validation on open are copied to `quarantine.jsonl` (once each, at most 1,000 per start, and
 * never past its bound, 16 MiB by default), counted and reported. In memory (memory-fs.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import {
  DEFAULT_QUARANTINE_BYTES,
  Journal,
  journalPath,
  type JournalOptions,
} from '../../../../src-main/journal/journal';
import { MAX_LINE_BYTES, segmentName } from '../../../../src-main/journal/journal-segments';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { setLogSink } from '../../../../src-main/log';
import { MemoryJournalFs } from './memory-fs';

const DATA = '/data';
const dir = journalPath(DATA, 't');
const seg1 = path.join(dir, segmentName(1));
const quarantineFile = path.join(dir, 'quarantine.jsonl');
const clock = () => new Date('2026-12-01T10:00:00.000Z');
const at = clock().toISOString();
const intent = (opId: string): JournalRecordInput => ({
  kind: 'intent',
  opId,
  objectType: 'contact',
  objectId: `obj-${opId}`,
  action: 'transfer',
  request: { method: 'PATCH', url: `/contacts/obj-${opId}/onPremisesSyncBehavior` },
});

/** A one-segment journal holding one record, then the given lines. */
async function withLines(fs: MemoryJournalFs, lines: string[]): Promise<number> {
  const j = new Journal(DATA, 't', { fs, now: clock });
  await j.append(intent('a'));
  await j.close();
  const first = (await fs.size(seg1)) ?? 0;
  fs.add(seg1, lines.map((l) => `${l}\n`).join(''));
  return first;
}

/** Open the journal (a start), return it closed again with its stats. */
async function start(fs: MemoryJournalFs, options: JournalOptions = {}): Promise<ReturnType<Journal['stats']>> {
  const j = new Journal(DATA, 't', { fs, now: clock, ...options });
  await j.pending();
  const stats = j.stats();
  await j.close();
  return stats;
}

const entries = (fs: MemoryJournalFs): unknown[] =>
  (fs.text(quarantineFile) ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

let logLines: string[] = [];
beforeEach(() => {
  logLines = [];
  setLogSink((line) => logLines.push(line), 'info');
});
afterEach(() => setLogSink((line) => process.stderr.write(line + '\n'), 'info'));

describe('quarantine.jsonl', () => {
  it('gets each bad line once: segment, offset, reason and the line (cut to 4,096 characters)', async () => {
    const fs = new MemoryJournalFs(64 * 1024);
    const long = 'x'.repeat(5000);
    const first = await withLines(fs, ['not json', long, 'y'.repeat(MAX_LINE_BYTES + 1)]);
    expect(await start(fs)).toMatchObject({ quarantined: 3 });
    const base = { at, segment: segmentName(1) };
    expect(entries(fs)).toEqual([
      { ...base, offset: first, reason: 'not JSON (a torn write?)', line: 'not json' },
      { ...base, offset: first + 9, reason: 'not JSON (a torn write?)', line: long.slice(0, 4096) },
      { ...base, offset: first + 9 + 5001, reason: 'line too long', line: '' },
    ]);
    expect(fs.closed.filter((n) => n === 'quarantine.jsonl')).toHaveLength(1);
    expect(
      logLines.filter(
        (l) =>
          l.includes(`WARN [journal] The journal skipped 3 invalid line(s); they are kept in ${quarantineFile}.`) &&
          l.includes(`"path":"${dir}"`),
      ),
    ).toHaveLength(1);

    // a second start finds the same lines: counted and reported again, not copied again (the file is unchanged)
    const before = fs.text(quarantineFile);
    expect(await start(fs)).toMatchObject({ quarantined: 3 });
    expect(fs.text(quarantineFile)).toBe(before);

    // a new bad line is added after the old entries, on its own line
    fs.add(seg1, 'also bad\n');
    expect(await start(fs)).toMatchObject({ quarantined: 4 });
    const text = fs.text(quarantineFile) ?? '';
    expect(text.startsWith(before ?? '')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(entries(fs)).toHaveLength(4);
    expect(entries(fs)[3]).toMatchObject({ line: 'also bad' });
  });

  it('copies at most 1,000 lines per start; the rest are counted', async () => {
    const fs = new MemoryJournalFs(64 * 1024);
    await withLines(
      fs,
      Array.from({ length: 1002 }, (_, i) => `bad ${i}`),
    );
    expect(await start(fs)).toMatchObject({ quarantined: 1002 });
    const copied = entries(fs) as { line: string }[];
    expect(copied).toHaveLength(1000);
    expect(copied.at(-1)?.line).toBe('bad 999');
    expect(logLines.some((l) => l.includes('The journal skipped 1002 invalid line(s)'))).toBe(true);
  });

  it('stops growing at its bound: a full file is neither read nor added to; one byte less still is', async () => {
    const bound = 4096;
    for (const size of [bound, bound - 1]) {
      const fs = new MemoryJournalFs(1024);
      await withLines(fs, ['not json']);
      fs.put(quarantineFile, `${'z'.repeat(size - 1)}\n`);
      expect(await start(fs, { quarantineBytes: bound })).toMatchObject({ quarantined: 1 });
      if (size === bound) {
        expect(fs.bytesRead.get('quarantine.jsonl') ?? 0).toBe(0);
        expect(await fs.size(quarantineFile)).toBe(bound);
      } else {
        expect(fs.bytesRead.get('quarantine.jsonl')).toBe(size);
        expect(fs.text(quarantineFile)?.slice(size)).toMatch(/^\{"at":.*"line":"not json"\}\n$/);
      }
      expect(logLines.filter((l) => l.includes('The journal skipped 1 invalid line(s)'))).toHaveLength(1);
      logLines = [];
    }
  });

  it('is bounded at 16 MiB unless told otherwise', () => {
    expect(DEFAULT_QUARANTINE_BYTES).toBe(16 * 1024 * 1024);
  });
});
