/**
 * CSV import of object ids or mail addresses. Every row is checked, and any problem is reported per
 * row (line number, value, reason): malformed line (read by the one CSV reader, lib/csv/csv-reader.ts), neither an id nor a mail address, unknown id,
 * unknown mail, ambiguous mail (more than one match is refused, never guessed). File-level problems:
 * larger than 10 MB, not valid UTF-8, empty. The import only reads; a result with any error must not
 * be planned (`importCsv(...).ok === false`), so nothing is written.
 */
import type { Clock, GraphBatchPort } from './ports';
import { readMany, odataString } from './batch-reads';
import { collectionPage, directoryObject } from './graph-bodies';
import { OBJECT_TYPES, scopesFor, type BulkObjectType } from './object-types';
import { dedupe, toSelected, type SelectedObject } from './selection';
import { readCsv } from '../../csv/csv-reader';

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

/** The import result for a file over the size limit (it is never read), or undefined when it fits. */
export function csvTooLarge(size: number): CsvImportResult | undefined {
  if (size <= CSV_MAX_BYTES) return undefined;
  const message = `The file is ${(size / 1048576).toFixed(1)} MB; the limit is 10 MB. Split it into smaller files.`;
  return { ok: false, objects: [], rowErrors: [], rows: 0, fileError: { code: 'tooLarge', message } };
}

/** Decode and parse; returns the candidate values per line, or a file error. */
export function readCsvValues(bytes: Uint8Array): {
  fileError?: CsvFileError;
  values: { line: number; value: string }[];
  rowErrors: CsvRowError[];
} {
  const tooLarge = csvTooLarge(bytes.byteLength)?.fileError;
  if (tooLarge) return { fileError: tooLarge, values: [], rowErrors: [] };
  const read = readCsv(bytes);
  if (!read.ok) {
    return {
      fileError: {
        code: 'badEncoding',
        message: `The file is not valid UTF-8 (first bad byte at offset ${read.notUtf8.offset}, line ${read.notUtf8.line}). Save it as UTF-8 and import again.`,
      },
      values: [],
      rowErrors: [],
    };
  }
  const rowErrors: CsvRowError[] = read.malformed.map((m) => ({
    line: m.line,
    value: m.text,
    code: 'malformed',
    message: `Malformed line: ${m.reason}. ${m.fix}`,
  }));
  const values: { line: number; value: string }[] = [];
  let column = 0;
  read.records.forEach((r, idx) => {
    // a header names the column; without one the first column holds the values
    if (idx === 0 && (read.malformed[0]?.line ?? Infinity) > r.line) {
      const h = r.fields.findIndex((f) => HEADER.test(f));
      if (h >= 0) {
        column = h;
        return;
      }
    }
    const value = r.fields[column] ?? '';
    if (!GUID.test(value) && !MAIL.test(value)) {
      rowErrors.push({
        line: r.line,
        value: value.slice(0, 200),
        code: 'invalidValue',
        message: 'Neither an object id (GUID) nor a mail address.',
      });
      return;
    }
    values.push({ line: r.line, value });
  });
  rowErrors.sort((a, b) => a.line - b.line);
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
