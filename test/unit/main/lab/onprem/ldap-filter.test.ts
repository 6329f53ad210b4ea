import { describe, expect, it } from 'vitest';
import { evaluateLdapFilter, parseLdapFilter, wildcardMatch } from '../../../../../src-main/lab/onprem/ldap-filter.js';

const obj: Record<string, string[]> = {
  objectclass: ['top', 'person', 'organizationalPerson', 'contact'],
  mail: ['a.b@fabrikam.com'],
  cn: ['Smith (Ext)'],
  usnchanged: ['12010'],
};
const test = (f: string): boolean => evaluateLdapFilter(parseLdapFilter(f), (a) => obj[a] ?? []);

describe('LDAP filters', () => {
  it('evaluates and/or/not, presence, wildcards and ranges case-insensitively', () => {
    expect(test('(&(objectClass=CONTACT)(mail=*@fabrikam.com))')).toBe(true);
    expect(test('(|(mail=x)(!(description=*)))')).toBe(true);
    expect(test('(uSNChanged>=12005)')).toBe(true);
    expect(test('(uSNChanged<=12005)')).toBe(false);
    expect(test('mail=A.B@FABRIKAM.COM')).toBe(true);
  });

  it('decodes \\XX escapes', () => {
    expect(test('(cn=Smith \\28Ext\\29)')).toBe(true);
    expect(test('(cn=\\2a)')).toBe(false);
  });

  it('rejects malformed filters', () => {
    expect(() => parseLdapFilter('(&(mail=x)')).toThrow();
    expect(() => parseLdapFilter('(mail=x))')).toThrow();
    expect(() => parseLdapFilter('(=x)')).toThrow();
  });

  it('matches -like style wildcards', () => {
    expect(wildcardMatch('Directory Sync*', 'Directory Synchronization')).toBe(true);
    expect(wildcardMatch('adsync', 'ADSync')).toBe(true);
    expect(wildcardMatch('AD*x', 'ADSync')).toBe(false);
  });
});
