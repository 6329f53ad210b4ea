/**
 * CSV import of object ids or mail addresses. Every row is checked, and any problem is reported per
 * row (line number, value, reason): malformed line, neither an id nor a mail address, unknown id,
 * unknown mail, ambiguous mail (more than one match is refused, never guessed). File-level problems:
 * larger than 10 MB, not valid UTF-8, empty. The import only reads; a result with any error must not
 * be planned (`importCsv(...).ok === false`), so nothing is written.
 */
import type { Clock, GraphBatchPort } from './ports';
import { readMany, odataString } from './batch-reads';
import { collectionPage, directoryObject } from './graph-bodies';
import { OBJECT_TYPES, scopesFor, type BulkObjectType } from './object-types';
import { dedupe, toSelected, type SelectedObject } from './selection';

export const CSV_MAX_BYTES = 10 * 1024 * 1024;

export type CsvRowErrorCode =
  'malformed' | 'invalidValue' | 'unknownId' | 'unknownMail' | 'ambiguousMail' | 'readFailed';

export interface CsvRowError {
  line: number;
  value: string;
  code: CsvRowErrorCode;
  message: string;
}

export interface CsvFileError {
  code: 'tooLarge' | 'badEncoding' | 'empty';
  message: string;
}

export interface CsvImportResult {
  ok: boolean;
  objects: SelectedObject[];
  rowErrors: CsvRowError[];
  fileError?: CsvFileError;
  rows: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAIL =
  /^[^\s@"'<>(),;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const HEADER = /^(id|objectid|object id|mail|email|e-mail|address|mailaddress|upn|userprincipalname)$/i;

export interface CsvLine {
  line: number;
  fields: string[];
  error?: string;
}

/** A small RFC 4180 parser (quotes, doubled quotes, CRLF) that reports malformed lines instead of throwing. */
export function parseCsvLines(text: string): CsvLine[] {
  const out: CsvLine[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    let inQuotes = false;
    let quotedField = false;
    let endOfRecord = false;
    while (i < n && !endOfRecord) {
      const c = text.charAt(i);
      if (inQuotes) {
        if (c === '"') {
          if (text.charAt(i + 1) === '"') {
            field += '"';
            i += 2;
            continue;
          }
          inQuotes = false;
          i++;
          const next = text.charAt(i);
          if (i < n && next !== ',' && next !== '\n' && next !== '\r') error ??= 'text after a closing quote';
          continue;
        }
        if (c === '\n') line++;
        field += c;
        i++;
        continue;
      }
      if (c === '"') {
        if (field.trim() === '' && !quotedField) {
          inQuotes = true;
          quotedField = true;
          field = '';
        } else error ??= 'a quote inside an unquoted value';
        i++;
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        quotedField = false;
        i++;
        continue;
      }
      if (c === '\r' || c === '\n') {
        if (c === '\r' && text.charAt(i + 1) === '\n') i++;
        i++;
        line++;
        endOfRecord = true;
        continue;
      }
      field += c;
      i++;
    }
    if (inQuotes) error ??= 'an unterminated quoted value';
    fields.push(field);
    const blank = fields.every((f) => f.trim() === '');
    if (!blank || error)
      out.push({ line: startLine, fields: fields.map((f) => f.trim()), ...(error ? { error } : {}) });
  }
  return out;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // locate the first bad byte for the message (the decoder only says "invalid")
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

/** Decode and parse; returns the candidate values per line, or a file error. */
export function readCsvValues(bytes: Uint8Array): {
  fileError?: CsvFileError;
  values: { line: number; value: string }[];
  rowErrors: CsvRowError[];
} {
  if (bytes.byteLength > CSV_MAX_BYTES) {
    return {
      fileError: {
        code: 'tooLarge',
        message: `The file is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the limit is 10 MB.`,
      },
      values: [],
      rowErrors: [],
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let k = 0; k < at; k++) if (bytes[k] === 0x0a) line++;
    return {
      fileError: {
        code: 'badEncoding',
        message: `The file is not valid UTF-8 (first bad byte at offset ${at}, line ${line}). Save it as UTF-8 and import again.`,
      },
      values: [],
      rowErrors: [],
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = parseCsvLines(text);
  const rowErrors: CsvRowError[] = [];
  const values: { line: number; value: string }[] = [];
  let column = 0;
  lines.forEach((l, idx) => {
    if (idx === 0 && !l.error) {
      const h = l.fields.findIndex((f) => HEADER.test(f));
      if (h >= 0) {
        column = h;
        return;
      }
    }
    const raw = l.fields.join(',');
    if (l.error) {
      rowErrors.push({
        line: l.line,
        value: raw.slice(0, 200),
        code: 'malformed',
        message: `Malformed line: ${l.error}.`,
      });
      return;
    }
    const value = l.fields[column] ?? '';
    if (!GUID.test(value) && !MAIL.test(value)) {
      rowErrors.push({
        line: l.line,
        value: value.slice(0, 200),
        code: 'invalidValue',
        message: 'Neither an object id (GUID) nor a mail address.',
      });
      return;
    }
    values.push({ line: l.line, value });
  });
  if (values.length === 0 && rowErrors.length === 0)
    return { fileError: { code: 'empty', message: 'The file has no rows.' }, values, rowErrors };
  return { values, rowErrors };
}

export async function importCsv(
  bytes: Uint8Array,
  options: { objectType: BulkObjectType; graph: GraphBatchPort; clock?: Clock },
): Promise<CsvImportResult> {
  const { fileError, values, rowErrors } = readCsvValues(bytes);
  if (fileError) return { ok: false, objects: [], rowErrors, fileError, rows: 0 };
  const rows = values.length + rowErrors.length;
  const info = OBJECT_TYPES[options.objectType];
  const scopes = scopesFor(options.objectType);
  const requests = values.map(({ line, value }) => {
    if (GUID.test(value)) return { key: String(line), url: `/${info.collection}/${value}?$select=${info.select}` };
    const lit = odataString(value);
    const expr = options.objectType === 'user' ? `mail eq ${lit} or userPrincipalName eq ${lit}` : `mail eq ${lit}`;
    return {
      key: String(line),
      url: `/${info.collection}?$filter=${encodeURIComponent(expr)}&$select=${info.select}&$count=true&$top=2`,
      headers: { ConsistencyLevel: 'eventual' },
    };
  });
  const results = await readMany(options.graph, requests, {
    scopes,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const objects: SelectedObject[] = [];
  for (const { line, value } of values) {
    const r = results.get(String(line));
    const isId = GUID.test(value);
    const source = `csv line ${line}`;
    if (!r || r.status === 0 || r.status >= 500 || r.status === 429) {
      rowErrors.push({
        line,
        value,
        code: 'readFailed',
        message: `Could not read it from Graph (status ${r?.status ?? 0}); try again.`,
      });
      continue;
    }
    if (isId) {
      if (r.status === 404) {
        rowErrors.push({ line, value, code: 'unknownId', message: `No ${options.objectType} with this id.` });
        continue;
      }
      const o = directoryObject.safeParse(r.body);
      if (r.status !== 200 || !o.success) {
        rowErrors.push({ line, value, code: 'readFailed', message: `Unexpected answer (status ${r.status}).` });
        continue;
      }
      objects.push(toSelected(o.data, options.objectType, source));
      continue;
    }
    const page = collectionPage.safeParse(r.body);
    if (r.status !== 200 || !page.success) {
      rowErrors.push({ line, value, code: 'readFailed', message: `Unexpected answer (status ${r.status}).` });
      continue;
    }
    const matches = page.data.value;
    if (matches.length === 0)
      rowErrors.push({ line, value, code: 'unknownMail', message: `No ${options.objectType} has this mail address.` });
    else if (matches.length > 1 || (page.data['@odata.count'] ?? 1) > 1) {
      rowErrors.push({
        line,
        value,
        code: 'ambiguousMail',
        message: `${page.data['@odata.count'] ?? matches.length} objects share this mail address; use the object id instead.`,
      });
    } else if (matches[0]) objects.push(toSelected(matches[0], options.objectType, source));
  }
  rowErrors.sort((a, b) => a.line - b.line);
  const ok = rowErrors.length === 0;
  return { ok, objects: ok ? dedupe(objects) : [], rowErrors, rows };
}
