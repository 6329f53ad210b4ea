import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { MSG_DENIED, MSG_NOT_SYNCED, MSG_SYNCED_UPDATE } from '../../../../src-main/lab/tenant/graph';
import { arr, contactIds, errorOf, graph, rec, SOA_SCOPES, UPN } from './lab-http';

const HYBRID = '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2';

let lab: LabHandle;
let token: string;

beforeAll(async () => {
  lab = await startLab({ seed: 7, contacts: 50 });
  token = await lab.mintToken(UPN.full, SOA_SCOPES);
});
afterAll(async () => {
  await lab.close();
});

describe('lab Graph: envelope and token validation', () => {
  it('echoes client-request-id and sets request-id; errors use the Graph shape', async () => {
    const r = await graph(lab, '/contacts/00000000-0000-0000-0000-000000000000', {
      token,
      headers: { 'client-request-id': 'abc-123' },
    });
    expect(r.status).toBe(404);
    expect(r.headers['client-request-id']).toBe('abc-123');
    expect(r.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const e = errorOf(r);
    expect(e.code).toBe('Request_ResourceNotFound');
    expect(e.message).toBe(
      "Resource '00000000-0000-0000-0000-000000000000' does not exist or one of its queried reference-property objects are not present.",
    );
    expect(e.innerError['request-id']).toBe(r.headers['request-id']);
    expect(e.innerError['client-request-id']).toBe('abc-123');
    expect(String(e.innerError.date)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  });

  it('401 InvalidAuthenticationToken for no token, a malformed token, a wrong audience and an expired token', async () => {
    const none = await graph(lab, '/me');
    expect(none.status).toBe(401);
    expect(errorOf(none)).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    const [h, p, sig] = token.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, upn: 'someone@else' })).toString('base64url')}.${sig}`;
    const sigFail = await graph(lab, '/me', { token: forged });
    expect(sigFail.status).toBe(401);
    expect(errorOf(sigFail)).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure.',
    });
    const bad = await graph(lab, '/me', { token: 'not-a-jwt' });
    expect(bad.status).toBe(401);
    expect(errorOf(bad).code).toBe('InvalidAuthenticationToken');
    const minted = await lab.control('POST', '/token', { upn: UPN.full, scopes: ['User.Read'] });
    const idToken = String(rec(minted.body).id_token);
    const aud = await graph(lab, '/me', { token: idToken });
    expect(aud.status).toBe(401);
    expect(errorOf(aud).message).toBe('Access token validation failure. Invalid audience.');
    lab.updateSettings({ tokenLifetimeSeconds: 60 });
    const short = await lab.mintToken(UPN.full, ['User.Read']);
    lab.updateSettings({ tokenLifetimeSeconds: 3600 });
    expect((await graph(lab, '/me', { token: short })).status).toBe(200);
    lab.setClockOffset(61_000);
    try {
      const exp = await graph(lab, '/me', { token: short });
      expect(exp.status).toBe(401);
      expect(errorOf(exp)).toMatchObject({
        code: 'InvalidAuthenticationToken',
        message: 'Lifetime validation failed, the token is expired.',
      });
    } finally {
      lab.setClockOffset(0);
    }
  });
});

describe('lab Graph: onPremisesSyncBehavior state table', () => {
  it('synced → transferred → rolled back (pending) → taken over by the next two sync exports', async () => {
    const [id] = await contactIds(lab, 'synced', 30).then((ids) => ids.slice(20));
    expect(id).toBeDefined();
    const soa = `/contacts/${id}/onPremisesSyncBehavior`;
    const state = async (): Promise<[unknown, unknown]> => {
      const a = await graph(lab, `${soa}?$select=isCloudManaged`, { token });
      const b = await graph(lab, `/contacts/${id}?$select=onPremisesSyncEnabled`, { token });
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      return [rec(a.json).isCloudManaged, rec(b.json).onPremisesSyncEnabled];
    };
    expect(await state()).toEqual([false, true]);
    const full = await graph(lab, soa, { token });
    expect(rec(full.json)).toMatchObject({ id, isCloudManaged: false });
    expect(String(rec(full.json)['@odata.context'])).toContain(`contacts('${id}')/onPremisesSyncBehavior`);

    const p1 = await graph(lab, soa, { token, method: 'PATCH', body: { isCloudManaged: true } });
    expect(p1.status).toBe(204);
    expect(p1.text).toBe('');
    expect(await state()).toEqual([true, null]);

    // the sync engine's export is blocked while cloud-managed
    const obj = lab.tenant().object(id ?? '');
    const anchor = obj?.anchor ?? '';
    const attrs = { displayName: 'From AD', distinguishedName: obj?.onPremisesDistinguishedName ?? '' };
    expect(lab.tenant().exportUpdate('contact', anchor, attrs)).toEqual({ status: 'blocked', id });

    const p2 = await graph(lab, soa, {
      token,
      method: 'PATCH',
      body: { '@odata.type': '#microsoft.graph.onPremisesSyncBehavior', isCloudManaged: false },
    });
    expect(p2.status).toBe(204);
    expect(await state()).toEqual([false, null]);
    expect(lab.tenant().viewByAnchor('contact', anchor)).toMatchObject({
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
    });

    // cloud edits while pending are allowed, then AD overwrites them at takeover
    const edit = await graph(lab, `/contacts/${id}`, { token, method: 'PATCH', body: { displayName: 'Cloud edit' } });
    expect(edit.status).toBe(204);
    expect(lab.tenant().exportUpdate('contact', anchor, attrs)).toEqual({ status: 'takeoverPending', id });
    expect(await state()).toEqual([false, null]);
    expect(lab.tenant().confirmTakeover('contact', anchor, attrs)).toEqual({ status: 'applied', id });
    expect(await state()).toEqual([false, true]);
    const after = await graph(lab, `/contacts/${id}?$select=displayName`, { token });
    expect(rec(after.json).displayName).toBe('From AD');
  });

  it('a cloud-native contact cannot be transferred (400 Request_BadRequest, unconfirmed text)', async () => {
    const [id] = await contactIds(lab, 'cloudNative', 1);
    const g = await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, { token });
    expect(rec(g.json).isCloudManaged).toBe(false);
    const c = await graph(lab, `/contacts/${id}?$select=onPremisesSyncEnabled`, { token });
    expect(rec(c.json).onPremisesSyncEnabled).toBeNull();
    const r = await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
      token,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ code: 'Request_BadRequest', message: MSG_NOT_SYNCED });
  });

  it('users and groups have the same endpoint, with their own permission', async () => {
    const group = lab
      .tenant()
      .objectsOf('group')
      .find((g) => g.onPremisesSyncEnabled === true && !g.isCloudManaged);
    const user = lab
      .tenant()
      .objectsOf('user')
      .find((u) => u.onPremisesSyncEnabled === true);
    expect((await graph(lab, `/groups/${group?.id}/onPremisesSyncBehavior`, { token })).status).toBe(200);
    expect((await graph(lab, `/users/${user?.id}/onPremisesSyncBehavior`, { token })).status).toBe(200);
    const contactOnly = await lab.mintToken(UPN.full, ['Contacts-OnPremisesSyncBehavior.ReadWrite.All']);
    const r = await graph(lab, `/groups/${group?.id}/onPremisesSyncBehavior`, { token: contactOnly });
    expect(r.status).toBe(403);
    const g2 = await graph(lab, `/beta/groups/${group?.id}/onPremisesSyncBehavior`, { token });
    expect(g2.status).toBe(200);
  });
});

describe('lab Graph: authorization', () => {
  it('403 Authorization_RequestDenied without the scope, and without Hybrid Administrator', async () => {
    const [id] = await contactIds(lab, 'synced', 1);
    const noScope = await lab.mintToken(UPN.full, ['Directory.Read.All']);
    const a = await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, { token: noScope });
    expect(a.status).toBe(403);
    expect(errorOf(a)).toMatchObject({ code: 'Authorization_RequestDenied', message: MSG_DENIED });
    const noRole = await lab.mintToken(UPN.noRole, SOA_SCOPES);
    const b = await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
      token: noRole,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(b.status).toBe(403);
    expect(errorOf(b)).toMatchObject({ code: 'Authorization_RequestDenied', message: MSG_DENIED });
    expect(lab.tenant().object(id ?? '')?.isCloudManaged).toBe(false);
  });

  it('an AU-scoped Hybrid Administrator may transfer only objects in the unit; adding to the AU extends it', async () => {
    const au = lab.tenant().state.administrativeUnits[0];
    expect(au).toBeDefined();
    const synced = lab
      .tenant()
      .objectsOf('contact')
      .filter((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged);
    const inside = synced.find((c) => au?.members.includes(c.id));
    const outside = synced.find((c) => !au?.members.includes(c.id));
    const auToken = await lab.mintToken(UPN.au, SOA_SCOPES);
    const ok = await graph(lab, `/contacts/${inside?.id}/onPremisesSyncBehavior`, {
      token: auToken,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(ok.status).toBe(204);
    const no = await graph(lab, `/contacts/${outside?.id}/onPremisesSyncBehavior`, {
      token: auToken,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(no.status).toBe(403);
    expect(errorOf(no).code).toBe('Authorization_RequestDenied');

    // tenant-wide roles only in /me/transitiveMemberOf/microsoft.graph.directoryRole; the AU scope shows in roleAssignments
    const roles = await graph(lab, '/me/transitiveMemberOf/microsoft.graph.directoryRole', { token: auToken });
    expect(arr(rec(roles.json).value).map((r) => rec(r).roleTemplateId)).not.toContain(HYBRID);
    const me = rec((await graph(lab, '/me', { token: auToken })).json);
    const ra = await graph(lab, `/roleManagement/directory/roleAssignments?$filter=principalId eq '${String(me.id)}'`, {
      token: auToken,
    });
    expect(ra.status).toBe(200);
    expect(arr(rec(ra.json).value)).toContainEqual(
      expect.objectContaining({ roleDefinitionId: HYBRID, directoryScopeId: `/administrativeUnits/${au?.id}` }),
    );

    // only a Privileged Role Administrator / Global Administrator can add AU members
    const denied = await graph(lab, `/directory/administrativeUnits/${au?.id}/members/$ref`, {
      token: auToken,
      method: 'POST',
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${outside?.id}` },
    });
    expect(denied.status).toBe(403);
    const gaToken = await lab.mintToken(UPN.global, ['AdministrativeUnit.ReadWrite.All', 'Directory.Read.All']);
    const add = await graph(lab, `/directory/administrativeUnits/${au?.id}/members/$ref`, {
      token: gaToken,
      method: 'POST',
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${outside?.id}` },
    });
    expect(add.status).toBe(204);
    const dup = await graph(lab, `/directory/administrativeUnits/${au?.id}/members/$ref`, {
      token: gaToken,
      method: 'POST',
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${outside?.id}` },
    });
    expect(dup.status).toBe(400);
    expect(errorOf(dup).message).toBe(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    const now = await graph(lab, `/contacts/${outside?.id}/onPremisesSyncBehavior`, {
      token: auToken,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    expect(now.status).toBe(204);
  });

  it('/me/transitiveMemberOf/microsoft.graph.directoryRole lists tenant-wide roles', async () => {
    const r = await graph(lab, '/me/transitiveMemberOf/microsoft.graph.directoryRole', { token });
    expect(r.status).toBe(200);
    const v = arr(rec(r.json).value).map(rec);
    expect(v.map((x) => x.roleTemplateId)).toContain(HYBRID);
    expect(v[0]?.['@odata.type']).toBe('#microsoft.graph.directoryRole');
  });
});

