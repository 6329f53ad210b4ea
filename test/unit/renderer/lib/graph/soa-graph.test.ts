/**
 * The renderer's Graph layer (Graph JS client v3 + typed calls + $batch) against the lab's Graph over
 * https with customHosts. Tokens are minted by the lab exactly as its /token would issue them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabInfo } from '../../../../../src-main/lab/index';
import { createHttpsFetch } from '../../../../../src-main/auth/https-fetch';
import {
  createGraphSession,
  findSoaAuditEvents,
  getContact,
  getSyncBehavior,
  listMemberOf,
  myRoles,
  probeReadOnly,
  searchContacts,
  setCloudManaged,
  STEP_SCOPES,
  TokenSourceError,
  type GraphSession,
  type TokenSource,
} from '../../../../../src-renderer/lib/graph/index';
import { createSessionGraphBatchPort } from '../../../../../src-renderer/lib/soa/bulk/session-graph-batch-port';
import { readMany } from '../../../../../src-renderer/lib/soa/bulk/batch-reads';

type Lab = Awaited<ReturnType<typeof startLab>>;
let lab: Lab;
let info: LabInfo;
let fetchLab: ReturnType<typeof createHttpsFetch>;
const urls: string[] = [];

const admin = (local: string) => {
  const a = info.admins.find((x) => x.upn.startsWith(`${local}@`));
  if (!a) throw new Error(`no lab admin ${local}`);
  return a;
};

function session(local: string, tokenSource?: TokenSource): GraphSession {
  const upn = admin(local).upn;
  return createGraphSession({
    baseUrl: info.graphBaseUrl,
    customHosts: [new URL(info.graphBaseUrl).hostname],
    fetch: fetchLab,
    maxRetries: 0,
    tokenSource: tokenSource ?? ((scopes) => lab.mintToken(upn, scopes)),
  });
}

const contacts = () => lab.tenant().objectsOf('contact');
const synced = () => contacts().filter((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged);

let clockOffset = 0;
const advance = async (ms: number) => {
  clockOffset += ms;
  lab.setClockOffset(clockOffset);
};

beforeAll(async () => {
  lab = await startLab({ seed: 7, speed: 'fast', contacts: 60 });
  info = lab.info;
  fetchLab = createHttpsFetch({ extraCa: [readFileSync(info.caCertPath, 'utf8')], onRequest: (u) => urls.push(u) });
});

afterAll(async () => {
  await lab?.close();
});

describe('Graph client against the lab', () => {
  it('reads a contact with the bearer token attached (https + customHosts) and carries the request-id', async () => {
    const c = synced()[0];
    if (!c) throw new Error('seed has no synced contact');
    const r = await getContact(session('hybrid.admin'), c.id);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ id: c.id, displayName: c.displayName, onPremisesSyncEnabled: true });
    expect(r.requestId).toMatch(/[0-9a-f-]{36}/);
  });

  it('pages through contacts with ConsistencyLevel and $count', async () => {
    const r = await searchContacts(session('hybrid.admin'), { top: 10 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.pages).toBeGreaterThan(1);
    expect(r.value.items.length).toBe(contacts().length);
    expect(r.value.count).toBe(contacts().length);
    expect(r.value.requestIds.every((id) => typeof id === 'string')).toBe(true);
    const name = synced()[1]?.displayName ?? '';
    const found = await searchContacts(session('hybrid.admin'), { text: name.split(' ')[0] ?? name });
    expect(found.ok && found.value.items.some((i) => i.displayName === name)).toBe(true);
  });

  it('transfers SOA, reads it back and finds the audit entry since t0 (both spellings accepted)', async () => {
    const c = synced()[2];
    if (!c) throw new Error('no contact');
    const g = session('hybrid.admin');
    const t0 = new Date(lab.clock.now() - 1000);
    const before = await getSyncBehavior(g, 'contact', c.id);
    expect(before).toMatchObject({ ok: true, value: { id: c.id, isCloudManaged: false } });
    const set = await setCloudManaged(g, 'contact', c.id, true);
    expect(set.ok).toBe(true);
    expect(set.requestId).toBeTruthy();
    const after = await getSyncBehavior(g, 'contact', c.id);
    expect(after).toMatchObject({ ok: true, value: { isCloudManaged: true } });
    await advance(lab.settings().auditIngestionMs + 1000);
    const audit = await findSoaAuditEvents(g, { targetId: c.id, since: t0 });
    expect(audit.ok).toBe(true);
    if (!audit.ok) return;
    expect(audit.value.map((e) => e.action)).toEqual(['transfer']);
    expect(audit.value[0]?.targetResources?.[0]?.id).toBe(c.id);
  });

  it('probes a write: Graph’s refusal comes back as data (400 for a synced contact), accepted after the transfer', async () => {
    const g = session('hybrid.admin');
    const s = synced()[3];
    if (!s) throw new Error('no contact');
    const ro = await probeReadOnly(g, s.id);
    expect(ro).toMatchObject({
      ok: true,
      value: { displayName: s.displayName, patchStatus: 400, refusal: { status: 400, code: 'Request_BadRequest' } },
    });
    expect(ro.requestId).toBeTruthy();
    expect((await setCloudManaged(g, 'contact', s.id, true)).ok).toBe(true);
    expect(await probeReadOnly(g, s.id)).toMatchObject({ ok: true, value: { refusal: null, patchStatus: 204 } });
  });

  it('lists memberOf with types (groups and administrative units)', async () => {
    const au = lab.tenant().state.administrativeUnits[0];
    const memberId = au?.members.find((id) => lab.tenant().object(id)?.kind === 'contact');
    if (!au || !memberId) throw new Error('seed has no contact in an AU');
    const r = await listMemberOf(session('hybrid.admin'), 'contact', memberId);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toContainEqual({ id: au.id, type: 'administrativeUnit', displayName: au.displayName });
  });

  it('reads role assignments: tenant-wide, AU-scoped and none', async () => {
    const full = await myRoles(session('hybrid.admin'), admin('hybrid.admin').oid);
    expect(full).toMatchObject({
      ok: true,
      value: {
        soaTenantWide: true,
        soaAdministrativeUnits: [],
        auditReaderRoles: ['Hybrid Administrator', 'Reports Reader'],
        contactUpdate: { tenantWide: true, roles: ['User Administrator'] },
      },
    });
    const au = await myRoles(session('au.admin'), admin('au.admin').oid);
    expect(au).toMatchObject({
      ok: true,
      value: { soaTenantWide: false, soaAdministrativeUnits: [lab.tenant().state.administrativeUnits[0]?.id] },
    });
    const none = await myRoles(session('helpdesk'), admin('helpdesk').oid);
    expect(none).toMatchObject({
      ok: true,
      value: { soaTenantWide: false, soaAdministrativeUnits: [], auditReaderRoles: [] },
    });
  });

  it('turns 403s into forbidden with the missing role or the missing scope, and 404 into notFound', async () => {
    const c = synced()[4];
    if (!c) throw new Error('no contact');
    const noRole = await getSyncBehavior(session('helpdesk'), 'contact', c.id);
    expect(noRole).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', status: 403, missingScopes: [], missingRole: 'Hybrid Administrator' },
    });
    if (!noRole.ok) expect(noRole.error.kind === 'forbidden' && noRole.error.fix).toMatch(/Hybrid Administrator/);
    expect(noRole.requestId).toBeTruthy();

    const noAudit = await findSoaAuditEvents(session('hybrid.noaudit'), { targetId: c.id, since: new Date(0) });
    expect(noAudit).toMatchObject({ ok: false, error: { kind: 'forbidden', missingScopes: [] } });
    if (!noAudit.ok && noAudit.error.kind === 'forbidden') expect(noAudit.error.missingRole).toMatch(/Reports Reader/);

    // a token for another scope set (as if it were reused) → Graph refuses, and the missing scope is named
    const upn = admin('hybrid.admin').upn;
    const wrong = await getSyncBehavior(
      session('hybrid.admin', () => lab.mintToken(upn, [...STEP_SCOPES.audit])),
      'contact',
      c.id,
    );
    expect(wrong).toMatchObject({ ok: false, error: { kind: 'forbidden', missingScopes: [...STEP_SCOPES.contacts] } });

    const refused = await getSyncBehavior(
      session('hybrid.admin', async () => {
        throw new TokenSourceError('interactionRequired', 'Consent is missing', [
          'Contacts-OnPremisesSyncBehavior.ReadWrite.All',
        ]);
      }),
      'contact',
      c.id,
    );
    expect(refused).toMatchObject({ ok: false, error: { kind: 'forbidden', code: 'consent_required' } });

    const missing = await getContact(session('hybrid.admin'), '00000000-0000-4000-8000-000000000000');
    expect(missing).toMatchObject({ ok: false, error: { kind: 'notFound', status: 404 } });
    expect(missing.requestId).toBeTruthy();
  });

  it('reports an unreachable Graph as a network error', async () => {
    const g = createGraphSession({
      baseUrl: 'https://localhost:1',
      customHosts: ['localhost'],
      fetch: fetchLab,
      maxRetries: 0,
      tokenSource: async () => 'x',
    });
    const r = await getContact(g, 'abc');
    expect(r).toMatchObject({ ok: false, error: { kind: 'network', status: 0 }, requestId: null });
  });

  it('$batch through the shared session: inner 429s re-queued after Retry-After, written once each', async () => {
    const port = createSessionGraphBatchPort(session('hybrid.admin'));
    const targets = synced().slice(5, 30);
    const scopes = STEP_SCOPES.contacts;
    const reads = await readMany(
      port,
      targets.map((c) => ({ key: c.id, url: `/contacts/${c.id}/onPremisesSyncBehavior?$select=isCloudManaged` })),
      { scopes },
    );
    expect(reads.size).toBe(targets.length);
    for (const r of reads.values()) expect(r).toMatchObject({ status: 200, body: { isCloudManaged: false } });

    // shrink the write bucket so that part of one batch is throttled inside an outer 200
    lab.updateSettings({ throttleScale: 0.003 });
    try {
      const writes = targets.slice(0, 12);
      const waits: number[] = [];
      // honour Retry-After on the lab clock (no real waiting in tests)
      const clock = {
        now: () => Date.now() + clockOffset,
        sleep: async (ms: number) => {
          waits.push(ms);
          await advance(ms);
        },
      };
      const result = await readMany(
        {
          // the same sender, used for PATCHes: readMany re-queues inner 429s exactly like reads
          sendBatch: (body, o) =>
            port.sendBatch(
              {
                requests: body.requests.map((r) => ({
                  ...r,
                  method: 'PATCH' as const,
                  url: r.url,
                  body: { isCloudManaged: true },
                  headers: { 'Content-Type': 'application/json' },
                })),
              },
              o,
            ),
        },
        writes.map((c) => ({ key: c.id, url: `/contacts/${c.id}/onPremisesSyncBehavior` })),
        { scopes, clock, maxAttempts: 10, concurrency: 1 },
      );
      expect(waits.length).toBeGreaterThan(0);
      expect([...result.values()].every((r) => r.status === 204 || r.status === 200)).toBe(true);
      for (const c of writes) expect(lab.tenant().object(c.id)?.isCloudManaged).toBe(true);
    } finally {
      lab.updateSettings({ throttleScale: 1 });
    }
  });

  it('a refused token reaches the $batch caller as the TokenSourceError it is', async () => {
    const port = createSessionGraphBatchPort(
      session('hybrid.admin', async () => {
        throw new TokenSourceError('interactionRequired', 'consent missing', ['X.Read']);
      }),
    );
    const e = await port
      .sendBatch({ requests: [{ id: '1', method: 'GET', url: '/contacts' }] }, { scopes: ['X.Read'] })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TokenSourceError);
  });

  it('talked to the lab only', () => {
    expect(urls.length).toBeGreaterThan(10);
    for (const u of urls) expect(['localhost', '127.0.0.1']).toContain(new URL(u).hostname);
  });
});
