/**
 * A report saved in parts from the renderer: the parts' concatenation is the text, none is over the part limit or
 * splits a surrogate pair, they go in order, and a failure is returned (after giving the upload up), never a path.
 */
import { describe, expect, it } from 'vitest';
import { REPORT_PART_MAX_CHARS, contract, type IpcResult, type OperationName } from '@contract';
import { reportParts, saveReportInParts } from '../../../../src-renderer/lib/report-parts';
import type { SoaClient } from '../../../../src-renderer/lib/soa-client';

const UPLOAD = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

function client(answer: (name: OperationName, input: Record<string, unknown>) => IpcResult<unknown>): {
  c: SoaClient;
  calls: { name: OperationName; input: Record<string, unknown> }[];
} {
  const calls: { name: OperationName; input: Record<string, unknown> }[] = [];
  const call = (async (name: OperationName, input: Record<string, unknown>) => {
    // what main would refuse is a test failure here
    const parsed = contract[name].input.safeParse(input);
    if (!parsed.success) throw new Error(`${name}: ${parsed.error.message}`);
    calls.push({ name, input });
    return answer(name, input);
  }) as unknown as SoaClient['call'];
  return {
    calls,
    c: { transport: 'browser', call, invoke: undefined as never, onProgress: () => () => undefined },
  };
}

const ok = <T>(value: T): IpcResult<T> => ({ ok: true, value });
const failed: IpcResult<never> = { ok: false, error: { code: 'unavailable', message: 'disk full' } };

describe('reportParts', () => {
  it('fills every part but the last up to the limit, and keeps the text', () => {
    const pieces = ['ab', 'cd', 'efg', '', 'h', 'ijklmnopqrstu', 'v'];
    const parts = [...reportParts(pieces, 5)];
    expect(parts.join('')).toBe(pieces.join(''));
    expect(parts).toEqual(['abcde', 'fghij', 'klmno', 'pqrst', 'uv']);
    expect([...reportParts(['abcde', 'fghij'], 5)]).toEqual(['abcde', 'fghij']);
    expect([...reportParts([], 5)]).toEqual([]);
    expect([...reportParts(['', ''], 5)]).toEqual([]);
  });

  it('never cuts between the two halves of a surrogate pair', () => {
    const clef = '𝄞'; // two UTF-16 code units
    const text = 'abcd' + clef + 'efgh' + clef.repeat(5);
    const parts = [...reportParts([text], 5)];
    expect(parts.join('')).toBe(text);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(5);
      // no lone half of a pair at either end (what a cut through a pair leaves)
      expect(p).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
  });

  it('uses the contract limit by default', () => {
    const parts = [...reportParts(['x'.repeat(REPORT_PART_MAX_CHARS * 2 + 3)])];
    expect(parts.map((p) => p.length)).toEqual([REPORT_PART_MAX_CHARS, REPORT_PART_MAX_CHARS, 3]);
  });
});

describe('saveReportInParts', () => {
  const answers = (name: OperationName, input: Record<string, unknown>): IpcResult<unknown> =>
    name === 'report.saveBegin'
      ? ok({ uploadId: UPLOAD })
      : name === 'report.savePart'
        ? ok({ chars: 0 })
        : name === 'report.saveEnd'
          ? ok({ path: `/data/reports/r.json (${String(input.parts)} parts)` })
          : ok({ aborted: true });

  it('sends the parts in order and ends with their count and characters', async () => {
    const { c, calls } = client(answers);
    const text = 'y'.repeat(REPORT_PART_MAX_CHARS + 10);
    expect(await saveReportInParts(c, 'r', 'json', ['{', text, '}'])).toEqual(
      ok({ path: '/data/reports/r.json (2 parts)' }),
    );
    expect(calls.map((x) => [x.name, x.input.part])).toEqual([
      ['report.saveBegin', undefined],
      ['report.savePart', 0],
      ['report.savePart', 1],
      ['report.saveEnd', undefined],
    ]);
    const sent = calls.filter((x) => x.name === 'report.savePart').map((x) => x.input.content as string);
    expect(sent.join('')).toBe('{' + text + '}');
    expect(calls[3]?.input).toEqual({ uploadId: UPLOAD, parts: 2, chars: text.length + 2 });
  });

  it('returns a refused part as the result, sends nothing after it, and gives the upload up', async () => {
    const { c, calls } = client((name, input) =>
      name === 'report.savePart' && input.part === 1 ? failed : answers(name, input),
    );
    const r = await saveReportInParts(c, 'r', 'json', ['a'.repeat(REPORT_PART_MAX_CHARS), 'b', 'c']);
    expect(r).toEqual(failed);
    expect(calls.map((x) => x.name)).toEqual([
      'report.saveBegin',
      'report.savePart',
      'report.savePart',
      'report.saveAbort',
    ]);
  });

  it('returns a failed end (no path) and a failed begin (no part sent)', async () => {
    const end = client((name, input) => (name === 'report.saveEnd' ? failed : answers(name, input)));
    expect(await saveReportInParts(end.c, 'r', 'csv', ['a'])).toEqual(failed);
    expect(end.calls.map((x) => x.name)).toEqual([
      'report.saveBegin',
      'report.savePart',
      'report.saveEnd',
      'report.saveAbort',
    ]);
    const begin = client((name, input) => (name === 'report.saveBegin' ? failed : answers(name, input)));
    expect(await saveReportInParts(begin.c, 'r', 'csv', ['a'])).toEqual(failed);
    expect(begin.calls.map((x) => x.name)).toEqual(['report.saveBegin']);
  });
});
