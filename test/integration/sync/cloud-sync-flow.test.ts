/**
 * The Cloud Sync proof path against the lab's bothEngines tenant, through real pwsh and the stand-ins for the AD
 * side: the engine is detected, the transfer's block shows as a provisionOnDemand SOA skip and a provisioning-log
 * entry, and after the rollback the next entry shows the object processed again with the cloud matching AD. The
 * lab's skip-text variants are each run: the unrecognised one must not pass.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { IpcResult } from '@contract';
import { PowerShellSession } from '../../../src-main/powershell/session';
import { labPowerShellConfig } from '../../../src-main/powershell/lab-config';
import { ConnectSync } from '../../../src-main/sync/connect-sync';
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import { createHttpsFetch } from '../../../src-main/auth/https-fetch';
import { createGraphSession } from '../../../src-renderer/lib/graph/graph-client';
import { setCloudManaged } from '../../../src-renderer/lib/graph/soa-graph';
import {
  DEFAULT_CLOUD_SYNC_TUNING,
  readConnectSyncPartitions,
  stepDetectEngine,
  stepProveAdBlockedCloudSync,
  stepVerifyTakeoverCloudSync,
} from '../../../src-renderer/lib/soa/cloud-sync-proof';
import { DEFAULT_TUNING, realClock, type FlowPorts, type Ipc } from '../../../src-renderer/lib/soa/ports';
import { HYBRID_ADMIN } from './lab-bridge';

let lab: LabHandle;
let ps: PowerShellSession;
let sync: ConnectSync;

beforeAll(async () => {
  lab = await startLab({ seed: 3, speed: 'fast', contacts: 12, scenario: 'bothEngines' });
  ps = new PowerShellSession({ ...labPowerShellConfig(lab.info), defaultTimeoutMs: 60_000 });
  sync = new ConnectSync(ps, { timing: { pollMs: 150, startGraceMs: 10_000, callTimeoutMs: 30_000 } });
});
afterAll(async () => {
  await ps?.dispose();
  await lab?.close();
});

/** The server operations the steps call, straight onto the real ConnectSync (the router's job in the app). */
function ipc(): { ipc: Ipc; journal: unknown[] } {
  const journal: unknown[] = [];
  const handlers: Record<string, (input: never) => Promise<unknown>> = {
    'journal.append': async (input: { record: unknown }) => {
      journal.push(input.record);
      return { seq: journal.length, at: new Date().toISOString() };
    },
    'server.touchOnPremObject': (input) => sync.touchOnPremObject(input),
    'server.findOnPremContact': (input) => sync.findOnPremContact(input),
    'server.adConnectors': () => sync.adConnectors(),
  };
  const call = async (name: string, input: unknown): Promise<IpcResult<unknown>> => {
    const h = handlers[name];
    if (!h) return { ok: false, error: { code: 'internal', message: `unexpected ipc ${name}` } };
    try {
      return { ok: true, value: await h(input as never) };
    } catch (e) {
      return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
    }
  };
  return {
    ipc: {
      call,
      invoke: async (name: string, input: unknown) => {
        const r = await call(name, input);
        if (!r.ok) throw new Error(r.error.message);
        return r.value;
      },
      onProgress: () => () => undefined,
    } as unknown as Ipc,
    journal,
  };
}

function ports(): FlowPorts {
  const graph = createGraphSession({
    baseUrl: lab.info.graphBaseUrl,
    customHosts: [new URL(lab.info.graphBaseUrl).hostname],
    fetch: createHttpsFetch({ extraCa: [readFileSync(lab.info.caCertPath, 'utf8')] }),
    maxRetries: 0,
    tokenSource: (scopes) => lab.mintToken(HYBRID_ADMIN, scopes),
  });
  let n = 0;
  return { ipc: ipc().ipc, graph, clock: realClock, tuning: DEFAULT_TUNING, newId: () => `op-${++n}` };
}

const row = z
  .object({
    id: z.string(),
    displayName: z.string(),
    mail: z.string().nullable().optional(),
    onPremisesDistinguishedName: z.string().nullable().optional(),
  })
  .passthrough();

async function adatumContact(skip: string[]): Promise<z.infer<typeof row> & { onPremisesDistinguishedName: string }> {
  const r = await lab.control('GET', '/objects?kind=contact&state=synced&limit=1000');
  const rows = z.object({ value: z.array(row) }).parse(r.body).value;
  const hit = rows.find((o) => /DC=adatum,DC=com$/i.test(o.onPremisesDistinguishedName ?? '') && !skip.includes(o.id));
  if (!hit?.onPremisesDistinguishedName) throw new Error('no synced adatum contact in the bothEngines seed');
  // The pick step's look-up: the server changes only an object it has looked up for this run.
  expect((await sync.findOnPremContact({ dn: hit.onPremisesDistinguishedName })).matches).toHaveLength(1);
  return { ...hit, onPremisesDistinguishedName: hit.onPremisesDistinguishedName };
}

const tuning = {
  ...DEFAULT_CLOUD_SYNC_TUNING,
  cycleBoundMs: 30_000,
  logPollIntervalMs: 1_000,
  logAfterOnDemandMs: 10_000,
};
const used: string[] = [];

