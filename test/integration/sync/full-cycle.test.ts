/**
 * The lab's whole SOA cycle driven through real pwsh, the real bridge and the lab stand-ins, with
 * Graph for the cloud side: transfer → AD change → sync → Event 6956 while the cloud object stays
 * unchanged → roll back → the first cycle starts the takeover (awaiting export confirmation,
 * blockOnPremisesSync false) → the next cycle completes it (onPremisesSyncEnabled true, AD wins).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labBridge, syncedContact, transferContact, type LabBridge } from './lab-bridge';

let env: LabBridge;
beforeAll(async () => {
  env = await labBridge({ contacts: 40 });
});
afterAll(() => env?.close());

const ctx = () => ({ emit: () => {}, signal: new AbortController().signal });
const cloudContact = z
  .object({
    description: z.string().nullable(),
    department: z.string().nullable(),
    displayName: z.string(),
    isCloudManaged: z.boolean(),
    onPremisesSyncEnabled: z.boolean().nullable(),
  })
  .passthrough();

async function cloud(id: string) {
  const res = await env.lab.control('GET', `/contacts/${id}`);
  return cloudContact.parse(res.body);
}

async function cycle() {
  const r = await env.sync.runSyncCycle(
    { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
    ctx(),
  );
  expect(r.status).toBe('completed');
  if (r.status === 'completed') expect(r.cycle.allSucceeded).toBe(true);
}

describe('full SOA cycle in real pwsh against the lab', () => {
  it('blocks AD changes with 6956 after transfer, and takes the object back after rollback', async () => {
    const c = await syncedContact(env.lab);
    const before = await cloud(c.cloudId);
    expect(before).toMatchObject({ isCloudManaged: false, onPremisesSyncEnabled: true });

    // Transfer: the cloud now owns the object.
    await transferContact(env.lab, c.cloudId, true);
    expect(await cloud(c.cloudId)).toMatchObject({ isCloudManaged: true, onPremisesSyncEnabled: null });

    // An AD-side change is not exported: 6956 for this DN, the cloud object is unchanged.
    const since = new Date(Date.now() - 1000).toISOString();
    const changed = `changed on-premises ${since}`;
    expect((await env.sync.findOnPremContact({ dn: c.dn })).matches).toHaveLength(1);
    const touched = await env.sync.touchOnPremObject({ dn: c.dn, confirm: true, description: changed });
    await cycle();
    const events = await env.sync.events6956({ since, dn: c.dn, maxEvents: 20 });
    expect(events.events.map((e) => e.dn?.toLowerCase())).toContain(c.dn.toLowerCase());
    const blocked = await cloud(c.cloudId);
    expect(blocked.department).toBe(before.department);
    expect(blocked.department).not.toBe(changed);
    const trace = await env.sync.traceObject({ dn: c.dn });
    expect(trace).toMatchObject({ status: 'traced', blockOnPremisesSync: true });

    // Roll back: (false, null) until the sync client takes the object over.
    await transferContact(env.lab, c.cloudId, false);
    expect(await cloud(c.cloudId)).toMatchObject({ isCloudManaged: false, onPremisesSyncEnabled: null });

    // "Awaiting export confirmation" comes from the Entra connector's run history (the real
    // connector-space object has no export state), and only with a time to tie the runs to.
    const firstCycle = new Date().toISOString();
    await cycle();
    const pending = await env.sync.traceObject({ dn: c.dn, since: firstCycle });
    expect(pending).toMatchObject({ status: 'traced', blockOnPremisesSync: false, awaitingExportConfirmation: true });
    if (pending.status !== 'traced') throw new Error('not traced');
    expect(pending.exportEvidence).toMatchObject({ awaiting: true, source: 'runHistory' });
    expect(pending.exportEvidence.exportRun?.exported).toBeGreaterThan(0);
    expect(pending.entraObject).not.toHaveProperty('exportState');
    const unanchored = await env.sync.traceObject({ dn: c.dn });
    expect(unanchored).toMatchObject({ status: 'traced', awaitingExportConfirmation: null });
    if (unanchored.status === 'traced') expect(unanchored.exportEvidence.source).toBe('notObservable');

    const secondCycle = new Date().toISOString();
    await cycle();
    const taken = await cloud(c.cloudId);
    expect(touched.attribute).toBe('department');
    expect(taken).toMatchObject({ isCloudManaged: false, onPremisesSyncEnabled: true, department: changed });
    const done = await env.sync.traceObject({ dn: c.dn, since: secondCycle });
    expect(done).toMatchObject({ status: 'traced', blockOnPremisesSync: false, awaitingExportConfirmation: false });
    if (done.status === 'traced') expect(done.exportEvidence.source).toBe('runHistory');

    await env.sync.restoreOnPremObject({
      dn: c.dn,
      confirm: true,
      description: touched.oldDescription,
      attribute: touched.attribute,
    });
  });
});
