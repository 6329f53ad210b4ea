/**
 * The read-only and writable proofs give the right verdict under every lab variant of the
 * undocumented behaviours (the refusal of a PATCH on a synced or mail-enabled contact, the scope that
 * PATCH needs, both audit spellings), and for admins with and without a contact-update role.
 * Real lab, real Graph session; the journal is in memory.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../../src-main/lab/index';
import { defaultSettings } from '../../../../../src-main/lab/tenant/model';
import { createHttpsFetch } from '../../../../../src-main/auth/https-fetch';
import { createGraphSession } from '../../../../../src-renderer/lib/graph/graph-client';
import { STEP_SCOPES } from '../../../../../src-renderer/lib/graph/scopes';
import { findSoaAuditEvents, setCloudManaged } from '../../../../../src-renderer/lib/graph/soa-graph';
import { stepProveReadOnly, stepProveWritable } from '../../../../../src-renderer/lib/soa/transfer';
import { PROBABLY_READ_ONLY, NOT_PROVABLE_WITH_ROLES } from '../../../../../src-renderer/lib/soa/proof';
import type { ContactTarget } from '../../../../../src-renderer/lib/soa/verify';
import { fakeIpc, ports } from './fakes';

let lab: LabHandle;
let ca: string;
const used = new Set<string>();

beforeAll(async () => {
  lab = await startLab({ seed: 11, speed: 'fast', contacts: 120 });
  ca = readFileSync(lab.info.caCertPath, 'utf8');
});
afterAll(() => lab?.close());
afterEach(() => {
  const d = defaultSettings('fast');
  lab.updateSettings({
    syncedContactPatch: d.syncedContactPatch,
    mailEnabledContactPatch: d.mailEnabledContactPatch,
    contactPatchScope: d.contactPatchScope,
    auditChangeActivityName: d.auditChangeActivityName,
    auditUndoActivityName: d.auditUndoActivityName,
    auditIngestionMs: d.auditIngestionMs,
  });
});

function flow(local: string) {
  const upn = `${local}@contoso.onmicrosoft.com`;
  const graph = createGraphSession({
    baseUrl: lab.info.graphBaseUrl,
    customHosts: ['localhost'],
    fetch: createHttpsFetch({ extraCa: [ca] }),
    maxRetries: 0,
    tokenSource: (scopes) => lab.mintToken(upn, scopes),
  });
  const f = fakeIpc();
  return { p: ports(f.ipc, graph), graph, journal: f.journal };
}

/** A fresh synced contact (with or without mail). */
function syncedContact(mail: boolean): ContactTarget {
  const o = lab
    .tenant()
    .objectsOf('contact')
    .find(
      (c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged && (c.mail !== null) === mail && !used.has(c.id),
    );
  if (!o) throw new Error('no synced contact left');
  used.add(o.id);
  return { id: o.id, displayName: o.displayName, mail: o.mail, dn: o.onPremisesDistinguishedName };
}

const writesTo = (id: string) => lab.tenant().state.writeLog.filter((w) => w.objectId === id);

describe('read-only proof (step 4) under each variant of the synced-contact refusal', () => {
  it.each([
    ['documentedBadRequest', false, 'pass', 'write'],
    ['documentedBadRequest', true, 'pass', 'write'],
    ['unrecognisedBadRequest', false, 'pass', 'write'],
    ['otherCodeBadRequest', false, 'warn', 'write'],
    ['forbidden', false, 'pass', 'state'],
  ] as const)('syncedContactPatch=%s (mail-enabled %s) → %s, proof by %s', async (variant, mail, verdict, by) => {
    lab.updateSettings({ syncedContactPatch: variant, mailEnabledContactPatch: 'sameAsSynced' });
    const { p } = flow('hybrid.useradmin');
    const c = syncedContact(mail);
    const r = await stepProveReadOnly(p, c, { proof: 'write' });
    expect(r.step.verdict).toBe(verdict);
    expect(r.step.proof?.by).toBe(by);
    expect(r.ok).toBe(true); // never a dead end: every variant leaves the contact provably synced
    // a 403 is "not provable", never "not read-only"
    expect(r.step.observed).not.toMatch(/not read-only|ACCEPTED/);
    if (variant === 'otherCodeBadRequest') {
      expect(r.step.observed).toContain(PROBABLY_READ_ONLY);
      expect(r.step.observed).toContain('This contact is synchronized from on-premises'); // the raw message
    }
    if (variant === 'forbidden') expect(r.step.notes.join(' ')).toMatch(/Not provable by a write/);
    expect(writesTo(c.id)).toHaveLength(0); // refused writes change nothing
  });

  it.each(['externalService', 'unrecognisedBadRequest', 'sameAsSynced'] as const)(
    'mailEnabledContactPatch=%s: a mail-enabled synced contact is proven read-only by the write',
    async (variant) => {
      lab.updateSettings({ mailEnabledContactPatch: variant });
      const { p } = flow('hybrid.useradmin');
      const r = await stepProveReadOnly(p, syncedContact(true), { proof: 'write' });
      expect(r.step).toMatchObject({ verdict: 'pass', proof: { by: 'write' } });
    },
  );

  it.each([
    ['Directory.ReadWrite.All', 'write'],
    ['OrgContact.ReadWrite.All', 'write'],
    ['Directory.AccessAsUser.All', 'state'],
  ] as const)(
    'contactPatchScope=%s → proof by %s (a 403 for the scope falls back to state evidence)',
    async (variant, by) => {
      lab.updateSettings({ contactPatchScope: variant });
      const { p } = flow('hybrid.useradmin');
      const r = await stepProveReadOnly(p, syncedContact(false), { proof: 'write' });
      expect(r.step).toMatchObject({ verdict: 'pass', proof: { by } });
    },
  );

  it('an admin without a contact-update role: the write gets 403 → state evidence; the state mode sends no write', async () => {
    const { p } = flow('hybrid.only');
    const tried = await stepProveReadOnly(p, syncedContact(false), { proof: 'write' });
    expect(tried.step).toMatchObject({ verdict: 'pass', proof: { by: 'state' } });
    const c = syncedContact(false);
    const before = lab.tenant().state.writeLog.length;
    const state = await stepProveReadOnly(p, c, { proof: 'state' });
    expect(state.step).toMatchObject({ verdict: 'pass', proof: { by: 'state' } });
    expect(state.step.requests.map((q) => q.label.split(' ')[0])).toEqual(['GET', 'GET']);
    expect(state.step.observed).toContain(NOT_PROVABLE_WITH_ROLES);
    expect(lab.tenant().state.writeLog.length).toBe(before);
  });

  it('the state evidence fails (never a false pass) when the contact is not synced', async () => {
    const { p, graph } = flow('hybrid.admin');
    const c = syncedContact(false);
    expect((await setCloudManaged(graph, 'contact', c.id, true)).ok).toBe(true);
    const r = await stepProveReadOnly(p, c, { proof: 'state' });
    expect(r.step).toMatchObject({ verdict: 'fail', proof: { by: 'state' } });
    expect(r.ok).toBe(false);
    const w = await stepProveReadOnly(p, c, { proof: 'write' });
    expect(w.step.verdict).toBe('fail'); // the write was accepted: not read-only
  });
});

describe('writable proof (step 7)', () => {
  it('with User Administrator: by write, read back', async () => {
    const { p, graph } = flow('hybrid.useradmin');
    const c = syncedContact(false);
    expect((await setCloudManaged(graph, 'contact', c.id, true)).ok).toBe(true);
    const r = await stepProveWritable(p, c, `${c.displayName} Cloud`, { proof: 'write' });
    expect(r.step).toMatchObject({ verdict: 'pass', proof: { by: 'write' } });
    expect(lab.tenant().object(c.id)?.displayName).toBe(`${c.displayName} Cloud`);
  });

  it('Hybrid Administrator only: the write gets 403 → state evidence with the audit entry; by state: no write', async () => {
    const { p, graph } = flow('hybrid.only');
    const c = syncedContact(false);
    expect((await setCloudManaged(graph, 'contact', c.id, true)).ok).toBe(true);
    const audit = { activityDisplayName: 'Change Source of Authority from AD to cloud', activityDateTime: 'now' };
    const r = await stepProveWritable(p, c, 'New Name', { proof: 'write', auditEntry: audit });
    expect(r.step).toMatchObject({ verdict: 'pass', proof: { by: 'state' } });
    expect(r.step.proof?.summary).toMatch(/Not provable by a write/);
    expect(r.step.proof?.summary).toContain('audit entry "Change Source of Authority from AD to cloud"');
    expect(lab.tenant().object(c.id)?.displayName).toBe(c.displayName);
    const s = await stepProveWritable(p, c, '', { proof: 'state', auditEntry: null });
    expect(s.step).toMatchObject({ verdict: 'pass', proof: { by: 'state' } });
    expect(s.write).toBeNull();
    expect(s.step.proof?.summary).toMatch(/no audit entry seen yet/);
  });

  it('the state evidence fails when the contact is still synced', async () => {
    const { p } = flow('hybrid.only');
    const r = await stepProveWritable(p, syncedContact(false), '', { proof: 'state' });
    expect(r.step).toMatchObject({ verdict: 'fail', proof: { by: 'state' } });
  });
});

describe('audit spellings', () => {
  it.each([
    ['Change Source of Authority from AD to cloud', 'Undo changes to Source of Authority from AD DS to cloud'],
    ['Change Source of Authority from AD DS to cloud', 'Undo changes to Source of Authority from AD to cloud'],
  ])('transfer "%s" and undo "%s" are both found', async (change, undo) => {
    lab.updateSettings({ auditChangeActivityName: change, auditUndoActivityName: undo, auditIngestionMs: 0 });
    const { graph } = flow('hybrid.admin');
    const c = syncedContact(false);
    const since = new Date(lab.clock.now() - 1000);
    expect((await setCloudManaged(graph, 'contact', c.id, true)).ok).toBe(true);
    expect((await setCloudManaged(graph, 'contact', c.id, false)).ok).toBe(true);
    const r = await findSoaAuditEvents(graph, { targetId: c.id, since });
    expect(r.ok && r.value.map((e) => [e.action, e.activityDisplayName])).toEqual([
      ['transfer', change],
      ['rollback', undo],
    ]);
  });
});

// the scopes the write proofs ask for are the contact-update scope only
it('the write proofs ask for the contact-update scope only when chosen', () => {
  expect([...STEP_SCOPES.contactEdit]).toEqual(['Directory.ReadWrite.All']);
});
