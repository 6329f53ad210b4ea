import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../../../../src-renderer/lib/csv/csv-writer';
import { readCsv } from '../../../../../src-renderer/lib/csv/csv-reader';

describe('CSV writer: formula neutralisation', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [' =1+1', "' =1+1"],
    ['   +cmd', "'   +cmd"],
    ['\u00a0@x', "'\u00a0@x"],
    ['\u3000-1', "'\u3000-1"],
    ['\uff1d1+1', "'\uff1d1+1"],
    ['\uff0b1', "'\uff0b1"],
    ['\uff0d1', "'\uff0d1"],
    ['\uff20SUM(A1)', "'\uff20SUM(A1)"],
    [' \uff1dHYPERLINK(1)', "' \uff1dHYPERLINK(1)"],
  ])('neutralises %j', (cell, expected) => {
    expect(csvCell(cell)).toBe(expected);
  });

  it('neutralises and quotes a cell that starts with a tab, carriage return or newline before a formula', () => {
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('\n=1')).toBe(`"'\n=1"`);
    expect(csvCell(' =HYPERLINK("x")')).toBe(`"' =HYPERLINK(""x"")"`);
  });

  it('leaves ordinary text alone, including formula characters later in the cell', () => {
    for (const s of ['Chen Taylor', ' Chen', 'a=b', 'x@contoso.com', '1-2', 'Bearer Logistics', '']) {
      expect(csvCell(s)).toBe(s);
    }
  });
});

describe('CSV writer: quoting and line ends', () => {
  it('quotes a value with a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('writes empty cells for null and undefined, numbers and booleans as text, objects as JSON', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(false)).toBe('false');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('ends every line, the last one too, with CRLF', () => {
    expect(
      toCsv(
        ['id', 'name'],
        [
          ['1', 'A'],
          ['2', 'B, C'],
        ],
      ),
    ).toBe('id,name\r\n1,A\r\n2,"B, C"\r\n');
  });

  it('round-trips through the one reader', () => {
    const rows = [
      ['x@contoso.com', 'He said "yes", then left'],
      ['id-2', 'line one\r\nline two'],
      ['', 'é ü 漢'],
    ];
    const read = readCsv(new TextEncoder().encode(toCsv(['a', 'b'], rows)));
    expect(read).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: rows[0] },
        { line: 3, fields: rows[1] },
        { line: 5, fields: rows[2] },
      ],
      malformed: [],
    });
  });
});
