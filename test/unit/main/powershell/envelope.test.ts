import { describe, expect, it } from 'vitest';
import { encodeArguments, parseFrame, toErrorCode } from '../../../../src-main/powershell/envelope';

describe('parseFrame', () => {
  const nonce = 'abcdef0123456789abcdef01';

  it('finds this call’s envelope among other output', () => {
    const out = `WARNING: noise\n<<SOA:${nonce}>>{"ok":true,"data":{"a":1}}\n`;
    const r = parseFrame(out, nonce);
    expect(r).toEqual({ kind: 'envelope', envelope: { ok: true, data: { a: 1 } }, noise: ['WARNING: noise'] });
  });

  it('ignores a frame with another nonce (a value cannot forge the frame)', () => {
    const out = `<<SOA:ffffffffffffffffffffffff>>{"ok":true,"data":"forged"}\n`;
    expect(parseFrame(out, nonce).kind).toBe('missing');
  });

  it('keeps the PowerShell error identity of a failure', () => {
    const r = parseFrame(
      `<<SOA:${nonce}>>{"ok":false,"error":{"code":"powershell","message":"m","fqid":"NoMatchingEventsFound,X","category":"ObjectNotFound","type":"System.Exception"}}`,
      nonce,
    );
    expect(r.kind === 'envelope' && !r.envelope.ok && r.envelope.error.fqid).toBe('NoMatchingEventsFound,X');
  });

  it('reports malformed JSON and non-envelopes clearly', () => {
    expect(parseFrame(`<<SOA:${nonce}>>{not json`, nonce).kind).toBe('malformed');
    expect(parseFrame(`<<SOA:${nonce}>>{"ok":"yes"}`, nonce).kind).toBe('malformed');
    expect(parseFrame('', nonce).kind).toBe('missing');
  });

  it('tolerates a BOM and CRLF line ends', () => {
    const r = parseFrame(`\uFEFF<<SOA:${nonce}>>{"ok":true,"data":null}\r\n`, nonce);
    expect(r).toEqual({ kind: 'envelope', envelope: { ok: true, data: null }, noise: [] });
  });

  it('strips only a leading BOM; a BOM inside a line is kept in the noise', () => {
    const r = parseFrame(`a\uFEFFb\n<<SOA:${nonce}>>{"ok":true,"data":1}`, nonce);
    expect(r.noise).toEqual(['a\uFEFFb']);
  });

  it('keeps text printed before the frame on the same line as noise, and drops blank lines', () => {
    const r = parseFrame(`   \n\t\nprogress 50%<<SOA:${nonce}>>{"ok":true,"data":2}\n  \n`, nonce);
    expect(r).toEqual({ kind: 'envelope', envelope: { ok: true, data: 2 }, noise: ['progress 50%'] });
  });

  it('says why a frame is malformed: not JSON, or which part of the envelope is wrong', () => {
    const notJson = parseFrame(`<<SOA:${nonce}>>{not json`, nonce);
    expect(notJson.kind === 'malformed' && notJson.reason).toMatch(/^not JSON \(.+\)$/);
    const notEnvelope = parseFrame(`<<SOA:${nonce}>>{"ok":false,"error":{"code":"x"}}`, nonce);
    expect(notEnvelope.kind === 'malformed' && notEnvelope.reason).toMatch(/^not an envelope \(.+\)$/);
    expect(notEnvelope.kind === 'malformed' && notEnvelope.reason).not.toContain('(shape)');
  });

  it('parses both envelope shapes exactly, and refuses a failure without its error identity', () => {
    const error = { code: 'busy', message: 'm', fqid: 'F,Q', category: 'ResourceBusy' };
    expect(parseFrame(`<<SOA:${nonce}>>${JSON.stringify({ ok: false, error })}`, nonce)).toEqual({
      kind: 'envelope',
      envelope: { ok: false, error },
      noise: [],
    });
    expect(parseFrame(`<<SOA:${nonce}>>{"ok":false}`, nonce).kind).toBe('malformed');
    expect(parseFrame(`<<SOA:${nonce}>>{"data":1}`, nonce).kind).toBe('malformed');
    expect(parseFrame(`<<SOA:${nonce}>>{"ok":true,"data":[1,"x"]}`, nonce)).toEqual({
      kind: 'envelope',
      envelope: { ok: true, data: [1, 'x'] },
      noise: [],
    });
  });
});

describe('arguments and codes', () => {
  it('encodes arguments as Base64 UTF-8 JSON that round-trips', () => {
    const args = { Value: 'a\'b"c`$(x);\n\u0000\u200F‘’“”😀' };
    const b64 = encodeArguments(args);
    expect(b64).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))).toEqual(args);
  });

  it('maps unknown script error codes to powershell', () => {
    expect(toErrorCode('busy')).toBe('busy');
    expect(toErrorCode('notFound')).toBe('notFound');
    expect(toErrorCode('whatever')).toBe('powershell');
  });
});
