import { describe, expect, it } from 'vitest';
import {
  compileLdapFilter,
  evaluateLdapFilter,
  parseLdapFilter,
  wildcardMatch,
} from '../../../../../src-main/lab/onprem/ldap-filter.js';

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

  it('answers an OR of equality terms on one attribute (a batched lookup) like term-by-term evaluation', () => {
    expect(test('(|(mail=x@y.com)(mail=A.B@fabrikam.COM)(mail=z@y.com))')).toBe(true);
    expect(test('(|(mail=x@y.com)(mail=z@y.com))')).toBe(false);
    // the same values on another attribute, and terms mixing attributes, are not the set shortcut
    expect(test('(|(cn=a.b@fabrikam.com)(mail=q))')).toBe(false);
    expect(test('(|(mail=q)(cn=smith \\28ext\\29))')).toBe(true);
    expect(test('(&(objectClass=contact)(|(mail=q)(mail=a.b@fabrikam.com)))')).toBe(true);
    expect(test('(&(objectClass=user)(|(mail=q)(mail=a.b@fabrikam.com)))')).toBe(false);
  });

  it('compiles a filter once and tests many objects with it', () => {
    const objects = [
      { mail: 'one@x.com', kind: 'contact' },
      { mail: 'two@x.com', kind: 'user' },
      { mail: 'three@x.com', kind: 'contact' },
    ];
    const read = (o: { mail: string; kind: string }, attr: string): string[] =>
      attr === 'mail' ? [o.mail] : attr === 'objectclass' ? [o.kind] : [];
    const matches = compileLdapFilter(
      parseLdapFilter('(&(objectClass=contact)(|(mail=ONE@x.com)(mail=two@x.com)(mail=four@x.com)))'),
      read,
    );
    expect(objects.filter(matches).map((o) => o.mail)).toEqual(['one@x.com']);
    const none = compileLdapFilter(parseLdapFilter('(!(mail=*))'), read);
    expect(objects.filter(none)).toEqual([]);
  });

  it('matches -like style wildcards', () => {
    expect(wildcardMatch('Directory Sync*', 'Directory Synchronization')).toBe(true);
    expect(wildcardMatch('adsync', 'ADSync')).toBe(true);
    expect(wildcardMatch('AD*x', 'ADSync')).toBe(false);
  });
});
