/** Shared set-up of the Connect Sync integration tests: one lab, one bridge, one ConnectSync. */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import type { SeedScenario } from '../../../src-main/lab/cloudsync/seed';
import { PowerShellSession } from '../../../src-main/powershell/session';
import { labPowerShellConfig } from '../../../src-main/powershell/lab-config';
import { ConnectSync } from '../../../src-main/sync/connect-sync';

export const HYBRID_ADMIN = 'hybrid.admin@contoso.onmicrosoft.com';

export interface LabBridge {
  lab: LabHandle;
  ps: PowerShellSession;
  sync: ConnectSync;
  close(): Promise<void>;
}

export async function labBridge(opts: { contacts?: number; scenario?: SeedScenario } = {}): Promise<LabBridge> {
  const lab = await startLab({
    seed: 1,
    speed: 'fast',
    contacts: opts.contacts ?? 12,
    ...(opts.scenario ? { scenario: opts.scenario } : {}),
  });
  const ps = new PowerShellSession({ ...labPowerShellConfig(lab.info), defaultTimeoutMs: 60_000 });
  const sync = new ConnectSync(ps, { timing: { pollMs: 150, startGraceMs: 10_000, callTimeoutMs: 30_000 } });
  return {
    lab,
    ps,
    sync,
    close: async () => {
      await ps.dispose();
      await lab.close();
    },
  };
}

const adEntry = z.object({ dn: z.string(), kind: z.string(), cloudId: z.string() }).passthrough();

/** On-premises objects of the lab with their joined cloud ids (from the on-prem snapshot). */
export async function onPremObjects(lab: LabHandle): Promise<z.infer<typeof adEntry>[]> {
  const snap = await lab.control('GET', '/onprem/snapshot');
  return z
    .object({ ad: z.array(adEntry) })
    .passthrough()
    .parse(snap.body).ad;
}

/** A contact that is still managed on premises (synced, not transferred). */
export async function syncedContact(lab: LabHandle, skip: string[] = []): Promise<{ dn: string; cloudId: string }> {
  for (const o of await onPremObjects(lab)) {
    if (o.kind !== 'contact' || skip.includes(o.dn)) continue;
    const cloud = lab.tenant().object(o.cloudId);
    if (cloud && !cloud.isCloudManaged && cloud.onPremisesSyncEnabled === true) return { dn: o.dn, cloudId: o.cloudId };
  }
  throw new Error('the lab seed has no synced contact left');
}

/** Transfers SOA of a contact to the cloud through lab Graph (PATCH onPremisesSyncBehavior), over TLS with the lab CA. */
export async function transferContact(lab: LabHandle, cloudId: string, isCloudManaged = true): Promise<void> {
  const token = await lab.mintToken(HYBRID_ADMIN, ['Contacts-OnPremisesSyncBehavior.ReadWrite.All']);
  const url = new URL(`${lab.info.graphBaseUrl}/v1.0/contacts/${cloudId}/onPremisesSyncBehavior`);
  const body = JSON.stringify({ isCloudManaged });
  const status = await new Promise<number>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'PATCH',
        ca: readFileSync(lab.info.caCertPath),
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 204) throw new Error(`PATCH onPremisesSyncBehavior answered ${status}`);
}
