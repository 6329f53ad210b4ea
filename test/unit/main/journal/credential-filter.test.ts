import { describe, expect, it } from 'vitest';
import { findSecret, secretInText } from '../../../../src-main/journal/credential-filter';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('credential filter', () => {
  it.each([
    'Standard Bearer Investments',
    'Flag Bearer Consulting GmbH',
    'Bearer Logistics',
    'BEARER BONDS LTD',
    'The Bearer Internationalisation Company',
    'Pall-Bearer Co-Operative',
    'Password Reset Team',
    'Token Ring Networks',
    'Secret Garden Florists',
    'Authorization Services Ltd',
  ])('lets the ordinary name %j through', (name) => {
    expect(secretInText(name)).toBeNull();
    expect(findSecret({ displayName: name, request: { body: { displayName: name } } })).toBeNull();
  });

  it('recognises a JWT anywhere in a string', () => {
    expect(secretInText(JWT)).toBe('jwt');
    expect(secretInText(`token was ${JWT} here`)).toBe('jwt');
    expect(findSecret({ request: { body: { note: JWT } } })).toEqual({ path: 'request.body.note', kind: 'jwt' });
  });

  it('recognises Authorization header values and bearer tokens by their shape', () => {
    expect(secretInText(`Authorization: Bearer ${'a'.repeat(40)}`)).toBe('authorization header');
    expect(secretInText('authorization: Basic dXNlcjpwYXNz')).toBe('authorization header');
    expect(secretInText(`Bearer ${JWT}`)).toBe('jwt');
    expect(secretInText('sent Bearer EwBwA8l6BAAUkj1Uq3Fvq8HzYbWr4sGmt0kGAA then')).toBe('bearer token');
    expect(secretInText('Bearer 9f2c1e7a-4b1d-4c55-8f0e-1a2b3c4d5e6f')).toBe('bearer token');
  });

  it('recognises known credential field names in any case style, without echoing the value', () => {
    for (const key of [
      'access_token',
      'refreshToken',
      'ID_TOKEN',
      'client_secret',
      'clientSecret',
      'password',
      'Authorization',
    ]) {
      const f = findSecret({ after: { nested: [{ [key]: 'hunter2' }] } });
      expect(f).toEqual({ path: `after.nested[0].${key}`, kind: 'credential field' });
      expect(JSON.stringify(f)).not.toContain('hunter2');
    }
    expect(findSecret({ passwordPolicies: 'DisablePasswordExpiration', tokenLifetime: 3600 })).toBeNull();
  });

  it('recognises credentials in URLs and form bodies', () => {
    expect(secretInText('https://x.test/cb#access_token=abcdEFGH1234&state=1')).toBe('credential parameter');
    expect(secretInText('grant_type=client_credentials&client_secret=s3cr3tvalue')).toBe('credential parameter');
    expect(secretInText("/contacts?$filter=displayName eq 'Access Token Ltd'")).toBeNull();
  });

  // Each pass condition of the filter with its failing case next to it (docs/mutation-testing.md).
  it('finds an unsigned JWT (empty third segment)', () => {
    expect(secretInText('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.')).toBe('jwt');
  });

  it('reads Authorization headers with any spacing around the colon and the scheme, and only with a value', () => {
    expect(secretInText('Authorization : Basic dXNlcjpwYXNz')).toBe('authorization header');
    expect(secretInText('authorization:Basic dXNlcjpwYXNz')).toBe('authorization header');
    expect(secretInText('Authorization: Basic  dXNlcjpwYXNz')).toBe('authorization header');
    expect(secretInText('Authorization: Basic abc')).toBeNull();
  });

  it('reads a bearer token after several spaces', () => {
    expect(secretInText('Bearer   EwBwA8l6BAAUkj1Uq3Fvq8HzYbWr4sGmt0kGAA')).toBe('bearer token');
  });

  it.each([
    ['19 characters, mixed case and digits', 'Ab1Ab1Ab1Ab1Ab1Ab1A', null],
    ['19 characters and base64 padding', 'Ab1Ab1Ab1Ab1Ab1Ab1A==', null],
    ['20 characters, mixed case and digits', 'Ab1Ab1Ab1Ab1Ab1Ab1Ab', 'bearer token'],
    ['20 characters, mixed case and digits, padded', 'Ab1Ab1Ab1Ab1Ab1Ab1Ab=', 'bearer token'],
    ['digits and symbols only, no letters', '1234-5678-9012-3456-7890-1234', null],
    ['letters only, mixed case and symbols', 'AbcdEfgh-IjklMnop-QrstUvwx', null],
    ['lower case and digits, 20 characters', 'abcdefghij0123456789', null],
    ['upper case and digits, 20 characters', 'ABCDEFGHIJ0123456789', null],
    ['lower case and digits, 31 characters', 'abcdefghij0123456789abcdefghij0', null],
    ['lower case and digits, 32 characters', 'abcdefghij0123456789abcdefghij01', 'bearer token'],
    ['lower case, digits and a symbol, 20 characters', 'abcdefghij012345678.', 'bearer token'],
  ])('bearer followed by %s', (_what, token, kind) => {
    expect(secretInText(`Bearer ${token}`)).toBe(kind);
  });

  it('recognises credentials in URLs and form bodies wherever the parameter starts, and only with a value', () => {
    expect(secretInText('access_token=abcd1234')).toBe('credential parameter');
    expect(secretInText('sent client_secret=s3cr3tvalue')).toBe('credential parameter');
    expect(secretInText('https://x.test/?password=***')).toBeNull();
    expect(secretInText('note:client_secret=s3cr3tvalue')).toBeNull();
  });

  it.each([
    'access_token',
    'refresh_token',
    'id_token',
    'client_secret',
    'client_assertion',
    'password',
    'passwd',
    'authorization',
    'proxy_authorization',
    'bearer_token',
    'api_key',
    'secret',
    'private_key',
    'code_verifier',
    'session_key',
    'cookie',
    'set_cookie',
  ])('refuses the credential field %s', (key) => {
    expect(findSecret({ a: { [key]: 'x' } })).toEqual({ path: `a.${key}`, kind: 'credential field' });
  });

  it('names the place of a secret: the top-level value, an array index after harmless items, an object key', () => {
    expect(findSecret(JWT)).toStrictEqual({ path: '(value)', kind: 'jwt' });
    expect(findSecret({ list: ['harmless', 7, null, JWT] })).toStrictEqual({ path: 'list[3]', kind: 'jwt' });
    expect(findSecret({ byToken: { [JWT]: 1 } })).toStrictEqual({ path: `byToken.${JWT}`, kind: 'jwt' });
    expect(findSecret({ a: null, b: undefined, c: 5, d: true, e: ['x'] })).toBeNull();
  });

  it('looks 64 levels deep and no deeper, in arrays and in objects', () => {
    const inArrays = (levels: number): unknown => {
      let v: unknown = JWT;
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    const inObjects = (levels: number): unknown => {
      let v: unknown = JWT;
      for (let i = 0; i < levels; i++) v = { n: v };
      return v;
    };
    expect(findSecret(inArrays(64))?.kind).toBe('jwt');
    expect(findSecret(inArrays(65))).toBeNull();
    expect(findSecret(inObjects(64))?.kind).toBe('jwt');
    expect(findSecret(inObjects(65))).toBeNull();
  });
});
