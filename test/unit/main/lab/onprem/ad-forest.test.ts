import { afterEach, describe, expect, it } from 'vitest';
import { createFixture, GROUP_DN, SEED, type Fixture, type Json } from './onprem-fixture.js';

let fx: Fixture;
afterEach(() => fx?.server.close());

const dns = (r: { body: Json }): string[] => (r.body.value as Json[]).map((o) => o.DistinguishedName);

describe('AD objects (Get-ADObject)', () => {
  it('returns an object by DN with the AD property names', async () => {
    fx = createFixture();
    const r = await fx.call('GET', '/ad/objects', { Identity: SEED.synced.attrs.distinguishedName });
    expect(r.status).toBe(200);
    const o = r.body.value[0];
    expect(o).toMatchObject({
      DistinguishedName: 'CN=Alex Wilber,OU=Contacts,DC=contoso,DC=com',
      Name: 'Alex Wilber',
      ObjectClass: 'contact',
      ObjectGUID: SEED.synced.objectGuid,
      displayName: 'Alex Wilber',
      mail: 'alex.wilber@fabrikam.com',
      description: 'Alex Wilber (seed)',
      givenName: 'Alex',
      sn: 'Wilber',
      company: 'Fabrikam',
      department: null,
      memberOf: [GROUP_DN],
      member: [],
    });
    expect(typeof o.uSNChanged).toBe('number');
    expect(o.whenChanged).toMatch(/Z$/);
    // by GUID too
    expect(dns(await fx.call('GET', '/ad/objects', { Identity: SEED.synced.objectGuid }))).toEqual([
      SEED.synced.attrs.distinguishedName,
    ]);
    // the group's member list is the back-link of the seed's memberOf
    const g = (await fx.call('GET', '/ad/objects', { Identity: GROUP_DN })).body.value[0];
    expect(g.ObjectClass).toBe('group');
    expect(g.member).toEqual([SEED.synced.attrs.distinguishedName, SEED.user.attrs.distinguishedName]);
  });

  it('fails an unknown identity like ADIdentityNotFoundException', async () => {
    fx = createFixture();
    const r = await fx.call('GET', '/ad/objects', { Identity: 'CN=Nobody,OU=Contacts,DC=contoso,DC=com' });
    expect(r).toEqual({
      status: 404,
      body: {
        error: {
          type: 'Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException',
          message:
            "Cannot find an object with identity: 'CN=Nobody,OU=Contacts,DC=contoso,DC=com' under: 'DC=contoso,DC=com'.",
          fqid: 'ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,Microsoft.ActiveDirectory.Management.Commands.GetADObject',
          category: 'ObjectNotFound',
        },
      },
    });
  });

  it('finds by mail, displayName wildcard, class, search base and LDAP filter', async () => {
    fx = createFixture();
    expect(dns(await fx.call('GET', '/ad/objects', { mail: 'ALEX.WILBER@fabrikam.com' }))).toEqual([
      SEED.synced.attrs.distinguishedName,
    ]);
    expect(dns(await fx.call('GET', '/ad/objects', { displayName: 'B*' }))).toEqual([
      SEED.transferred.attrs.distinguishedName,
    ]);
    expect(dns(await fx.call('GET', '/ad/objects', { ObjectClass: 'group' }))).toEqual([GROUP_DN]);
    expect(
      await fx.call('GET', '/ad/objects', { SearchBase: 'OU=Contacts,DC=contoso,DC=com', SearchScope: 'OneLevel' }),
    ).toMatchObject({ status: 200 });
    expect(dns(await fx.call('GET', '/ad/objects', { SearchBase: 'OU=Contacts,DC=contoso,DC=com' }))).toHaveLength(4);
    expect(
      dns(
        await fx.call('GET', '/ad/objects', {
          LDAPFilter: '(&(objectClass=contact)(mail=*)(|(displayName=Alex*)(sn=White)))',
        }),
      ),
    ).toEqual([SEED.synced.attrs.distinguishedName, SEED.rolledBack.attrs.distinguishedName]);
    expect(dns(await fx.call('GET', '/ad/objects', { LDAPFilter: '(&(objectClass=contact)(!(mail=*)))' }))).toEqual([
      SEED.plain.attrs.distinguishedName,
    ]);
    expect(dns(await fx.call('GET', '/ad/objects', { LDAPFilter: `(memberOf=${GROUP_DN})` }))).toHaveLength(2);
    expect(
      dns(await fx.call('GET', '/ad/objects', { LDAPFilter: '(objectClass=person)', ResultSetSize: '2' })),
    ).toHaveLength(2);
    // no match is an empty list, not an error
    expect((await fx.call('GET', '/ad/objects', { mail: 'nobody@x' })).body).toEqual({ value: [] });
    const bad = await fx.call('GET', '/ad/objects', { LDAPFilter: '(&(mail=x)' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.type).toBe('Microsoft.ActiveDirectory.Management.ADException');
  });
});

describe('AD writes (Set-ADObject)', () => {
  it('replaces and clears attributes, bumping uSNChanged once', async () => {
    fx = createFixture();
    const before = (await fx.call('GET', '/ad/objects', { Identity: SEED.plain.attrs.distinguishedName })).body
      .value[0];
    const r = await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      {
        Identity: SEED.plain.attrs.distinguishedName,
        Replace: { description: 'new', department: ['Finance'] },
        Clear: ['company'],
      },
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ description: 'new', department: 'Finance', company: null });
    const n = await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.plain.objectGuid, Replace: { department: 42 } },
    );
    expect(n.body.department).toBe('42');
    expect(r.body.uSNChanged).toBeGreaterThan(before.uSNChanged);
    expect(Date.parse(r.body.whenChanged)).toBeGreaterThan(Date.parse(before.whenChanged));
  });

  it('keeps memberOf in step when a group member list changes', async () => {
    fx = createFixture();
    const r = await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      {
        Identity: GROUP_DN,
        Add: { member: SEED.plain.attrs.distinguishedName },
        Remove: { member: [SEED.user.attrs.distinguishedName] },
      },
    );
    expect(r.body.member).toEqual([SEED.synced.attrs.distinguishedName, SEED.plain.attrs.distinguishedName]);
    expect(
      (await fx.call('GET', '/ad/objects', { Identity: SEED.plain.attrs.distinguishedName })).body.value[0].memberOf,
    ).toEqual([GROUP_DN]);
    expect(
      (await fx.call('GET', '/ad/objects', { Identity: SEED.user.attrs.distinguishedName })).body.value[0].memberOf,
    ).toEqual([]);
  });

  it('fails like the AD module for an unknown identity or attribute, and changes nothing', async () => {
    fx = createFixture();
    const nf = await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: 'CN=Ghost,DC=contoso,DC=com', Replace: { description: 'x' } },
    );
    expect(nf.status).toBe(404);
    expect(nf.body.error).toEqual({
      type: 'Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException',
      message: "Cannot find an object with identity: 'CN=Ghost,DC=contoso,DC=com' under: 'DC=contoso,DC=com'.",
      fqid: 'ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,Microsoft.ActiveDirectory.Management.Commands.SetADObject',
      category: 'ObjectNotFound',
    });
    const bad = await fx.call(
      'POST',
      '/ad/objects/set',
      {},
      { Identity: SEED.synced.attrs.distinguishedName, Replace: { description: 'x', objectGUID: 'y' } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      type: 'Microsoft.ActiveDirectory.Management.ADException',
      message: 'The specified directory service attribute or value does not exist',
      fqid: 'ActiveDirectoryServer:8202,Microsoft.ActiveDirectory.Management.Commands.SetADObject',
    });
    expect(
      (await fx.call('GET', '/ad/objects', { Identity: SEED.synced.attrs.distinguishedName })).body.value[0]
        .description,
    ).toBe('Alex Wilber (seed)');
    const malformed = await fx.call('POST', '/ad/objects/set', {}, { Replace: { description: 'x' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.fqid).toBe('LabBadRequest');
  });
});

