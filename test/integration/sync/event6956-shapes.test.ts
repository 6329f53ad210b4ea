/**
 * Event 6956 read by the production script in real pwsh from each event shape the lab can emit
 * (Microsoft documents the event only by a screenshot): the DN comes from the event data first and
 * from the message as a fallback, and the Entra-side DN (CN={…}) is never taken for the AD DN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labBridge, syncedContact, transferContact, type LabBridge } from './lab-bridge';

let env: LabBridge;
beforeAll(async () => {
  env = await labBridge({ contacts: 20 });
});
afterAll(() => env?.close());

const ctx = () => ({ emit: () => {}, signal: new AbortController().signal });

async function cycle(): Promise<void> {
  const r = await env.sync.runSyncCycle(
    { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
    ctx(),
  );
  expect(r.status).toBe('completed');
}

const used: string[] = [];

describe('Event 6956 in each shape', () => {
  it.each([
    ['messageAndData', 'eventData'],
    ['dataOnly', 'eventData'],
    ['messageOnly', 'message'],
  ] as const)('reads the AD DN from a %s event (from the %s)', async (shape, source) => {
    const set = await env.lab.control('POST', '/onprem/configuration', { event6956Shape: shape });
    expect(set.status).toBe(200);
    const c = await syncedContact(env.lab, used);
    used.push(c.dn);
    await transferContact(env.lab, c.cloudId, true);
    await cycle();
    const since = new Date(Date.now() - 1000).toISOString();
    // An AD change to an attribute that flows to Entra ID for contacts (department), made on the lab's AD.
    const changed = await env.lab.control('POST', '/onprem/ad/objects/set', {
      Identity: c.dn,
      Replace: { department: `probe ${shape}` },
    });
    expect(changed.status).toBe(200);
    await cycle();

    const raw = await env.lab.control('GET', `/onprem/events?Id=6956&StartTime=${encodeURIComponent(since)}`);
    const rawEvents = (raw.body as { value: { Message: string; Properties: { Value: string }[] }[] }).value;
    expect(rawEvents.length).toBeGreaterThan(0);
    if (shape === 'dataOnly') expect(rawEvents[0]?.Properties[1]?.Value).toMatch(/^CN=\{[0-9A-F]+\}$/);
    if (shape === 'messageOnly') expect(rawEvents[0]?.Properties).toEqual([]);

    const one = await env.sync.events6956({ since, dn: c.dn, maxEvents: 50 });
    expect(one.events.map((e) => e.dn)).toEqual([c.dn]);
    expect(one.events[0]?.dnSource).toBe(source);
    const all = await env.sync.events6956({ since, maxEvents: 50 });
    for (const e of all.events) expect(e.dn ?? '').not.toMatch(/^CN=\{/);
  });
});
