/**
 * The on-disk layout helpers of journal-segments.ts on their own: segment names and the folder listing, loading the
 * index (a cache: anything odd is "no index"), and the streaming line reader (lines across chunk boundaries, byte
 * offsets, blank lines, a torn tail, the `end` bound, over-long lines). In memory (memory-fs.ts) with tiny chunks.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_LINE_BYTES,
  loadIndex,
  segmentLines,
  segmentName,
  segmentNumbers,
  type SegmentLine,
} from '../../../../src-main/journal/journal-segments';
import { MemoryJournalFs } from './memory-fs';

const FILE = '/j/seg-000001.jsonl';

async function linesOf(content: string | Buffer, chunkBytes: number, end?: number): Promise<SegmentLine[]> {
  const fs = new MemoryJournalFs(chunkBytes);
  fs.put(FILE, content);
  const out: SegmentLine[] = [];
  for await (const l of segmentLines(fs, FILE, end ?? Buffer.byteLength(content))) out.push(l);
  return out;
}

describe('segment names', () => {
  it('are seg-<six or more digits>.jsonl, listed in numeric order, other files ignored', () => {
    expect(segmentName(7)).toBe('seg-000007.jsonl');
    expect(segmentName(1234567)).toBe('seg-1234567.jsonl');
    expect(
      segmentNumbers([
        'seg-000010.jsonl',
        'seg-000002.jsonl',
        'index.json',
        'seg-1.jsonl',
        'seg-0000011.jsonl',
        'xseg-000003.jsonl',
        'seg-000004.jsonl.tmp',
        'seg-00000a.jsonl',
        'quarantine.jsonl',
        'seg-000001.jsonl',
      ]),
    ).toEqual([1, 2, 10, 11]);
  });
});

describe('loadIndex', () => {
  const good = { version: 1, segments: [{ n: 1, bytes: 10, count: 1, rejected: 0, lastSeq: 1, runIds: [] }], open: [] };

  it('gives the index, or null when it is missing, not JSON, or not this version and shape', async () => {
    const fs = new MemoryJournalFs();
    expect(await loadIndex(fs, '/j/index.json')).toBeNull();
    fs.put('/j/index.json', JSON.stringify(good));
    expect(await loadIndex(fs, '/j/index.json')).toEqual(good);
    for (const bad of [
      '{"version":1,',
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, extra: 1 }),
    ]) {
      fs.put('/j/index.json', bad);
      expect(await loadIndex(fs, '/j/index.json')).toBeNull();
    }
  });
});

describe('segmentLines', () => {
  const text = '{"a":1}\n\n   \n{"é":2}\n{"c":3}';

  it('gives each non-blank line with its byte offset, whatever the chunk size; an unterminated last line is torn', async () => {
    const expected = [
      { text: '{"a":1}', offset: 0, oversized: false, torn: false },
      { text: '{"é":2}', offset: 13, oversized: false, torn: false },
      { text: '{"c":3}', offset: 22, oversized: false, torn: true },
    ];
    for (const chunk of [1, 2, 3, 5, 64]) expect(await linesOf(text, chunk)).toEqual(expected);
  });

  it('reads only up to `end`: a line cut there is a torn tail', async () => {
    expect(await linesOf(text, 4, 11)).toEqual([{ text: '{"a":1}', offset: 0, oversized: false, torn: false }]);
    expect(await linesOf(text, 4, 17)).toEqual([
      { text: '{"a":1}', offset: 0, oversized: false, torn: false },
      { text: '{"é', offset: 13, oversized: false, torn: true },
    ]);
    expect(await linesOf(text, 4, 0)).toEqual([]);
  });

  it('keeps a line of exactly MAX_LINE_BYTES; one byte more is oversized (empty text), and the next line is read', async () => {
    const exact = 'x'.repeat(MAX_LINE_BYTES);
    const over = 'y'.repeat(MAX_LINE_BYTES + 1);
    const lines = await linesOf(`${exact}\n${over}\n{"n":1}\n${over}`, 64 * 1024);
    expect(lines.map((l) => ({ ...l, text: l.text.length }))).toEqual([
      { text: MAX_LINE_BYTES, offset: 0, oversized: false, torn: false },
      { text: 0, offset: MAX_LINE_BYTES + 1, oversized: true, torn: false },
      { text: 7, offset: 2 * MAX_LINE_BYTES + 3, oversized: false, torn: false },
      { text: 0, offset: 2 * MAX_LINE_BYTES + 11, oversized: true, torn: true },
    ]);
    expect(lines[2]?.text).toBe('{"n":1}');
  });

  it('a file of blank lines gives nothing; a torn tail of spaces is blank too', async () => {
    expect(await linesOf('\n\n  \n\t\n  ', 2)).toEqual([]);
  });
});
