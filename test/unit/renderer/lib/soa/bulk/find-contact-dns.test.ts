/**
 * The bulk follow-up's AD lookup: contacts the server's own search does not find are asked again in the Cloud Sync
 * jobs' AD domains (-Server, as data); the domains are read only when a contact was not found.
 * docs/reference/adsync-types.md
 */
import { describe, expect, it } from 'vitest';
import type { OnPremContact } from '@contract';
import {
  findContactDnsWithDomains,
  type FindContacts,
} from '../../../../../../src-renderer/lib/soa/bulk/server-follow-up';

type Query = { key: string; mail?: string; displayName?: string };
type Input = { queries: Query[]; domains?: string[] };

const contact = (name: string, domain: string): OnPremContact => ({
  distinguishedName: `CN=${name},OU=Contacts,DC=${domain.split('.').join(',DC=')}`,
  objectGuid: `g-${name}`,
  displayName: name,
  mail: `${name.toLowerCase()}@${domain}`,
  description: null,
});

/** AD as the server sees it: Ann in its own domain, Bob only in litware.com (a forest no connector names). */
function server(): { find: FindContacts; inputs: Input[] } {
  const inputs: Input[] = [];
  const ann = contact('Ann', 'contoso.com');
  const bob = contact('Bob', 'litware.com');
  const find: FindContacts = async (input) => {
    inputs.push(input as Input);
    const visible = input.domains?.includes('litware.com') ? [ann, bob] : [ann];
    return {
      via: 'activeDirectory',
      results: input.queries.map((q) => ({ key: q.key, matches: visible.filter((c) => c.mail === q.mail) })),
    };
  };
  return { find, inputs };
}

const objects = [
  { objectId: 'a', displayName: 'Ann', mail: 'ann@contoso.com' },
  { objectId: 'b', displayName: 'Bob', mail: 'bob@litware.com' },
];

describe('findContactDnsWithDomains', () => {
  it('asks only the contacts not found again, in the Cloud Sync domains, and finds them there', async () => {
    const s = server();
    let domainReads = 0;
    const said: string[] = [];
    const r = await findContactDnsWithDomains(s.find, objects, {
      domains: async () => (domainReads++, ['litware.com']),
      onDomains: (n, d) => said.push(`${n} in ${d.join(', ')}`),
    });
    expect(r.found.map((f) => [f.objectId, f.dn])).toEqual([
      ['a', 'CN=Ann,OU=Contacts,DC=contoso,DC=com'],
      ['b', 'CN=Bob,OU=Contacts,DC=litware,DC=com'],
    ]);
    expect(r.missing).toEqual([]);
    expect(domainReads).toBe(1);
    expect(said).toEqual(['1 in litware.com']);
    expect(s.inputs.map((i) => [i.queries.map((q) => q.key), i.domains])).toEqual([
      [['a', 'b'], undefined],
      [['b'], ['litware.com']],
    ]);
  });

  it('the failing cases: all found → the domains are never read; no domains → the first answer stands', async () => {
    const s = server();
    let domainReads = 0;
    const r = await findContactDnsWithDomains(s.find, [objects[0]!], {
      domains: async () => (domainReads++, ['litware.com']),
    });
    expect(r.found).toHaveLength(1);
    expect(domainReads).toBe(0);
    expect(s.inputs).toHaveLength(1);

    const none = server();
    const n = await findContactDnsWithDomains(none.find, objects, { domains: async () => [] });
    expect(n.found.map((f) => f.objectId)).toEqual(['a']);
    expect(n.missing).toEqual([{ objectId: 'b', reason: 'No AD contact found by mail or display name.' }]);
    expect(none.inputs).toHaveLength(1);
  });
});
