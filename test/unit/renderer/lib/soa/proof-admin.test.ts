/**
 * "Prove it with another admin" in the flows: the signed-in admin holds only Hybrid Administrator
 * (403 on PATCH /contacts/{id}); another admin signs in for one proof write. Real lab, real Graph
 * sessions (one per account); main's proof sign-in is played by a fake IPC that mints lab tokens for
 * the other account, records every token request and the end of the session.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../../src-main/lab/index';
import { createHttpsFetch } from '../../../../../src-main/auth/https-fetch';
import { createGraphSession } from '../../../../../src-renderer/lib/graph/graph-client';
import { STEP_SCOPES } from '../../../../../src-renderer/lib/graph/scopes';
import { setCloudManaged } from '../../../../../src-renderer/lib/graph/soa-graph';
import { stepProveReadOnly, stepProveWritable } from '../../../../../src-renderer/lib/soa/transfer';
import { withProofAdmin } from '../../../../../src-renderer/lib/soa/proof-admin';
import { proofSummary, reportHtml, type EvidenceReport } from '../../../../../src-renderer/lib/soa/evidence';
import type { ContactTarget } from '../../../../../src-renderer/lib/soa/verify';
import { fakeIpc, ports } from './fakes';

let lab: LabHandle;
let ca: string;
const used = new Set<string>();
const upn = (local: string): string => `${local}@contoso.onmicrosoft.com`;
const SESSION = '11111111-1111-4111-8111-111111111111';

beforeAll(async () => {
  lab = await startLab({ seed: 12, speed: 'fast', contacts: 60 });
  ca = readFileSync(lab.info.caCertPath, 'utf8');
});
afterAll(() => lab?.close());

/** The signed-in admin `primary`; the proof sign-in answers as `other` (or refuses with `signInError`). */
function flow(primary: string, other: string, signInError?: { code: string; message: string }) {
  const primaryScopes: string[][] = [];
  const otherScopes: string[][] = [];
  const ended: string[] = [];
  let open = false;
  const graph = createGraphSession({
    baseUrl: lab.info.graphBaseUrl,
    customHosts: ['localhost'],
    fetch: createHttpsFetch({ extraCa: [ca] }),
    maxRetries: 0,
    tokenSource: (scopes) => {
      primaryScopes.push(scopes);
      return lab.mintToken(upn(primary), scopes);
    },
  });
  const f = fakeIpc({
    'auth.proofAdminSignIn': () => {
      if (signInError) throw new Error(signInError.message);
      open = true;
      return {
        proofSessionId: SESSION,
        account: { username: upn(other), tenantId: 't', homeAccountId: 'h', localAccountId: 'l' },
        expiresAt: new Date().toISOString(),
      };
    },
    'auth.proofAdminToken': (input) => {
      const { proofSessionId, scopes } = input as { proofSessionId: string; scopes: string[] };
      if (!open || proofSessionId !== SESSION) throw new Error('ended');
      otherScopes.push(scopes);
      return { accessToken: lab.mintToken(upn(other), scopes), expiresOn: new Date().toISOString(), scopes };
    },
    'auth.proofAdminEnd': (input) => {
      ended.push((input as { proofSessionId: string }).proofSessionId);
      open = false;
      return { ended: true };
    },
  });
  return { p: ports(f.ipc, graph), journal: f.journal, primaryScopes, otherScopes, ended };
}

