import { describe, expect, it } from 'vitest';
import { MAX_SEQ_STEP, RecordGuard, parseStoredLine } from '../../../../src-main/journal/record-guard';

/** One stored result record as a journal line, with the given seq and fields changed. */
function line(seq: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    kind: 'result',
    opId: 'op-1',
    outcome: 'done',
    verified: true,
    seq,
    at: '2026-12-01T10:00:00.000Z',
    tenant: 't1',
    ...extra,
  });
}

describe('journal record guard', () => {
  it('parseStoredLine gives the record for a valid line and null for a torn or foreign one', () => {
    expect(parseStoredLine(line(3))).toMatchObject({ kind: 'result', seq: 3 });
    expect(parseStoredLine('{"kind":"result","opId":')).toBeNull();
    expect(parseStoredLine('{"kind":"nothing"}')).toBeNull();
  });

  it('accepts increasing seq, including a gap of exactly MAX_SEQ_STEP, and refuses one step further', () => {
    const guard = new RecordGuard(10);
    expect(guard.accept(line(10 + MAX_SEQ_STEP))).toMatchObject({ ok: true, record: { seq: 10 + MAX_SEQ_STEP } });
    expect(guard.lastSeq).toBe(10 + MAX_SEQ_STEP);
    const far = 10 + 2 * MAX_SEQ_STEP + 1;
    expect(guard.accept(line(far))).toStrictEqual({
      ok: false,
      reason: `seq ${far} jumps too far ahead of ${10 + MAX_SEQ_STEP}`,
    });
    expect(guard.rejected).toBe(1);
    expect(guard.lastSeq).toBe(10 + MAX_SEQ_STEP);
  });

  it('refuses a seq that is not a positive safe integer, with its own reason', () => {
    const guard = new RecordGuard(0);
    expect(guard.accept(line(0))).toStrictEqual({ ok: false, reason: 'seq 0 is not a positive safe integer' });
    expect(guard.accept(line(-5))).toStrictEqual({ ok: false, reason: 'seq -5 is not a positive safe integer' });
    // past 2^53 the schema itself refuses it (zod's int() is a safe integer), so the guard never moves past it
    const big = new RecordGuard(2 ** 53 - 1);
    expect(big.accept(line(2 ** 53 + 2)).ok).toBe(false);
    expect(big.lastSeq).toBe(2 ** 53 - 1);
    expect(guard.rejected).toBe(2);
  });

  it('refuses a seq that does not increase, naming the previous one', () => {
    const guard = new RecordGuard(7);
    expect(guard.accept(line(7))).toStrictEqual({ ok: false, reason: 'seq 7 does not increase (previous 7)' });
    expect(guard.accept(line(6))).toStrictEqual({ ok: false, reason: 'seq 6 does not increase (previous 7)' });
    expect(guard.accept(line(8)).ok).toBe(true);
  });

  it('says why a line is not a record: not JSON, or the path and message of the first schema issue', () => {
    const guard = new RecordGuard(0);
    expect(guard.accept('{"kind":')).toStrictEqual({ ok: false, reason: 'not JSON (a torn write?)' });
    const nested = guard.accept(
      JSON.stringify({
        kind: 'intent',
        opId: 'op-1',
        objectType: 'user',
        objectId: 'u1',
        action: 'transfer',
        request: { url: 'https://graph' },
        seq: 1,
        at: '2026-12-01T10:00:00.000Z',
        tenant: 't1',
      }),
    );
    expect(nested.ok).toBe(false);
    expect(!nested.ok && nested.reason).toMatch(/^not a journal record \(request\.method: \S.*\)$/);
    expect(guard.accept(line('3'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not a journal record \(seq: \S/),
    });
    expect(guard.rejected).toBe(3);
  });

  it('reject() counts a line without reading it and returns the reason', () => {
    const guard = new RecordGuard(0);
    expect(guard.reject('line too long')).toStrictEqual({ ok: false, reason: 'line too long' });
    expect(guard.rejected).toBe(1);
  });

  it('acceptLine() rejects an over-long line unread ("line too long") and checks any other line', () => {
    const guard = new RecordGuard(0);
    // the text of an over-long line is never looked at, even when it would be a valid record
    expect(guard.acceptLine({ text: line(1), oversized: true })).toStrictEqual({ ok: false, reason: 'line too long' });
    expect(guard.rejected).toBe(1);
    expect(guard.acceptLine({ text: line(1), oversized: false })).toMatchObject({ ok: true, record: { seq: 1 } });
    expect(guard.lastSeq).toBe(1);
  });
});
