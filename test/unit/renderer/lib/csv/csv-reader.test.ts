import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../../../src-renderer/lib/csv/csv-reader';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function read(text: string | Uint8Array) {
  const r = readCsv(typeof text === 'string' ? enc(text) : text);
  if (!r.ok) throw new Error(`not UTF-8 at ${r.notUtf8.offset}`);
  return r;
}

describe('CSV reader', () => {
  it('reads quoted values with commas, doubled quotes and line breaks, trimming the values', () => {
    expect(read('a, "b ""q"", c" \r\n"two\r\nlines",x\r\n').records).toEqual([
      { line: 1, fields: ['a', 'b "q", c'] },
      { line: 2, fields: ['two\r\nlines', 'x'] },
    ]);
  });

  it('numbers lines the same for CRLF, LF and CR line ends, mixed in one file, and skips blank lines', () => {
    const r = read('id\r\none\n\n   \r\ntwo\rthree');
    expect(r.records).toEqual([
      { line: 1, fields: ['id'] },
      { line: 2, fields: ['one'] },
      { line: 5, fields: ['two'] },
      { line: 6, fields: ['three'] },
    ]);
    expect(r.malformed).toEqual([]);
  });

  it('drops a UTF-8 byte order mark, and the line numbers stay right', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('mail\r\nana@fabrikam.com\r\n"x\n')]);
    const r = read(bom);
    expect(r.records).toEqual([
      { line: 1, fields: ['mail'] },
      { line: 2, fields: ['ana@fabrikam.com'] },
    ]);
    expect(r.malformed.map((m) => m.line)).toEqual([3]);
  });

  it('counts line numbers in lines, not bytes, after non-ASCII text', () => {
    const r = read('Zoë Müller\n漢字,"a\nb"\nx"y\nlast\n');
    expect(r.records).toEqual([
      { line: 1, fields: ['Zoë Müller'] },
      { line: 2, fields: ['漢字', 'a\nb'] },
      { line: 5, fields: ['last'] },
    ]);
    expect(r.malformed).toMatchObject([{ line: 4, text: 'x"y' }]);
  });

  it('reports each malformed line with its text, what is wrong and what to change, and reads on', () => {
    const r = read('ok1\nx"y\nok2\n"z"w\nok3\n"open\nnever read\n');
    expect(r.records.map((x) => [x.line, x.fields[0]])).toEqual([
      [1, 'ok1'],
      [3, 'ok2'],
      [5, 'ok3'],
    ]);
    expect(r.malformed).toEqual([
      { line: 2, text: 'x"y', reason: 'a quote inside an unquoted value', fix: expect.stringMatching(/double quotes/) },
      { line: 4, text: '"z"w', reason: 'text after a closing quote', fix: expect.stringMatching(/double quotes/) },
      {
        line: 6,
        text: '"open',
        reason: expect.stringMatching(/unterminated quoted value/),
        fix: 'Close the quoted value with a double quote.',
      },
    ]);
  });

  it('a malformed last line without a line end is reported too', () => {
    expect(read('a\nb"c').malformed).toMatchObject([{ line: 2, text: 'b"c' }]);
  });

  it('refuses bytes that are not UTF-8 and says where the first bad byte is', () => {
    const r = readCsv(new Uint8Array([...enc('mail\nana@x.com\n'), 0xff, 0x41]));
    expect(r).toEqual({ ok: false, notUtf8: { offset: 15, line: 3 } });
  });

  it('an empty file has no records', () => {
    expect(read('')).toEqual({ ok: true, records: [], malformed: [] });
    expect(read('\r\n\r\n')).toEqual({ ok: true, records: [], malformed: [] });
  });
});
