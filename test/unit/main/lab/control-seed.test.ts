import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { seedTenant } from '../../../../src-main/lab/seed';
import { arr, control, graph, rec, request, SOA_SCOPES, UPN } from './lab-http';

let lab: LabHandle;
const dir = mkdtempSync(path.join(tmpdir(), 'soa-lab-'));

beforeAll(async () => {
  lab = await startLab({ seed: 71, contacts: 30, stateFile: path.join(dir, 'state.json') });
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lab seed', () => {
  it('the default seed has at least 2,000 synced contacts, cloud-native and transferred ones, and is deterministic', () => {
    const a = seedTenant({ seed: 5, now: Date.parse('2026-11-27T00:00:00Z') });
    const contacts = Object.values(a.tenant.objects).filter((o) => o.kind === 'contact');
    expect(contacts.filter((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged).length).toBeGreaterThanOrEqual(
      2000,
    );
    expect(contacts.filter((c) => c.isCloudManaged).length).toBeGreaterThanOrEqual(3);
    expect(contacts.filter((c) => !c.anchor).length).toBeGreaterThanOrEqual(3);
    expect(contacts.filter((c) => c.mail).length).toBeGreaterThan(1000);
    expect(new Set(contacts.map((c) => c.companyName)).size).toBeGreaterThan(10);
    // every anchored cloud contact has its AD object, plus exactly one AD contact outside the sync scope
    const inScope = a.onPrem.filter((o) => o.kind === 'contact' && o.inSyncScope !== false);
    expect(inScope.length).toBe(contacts.filter((c) => c.anchor).length);
    expect(a.onPrem.filter((o) => o.inSyncScope === false)).toEqual([
      expect.objectContaining({
        kind: 'contact',
        cloudId: '',
        attrs: expect.objectContaining({ displayName: 'Filtered Vendor Contact' }),
      }),
    ]);
    expect(a.onPrem.every((o) => o.attrs.distinguishedName.endsWith('DC=contoso,DC=com'))).toBe(true);
    expect(a.onPrem.some((o) => o.memberOf.length > 0)).toBe(true);
    const b = seedTenant({ seed: 5, now: Date.parse('2026-11-27T00:00:00Z') });
    expect(Object.keys(b.tenant.objects)).toEqual(Object.keys(a.tenant.objects));
    const c = seedTenant({ seed: 6, now: Date.parse('2026-11-27T00:00:00Z') });
    expect(Object.keys(c.tenant.objects)).not.toEqual(Object.keys(a.tenant.objects));
  });

  it('extra synced users and groups for scale runs keep every other id of the seed', () => {
    const now = Date.parse('2026-11-27T00:00:00Z');
    const plain = seedTenant({ seed: 5, contacts: 40, now });
    const scaled = seedTenant({ seed: 5, contacts: 40, users: 30, groups: 4, now });
    const plainIds = Object.keys(plain.tenant.objects);
    expect(Object.keys(scaled.tenant.objects).slice(0, plainIds.length)).toEqual(plainIds);
    const extra = Object.values(scaled.tenant.objects).filter((o) => !(o.id in plain.tenant.objects));
    const users = extra.filter((o) => o.kind === 'user');
    const groups = extra.filter((o) => o.kind === 'group');
    expect(users).toHaveLength(30);
    expect(groups).toHaveLength(4);
    expect(new Set(users.map((u) => u.userPrincipalName)).size).toBe(30);
    for (const o of extra) {
      expect(o.onPremisesSyncEnabled).toBe(true);
      expect(scaled.onPrem.some((p) => p.cloudId === o.id)).toBe(true);
    }
    for (const g of groups) {
      expect(g.members.length).toBeGreaterThan(0);
      expect(g.members.every((m) => users.some((u) => u.id === m))).toBe(true);
    }
  });

  it('LabInfo lists the seeded admins with roles, scoped roles, consent and notes', () => {
    const upns = lab.info.admins.map((a) => a.upn);
    expect(upns).toEqual(expect.arrayContaining(Object.values(UPN)));
    const au = lab.info.admins.find((a) => a.upn === UPN.au);
    expect(au?.scopedRoles[0]?.directoryScopeId).toMatch(/^\/administrativeUnits\//);
    expect(lab.info.admins.find((a) => a.upn === UPN.noConsent)?.consentedScopes).toEqual([]);
    for (const a of lab.info.admins) expect(a.note.length).toBeGreaterThan(10);
  });
});

describe('lab control API', () => {
  it('needs the control token', async () => {
    const r = await request(`${lab.info.controlUrl}/state`, null);
    expect(r.status).toBe(401);
    const w = await request(`${lab.info.controlUrl}/state`, null, { token: 'wrong' });
    expect(w.status).toBe(401);
    const ok = await control(lab, 'GET', '/state');
    expect(ok.status).toBe(200);
    expect(rec(rec(ok.json).contacts).synced).toBe(30);
  });

  it('POST /token mints a Graph token; settings, clock, objects, write log', async () => {
    const t = await control(lab, 'POST', '/token', { upn: UPN.full, scopes: SOA_SCOPES });
    expect(t.status).toBe(200);
    const at = String(rec(t.json).access_token);
    expect((await graph(lab, '/me', { token: at })).status).toBe(200);
    const s = await control(lab, 'POST', '/settings', { auditIngestionMs: 5, throttleScale: 0.5 });
    expect(rec(s.json)).toMatchObject({ auditIngestionMs: 5, throttleScale: 0.5 });
    expect((await control(lab, 'POST', '/settings', { nope: 1 })).status).toBe(400);
    const clock = await control(lab, 'POST', '/clock', { offsetMs: 1000 });
    expect(rec(clock.json).offsetMs).toBe(1000);
    await control(lab, 'POST', '/clock', { offsetMs: 0 });
    const objs = await control(lab, 'GET', '/objects?kind=contact&state=synced&limit=2');
    const first = rec(arr(rec(objs.json).value)[0]);
    const one = await control(lab, 'GET', `/contacts/${String(first.id)}`);
    expect(rec(one.json)).toMatchObject({ id: first.id, soaState: 'synced', kind: 'contact' });
    await graph(lab, `/contacts/${String(first.id)}/onPremisesSyncBehavior`, {
      token: at,
      method: 'PATCH',
      body: { isCloudManaged: true },
    });
    const wl = await control(lab, 'GET', '/write-log');
    expect(arr(rec(wl.json).value).map((w) => rec(w).objectId)).toContain(first.id);
    const onprem = await control(lab, 'GET', '/onprem/sync/scheduler');
    expect(onprem.status).toBe(200);
  });

  it('saves state (incl. on-premises) and a new lab loads it', async () => {
    const objs = await lab.control('GET', '/objects?kind=contact&state=transferred&limit=100');
    const transferred = arr(rec(objs.body).value).length;
    const saved = await control(lab, 'POST', '/save');
    expect(saved.status).toBe(200);
    expect(existsSync(path.join(dir, 'state.json'))).toBe(true);
    const again = await startLab({ stateFile: path.join(dir, 'state.json') });
    try {
      const st = await again.control('GET', '/objects?kind=contact&state=transferred&limit=100');
      expect(arr(rec(st.body).value).length).toBe(transferred);
      expect(again.writeLog().length).toBe(lab.writeLog().length);
      const snap = await again.control('GET', '/onprem/snapshot');
      expect(snap.status).toBe(200);
    } finally {
      await again.close();
    }
  });

  it('reset re-seeds; the tenant id (authority) stays', async () => {
    const before = lab.info.authority;
    const r = await control(lab, 'POST', '/reset', { seed: 72, contacts: 10 });
    expect(r.status).toBe(200);
    expect(lab.info.authority).toBe(before);
    expect(rec(rec((await control(lab, 'GET', '/state')).json).contacts).synced).toBe(10);
    expect(lab.writeLog()).toHaveLength(0);
  });
});

describe('npm run lab:server', () => {
  it('prints one LAB line, serves, and saves state on SIGTERM', async () => {
    const state = path.join(dir, 'cli-state.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src-main/lab/cli.ts',
        '--speed',
        'fast',
        '--contacts',
        '10',
        '--seed',
        '3',
        '--state',
        state,
      ],
      {
        cwd: path.resolve(__dirname, '../../../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const line = await new Promise<string>((ok, fail) => {
      // generous: tsx compiles the whole lab on start, which takes tens of seconds on a loaded 2-core machine
      const timer = setTimeout(() => fail(new Error(`no LAB line: ${out}${err}`)), 150_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          ok(out.slice(0, nl));
        }
      });
      child.on('exit', () => fail(new Error(`exited: ${out}`)));
    });
    expect(line.startsWith('LAB {')).toBe(true);
    const info = rec(JSON.parse(line.slice(4)));
    expect(Object.keys(info)).toEqual(
      expect.arrayContaining([
        'graphBaseUrl',
        'authority',
        'tenantId',
        'tenantDomain',
        'clientId',
        'controlUrl',
        'controlToken',
        'caCertPath',
        'admins',
      ]),
    );
    const meta = await request(
      `${String(info.authority)}/v2.0/.well-known/openid-configuration`,
      String(info.caCertPath),
    );
    expect(meta.status).toBe(200);
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(state)).toBe(true);
  }, 240_000);
});
