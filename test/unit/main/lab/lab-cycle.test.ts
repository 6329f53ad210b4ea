import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { arr, contactIds, control, graph, rec, SOA_SCOPES, UPN } from './lab-http';

let lab: LabHandle;
let token: string;

beforeAll(async () => {
  lab = await startLab({ seed: 61, contacts: 25 });
  lab.updateSettings({ syncCycleMs: 200 });
  token = await lab.mintToken(UPN.full, SOA_SCOPES);
});
afterAll(async () => {
  await lab.close();
});

async function runCycle(): Promise<void> {
  const start = await control(lab, 'POST', '/onprem/sync/cycle', { PolicyType: 'Delta' });
  expect(start.status).toBe(200);
  for (let i = 0; i < 100; i++) {
    await new Promise((ok) => setTimeout(ok, 50));
    const s = await control(lab, 'GET', '/onprem/sync/scheduler');
    if (rec(s.json).SyncCycleInProgress === false) return;
  }
  throw new Error('sync cycle did not finish');
}

describe('lab: tenant + on-premises sync through the control API', () => {
  it('transfer → AD change is blocked (Event 6956) → rollback → two cycles take the object over', async () => {
    const [id] = await contactIds(lab, 'synced', 1);
    const full = rec((await control(lab, 'GET', `/contacts/${id}`)).json);
    const dn = String(full.onPremisesDistinguishedName);
    const originalName = String(full.displayName);
    expect(
      (
        await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
          token,
          method: 'PATCH',
          body: { isCloudManaged: true },
        })
      ).status,
    ).toBe(204);

    const set = await control(lab, 'POST', '/onprem/ad/objects/set', {
      Identity: dn,
      Replace: { description: 'changed on-premises', displayName: `${originalName} (AD)` },
    });
    expect(set.status).toBe(200);
    await runCycle();
    const events = await control(lab, 'GET', '/onprem/events?Id=6956');
    expect(events.status).toBe(200);
    expect(arr(rec(events.json).value).some((e) => String(rec(e).Message).includes(dn))).toBe(true);
    const cloud = rec((await graph(lab, `/contacts/${id}`, { token })).json);
    expect(cloud.displayName).toBe(originalName);
    expect(cloud.onPremisesSyncEnabled).toBeNull();

    expect(
      (
        await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
          token,
          method: 'PATCH',
          body: { isCloudManaged: false },
        })
      ).status,
    ).toBe(204);
    await runCycle();
    expect(rec((await control(lab, 'GET', `/contacts/${id}`)).json).soaState).toBe('awaitingExportConfirmation');
    expect(
      rec((await graph(lab, `/contacts/${id}?$select=onPremisesSyncEnabled`, { token })).json).onPremisesSyncEnabled,
    ).toBeNull();
    await runCycle();
    const after = rec((await graph(lab, `/contacts/${id}`, { token })).json);
    expect(after.onPremisesSyncEnabled).toBe(true);
    expect(after.displayName).toBe(`${originalName} (AD)`);
    expect(rec((await control(lab, 'GET', `/contacts/${id}`)).json).soaState).toBe('synced');
  });
});
