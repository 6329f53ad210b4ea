/**
 * The journal's on-disk layout (see docs/reference/journal.md):
 *
 *   <dataDir>/journal/<tenant>/seg-000001.jsonl   sealed segments (never written again)
 *   <dataDir>/journal/<tenant>/seg-000002.jsonl   the active segment (appended to)
 *   <dataDir>/journal/<tenant>/index.json         one summary per sealed segment + the intents that
 *                                                 were still open at the end of the last sealed one
 *   <dataDir>/journal/<tenant>/quarantine.jsonl   lines that failed validation (reported, kept aside)
 *
 * The index lets a start scan only the active segment, `read({ limit })` start at the newest
 * segments and `read({ runId })` skip the segments written before the run. It is a cache: when it
 * is missing or does not match the files, the journal rebuilds it with one streaming scan.
 */
import { z } from 'zod';
import type { JournalFs } from './journal-fs';

const SEGMENT = /^seg-(\d{6,})\.jsonl$/;

export function segmentName(n: number): string {
  return `seg-${String(n).padStart(6, '0')}.jsonl`;
}

/** Segment numbers present in a directory listing, ascending. */
export function segmentNumbers(names: readonly string[]): number[] {
  const out: number[] = [];
  for (const name of names) {
    const m = SEGMENT.exec(name);
    if (m?.[1]) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

/** A run id list is dropped (meaning "may hold any run") when a segment holds more runs than this. */
export const MAX_RUN_IDS_PER_SEGMENT = 1000;

export const segmentSummary = z.strictObject({
  n: z.number().int().min(0),
  bytes: z.number().int().min(0),
  /** Accepted records. */
  count: z.number().int().min(0),
  /** Lines that failed validation. */
  rejected: z.number().int().min(0),
  /** `seq` of the last accepted record up to the end of this segment (0 when none yet). */
  lastSeq: z.number().int().min(0),
  /** Run ids of the intents in this segment; null when there were too many to list. */
  runIds: z.array(z.string()).nullable(),
});
export type SegmentSummary = z.infer<typeof segmentSummary>;

export const journalIndex = z.strictObject({
  version: z.literal(1),
  segments: z.array(segmentSummary),
  /** Lines of the intents without a result at the end of the last sealed segment, in append order. */
  open: z.array(z.string()),
});
export type JournalIndex = z.infer<typeof journalIndex>;

export async function loadIndex(fs: JournalFs, file: string): Promise<JournalIndex | null> {
  const text = await fs.readText(file);
  if (text === null) return null;
  try {
    const parsed = journalIndex.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Longest line the reader assembles; longer ones are rejected without being held in memory. */
export const MAX_LINE_BYTES = 1 << 20;

export interface SegmentLine {
  /** The line's text (empty for an over-long line, see `oversized`). */
  text: string;
  /** Byte offset of the line in its segment. */
  offset: number;
  /** The line was longer than MAX_LINE_BYTES (or it is an unterminated tail that long). */
  oversized: boolean;
  /** The line has no terminating newline (a torn tail). */
  torn: boolean;
}

/** Stream the lines of bytes [0, end) of a segment (empty lines skipped). */
export async function* segmentLines(fs: JournalFs, file: string, end: number): AsyncGenerator<SegmentLine> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let oversized = false;
  let lineStart = 0;
  let pos = 0;
  for await (const raw of fs.readChunks(file, 0, end)) {
    const chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      const piece = chunk.subarray(from, nl === -1 ? chunk.length : nl);
      if (!oversized) {
        if (partBytes + piece.length > MAX_LINE_BYTES) {
          oversized = true;
          parts = [];
          partBytes = 0;
        } else if (piece.length > 0) {
          parts.push(piece);
          partBytes += piece.length;
        }
      }
      if (nl === -1) break;
      const text = oversized ? '' : Buffer.concat(parts, partBytes).toString('utf8');
      if (oversized || !blank(text)) yield { text, offset: lineStart, oversized, torn: false };
      parts = [];
      partBytes = 0;
      oversized = false;
      from = nl + 1;
      lineStart = pos + from;
    }
    pos += chunk.length;
  }
  if (oversized || partBytes > 0) {
    const text = oversized ? '' : Buffer.concat(parts, partBytes).toString('utf8');
    if (oversized || !blank(text)) yield { text, offset: lineStart, oversized, torn: true };
  }
}

/** A line with nothing but white space (records start with `{`, so only short lines are checked). */
function blank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) !== 123 && text.trim() === '');
}