describe('the Cloud Sync proof path against the lab (bothEngines)', () => {
  it.each(['groupWording', 'objectWording', 'userWording'] as const)(
    'transfer → SOA skip in provisionOnDemand and the log → rollback → takeover (skip text %s)',
    async (variant) => {
      await lab.control('POST', '/settings', { cloudSyncContactSkip: variant });
      const p = ports();
      const c = await adatumContact(used);
      used.push(c.id);
      const target = { id: c.id, displayName: c.displayName, mail: c.mail ?? null, dn: c.onPremisesDistinguishedName };

      const engine = await stepDetectEngine(
        p,
        target,
        [{ connector: 'contoso.com', partitions: ['DC=contoso,DC=com'] }],
        tuning,
      );
      expect(engine.route.engine).toBe('cloudSync');
      expect(engine.context).not.toBeNull();
      const ctx = engine.context!;

      const t = await setCloudManaged(p.graph, 'contact', c.id, true);
      expect(t.ok).toBe(true);
      const before = z
        .object({ displayName: z.string(), onPremisesLastSyncDateTime: z.string().nullable().optional() })
        .passthrough()
        .parse((await lab.control('GET', `/contacts/${c.id}`)).body);

      const blocked = await stepProveAdBlockedCloudSync(p, ctx, target, {
        displayName: before.displayName,
        onPremisesLastSyncDateTime: before.onPremisesLastSyncDateTime ?? null,
      });
      expect(blocked.step.observed).toMatch(/SOA is in the cloud/);
      expect(blocked.step.verdict).toBe('pass');
      expect(blocked.observation?.onDemand?.kind).toBe('soaSkipped');

      const since = new Date(Date.now() - 1000).toISOString();
      const r = await setCloudManaged(p.graph, 'contact', c.id, false);
      expect(r.ok).toBe(true);
      const takeover = await stepVerifyTakeoverCloudSync(p, ctx, target, since);
      expect(takeover.step.observed).toMatch(/processed the object again/);
      expect(takeover.step.verdict).toBe('pass');
      // The provisioning-log evidence is in the step's requests.
      expect(takeover.step.requests.some((q) => q.label.includes('/auditLogs/provisioning'))).toBe(true);
      const writes = z
        .object({ value: z.array(z.object({ path: z.string().optional() }).passthrough()) })
        .parse((await lab.control('GET', '/write-log')).body);
      expect(JSON.stringify(writes.value)).not.toMatch(/\/start\b/);
    },
  );

  it('does not claim the SOA skip when the skip text names no SOA (unrecognised variant)', async () => {
    await lab.control('POST', '/settings', { cloudSyncContactSkip: 'unrecognised' });
    const p = ports();
    const c = await adatumContact(used);
    used.push(c.id);
    const target = { id: c.id, displayName: c.displayName, mail: c.mail ?? null, dn: c.onPremisesDistinguishedName };
    const engine = await stepDetectEngine(
      p,
      target,
      [{ connector: 'contoso.com', partitions: ['DC=contoso,DC=com'] }],
      { ...tuning, cycleBoundMs: 8_000 },
    );
    expect((await setCloudManaged(p.graph, 'contact', c.id, true)).ok).toBe(true);
    const before = z
      .object({ displayName: z.string(), onPremisesLastSyncDateTime: z.string().nullable().optional() })
      .passthrough()
      .parse((await lab.control('GET', `/contacts/${c.id}`)).body);
    const blocked = await stepProveAdBlockedCloudSync(p, engine.context!, target, {
      displayName: before.displayName,
      onPremisesLastSyncDateTime: before.onPremisesLastSyncDateTime ?? null,
    });
    expect(blocked.step.verdict).toBe('warn');
    expect(blocked.step.observed).toMatch(/not the SOA reason/);
    await lab.control('POST', '/settings', { cloudSyncContactSkip: 'groupWording' });
  });

  it('routes each object of the two-engine tenant to its engine, with the partitions read on the server', async () => {
    const p = ports();
    const partitions = await readConnectSyncPartitions(p);
    expect(partitions.connectors).toEqual([{ connector: expect.any(String), partitions: ['DC=contoso,DC=com'] }]);
    const adatum = await stepDetectEngine(
      p,
      { id: 'a', displayName: 'a', mail: null, dn: 'CN=a,OU=Partner Contacts,DC=adatum,DC=com' },
      partitions.connectors,
      tuning,
    );
    expect(adatum.route.engine).toBe('cloudSync');
    const contoso = await stepDetectEngine(
      p,
      { id: 'c', displayName: 'c', mail: null, dn: 'CN=c,OU=Contacts,DC=contoso,DC=com' },
      partitions.connectors,
      tuning,
    );
    expect(contoso.route.engine).toBe('connectSync');
    expect(contoso.context).toBeNull();
  });

  it('finds the configuration under both applicationTemplateId variants', async () => {
    for (const v of ['null', 'templateId'] as const) {
      await lab.control('POST', '/settings', { cloudSyncApplicationTemplateId: v });
      const p = ports();
      const engine = await stepDetectEngine(
        p,
        { id: 'x', displayName: 'x', mail: null, dn: 'CN=x,OU=Partner Contacts,DC=adatum,DC=com' },
        [],
        tuning,
      );
      expect(engine.route.engine).toBe('cloudSync');
    }
  });
});