describe('the domain (Get-ADDomain)', () => {
  it('answers -Current LocalComputer with the domain the lab server is joined to, with the ADDomain members', async () => {
    fx = createFixture({ additionalForests: ['fabrikam.com'] });
    const r = await fx.call('GET', '/ad/domain', { Current: 'LocalComputer' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      DNSRoot: 'contoso.com',
      DistinguishedName: 'DC=contoso,DC=com',
      Forest: 'contoso.com',
      NetBIOSName: 'CONTOSO',
      ObjectClass: 'domainDNS',
      ParentDomain: null,
    });
    expect(Object.keys(r.body)).toHaveLength(29);
    // the first forest's answer does not change with the other forest's objects
    expect((await fx.call('GET', '/ad/domain', {})).body.DNSRoot).toBe('contoso.com');
  });

  it('answers for the domain -Identity or -Server names, and refuses an unknown one', async () => {
    fx = createFixture({ additionalForests: ['fabrikam.com'] });
    expect((await fx.call('GET', '/ad/domain', { Identity: 'FABRIKAM' })).body.DNSRoot).toBe('fabrikam.com');
    expect((await fx.call('GET', '/ad/domain', { Identity: 'DC=fabrikam,DC=com' })).body.DNSRoot).toBe('fabrikam.com');
    expect((await fx.call('GET', '/ad/domain', { Server: 'dc01.fabrikam.com' })).body.DNSRoot).toBe('fabrikam.com');
    const unknown = await fx.call('GET', '/ad/domain', { Identity: 'northwind.com' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.type).toBe('Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException');
    expect((await fx.call('GET', '/ad/domain', { Server: 'northwind.com' })).status).toBe(400);
    // -Current with a server of another domain: the documented error
    expect((await fx.call('GET', '/ad/domain', { Current: 'LocalComputer', Server: 'fabrikam.com' })).status).toBe(400);
  });
});

describe('an OR-filter over many values (a batched lookup) on a server with two forests', () => {
  it('finds exactly the named contacts, each only through the domain that holds it', async () => {
    fx = createFixture({ additionalForests: ['fabrikam.com'] });
    const mail = SEED.synced.attrs.mail ?? '';
    const filter = `(&(objectClass=contact)(|(mail=nobody@x.com)(mail=${mail.toUpperCase()})(mail=other@x.com)))`;
    expect(dns(await fx.call('GET', '/ad/objects', { LDAPFilter: filter }))).toEqual([
      SEED.synced.attrs.distinguishedName,
    ]);
    expect(dns(await fx.call('GET', '/ad/objects', { LDAPFilter: filter, Server: 'contoso.com' }))).toEqual([
      SEED.synced.attrs.distinguishedName,
    ]);
    expect(dns(await fx.call('GET', '/ad/objects', { LDAPFilter: filter, Server: 'fabrikam.com' }))).toEqual([]);
  });
});
