import { afterEach, describe, expect, it, vi } from 'vitest';
import { log, logger, redact, setLogSink } from '../../../src-main/log';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXBhcnQ';

describe('redact', () => {
  it('removes JWT-shaped strings wherever they stand', () => {
    const out = redact(`token ${jwt} end`);
    expect(out).toBe('token [redacted-jwt] end');
    expect(out).not.toContain('eyJ');
  });

  it('removes the value after Bearer, keeping the word', () => {
    expect(redact('Authorization: Bearer abc.def-ghi')).not.toContain('abc.def-ghi');
    expect(redact('header bearer opaque123, next')).toBe('header bearer [redacted], next');
  });

  it.each([
    ['access_token', '{"access_token":"s3cr3t-value"}'],
    ['refresh_token', 'refresh_token=s3cr3t-value&x=1'],
    ['id_token', '"idToken": "s3cr3t-value"'],
    ['client_secret', 'client_secret=s3cr3t-value'],
    ['code_verifier', 'code_verifier=s3cr3t-value'],
    ['password', '"password":"s3cr3t-value"'],
    ['controlToken', '"controlToken":"s3cr3t-value"'],
  ])('removes the value of a %s field', (_field, text) => {
    const out = redact(text);
    expect(out).not.toContain('s3cr3t-value');
    expect(out).toContain('[redacted]');
  });

  it.each(['accessToken', 'refreshToken', 'id_token', 'clientSecret', 'codeVerifier', 'password'])(
    'replaces the whole value of a %s field, in snake_case or camelCase',
    (field) => {
      expect(redact(`"${field}":"v4lue-xyz"`)).toBe(`"${field}":"[redacted]"`);
      expect(redact(`${field}=v4lue-xyz next`)).toBe(`${field}=[redacted] next`);
    },
  );

  it('removes a Bearer value after several spaces', () => {
    expect(redact('header Bearer   opaque123, next')).toBe('header Bearer   [redacted], next');
  });

  it('leaves ordinary text alone (names with the word Bearer keep their other words)', () => {
    expect(redact('contact Flag Consulting GmbH moved')).toBe('contact Flag Consulting GmbH moved');
    expect(redact('eyJ short.x')).toBe('eyJ short.x');
  });
});

describe('log', () => {
  const lines: string[] = [];
  afterEach(() => {
    lines.length = 0;
    setLogSink(() => {}, 'info');
  });

  it('redacts the whole line, message and data, before it reaches the sink', () => {
    setLogSink((l) => lines.push(l), 'debug');
    log('info', 'auth', `got ${jwt}`, { refresh_token: 'rt-secret-1', nested: { authorization: `Bearer ${jwt}` } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ INFO \[auth\] got \[redacted-jwt\]/);
    expect(lines[0]).not.toContain('rt-secret-1');
    expect(lines[0]).not.toContain('eyJ');
  });

  it('drops lines below the minimum level and keeps those at or above it', () => {
    setLogSink((l) => lines.push(l), 'warn');
    const l = logger('x');
    l.debug('d');
    l.info('i');
    l.warn('w');
    l.error('e');
    expect(lines.map((x) => x.split(' ')[1])).toEqual(['WARN', 'ERROR']);
  });

  it('serialises errors by name and message, and survives unserialisable data', () => {
    setLogSink((l) => lines.push(l), 'debug');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    log('error', 's', 'failed', new TypeError('bad input'));
    log('debug', 's', 'loop', circular);
    log('debug', 's', 'plain');
    expect(lines[0]).toMatch(/ERROR \[s\] failed TypeError: bad input$/);
    expect(lines[1]).toMatch(/DEBUG \[s\] loop \[unserialisable\]$/);
    expect(lines[2]).toMatch(/DEBUG \[s\] plain$/);
  });

  it('puts one space between the message and its data, and logs every level of a scoped logger', () => {
    setLogSink((l) => lines.push(l), 'debug');
    const l = logger('scope');
    l.debug('d', { a: 1 });
    l.info('i');
    l.warn('w');
    l.error('e');
    expect(lines[0]).toMatch(/ DEBUG \[scope\] d \{"a":1\}$/);
    expect(lines.map((x) => x.split(' ').slice(1, 4).join(' '))).toEqual([
      'DEBUG [scope] d',
      'INFO [scope] i',
      'WARN [scope] w',
      'ERROR [scope] e',
    ]);
  });
});

describe('log defaults (a fresh module per case)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  async function freshLog(level: string | undefined): Promise<typeof import('../../../src-main/log')> {
    vi.resetModules();
    vi.stubEnv('SOA_LOG_LEVEL', level);
    return import('../../../src-main/log');
  }

  it('writes each line to stderr with a newline, from the info level up by default', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const fresh = await freshLog(undefined);
    fresh.log('debug', 's', 'hidden');
    fresh.log('info', 's', 'shown');
    expect(write.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/ INFO \[s\] shown\n$/)]);
  });

  it('logs the debug level too when SOA_LOG_LEVEL=debug', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const fresh = await freshLog('debug');
    fresh.log('debug', 's', 'details');
    expect(write.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/ DEBUG \[s\] details\n$/)]);
  });
});
