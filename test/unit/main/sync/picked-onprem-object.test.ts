import { describe, expect, it } from 'vitest';
import { PickedOnPremObject, dnKey } from '../../../../src-main/sync/picked-onprem-object';

const contact = (dn: string, objectGuid: string) => ({
  distinguishedName: dn,
  objectGuid,
  displayName: null,
  mail: null,
  description: null,
});
const A = 'CN=Alex Wilber,OU=Contacts,DC=contoso,DC=com';
const B = 'CN=Bea Chen,OU=Contacts,DC=contoso,DC=com';

describe('PickedOnPremObject', () => {
  it('refuses everything until the server resolved an object', () => {
    const p = new PickedOnPremObject();
    p.pickIfResolved(A);
    expect(() => p.require(A)).toThrow(expect.objectContaining({ code: 'refused' }) as Error);
  });

  it('picks a single lookup match, and keeps several matches unpicked until one is traced', () => {
    const p = new PickedOnPremObject();
    p.recordContacts([contact(A, 'a-guid'), contact(B, 'b-guid')]);
    expect(p.current()).toBeUndefined();
    p.pickIfResolved('cn=bea chen, ou=Contacts, dc=contoso, dc=com');
    expect(p.require(B)).toEqual({ dn: B, objectGuid: 'b-guid', objectClass: 'contact' });
    expect(() => p.require(A)).toThrow(/picked for this run \(CN=Bea Chen/);
    p.recordContacts([contact(A, 'a-guid')]);
    expect(p.require(A.toLowerCase()).objectGuid).toBe('a-guid');
  });

  it('never picks a DN the server did not resolve, nor a GUID given as the identity', () => {
    const p = new PickedOnPremObject();
    p.recordContacts([contact(A, 'a-guid')]);
    p.pickIfResolved('CN=Domain Admins,CN=Users,DC=contoso,DC=com');
    expect(p.current()?.dn).toBe(A);
    expect(() => p.require('a-guid')).toThrow(expect.objectContaining({ code: 'refused' }) as Error);
    expect(() => p.require('CN=Domain Admins,CN=Users,DC=contoso,DC=com')).toThrow(/not CN=Domain Admins/);
  });

  it('compares DNs without case or spaces around separators, keeping escaped commas', () => {
    expect(dnKey('CN=A\\, B , OU = X')).toBe('cn=a\\, b,ou=x');
    expect(dnKey('CN=A\\, B,OU=X')).not.toBe(dnKey('CN=A,B,OU=X'));
  });
});
