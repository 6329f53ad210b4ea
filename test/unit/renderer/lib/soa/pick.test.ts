/**
 * Finding the picked contact's on-premises object: where the server looks by itself first, then, only when that finds
 * nothing, also in the AD domains of the tenant's Cloud Sync jobs (DomainFQDN, as data for -Server).
 * docs/reference/adsync-types.md
 */
import { describe, expect, it } from 'vitest';
import type { OnPremContact } from '@contract';
import { matchOnPrem } from '../../../../../src-renderer/lib/soa/pick';
import { DEFAULT_TUNING, type FlowPorts } from '../../../../../src-renderer/lib/soa/ports';
import { fakeIpc } from './fakes';
import { fakeCloudSyncGraph, recordingClock, type FakeConfiguration } from './cloud-sync-fakes';

const ANN: OnPremContact = {
  distinguishedName: 'CN=Ann,OU=Contacts,DC=litware,DC=com',
  objectGuid: 'g-ann',
  displayName: 'Ann',
  mail: 'ann@litware.com',
  description: null,
};

const litware: FakeConfiguration = {
  spId: 'sp-lit',
  displayName: 'litware.com',
  jobs: [
    {
      id: 'AD2AADProvisioning.lit',
      templateId: 'AD2AADProvisioning',
      settings: [{ name: 'DomainFQDN', value: 'litware.com' }],
    },
  ],
  mappedTypes: ['contact'],
  ruleId: 'rule-lit',
};

/** A server that finds Ann only when litware.com is named (her forest has no Connect Sync connector). */
function setup(configurations: FakeConfiguration[], server: (input: { domains?: string[] }) => OnPremContact[]) {
  const c = recordingClock();
  const f = fakeCloudSyncGraph(c.clock, configurations);
  const calls: { mail?: string; displayName?: string; domains?: string[] }[] = [];
  const ipc = fakeIpc({
    'server.findOnPremContact': (input) => {
      const i = input as { mail?: string; displayName?: string; domains?: string[] };
      calls.push(i);
      return { matches: server(i), via: 'activeDirectory' };
    },
  });
  const ports: FlowPorts = { ipc: ipc.ipc, graph: f.graph, clock: c.clock, tuning: DEFAULT_TUNING, newId: () => 'op' };
  return { ports, calls, f };
}

const onlyWithLitware = (i: { domains?: string[] }) => (i.domains?.includes('litware.com') ? [ANN] : []);

describe('matchOnPrem', () => {
  it("finds a contact in a Cloud Sync job's domain that the server's own search misses, and says it asked it", async () => {
    const s = setup([litware], onlyWithLitware);
    const m = await matchOnPrem(s.ports, { mail: 'ann@litware.com', displayName: 'Ann' });
    expect(m.matches).toEqual([ANN]);
    expect(m.matchedBy).toBe('mail');
    expect(m.cloudSyncDomains).toEqual(['litware.com']);
    expect(m.command).toContain('-Server litware.com');
    // first without domains (mail, then name), then with the job's domain
    expect(s.calls).toEqual([
      { mail: 'ann@litware.com' },
      { displayName: 'Ann' },
      { mail: 'ann@litware.com', domains: ['litware.com'] },
    ]);
  });

  it('the failing cases: found where the server looks → Cloud Sync is never read; no Cloud Sync → no second search', async () => {
    const found = setup([litware], () => [ANN]);
    const m = await matchOnPrem(found.ports, { mail: 'ann@litware.com', displayName: 'Ann' });
    expect(m.matches).toEqual([ANN]);
    expect(m.cloudSyncDomains).toBeUndefined();
    expect(found.calls).toEqual([{ mail: 'ann@litware.com' }]);
    expect(found.f.requests).toEqual([]);

    const none = setup([], onlyWithLitware);
    const n = await matchOnPrem(none.ports, { mail: 'ann@litware.com', displayName: 'Ann' });
    expect(n.matches).toEqual([]);
    expect(n.matchedBy).toBe('none');
    expect(n.cloudSyncDomains).toBeUndefined();
    expect(none.calls.every((c) => c.domains === undefined)).toBe(true);
  });

  it('the Cloud Sync configurations cannot be read: the first answer stands (nothing assumed)', async () => {
    const s = setup([litware], onlyWithLitware);
    s.f.syncFailure = { status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges.' };
    const m = await matchOnPrem(s.ports, { mail: 'ann@litware.com', displayName: 'Ann' });
    expect(m.matches).toEqual([]);
    expect(m.cloudSyncDomains).toBeUndefined();
    expect(s.calls.every((c) => c.domains === undefined)).toBe(true);
  });

  it('a server that cannot search is said at once (no second search)', async () => {
    const s = setup([litware], () => {
      throw new Error('The PowerShell session is not available.');
    });
    const m = await matchOnPrem(s.ports, { mail: 'ann@litware.com' });
    expect(m.error).toMatch(/PowerShell session/);
    expect(s.calls).toHaveLength(1);
    expect(s.f.requests).toEqual([]);
  });
});
