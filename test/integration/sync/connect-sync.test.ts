/**
 * Connect Sync operations end to end: the real bridge, real pwsh, the lab stand-in module and the
 * in-process lab (speed 'fast').
 */
import { existsSync, rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labBridge, onPremObjects, syncedContact, transferContact, type LabBridge } from './lab-bridge';
import { canaryPath, hostileValues } from '../powershell/hostile-values';
import type { SyncProgress } from '../../../src-main/sync/sync-cycle';

let env: LabBridge;
const used: string[] = [];

beforeAll(async () => {
  rmSync(canaryPath, { force: true });
  env = await labBridge();
});
afterAll(async () => {
  await env?.close();
  rmSync(canaryPath, { force: true });
});

const ctx = (events: SyncProgress[] = [], signal = new AbortController().signal) => ({
  emit: (e: SyncProgress) => events.push(e),
  signal,
});

describe('environment and scheduler', () => {
  it('reads versions, services and staging mode and checks them against the floors', async () => {
    const e = await env.sync.environment();
    expect(e.psVersion).toBe('7.6.9');
    expect(e.adSyncModule).toBe(true);
    expect(e.connectSyncVersion).toBe('2.5.79.0');
    expect(e.services.find((s) => s.name === 'ADSync')?.status).toBe('Running');
    expect(e.stagingMode).toBe(false);
    const byId = Object.fromEntries(e.checks.map((c) => [c.id, c]));
    expect(byId.connectSyncContacts?.status).toBe('pass');
    expect(byId.connectSyncUsersGroups?.status).toBe('pass');
    expect(byId.powershell?.status).toBe('warn');
    // the session switched the console to UTF-8, and preflight says so (a failure is a Pester branch)
    expect(byId.utf8Console?.status).toBe('pass');
  });

  it('flags an old Connect Sync build with what to do', async () => {
    await env.lab.control('POST', '/onprem/configuration', { connectSyncVersion: '2.5.76.0' });
    try {
      const e = await env.sync.environment();
      const contacts = e.checks.find((c) => c.id === 'connectSyncContacts');
      expect(contacts?.status).toBe('fail');
      expect(contacts?.fix).toMatch(/Upgrade/);
      expect(e.checks.find((c) => c.id === 'connectSyncUsersGroups')?.status).toBe('pass');
    } finally {
      await env.lab.control('POST', '/onprem/configuration', { connectSyncVersion: '2.5.79.0' });
    }
  });

  it('returns the scheduler fields', async () => {
    const s = await env.sync.scheduler();
    expect(s.syncCycleEnabled).toBe(true);
    expect(s.syncCycleInProgress).toBe(false);
    expect(s.currentlyEffectiveSyncCycleInterval).toBe('00:30:00');
  });
});

