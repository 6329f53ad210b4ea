/**
 * The AD change that proves the block touches an attribute the server's sync rules flow to Entra ID
 * (read with Get-ADSyncRule through the lab's stand-in), in real pwsh: department for a contact by
 * default, description refused while the SharePoint Online attribute set is off, allowed when it is on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labBridge, syncedContact, type LabBridge } from './lab-bridge';

let env: LabBridge;
beforeAll(async () => {
  env = await labBridge({ contacts: 12 });
});
afterAll(() => env?.close());

const adObject = z.object({ department: z.string().nullable(), description: z.string().nullable() }).passthrough();

async function ad(dn: string) {
  const r = await env.lab.control('GET', `/onprem/ad/objects?Identity=${encodeURIComponent(dn)}`);
  return adObject.parse((r.body as { value: unknown[] }).value[0]);
}

async function pick(dn: string): Promise<void> {
  const found = await env.sync.findOnPremContact({ dn });
  expect(found.matches).toHaveLength(1);
}

describe('AD probe attribute', () => {
  it('picks an attribute that flows (department), and restores it', async () => {
    await env.lab.control('POST', '/onprem/configuration', { sharePointAttributeSet: false });
    const c = await syncedContact(env.lab);
    await pick(c.dn);
    const before = await ad(c.dn);
    const t = await env.sync.touchOnPremObject({ dn: c.dn, confirm: true, description: 'soa-pilot probe' });
    expect(t).toMatchObject({
      attribute: 'department',
      attributeSource: 'syncRules',
      oldDescription: before.department,
    });
    expect(t.attributeReason).toMatch(/Out to AAD - Contact Join/);
    expect(await ad(c.dn)).toMatchObject({ department: 'soa-pilot probe', description: before.description });
    const r = await env.sync.restoreOnPremObject({
      dn: c.dn,
      confirm: true,
      description: t.oldDescription,
      attribute: t.attribute,
    });
    expect(r).toMatchObject({ attribute: 'department', description: before.department });
    expect(await ad(c.dn)).toMatchObject({ department: before.department, description: before.description });
  });

  it('refuses description while it does not flow for contacts, and changes nothing', async () => {
    await env.lab.control('POST', '/onprem/configuration', { sharePointAttributeSet: false });
    const c = await syncedContact(env.lab);
    await pick(c.dn);
    const before = await ad(c.dn);
    await expect(
      env.sync.touchOnPremObject({ dn: c.dn, confirm: true, description: 'x', attribute: 'description' }),
    ).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/does not flow/) });
    expect(await ad(c.dn)).toEqual(before);
  });

  it('uses description once the SharePoint Online attribute set flows it', async () => {
    await env.lab.control('POST', '/onprem/configuration', { sharePointAttributeSet: true });
    const c = await syncedContact(env.lab);
    await pick(c.dn);
    const before = await ad(c.dn);
    const t = await env.sync.touchOnPremObject({ dn: c.dn, confirm: true, description: 'probe' });
    expect(t.attribute).toBe('description');
    await env.sync.restoreOnPremObject({
      dn: c.dn,
      confirm: true,
      description: t.oldDescription,
      attribute: t.attribute,
    });
    expect(await ad(c.dn)).toMatchObject({ description: before.description });
    await env.lab.control('POST', '/onprem/configuration', { sharePointAttributeSet: false });
  });
});
