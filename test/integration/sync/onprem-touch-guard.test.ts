/**
 * The AD change that proves Event 6956 touches only the on-premises object picked for the run:
 * main refuses any DN (or GUID) the server did not resolve as that object, and the PowerShell script
 * re-checks the object class and objectGUID before changing anything. Real pwsh, the lab stand-ins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labBridge, onPremObjects, syncedContact, type LabBridge } from './lab-bridge';
import { ConnectSync } from '../../../src-main/sync/connect-sync';

let env: LabBridge;

beforeAll(async () => {
  env = await labBridge();
});
afterAll(async () => {
  await env?.close();
});

const adObject = z.object({
  dn: z.string(),
  guid: z.string(),
  kind: z.string(),
  attrs: z.record(z.string(), z.unknown()),
});

async function adState(dn: string): Promise<z.infer<typeof adObject>> {
  const snap = z
    .object({ ad: z.array(adObject) })
    .passthrough()
    .parse((await env.lab.control('GET', '/onprem/snapshot')).body);
  const o = snap.ad.find((x) => x.dn.toLowerCase() === dn.toLowerCase());
  if (!o) throw new Error(`no AD object ${dn} in the lab`);
  return o;
}

async function objectOfKind(kind: 'user' | 'group'): Promise<z.infer<typeof adObject>> {
  const o = (await onPremObjects(env.lab)).find((x) => x.kind === kind);
  if (!o) throw new Error(`the lab seed has no ${kind}`);
  return adState(o.dn);
}

const touch = (dn: string, description = 'soa-pilot probe') =>
  env.sync.touchOnPremObject({ dn, confirm: true, description });

describe('server.touchOnPremObject and restore change only the picked on-premises object', () => {
  it('refuses a group by DN and a user by GUID, even after tracing them, and changes neither', async () => {
    const group = await objectOfKind('group');
    const user = await objectOfKind('user');
    await env.sync.traceObject({ dn: group.dn });
    await env.sync.traceObject({ dn: user.dn });
    await expect(touch(group.dn)).rejects.toMatchObject({ code: 'refused' });
    await expect(touch(user.guid)).rejects.toMatchObject({ code: 'refused' });
    await expect(touch(user.dn)).rejects.toMatchObject({ code: 'refused' });
    await expect(
      env.sync.restoreOnPremObject({ dn: group.dn, confirm: true, description: 'restored' }),
    ).rejects.toMatchObject({ code: 'refused' });
    expect((await adState(group.dn)).attrs).toEqual(group.attrs);
    expect((await adState(user.dn)).attrs).toEqual(user.attrs);
  });

  it('refuses a contact the server never resolved for this run', async () => {
    const used: string[] = [];
    const picked = await syncedContact(env.lab, used);
    used.push(picked.dn);
    const other = await syncedContact(env.lab, used);
    expect((await env.sync.findOnPremContact({ dn: picked.dn })).matches).toHaveLength(1);
    const before = await adState(other.dn);
    await expect(touch(other.dn)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining(picked.dn) as unknown,
    });
    expect((await adState(other.dn)).attrs).toEqual(before.attrs);
  });

  it('touches and restores the picked contact (looked up, then traced), by DN in any case', async () => {
    const used: string[] = [];
    const a = await syncedContact(env.lab, used);
    used.push(a.dn);
    const b = await syncedContact(env.lab, used);
    // Both resolved by the server; the trace picks b, so a is refused and b is changed.
    await env.sync.findOnPremContact({ dn: a.dn });
    await env.sync.findOnPremContact({ dn: b.dn });
    await env.sync.traceObject({ dn: a.dn });
    await env.sync.traceObject({ dn: b.dn });
    await expect(touch(a.dn)).rejects.toMatchObject({ code: 'refused' });
    // The probe changes an attribute that flows to Entra ID for contacts (department in the lab's default rules).
    const original = (await adState(b.dn)).attrs.department ?? null;
    const touched = await touch(b.dn.toUpperCase(), 'soa-pilot 6956 probe (guard test)');
    expect(touched.attribute).toBe('department');
    expect(touched.oldDescription).toBe(original);
    expect((await adState(b.dn)).attrs.department).toBe('soa-pilot 6956 probe (guard test)');
    const restored = await env.sync.restoreOnPremObject({
      dn: b.dn,
      confirm: true,
      description: touched.oldDescription,
      attribute: touched.attribute,
    });
    expect(restored.description).toBe(touched.oldDescription);
    expect((await adState(b.dn)).attrs.department ?? null).toBe(original);
  });

  it("after a restart, tracing the run's DN looks the contact up again and picks it; a traced group stays refused", async () => {
    const restarted = new ConnectSync(env.ps);
    const c = await syncedContact(env.lab);
    const group = await objectOfKind('group');
    await expect(restarted.restoreOnPremObject({ dn: c.dn, confirm: true, description: null })).rejects.toMatchObject({
      code: 'refused',
    });
    await restarted.traceObject({ dn: group.dn });
    await expect(restarted.touchOnPremObject({ dn: group.dn, confirm: true, description: 'x' })).rejects.toMatchObject({
      code: 'refused',
    });
    await restarted.traceObject({ dn: c.dn });
    // the probe changes department, which the lab's default contact rules flow to Entra ID
    const original = (await adState(c.dn)).attrs.department ?? null;
    const touched = await restarted.touchOnPremObject({ dn: c.dn, confirm: true, description: 'after restart' });
    expect(touched.attribute).toBe('department');
    expect(touched.oldDescription).toBe(original);
    await restarted.restoreOnPremObject({
      dn: c.dn,
      confirm: true,
      description: touched.oldDescription,
      attribute: touched.attribute,
    });
    expect((await adState(c.dn)).attrs.department ?? null).toBe(original);
    expect((await adState(group.dn)).attrs).toEqual(group.attrs);
  });

  it('the script itself refuses a group handed over as the picked contact, and one with another objectGUID', async () => {
    const group = await objectOfKind('group');
    const contact = await adState((await syncedContact(env.lab)).dn);
    const run = (args: Record<string, unknown>) =>
      env.ps.run('Set-SoaOnPremDescription', { Description: 'x', Confirmed: true, ...args }, z.unknown());
    await expect(
      run({ DistinguishedName: group.dn, ObjectGuid: group.guid, ObjectClass: 'contact' }),
    ).rejects.toMatchObject({ code: 'refused' });
    await expect(
      run({ DistinguishedName: contact.dn, ObjectGuid: group.guid, ObjectClass: 'contact' }),
    ).rejects.toMatchObject({ code: 'refused' });
    await expect(run({ DistinguishedName: contact.dn })).rejects.toMatchObject({ code: 'refused' });
    expect((await adState(group.dn)).attrs).toEqual(group.attrs);
    expect((await adState(contact.dn)).attrs).toEqual(contact.attrs);
  });
});
