/**
 * The one CSV reader: UTF-8 bytes in, records with their line numbers out. Parsing is csv-parse's (RFC 4180:
 * quoted values, doubled quotes, CRLF, LF or CR line ends, a UTF-8 byte order mark). A malformed record does
 * not stop the file: it is reported with its line, its text and what to change, and reading resumes on the
 * next line, so one file shows every problem at once. Blank lines are skipped; values are trimmed.
 */
import { CsvError, parse } from 'csv-parse/browser/esm/sync';

export interface CsvRecord {
  /** 1-based line on which the record starts */
  line: number;
  fields: string[];
}

export interface CsvMalformedRecord {
  line: number;
  /** the text of that line (at most 200 characters) */
  text: string;
  /** what is wrong, e.g. "a quote inside an unquoted value" */
  reason: string;
  /** what to change in the file */
  fix: string;
}

export type CsvReadResult =
  | { ok: true; records: CsvRecord[]; malformed: CsvMalformedRecord[] }
  /** the bytes are not UTF-8: where the first bad byte is */
  | { ok: false; notUtf8: { offset: number; line: number } };

const QUOTE_FIX = 'Put the whole value in double quotes and double every quote inside it ("").';

const REASONS: Record<string, { reason: string; fix: string }> = {
  INVALID_OPENING_QUOTE: { reason: 'a quote inside an unquoted value', fix: QUOTE_FIX },
  CSV_INVALID_CLOSING_QUOTE: { reason: 'text after a closing quote', fix: QUOTE_FIX },
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: { reason: 'text after a closing quote', fix: QUOTE_FIX },
  CSV_QUOTE_NOT_CLOSED: {
    reason: 'an unterminated quoted value (it runs to the end of the file)',
    fix: 'Close the quoted value with a double quote.',
  },
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that is not part of a valid UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}

/** Byte offsets at which each line starts (a line ends at CRLF, LF or CR). */
function lineStarts(bytes: Uint8Array, from: number): number[] {
  const starts = [from];
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    if (b === 0x0a || b === 0x0d) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line of a byte offset. */
function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function readCsv(bytes: Uint8Array): CsvReadResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let k = 0; k < offset; k++) if (bytes[k] === 0x0a) line++;
    return { ok: false, notUtf8: { offset, line } };
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const starts = lineStarts(bytes, bom);
  const records: CsvRecord[] = [];
  const malformed: CsvMalformedRecord[] = [];
  let base = bom;
  // the decoder drops the byte order mark; offsets below count from the bytes after it
  let chunk = text;
  for (;;) {
    // where the record being parsed starts: csv-parse counts the bytes it has read (`context.bytes`)
    let recordStart = base;
    try {
      parse(chunk, {
        trim: true,
        relax_column_count: true,
        skip_empty_lines: false,
        record_delimiter: ['\r\n', '\n', '\r'],
        on_record: (record: string[], context) => {
          if (record.some((f) => f !== '')) records.push({ line: lineAt(starts, recordStart), fields: record });
          recordStart = base + context.bytes;
          return null;
        },
      });
      break;
    } catch (e) {
      if (!(e instanceof CsvError)) throw e;
      const line = lineAt(starts, recordStart);
      const end = starts[line] ?? bytes.length;
      const known = REASONS[e.code];
      malformed.push({
        line,
        text: decoder
          .decode(bytes.subarray(starts[line - 1] ?? recordStart, end))
          .replace(/[\r\n]+$/, '')
          .slice(0, 200),
        reason: known?.reason ?? e.message,
        fix: known?.fix ?? 'Correct this line, or remove it.',
      });
      // resume on the next line; an unterminated quote swallowed the rest of the file
      if (e.code === 'CSV_QUOTE_NOT_CLOSED' || end >= bytes.length) break;
      base = end;
      chunk = decoder.decode(bytes.subarray(end));
    }
  }
  return { ok: true, records, malformed };
}
