/**
 * A Connect Sync server that syncs two forests (the lab's `twoForests` seed: contoso.com and
 * fabrikam.com, each through its own AD connector), with real pwsh: the object's connector is chosen by
 * the partition that holds its DN, and that choice carries the trace, the AD change that proves the block
 * (made through the object's own domain, `-Server fabrikam.com`) and the Event 6956 read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labBridge, onPremObjects, transferContact, type LabBridge } from './lab-bridge';

let env: LabBridge;
beforeAll(async () => {
  env = await labBridge({ contacts: 12, scenario: 'twoForests' });
});
afterAll(() => env?.close());

const FABRIKAM = 'DC=fabrikam,DC=com';
const adObject = z.object({ department: z.string().nullable() }).passthrough();

async function syncedIn(partition: string): Promise<{ dn: string; cloudId: string }> {
  for (const o of await onPremObjects(env.lab)) {
    if (o.kind !== 'contact' || !o.dn.toLowerCase().endsWith(`,${partition.toLowerCase()}`)) continue;
    const cloud = env.lab.tenant().object(o.cloudId);
    if (cloud && !cloud.isCloudManaged && cloud.onPremisesSyncEnabled === true) return { dn: o.dn, cloudId: o.cloudId };
  }
  throw new Error(`no synced contact under ${partition}`);
}

async function cycle(): Promise<void> {
  const r = await env.sync.runSyncCycle(
    { policyType: 'Delta', timeoutSeconds: 120, waitIfBusy: true, operationId: crypto.randomUUID() },
    { emit: () => {}, signal: new AbortController().signal },
  );
  expect(r.status).toBe('completed');
}

describe('a server with two forests', () => {
  it('has one AD connector per forest, each with its own partition', async () => {
    const r = await env.lab.control('GET', '/onprem/sync/connectors');
    const connectors = z
      .object({
        value: z.array(
          z.object({
            Name: z.string(),
            ConnectorTypeName: z.string(),
            Partitions: z.array(z.object({ DN: z.string() })),
          }),
        ),
      })
      .parse(r.body).value;
    expect(connectors.filter((c) => c.ConnectorTypeName === 'AD').map((c) => [c.Name, c.Partitions[0]?.DN])).toEqual([
      ['contoso.com', 'DC=contoso,DC=com'],
      ['fabrikam.com', FABRIKAM],
    ]);
  });

  it('finds a contact of either forest by mail, one lookup or many (each synced domain is searched)', async () => {
    const fab = await syncedIn(FABRIKAM);
    const con = await syncedIn('DC=contoso,DC=com');
    const fabMail = (await env.sync.findOnPremContact({ dn: fab.dn })).matches[0]?.mail;
    const conMail = (await env.sync.findOnPremContact({ dn: con.dn })).matches[0]?.mail;
    if (!fabMail || !conMail) throw new Error('the seeded contacts have no mail');
    const one = await env.sync.findOnPremContact({ mail: fabMail });
    expect(one.matches.map((m) => m.distinguishedName)).toEqual([fab.dn]);
    const many = await env.sync.findOnPremContacts({
      queries: [
        { key: 'fab', mail: fabMail },
        { key: 'con', mail: conMail },
      ],
    });
    expect(many.results.map((r) => [r.key, r.matches.map((m) => m.distinguishedName)])).toEqual([
      ['fab', [fab.dn]],
      ['con', [con.dn]],
    ]);
  });

  it('traces each object through the connector whose partition holds its DN, one call or many', async () => {
    const fab = await syncedIn(FABRIKAM);
    const con = await syncedIn('DC=contoso,DC=com');
    const one = await env.sync.traceObject({ dn: fab.dn });
    expect(one).toMatchObject({
      status: 'traced',
      adConnector: { name: 'fabrikam.com', via: 'partition', partition: FABRIKAM },
      blockOnPremisesSync: false,
    });
    expect(one.status === 'traced' && one.adObject.connectorName).toBe('fabrikam.com');
    const many = await env.sync.traceObjects({ dns: [con.dn, fab.dn] });
    expect(many.traces.map((t) => t.adConnector.name)).toEqual(['contoso.com', 'fabrikam.com']);
    expect(many.traces.every((t) => t.status === 'traced')).toBe(true);
  });

  it('the lab reaches a fabrikam object only through its own domain (as a server joined to contoso.com)', async () => {
    const fab = await syncedIn(FABRIKAM);
    const q = `/onprem/ad/objects?Identity=${encodeURIComponent(fab.dn)}`;
    expect((await env.lab.control('GET', q)).status).toBe(404);
    expect((await env.lab.control('GET', `${q}&Server=contoso.com`)).status).toBe(404);
    expect((await env.lab.control('GET', `${q}&Server=fabrikam.com`)).status).toBe(200);
  });

  it('transfers a fabrikam contact: the trace, the AD change and Event 6956 all follow its forest', async () => {
    const fab = await syncedIn(FABRIKAM);
    await transferContact(env.lab, fab.cloudId);
    await cycle();
    const traced = await env.sync.traceObject({ dn: fab.dn }); // picks the object for the AD change
    expect(traced).toMatchObject({
      status: 'traced',
      adConnector: { name: 'fabrikam.com' },
      blockOnPremisesSync: true,
    });

    const ad = async () =>
      adObject.parse(
        (
          (
            await env.lab.control(
              'GET',
              `/onprem/ad/objects?Identity=${encodeURIComponent(fab.dn)}&Server=fabrikam.com`,
            )
          ).body as { value: unknown[] }
        ).value[0],
      );
    const before = await ad();
    const since = new Date(Date.now() - 1000).toISOString();
    const touch = await env.sync.touchOnPremObject({ dn: fab.dn, confirm: true, description: 'soa-pilot probe' });
    // the flow was read from the fabrikam connector's inbound rules
    expect(touch).toMatchObject({ attribute: 'department', attributeSource: 'syncRules' });
    expect(touch.attributeReason).toMatch(/In from AD - Contact Common/);
    expect((await ad()).department).toBe('soa-pilot probe');

    await cycle();
    const ev = await env.sync.events6956({ since, dn: fab.dn, maxEvents: 50 });
    expect(ev.events.map((e) => [e.dn, e.dnSource])).toContainEqual([fab.dn, 'eventData']);

    await env.sync.restoreOnPremObject({
      dn: fab.dn,
      confirm: true,
      description: touch.oldDescription,
      attribute: touch.attribute,
    });
    expect((await ad()).department).toBe(before.department);
  });
});
