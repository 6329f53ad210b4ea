/**
 * The lab enforces documented role actions (not our assumptions), resolves roles held through a
 * role-assignable group, keeps PIM-eligible roles inactive, and offers every plausible variant of
 * each undocumented behaviour as a named setting.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import {
  MSG_DENIED,
  MSG_EXTERNAL_SERVICE_UPDATE,
  MSG_SYNCED_UPDATE,
  MSG_UNRECOGNISED_UPDATE,
} from '../../../../src-main/lab/tenant/graph';
import { defaultSettings, ROLE } from '../../../../src-main/lab/tenant/model';
import { arr, errorOf, graph, rec, SOA_SCOPES } from './lab-http';

let lab: LabHandle;
const upn = (local: string): string => `${local}@contoso.onmicrosoft.com`;
const tokenOf = async (local: string, scopes: readonly string[] = SOA_SCOPES): Promise<string> =>
  lab.mintToken(upn(local), [...scopes, 'RoleManagement.Read.Directory', 'AdministrativeUnit.ReadWrite.All']);

beforeAll(async () => {
  lab = await startLab({ seed: 5, speed: 'fast', contacts: 60 });
});
afterAll(() => lab?.close());
afterEach(() => {
  const d = defaultSettings('fast');
  lab.updateSettings({
    syncedContactPatch: d.syncedContactPatch,
    mailEnabledContactPatch: d.mailEnabledContactPatch,
    contactPatchScope: d.contactPatchScope,
    batchThrottledOuterStatus: d.batchThrottledOuterStatus,
    contactsInAdministrativeUnits: d.contactsInAdministrativeUnits,
    otherAppsWritesPerSecond: 0,
    throttleScale: 1,
  });
  lab.faults.clear();
});

function synced(mail: boolean): string {
  const c = lab
    .tenant()
    .objectsOf('contact')
    .find((o) => o.onPremisesSyncEnabled === true && !o.isCloudManaged && (o.mail !== null) === mail);
  if (!c) throw new Error('no synced contact');
  return c.id;
}

describe('lab roles: documented role actions', () => {
  it('Hybrid Administrator alone: SOA and the audit log yes, PATCH /contacts/{id} no (403)', async () => {
    const t = await tokenOf('hybrid.only');
    const id = synced(false);
    expect((await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, { token: t })).status).toBe(200);
    expect((await graph(lab, '/auditLogs/directoryAudits?$top=1', { token: t })).status).toBe(200);
    const p = await graph(lab, `/contacts/${id}`, { token: t, method: 'PATCH', body: { displayName: 'x' } });
    expect(p.status).toBe(403);
    expect(errorOf(p)).toMatchObject({ code: 'Authorization_RequestDenied', message: MSG_DENIED });
  });

  it('User Administrator may PATCH a contact; on a synced one Graph refuses with the documented 400', async () => {
    const t = await tokenOf('hybrid.useradmin');
    const p = await graph(lab, `/contacts/${synced(false)}`, { token: t, method: 'PATCH', body: { displayName: 'x' } });
    expect(p.status).toBe(400);
    expect(errorOf(p)).toMatchObject({ code: 'Request_BadRequest', message: MSG_SYNCED_UPDATE });
  });

  it('a role held through a role-assignable group works, and shows in transitiveRoleAssignments (beta only)', async () => {
    const t = await tokenOf('hybrid.group');
    const admin = lab.info.admins.find((a) => a.upn === upn('hybrid.group'));
    expect(admin?.roles).toContain(ROLE.hybridAdministrator);
    expect(admin?.viaGroups).toHaveLength(1);
    expect((await graph(lab, `/contacts/${synced(false)}/onPremisesSyncBehavior`, { token: t })).status).toBe(200);
    const q = `/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=principalId eq '${admin?.oid}'`;
    const tr = await graph(lab, `/beta${q}`, { token: t, headers: { ConsistencyLevel: 'eventual' } });
    expect(tr.status).toBe(200);
    expect(arr(rec(tr.json).value).map(rec)).toEqual([
      expect.objectContaining({ principalId: admin?.viaGroups[0], roleDefinitionId: ROLE.hybridAdministrator }),
    ]);
    expect((await graph(lab, `/beta${q}`, { token: t })).status).toBe(400); // needs ConsistencyLevel
    expect((await graph(lab, `/v1.0${q}`, { token: t, headers: { ConsistencyLevel: 'eventual' } })).status).toBe(400);
    // direct assignments do not show it
    const direct = await graph(
      lab,
      `/roleManagement/directory/roleAssignments?$filter=principalId eq '${admin?.oid}'`,
      {
        token: t,
      },
    );
    expect(arr(rec(direct.json).value)).toEqual([]);
  });

  it('a PIM-eligible role is not active: 403 until activated, listed in roleEligibilityScheduleInstances', async () => {
    const t = await tokenOf('hybrid.pim');
    const admin = lab.info.admins.find((a) => a.upn === upn('hybrid.pim'));
    expect((await graph(lab, `/contacts/${synced(false)}/onPremisesSyncBehavior`, { token: t })).status).toBe(403);
    const el = await graph(
      lab,
      `/roleManagement/directory/roleEligibilityScheduleInstances?$filter=principalId eq '${admin?.oid}'`,
      { token: t },
    );
    expect(el.status).toBe(200);
    expect(arr(rec(el.json).value).map(rec)).toEqual([
      expect.objectContaining({ principalId: admin?.oid, roleDefinitionId: ROLE.hybridAdministrator }),
    ]);
  });

  it('POST /pim/activate turns the eligible role active (the eligibility stays); 404 for a user with none', async () => {
    const before = lab.tenant().state.roleAssignments.length;
    try {
      expect((await lab.control('POST', '/pim/activate', { upn: upn('hybrid.only') })).status).toBe(404);
      const r = await lab.control('POST', '/pim/activate', { upn: upn('hybrid.pim') });
      expect(r.status).toBe(200);
      const t = await tokenOf('hybrid.pim'); // signed in again after activating
      expect((await graph(lab, `/contacts/${synced(false)}/onPremisesSyncBehavior`, { token: t })).status).toBe(200);
      const admin = lab.info.admins.find((a) => a.upn === upn('hybrid.pim'));
      expect(lab.tenant().eligibleAssignmentsOf(admin?.oid ?? '')).toHaveLength(1);
    } finally {
      lab.tenant().state.roleAssignments.splice(before);
    }
  });
});

describe('lab variants of the undocumented behaviours', () => {
  it.each([
    ['documentedBadRequest', 400, 'Request_BadRequest', MSG_SYNCED_UPDATE],
    ['unrecognisedBadRequest', 400, 'Request_BadRequest', MSG_UNRECOGNISED_UPDATE],
    ['otherCodeBadRequest', 400, 'Directory_ObjectMasteredOnPremises', MSG_UNRECOGNISED_UPDATE],
    ['forbidden', 403, 'Authorization_RequestDenied', MSG_DENIED],
  ] as const)('syncedContactPatch=%s → %i %s', async (variant, status, code, message) => {
    lab.updateSettings({ syncedContactPatch: variant, mailEnabledContactPatch: 'sameAsSynced' });
    const t = await tokenOf('hybrid.useradmin');
    for (const mail of [false, true]) {
      const p = await graph(lab, `/contacts/${synced(mail)}`, {
        token: t,
        method: 'PATCH',
        body: { displayName: 'x' },
      });
      expect(p.status).toBe(status);
      expect(errorOf(p)).toMatchObject({ code, message });
    }
  });

  it.each([
    ['externalService', MSG_EXTERNAL_SERVICE_UPDATE],
    ['unrecognisedBadRequest', MSG_UNRECOGNISED_UPDATE],
    ['sameAsSynced', MSG_SYNCED_UPDATE],
  ] as const)(
    'mailEnabledContactPatch=%s: a mail-enabled synced contact gets its own text',
    async (variant, message) => {
      lab.updateSettings({ mailEnabledContactPatch: variant });
      const t = await tokenOf('hybrid.useradmin');
      const p = await graph(lab, `/contacts/${synced(true)}`, {
        token: t,
        method: 'PATCH',
        body: { displayName: 'x' },
      });
      expect(p.status).toBe(400);
      expect(errorOf(p)).toMatchObject({ code: 'Request_BadRequest', message });
    },
  );

  it.each([
    [
      'Directory.ReadWrite.All',
      { 'Directory.ReadWrite.All': 400, 'OrgContact.ReadWrite.All': 403, 'Directory.AccessAsUser.All': 403 },
    ],
    [
      'OrgContact.ReadWrite.All',
      { 'Directory.ReadWrite.All': 400, 'OrgContact.ReadWrite.All': 400, 'Directory.AccessAsUser.All': 403 },
    ],
    [
      'Directory.AccessAsUser.All',
      { 'Directory.ReadWrite.All': 403, 'OrgContact.ReadWrite.All': 403, 'Directory.AccessAsUser.All': 400 },
    ],
  ] as const)('contactPatchScope=%s: which token scope may PATCH /contacts/{id}', async (variant, want) => {
    lab.updateSettings({ contactPatchScope: variant });
    for (const [scope, status] of Object.entries(want)) {
      const t = await lab.mintToken(upn('hybrid.useradmin'), [scope]);
      const p = await graph(lab, `/contacts/${synced(false)}`, {
        token: t,
        method: 'PATCH',
        body: { displayName: 'x' },
      });
      expect(p.status, scope).toBe(status);
    }
  });

  it.each([200, 424] as const)(
    'batchThrottledOuterStatus=%i: the outer status of a batch with inner 429s',
    async (outer) => {
      lab.updateSettings({ batchThrottledOuterStatus: outer });
      lab.faults.add({
        path: 'onPremisesSyncBehavior$',
        kind: 'status',
        status: 429,
        count: 1,
        omitRetryAfter: true,
        limitPercentage: 1.7,
      });
      const t = await tokenOf('hybrid.admin');
      const ids = [synced(false), synced(true)];
      const body = {
        requests: ids.map((id, i) => ({ id: String(i), method: 'GET', url: `/contacts/${id}/onPremisesSyncBehavior` })),
      };
      const r = await graph(lab, '/$batch', { token: t, method: 'POST', body });
      expect(r.status).toBe(outer);
      const responses = arr(rec(r.json).responses).map(rec);
      expect(responses.map((x) => x.status)).toEqual([429, 200]);
      const h = rec(responses[0]?.headers);
      expect(h['Retry-After']).toBeUndefined();
      expect(h['x-ms-throttle-limit-percentage']).toBe('1.7');
      // without any inner 429 the batch is 200 in both variants
      expect((await graph(lab, '/$batch', { token: t, method: 'POST', body })).status).toBe(200);
    },
  );

  it.each([true, false])('contactsInAdministrativeUnits=%s', async (allowed) => {
    lab.updateSettings({ contactsInAdministrativeUnits: allowed });
    const au = lab.tenant().state.administrativeUnits[0];
    const inAu = au?.members.find((m) => lab.tenant().object(m)?.kind === 'contact');
    if (!au || !inAu) throw new Error('seed has no contact in the AU');
    const t = await tokenOf('au.admin');
    const members = await graph(lab, `/directory/administrativeUnits/${au.id}/members`, { token: t });
    const kinds = arr(rec(members.json).value).map((m) => String(rec(m)['@odata.type']));
    expect(kinds.includes('#microsoft.graph.orgContact')).toBe(allowed);
    const mo = await graph(lab, `/contacts/${inAu}/memberOf`, { token: t });
    expect(arr(rec(mo.json).value).some((m) => rec(m).id === au.id)).toBe(allowed);
    expect((await graph(lab, `/contacts/${inAu}/onPremisesSyncBehavior`, { token: t })).status).toBe(
      allowed ? 200 : 403,
    );
    const outside = lab
      .tenant()
      .objectsOf('contact')
      .find((o) => o.onPremisesSyncEnabled === true && !au.members.includes(o.id))?.id;
    const add = await graph(lab, `/directory/administrativeUnits/${au.id}/members/$ref`, {
      token: await tokenOf('global.admin'),
      method: 'POST',
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${outside}` },
    });
    expect(add.status).toBe(allowed ? 204 : 400);
  });

  it('both audit spellings are offered for the transfer and the undo', async () => {
    const t = await tokenOf('hybrid.admin');
    for (const [change, undo] of [
      ['Change Source of Authority from AD DS to cloud', 'Undo changes to Source of Authority from AD to cloud'],
      ['Change Source of Authority from AD to cloud', 'Undo changes to Source of Authority from AD DS to cloud'],
    ]) {
      lab.updateSettings({ auditChangeActivityName: change, auditUndoActivityName: undo, auditIngestionMs: 0 });
      const id = synced(false);
      for (const v of [true, false])
        await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
          token: t,
          method: 'PATCH',
          body: { isCloudManaged: v },
        });
      const a = await graph(lab, `/auditLogs/directoryAudits?$filter=targetResources/any(x:x/id eq '${id}')`, {
        token: t,
      });
      expect(arr(rec(a.json).value).map((e) => rec(e).activityDisplayName)).toEqual([undo, change]);
    }
  });
});

describe('lab /contacts filters and throttling', () => {
  it('endsWith(mail, …) on /contacts is an unsupported query (advanced mode or not); startsWith works', async () => {
    const t = await tokenOf('hybrid.admin');
    for (const headers of [{}, { ConsistencyLevel: 'eventual' }] as Record<string, string>[]) {
      const r = await graph(lab, `/contacts?$count=true&$filter=endsWith(mail,'@fabrikam.com')`, { token: t, headers });
      expect(r.status).toBe(400);
      expect(errorOf(r)).toMatchObject({ code: expect.stringMatching(/Request_(UnsupportedQuery|BadRequest)/) });
    }
    const ok = await graph(lab, `/contacts?$filter=startsWith(mail,'a')`, { token: t });
    expect(ok.status).toBe(200);
  });

  it('429s carry x-ms-throttle-limit-percentage as a fraction 1.0–1.8, and other apps drain the tenant budget', async () => {
    lab.control('DELETE', '/throttle');
    lab.updateSettings({ throttleScale: 0.001 }); // 18 writes / 5 min for the tenant, 3 / 150 s per app
    const t = await tokenOf('hybrid.admin');
    const id = synced(false);
    const pcts: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
        token: t,
        method: 'PATCH',
        body: { isCloudManaged: i % 2 === 0 },
      });
      const p = r.headers['x-ms-throttle-limit-percentage'];
      if (r.status === 429) pcts.push(Number(p));
    }
    expect(pcts.length).toBeGreaterThan(0);
    for (const p of pcts) {
      expect(p).toBeGreaterThanOrEqual(1.0);
      expect(p).toBeLessThanOrEqual(1.8);
    }
    expect(Math.max(...pcts)).toBeGreaterThan(1.0);

    // other apps spend the tenant bucket: after the app bucket refills, the tenant one is still dry
    await lab.control('DELETE', '/throttle');
    lab.updateSettings({ throttleScale: 1, otherAppsWritesPerSecond: 1000 });
    const first = await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
      token: t,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(first.status).toBe(204);
    await lab.control('POST', '/clock', { advanceMs: 60_000 });
    const r = await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
      token: t,
      method: 'PATCH',
      body: { isCloudManaged: false },
    });
    expect(r.status).toBe(429);
    expect(String(r.headers['x-ms-throttle-scope'])).toMatch(/^Tenant\/ReadWrite\//);
  });
});
