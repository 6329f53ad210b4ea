/** The one CSV writer: RFC 4180 quoting, CRLF line ends, and spreadsheet formulas neutralised. */

/**
 * A cell a spreadsheet may read as a formula: = + - @ or their full-width forms ＝ ＋ － ＠, possibly
 * after leading whitespace, or a leading tab or carriage return. See docs/reference/csv-injection.md.
 */
const FORMULA_START = /^(?:\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r])/u;

/** One CSV cell: quoted when needed, and spreadsheet formulas neutralised with a leading apostrophe. */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : JSON.stringify(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole CSV file: the header, then one line per row, each ended by CRLF. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
