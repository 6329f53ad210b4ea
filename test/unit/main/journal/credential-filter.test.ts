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
});
