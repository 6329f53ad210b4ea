/**
 * Batched server calls for a bulk follow-up, with real pwsh and the lab: one `Get-SoaObjectTrace` call
 * traces many DNs and one `Find-SoaOnPremContact` call answers many lookups, with the same results as
 * the one-object calls (a DN that fails inside a batch: Pester, test/powershell/ObjectTrace.Tests.ps1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labBridge, onPremObjects, type LabBridge } from './lab-bridge';

let env: LabBridge;

beforeAll(async () => {
  env = await labBridge({ contacts: 12 });
});
afterAll(async () => {
  await env?.close();
});

async function contactDns(): Promise<string[]> {
  return (await onPremObjects(env.lab)).filter((o) => o.kind === 'contact').map((o) => o.dn);
}

describe('batched traces', () => {
  it('traces many DNs in one PowerShell call, equal to one call per DN', async () => {
    const dns = [...(await contactDns()), 'CN=Nobody,OU=Contacts,DC=contoso,DC=com'];
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const before = env.ps.callCount;
    const batch = await env.sync.traceObjects({ dns, since });
    expect(env.ps.callCount - before).toBe(1);
    expect(batch.failures).toEqual([]);
    expect(batch.traces.map((t) => t.dn)).toEqual(dns);
    expect(batch.traces.at(-1)?.status).toBe('unknownDn');
    // the seed holds contacts whose SOA is already in the cloud (blocked) and synced ones (not blocked)
    expect(batch.traces.some((t) => t.status === 'traced' && t.blockOnPremisesSync === true)).toBe(true);
    expect(batch.traces.some((t) => t.status === 'traced' && t.blockOnPremisesSync === false)).toBe(true);
    const blocked = batch.traces.find((t) => t.status === 'traced' && t.blockOnPremisesSync === true)?.dn;
    for (const dn of [...dns.slice(0, 3), ...(blocked ? [blocked] : []), ...dns.slice(-1)]) {
      const one = await env.sync.traceObject({ dn, since });
      expect(batch.traces.find((t) => t.dn === dn)).toEqual(one);
    }
  });
});

describe('batched contact lookups', () => {
  it('answers many lookups in one PowerShell call, equal to one call per contact', async () => {
    const contacts = (await onPremObjects(env.lab)).filter((o) => o.kind === 'contact');
    const queries: { key: string; mail?: string; displayName?: string }[] = [];
    for (const c of contacts) {
      const found = await env.sync.findOnPremContact({ dn: c.dn });
      const m = found.matches[0];
      if (!m) throw new Error(`contact ${c.dn} not found by DN`);
      // half by mail, half by display name only
      queries.push(
        queries.length % 2 === 0 && m.mail
          ? { key: c.dn, mail: m.mail }
          : { key: c.dn, displayName: m.displayName ?? '' },
      );
    }
    queries.push({ key: 'nobody', mail: 'nobody@nowhere.example' });
    const before = env.ps.callCount;
    const batch = await env.sync.findOnPremContacts({ queries });
    expect(env.ps.callCount - before).toBe(1);
    expect(batch.results.map((r) => r.key)).toEqual(queries.map((q) => q.key));
    expect(batch.results.at(-1)?.matches).toEqual([]);
    for (const q of queries) {
      const one = await env.sync.findOnPremContact(q.mail ? { mail: q.mail } : { displayName: q.displayName ?? '' });
      expect(batch.results.find((r) => r.key === q.key)?.matches).toEqual(one.matches);
    }
    // every real contact is found as itself
    for (const c of contacts)
      expect(batch.results.find((r) => r.key === c.dn)?.matches.map((m) => m.distinguishedName)).toContain(c.dn);
  });
});