function syncedContact(): ContactTarget {
  const o = lab
    .tenant()
    .objectsOf('contact')
    .find((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged && c.mail !== null && !used.has(c.id));
  if (!o) throw new Error('no synced contact left');
  used.add(o.id);
  return { id: o.id, displayName: o.displayName, mail: o.mail, dn: o.onPremisesDistinguishedName };
}

const writesTo = (id: string) => lab.tenant().state.writeLog.filter((w) => w.objectId === id);
const contactEdit = STEP_SCOPES.contactEdit.join(' ');

describe('read-only proof (step 4) by another admin', () => {
  it('Hybrid Administrator only + a User Administrator for the proof: by write, as that account, journaled', async () => {
    const f = flow('hybrid.only', 'hybrid.useradmin');
    const c = syncedContact();
    const r = await withProofAdmin(f.p, (writer) =>
      stepProveReadOnly(f.p, c, { proof: 'write', writer, runId: 'run-1' }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.username).toBe(upn('hybrid.useradmin'));
    const step = r.value.step;
    expect(step.verdict).toBe('pass');
    expect(step.proof).toMatchObject({ by: 'write', account: upn('hybrid.useradmin') });
    expect(step.proof?.summary).toMatch(/sent as hybrid\.useradmin@/);
    expect(r.value.readOnly).toBe(true);
    // journaled: the intent (with the account) before the write, the refusal as the result
    const intent = f.journal.find((j) => j.kind === 'intent');
    expect(intent).toMatchObject({ action: 'displayName', actor: upn('hybrid.useradmin'), objectId: c.id });
    const result = f.journal.find((j) => j.kind === 'result');
    expect(result).toMatchObject({ outcome: 'failed', status: 400 });
    expect((result?.seq ?? 0) > (intent?.seq ?? 0)).toBe(true);
    expect(r.value.opId).toBe(intent?.opId);
    // the other admin's token only for the write; the reads as the signed-in admin; the session ended
    expect(f.otherScopes.map((s) => s.join(' '))).toEqual([contactEdit]);
    expect(f.primaryScopes.every((s) => s.join(' ') !== contactEdit)).toBe(true);
    expect(f.ended).toEqual([SESSION]);
    expect(writesTo(c.id)).toHaveLength(0);
  });

  it('the other admin lacks the role too (403): state evidence, announced, never a dead end; result journaled', async () => {
    const f = flow('hybrid.only', 'hybrid.group');
    const c = syncedContact();
    const r = await withProofAdmin(f.p, (writer) => stepProveReadOnly(f.p, c, { proof: 'write', writer }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.step).toMatchObject({ verdict: 'pass', proof: { by: 'state' } });
    expect(r.value.ok).toBe(true);
    expect(r.value.step.proof?.summary).toMatch(/Not provable by a write \(sent as hybrid\.group@/);
    expect(r.value.step.observed).not.toMatch(/not read-only/);
    expect(f.journal.filter((j) => j.kind === 'result')).toMatchObject([{ outcome: 'failed', status: 403 }]);
    expect(f.ended).toEqual([SESSION]);
  });

  it('a failed or refused proof sign-in runs no write and journals nothing', async () => {
    const f = flow('hybrid.only', 'hybrid.only', { code: 'refused', message: 'is the admin already signed in' });
    const c = syncedContact();
    let ran = false;
    const r = await withProofAdmin(f.p, async () => {
      ran = true;
    });
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/already signed in/) });
    expect(ran).toBe(false);
    expect(f.journal).toHaveLength(0);
    expect(f.otherScopes).toHaveLength(0);
    expect(writesTo(c.id)).toHaveLength(0);
  });

  it('ends the proof sign-in even when the proof throws, and its token is refused afterwards', async () => {
    const f = flow('hybrid.only', 'hybrid.useradmin');
    let writerGraph: Parameters<Parameters<typeof withProofAdmin>[1]>[0]['graph'] | undefined;
    await expect(
      withProofAdmin(f.p, async (writer) => {
        writerGraph = writer.graph;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(f.ended).toEqual([SESSION]);
    // the writer's session cannot get a token once the proof sign-in ended
    const c = syncedContact();
    const after = await stepProveReadOnly(f.p, c, {
      proof: 'write',
      writer: { graph: writerGraph!, username: upn('hybrid.useradmin') },
    });
    expect(after.step.proof?.by).toBe('state');
    expect(writesTo(c.id)).toHaveLength(0);
  });
});

describe('writable proof (step 7) by another admin', () => {
  it('the PATCH is sent as the other admin (lab write log), journaled with the account, read back; the report says so', async () => {
    const f = flow('hybrid.only', 'hybrid.useradmin');
    const c = syncedContact();
    const transfer = await setCloudManaged(f.p.graph, 'contact', c.id, true);
    expect(transfer.ok).toBe(true);
    const readOnly = await stepProveReadOnly(f.p, c, { proof: 'state' });
    const r = await withProofAdmin(f.p, (writer) =>
      stepProveWritable(f.p, c, `${c.displayName} Cloud`, { proof: 'write', writer, runId: 'run-2' }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.ok).toBe(true);
    expect(r.value.step).toMatchObject({
      verdict: 'pass',
      proof: { by: 'write', account: upn('hybrid.useradmin') },
    });
    const patch = writesTo(c.id).filter((w) => /\/contacts\/[^/]+$/.test(w.path));
    expect(patch).toHaveLength(1);
    expect(patch[0]?.upn).toBe(upn('hybrid.useradmin'));
    const intent = f.journal.find((j) => j.kind === 'intent' && j.action === 'displayName');
    expect(intent).toMatchObject({ actor: upn('hybrid.useradmin') });
    expect(f.journal.find((j) => j.kind === 'result' && j.opId === intent?.opId)).toMatchObject({
      outcome: 'done',
      verified: true,
    });
    expect(f.ended).toEqual([SESSION]);

    const steps = [readOnly.step, r.value.step];
    expect(proofSummary(steps)).toBe(
      `Prove it is synced and read-only: by state evidence (no write); Prove it is writable in the cloud: by write as ${upn('hybrid.useradmin')}`,
    );
    const report: EvidenceReport = {
      schema: 'soa-pilot.evidence/1',
      kind: 'transfer',
      generatedAt: new Date().toISOString(),
      app: { version: 't', transport: 'test', lab: true },
      tenant: 't',
      admin: upn('hybrid.only'),
      object: { type: 'contact', id: c.id, displayName: c.displayName, distinguishedName: c.dn, mail: c.mail },
      outcome: 'x',
      steps,
      journal: { opIds: [] },
    };
    expect(reportHtml(report)).toContain(`By write as ${upn('hybrid.useradmin')}`);
  });

  it('without another admin the Hybrid Administrator alone falls back to state evidence (no write under their name)', async () => {
    const f = flow('hybrid.only', 'hybrid.useradmin');
    const c = syncedContact();
    expect((await setCloudManaged(f.p.graph, 'contact', c.id, true)).ok).toBe(true);
    const r = await stepProveWritable(f.p, c, `${c.displayName} Cloud`, { proof: 'write' });
    expect(r.step.proof).toMatchObject({ by: 'state' });
    expect(r.step.proof?.account).toBeUndefined();
    expect(writesTo(c.id).filter((w) => /\/contacts\/[^/]+$/.test(w.path))).toHaveLength(0);
  });
});
