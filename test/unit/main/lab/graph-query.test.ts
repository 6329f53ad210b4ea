import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { MSG_COUNT_UNSUPPORTED, MSG_SEARCH_NEEDS_HEADER } from '../../../../src-main/lab/tenant/graph';
import { arr, errorOf, graph, rec, SOA_SCOPES, UPN } from './lab-http';

let lab: LabHandle;
let token: string;
const EVENTUAL = { ConsistencyLevel: 'eventual' };

beforeAll(async () => {
  lab = await startLab({ seed: 11, contacts: 50 });
  token = await lab.mintToken(UPN.full, SOA_SCOPES);
});
afterAll(async () => {
  await lab.close();
});

describe('lab Graph: GET /contacts query options', () => {
  it('$select and $top with @odata.nextLink paging over every contact exactly once', async () => {
    const total = lab.tenant().objectsOf('contact').length;
    const seen = new Set<string>();
    let url: string | null = `${lab.info.graphBaseUrl}/v1.0/contacts?$select=id,displayName&$top=7`;
    let pages = 0;
    while (url) {
      const r = await graph(lab, url.replace(lab.info.graphBaseUrl, ''), { token });
      expect(r.status).toBe(200);
      const body = rec(r.json);
      for (const c of arr(body.value).map(rec)) {
        expect(Object.keys(c).sort()).toEqual(['displayName', 'id']);
        seen.add(String(c.id));
      }
      url = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : null;
      if (url) expect(url.startsWith(`${lab.info.graphBaseUrl}/v1.0/contacts?`)).toBe(true);
      pages++;
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 7));
  });

  it('$top outside 1..999 is a 400', async () => {
    const r = await graph(lab, '/contacts?$top=1000', { token });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({
      code: 'Request_BadRequest',
      message: "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
    });
  });

  it('$filter: startswith(displayName), onPremisesSyncEnabled eq true, mail eq, companyName/department eq, startswith(mail)', async () => {
    const all = lab.tenant().objectsOf('contact');
    const first = all.find((c) => c.mail);
    const letter = first?.displayName.charAt(0) ?? 'A';
    const sw = await graph(lab, `/contacts?$filter=startswith(displayName,'${letter}')&$top=999`, { token });
    expect(sw.status).toBe(200);
    const names = arr(rec(sw.json).value).map((c) => String(rec(c).displayName));
    expect(names.length).toBe(all.filter((c) => c.displayName.toLowerCase().startsWith(letter.toLowerCase())).length);

    const synced = await graph(
      lab,
      '/contacts?$filter=onPremisesSyncEnabled eq true&$top=999&$select=id,onPremisesSyncEnabled',
      { token },
    );
    expect(arr(rec(synced.json).value).length).toBe(all.filter((c) => c.onPremisesSyncEnabled === true).length);

    const mail = await graph(lab, `/contacts?$filter=mail eq '${first?.mail ?? ''}'`, { token });
    expect(arr(rec(mail.json).value).map((c) => rec(c).id)).toEqual([first?.id]);

    const company = first?.companyName ?? '';
    const co = await graph(
      lab,
      `/contacts?$filter=companyName eq '${company.replace(/'/g, "''")}' and department eq '${first?.department ?? ''}'&$top=999`,
      { token },
    );
    expect(co.status).toBe(200);
    expect(arr(rec(co.json).value).length).toBe(
      all.filter((c) => c.companyName === company && c.department === first?.department).length,
    );

    const domain = (first?.mail ?? '').split('@')[0]?.slice(0, 3) ?? '';
    const swm = await graph(lab, `/contacts?$filter=startswith(mail,'${domain}')&$top=999`, { token });
    expect(swm.status).toBe(200);
    expect(arr(rec(swm.json).value).length).toBeGreaterThan(0);
  });

  it('unsupported filter property → 400 Request_UnsupportedQuery; malformed → 400', async () => {
    const r = await graph(lab, "/contacts?$filter=jobTitle eq 'x'", { token });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({
      code: 'Request_UnsupportedQuery',
      message: "Unsupported or invalid query filter clause specified for property 'jobTitle' of resource 'OrgContact'.",
    });
    const m = await graph(lab, "/contacts?$filter=displayName eq 'x", { token });
    expect(m.status).toBe(400);
  });

  it('$search and $count need ConsistencyLevel: eventual (documented 400s otherwise)', async () => {
    const s = await graph(lab, '/contacts?$search="displayName:a"', { token });
    expect(s.status).toBe(400);
    expect(errorOf(s)).toMatchObject({ code: 'Request_UnsupportedQuery', message: MSG_SEARCH_NEEDS_HEADER });
    const c = await graph(lab, '/contacts?$count=true', { token });
    expect(c.status).toBe(400);
    expect(errorOf(c)).toMatchObject({ code: 'Request_BadRequest', message: MSG_COUNT_UNSUPPORTED });
    const c2 = await graph(lab, '/contacts/$count', { token });
    expect(c2.status).toBe(400);
    expect(errorOf(c2).message).toBe(MSG_COUNT_UNSUPPORTED);

    const all = lab.tenant().objectsOf('contact');
    const term = all[0]?.surname ?? 'x';
    const ok = await graph(lab, `/contacts?$search="displayName:${term}"&$count=true&$top=999`, {
      token,
      headers: EVENTUAL,
    });
    expect(ok.status).toBe(200);
    const body = rec(ok.json);
    const expected = all.filter((x) =>
      x.displayName
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .some((w) => w.startsWith(term.toLowerCase())),
    ).length;
    expect(body['@odata.count']).toBe(expected);
    expect(arr(body.value).length).toBe(expected);
    const cnt = await graph(lab, '/contacts/$count', { token, headers: EVENTUAL });
    expect(cnt.status).toBe(200);
    expect(cnt.text).toBe(String(all.length));
  });

  it('filter on onPremisesSyncBehavior/isCloudManaged (lab extension, [U] on real tenants)', async () => {
    const r = await graph(lab, '/contacts?$filter=onPremisesSyncBehavior/isCloudManaged eq true&$count=true', {
      token,
      headers: EVENTUAL,
    });
    expect(r.status).toBe(200);
    expect(rec(r.json)['@odata.count']).toBe(
      lab
        .tenant()
        .objectsOf('contact')
        .filter((c) => c.isCloudManaged).length,
    );
  });

  it('users and groups lists, group members and memberOf for nested groups', async () => {
    const u = await graph(lab, '/users?$select=id,userPrincipalName,onPremisesSyncEnabled&$top=999', { token });
    expect(u.status).toBe(200);
    expect(arr(rec(u.json).value).length).toBe(lab.tenant().objectsOf('user').length);
    const g = await graph(lab, "/groups?$filter=startswith(displayName,'DL-')", { token });
    expect(g.status).toBe(200);
    const nested = arr(rec(g.json).value)
      .map(rec)
      .find((x) => x.displayName === 'DL-All-External');
    expect(nested).toBeDefined();
    const members = await graph(lab, `/groups/${String(nested?.id)}/members`, { token });
    expect(arr(rec(members.json).value).map((m) => rec(m)['@odata.type'])).toEqual([
      '#microsoft.graph.group',
      '#microsoft.graph.group',
    ]);
    const partners = arr(rec(g.json).value)
      .map(rec)
      .find((x) => x.displayName === 'DL-Partners-EMEA');
    const mo = await graph(lab, `/groups/${String(partners?.id)}/memberOf`, { token });
    expect(arr(rec(mo.json).value).map((m) => rec(m).displayName)).toEqual(
      expect.arrayContaining(['DL-All-External', 'All Cloud Recipients']),
    );
  });
});