describe('sync cycles', () => {
  it('runs a cycle with progress events and returns its run-profile results', async () => {
    const events: SyncProgress[] = [];
    const r = await env.sync.runSyncCycle(
      { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
      ctx(events),
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.cycle.allSucceeded).toBe(true);
    expect(r.cycle.runs.map((x) => x.runProfileName).sort()).toEqual([
      'Delta Import',
      'Delta Import',
      'Delta Synchronization',
      'Export',
    ]);
    const phases = events.map((e) => e.phase);
    expect(phases[0]).toBe('starting');
    expect(phases).toContain('running');
    expect(phases.at(-1)).toBe('collecting');
    expect(events.some((e) => e.connector === 'contoso.com')).toBe(true);
  });

  // The busy answers need a cycle still running when they are asked: the cycle is made long until they
  // are observed, then fast again (the step already running keeps its length, a quarter of the long
  // cycle), so a loaded machine can't end it before the calls arrive.
  const LONG_CYCLE_MS = 10_000;
  const cycleMs = async (ms: number): Promise<void> => {
    await env.lab.control('POST', '/onprem/configuration', { syncCycleMs: ms });
  };
  let fastCycleMs = 0;
  beforeAll(async () => {
    const c = await env.lab.control('GET', '/onprem/configuration');
    fastCycleMs = z.object({ syncCycleMs: z.number() }).parse(c.body).syncCycleMs;
  });
  afterEach(() => cycleMs(fastCycleMs)); // fast again even when a test failed before it said so

  it('reports busy as a typed result when a cycle is already running, then waits for it', async () => {
    const t0 = new Date().toISOString();
    await cycleMs(LONG_CYCLE_MS);
    const first = await env.sync.startSyncCycle({ policyType: 'Delta' });
    expect(first.status).toBe('started');
    const second = await env.sync.startSyncCycle({ policyType: 'Delta' });
    expect(second.status).toBe('busy');
    if (second.status === 'busy') {
      expect(second.message).toMatch(/is busy/);
      expect(second.retryAfterSeconds).toBeGreaterThan(0);
    }
    const noWait = await env.sync.runSyncCycle(
      { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 30, waitIfBusy: false },
      ctx(),
    );
    expect(noWait.status).toBe('busy');
    await cycleMs(fastCycleMs);
    const waited = await env.sync.waitForSyncCycle({ operationId: crypto.randomUUID(), t0, timeoutSeconds: 60 }, ctx());
    expect(waited.runs.length).toBe(4);
    expect(waited.allSucceeded).toBe(true);
  });

  it('waits out a busy engine before starting when asked', async () => {
    await cycleMs(LONG_CYCLE_MS);
    expect((await env.sync.startSyncCycle({ policyType: 'Delta' })).status).toBe('started');
    const events: SyncProgress[] = [];
    const emit = ctx(events);
    const r = await env.sync.runSyncCycle(
      { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
      {
        ...emit,
        emit: (e: SyncProgress) => {
          emit.emit(e);
          // seen waiting: let the running cycle (and the one it starts next) finish fast
          if (e.phase === 'waitingForBusy') void cycleMs(fastCycleMs);
        },
      },
    );
    expect(r.status).toBe('completed');
    expect(events.some((e) => e.phase === 'waitingForBusy')).toBe(true);
  });

  it('refuses to start on a staging-mode server', async () => {
    await env.lab.control('POST', '/onprem/configuration', { stagingMode: true });
    try {
      const r = await env.sync.startSyncCycle({ policyType: 'Delta' });
      expect(r.status).toBe('stagingMode');
      const e = await env.sync.environment();
      expect(e.stagingMode).toBe(true);
      expect(e.checks.find((c) => c.id === 'stagingMode')?.status).toBe('fail');
    } finally {
      await env.lab.control('POST', '/onprem/configuration', { stagingMode: false });
    }
  });

  it('stops waiting on cancel without restarting the shell', async () => {
    const starts = env.ps.startCount;
    const ac = new AbortController();
    const p = env.sync.runSyncCycle(
      { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
      {
        emit: (e) => {
          if (e.phase === 'running') ac.abort();
        },
        signal: ac.signal,
      },
    );
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(env.ps.startCount).toBe(starts);
    await env.sync.waitForSyncCycle(
      { operationId: crypto.randomUUID(), t0: new Date().toISOString(), timeoutSeconds: 60 },
      ctx(),
    );
  });
});

describe('objects', () => {
  it('finds a contact by mail, display name and DN through the ActiveDirectory stand-in', async () => {
    const c = await syncedContact(env.lab);
    const byDn = await env.sync.findOnPremContact({ dn: c.dn });
    expect(byDn.via).toBe('activeDirectory');
    expect(byDn.matches).toHaveLength(1);
    const m = byDn.matches[0]!;
    expect(m.distinguishedName).toBe(c.dn);
    if (m.displayName) {
      const byName = await env.sync.findOnPremContact({ displayName: m.displayName });
      expect(byName.matches.map((x) => x.distinguishedName)).toContain(c.dn);
    }
    if (m.mail) {
      const byMail = await env.sync.findOnPremContact({ mail: m.mail });
      expect(byMail.matches.map((x) => x.distinguishedName)).toContain(c.dn);
    }
    expect((await env.sync.findOnPremContact({ dn: 'CN=Nobody,OU=Contacts,DC=contoso,DC=com' })).matches).toEqual([]);
  });

  it('traces a synced contact to its Entra connector object', async () => {
    const c = await syncedContact(env.lab);
    const t = await env.sync.traceObject({ dn: c.dn });
    expect(t.status).toBe('traced');
    if (t.status !== 'traced') return;
    expect(t.blockOnPremisesSync).toBe(false);
    expect(t.cloudAnchor).toBe(`Contact_${c.cloudId}`);
    expect(t.entraObject?.connectorName).toBe('contoso.onmicrosoft.com - AAD');
    expect(t.adObject.distinguishedName.toLowerCase()).toBe(c.dn.toLowerCase());
  });

  it('reports an unknown DN as its own result', async () => {
    const dn = 'CN=Does Not Exist,OU=Contacts,DC=contoso,DC=com';
    const t = await env.sync.traceObject({ dn });
    expect(t).toMatchObject({ status: 'unknownDn', dn });
  });

  it('reports a not-joined object as its own result', async () => {
    // The lab seeds one AD contact outside the sync scope: a disconnector without a metaverse join.
    const res = await env.lab.control('GET', '/onprem/sync/cs-objects?ConnectorName=contoso.com&MaxResultCount=5000');
    const list = z
      .object({
        value: z.array(
          z.object({ DistinguishedName: z.string(), ConnectedMVObjectId: z.string().nullable() }).passthrough(),
        ),
      })
      .parse(res.body).value;
    const loose = list.find((o) => !o.ConnectedMVObjectId || /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(o.ConnectedMVObjectId));
    if (!loose) throw new Error('the lab has no AD connector-space object without a metaverse join');
    const t = await env.sync.traceObject({ dn: loose.DistinguishedName });
    expect(t).toMatchObject({ status: 'notJoined', dn: loose.DistinguishedName });
  });

  it('returns no events (not an error) when nothing matches', async () => {
    const r = await env.sync.events6956({ since: new Date(Date.now() + 3_600_000).toISOString(), maxEvents: 10 });
    expect(r.events).toEqual([]);
  });

  it('proves Event 6956: transfer, touch AD, sync, read 6956 for the DN, trace, restore', async () => {
    const c = await syncedContact(env.lab, used);
    used.push(c.dn);
    await transferContact(env.lab, c.cloudId, true);
    const since = new Date(Date.now() - 1000).toISOString();
    // The server resolves the contact first: only the object it picked for the run may be changed.
    expect((await env.sync.findOnPremContact({ dn: c.dn })).matches).toHaveLength(1);
    const touched = await env.sync.touchOnPremObject({
      dn: c.dn,
      confirm: true,
      description: `soa-pilot 6956 probe ${since}`,
    });
    expect(touched.newDescription).toBe(`soa-pilot 6956 probe ${since}`);
    const cycle = await env.sync.runSyncCycle(
      { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
      ctx(),
    );
    expect(cycle.status).toBe('completed');
    const ev = await env.sync.events6956({ since, dn: c.dn, maxEvents: 50 });
    expect(ev.events.length).toBeGreaterThanOrEqual(1);
    expect(ev.events[0]?.dn?.toLowerCase()).toBe(c.dn.toLowerCase());
    expect(ev.provider).toBe('ADSync');
    const others = await env.sync.events6956({
      since,
      dn: 'CN=Someone Else,OU=Contacts,DC=contoso,DC=com',
      maxEvents: 50,
    });
    expect(others.events).toEqual([]);
    const t = await env.sync.traceObject({ dn: c.dn });
    expect(t.status).toBe('traced');
    if (t.status === 'traced') expect(t.blockOnPremisesSync).toBe(true);
    const restored = await env.sync.restoreOnPremObject({
      dn: c.dn,
      confirm: true,
      description: touched.oldDescription,
    });
    expect(restored.description).toBe(touched.oldDescription);
    const after = await env.sync.findOnPremContact({ dn: c.dn });
    expect(after.matches[0]?.description ?? null).toBe(touched.oldDescription);
  });
});

describe('hostile input through the real scripts', () => {
  it.each(Object.entries(hostileValues))(
    '%s: DNs and names arrive intact and nothing executes',
    async (_name, value) => {
      const dn = `CN=${value},OU=Contacts,DC=contoso,DC=com`;
      const t = await env.sync.traceObject({ dn });
      expect(t).toMatchObject({ status: 'unknownDn', dn });
      const f = await env.sync.findOnPremContact({ displayName: value, mail: value });
      expect(f.matches).toEqual([]);
      const e = await env.sync.events6956({ since: new Date(Date.now() + 3_600_000).toISOString(), dn, maxEvents: 5 });
      expect(e.events).toEqual([]);
      expect(existsSync(canaryPath)).toBe(false);
    },
  );

  it('writes and reads back a hostile description through AD unchanged', async () => {
    const c = await syncedContact(env.lab, used);
    used.push(c.dn);
    // description flows for contacts only with the SharePoint Online attribute set
    await env.lab.control('POST', '/onprem/configuration', { sharePointAttributeSet: true });
    const original = (await env.sync.findOnPremContact({ dn: c.dn })).matches[0]?.description ?? null;
    for (const value of Object.values(hostileValues)) {
      await env.sync.touchOnPremObject({ dn: c.dn, confirm: true, description: value, attribute: 'description' });
      const read = await env.sync.findOnPremContact({ dn: c.dn });
      expect(read.matches[0]?.description).toBe(value);
    }
    await env.sync.restoreOnPremObject({ dn: c.dn, confirm: true, description: original });
    await env.lab.control('POST', '/onprem/configuration', { sharePointAttributeSet: false });
    expect(existsSync(canaryPath)).toBe(false);
  });

  it('has the lab objects it needs', async () => {
    expect((await onPremObjects(env.lab)).length).toBeGreaterThan(0);
  });
});