describe('lab Graph: contacts', () => {
  it('PATCH /contacts/{id} is refused while synced and allowed after the transfer', async () => {
    // a contact without mail: a mail-enabled one gets its own refusal text (lab setting mailEnabledContactPatch)
    const id = (await contactIds(lab, 'synced', 200)).slice(40).find((x) => lab.tenant().object(x)?.mail === null);
    const r = await graph(lab, `/contacts/${id}`, {
      token,
      method: 'PATCH',
      body: { DisplayName: 'Contact Name Updated' },
    });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ code: 'Request_BadRequest', message: MSG_SYNCED_UPDATE });
    expect(
      (
        await graph(lab, `/contacts/${id}/onPremisesSyncBehavior`, {
          token,
          method: 'PATCH',
          body: { isCloudManaged: true },
        })
      ).status,
    ).toBe(204);
    const ok = await graph(lab, `/contacts/${id}`, {
      token,
      method: 'PATCH',
      body: { DisplayName: 'Contact Name Updated' },
    });
    expect(ok.status).toBe(204);
    const g = await graph(lab, `/contacts/${id}`, { token });
    expect(rec(g.json)).toMatchObject({ id, displayName: 'Contact Name Updated', onPremisesSyncEnabled: null });
    const ro = await graph(lab, `/contacts/${id}`, { token, method: 'PATCH', body: { onPremisesSyncEnabled: true } });
    expect(errorOf(ro)).toMatchObject({
      code: 'Request_BadRequest',
      message: "Property 'onPremisesSyncEnabled' is read-only and cannot be set.",
    });
  });

  it('memberOf lists groups (on-premises, cloud-only, SOA-transferred) and administrative units', async () => {
    const t = lab.tenant();
    const groups = t.objectsOf('group');
    const contact = t.objectsOf('contact').find((c) => groups.filter((g) => g.members.includes(c.id)).length >= 1);
    const r = await graph(lab, `/contacts/${contact?.id}/memberOf`, { token });
    expect(r.status).toBe(200);
    const v = arr(rec(r.json).value).map(rec);
    expect(v.length).toBeGreaterThan(0);
    expect(v[0]?.['@odata.type']).toMatch(/^#microsoft\.graph\.(group|administrativeUnit)$/);
    const members = await graph(
      lab,
      `/groups/${groups.find((g) => g.members.length > 0)?.id}/members?$select=id,displayName`,
      { token },
    );
    expect(members.status).toBe(200);
    expect(arr(rec(members.json).value).length).toBeGreaterThan(0);
  });

  it('$select on an unknown property is a 400', async () => {
    const r = await graph(lab, '/contacts?$select=nope', { token });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({
      code: 'Request_BadRequest',
      message: "Could not find a property named 'nope' on type 'microsoft.graph.orgContact'.",
    });
  });

  it('unknown segment is a 400 BadRequest', async () => {
    const r = await graph(lab, '/nothing', { token });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ code: 'BadRequest', message: "Resource not found for the segment 'nothing'." });
  });

  it('beta onPremisesSynchronization exposes blockCloudObjectTakeoverThroughHardMatchEnabled; GA can PATCH it', async () => {
    const r = await graph(lab, '/beta/directory/onPremisesSynchronization', { token });
    expect(r.status).toBe(200);
    const item = rec(arr(rec(r.json).value)[0]);
    expect(rec(item.features).blockCloudObjectTakeoverThroughHardMatchEnabled).toBe(true);
    const ga = await lab.mintToken(UPN.global, ['OnPremDirectorySynchronization.ReadWrite.All']);
    const p = await graph(lab, `/beta/directory/onPremisesSynchronization/${String(item.id)}`, {
      token: ga,
      method: 'PATCH',
      body: { features: { blockCloudObjectTakeoverThroughHardMatchEnabled: false } },
    });
    expect(p.status).toBe(204);
    expect(lab.tenant().state.onPremisesSyncFeatures.blockCloudObjectTakeoverThroughHardMatchEnabled).toBe(false);
  });
});

describe('lab Graph: CORS for the renderer', () => {
  it('answers preflights and exposes only the headers Graph exposes (no Retry-After, no x-ms-throttle-*)', async () => {
    const pre = await graph(lab, '/contacts', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'authorization,consistencylevel',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-headers']).toBe('authorization,consistencylevel');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('PATCH');
    const r = await graph(lab, '/me', { token, headers: { Origin: 'http://localhost:5173' } });
    expect(r.headers['access-control-allow-origin']).toBe('*');
    const exposed = String(r.headers['access-control-expose-headers']).toLowerCase();
    expect(exposed).toContain('request-id');
    expect(exposed).not.toContain('retry-after');
    expect(exposed).not.toContain('x-ms-throttle');
  });
});
