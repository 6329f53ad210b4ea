/** Builds an on-prem server over a FakeTenant with a handful of seeded objects, plus request helpers. */
import { createOnPrem } from '../../../../../src-main/lab/onprem/index.js';
import type { OnPremOptions, OnPremSeedObject, OnPremServer, SyncedKind } from '../../../../../src-main/lab/ports.js';
import { FakeTenant } from './fake-tenant.js';

export const GROUP_DN = 'CN=Sales Contacts,OU=Groups,DC=contoso,DC=com';

function seedObject(
  n: number,
  kind: SyncedKind,
  name: string,
  ou: string,
  mail: string | null,
  memberOf: string[] = [],
): OnPremSeedObject {
  const hex = n.toString(16).padStart(12, '0');
  const objectGuid = `6a1b2c3d-0000-4000-8000-${hex}`;
  const anchor = Buffer.from(objectGuid.replace(/-/g, ''), 'hex').toString('base64');
  return {
    kind,
    anchor,
    objectGuid,
    cloudId: `c10d0000-0000-4000-8000-${hex}`,
    memberOf,
    attrs: {
      displayName: name,
      mail,
      description: `${name} (seed)`,
      givenName: kind === 'group' ? null : (name.split(' ')[0] ?? null),
      surname: kind === 'group' ? null : (name.split(' ')[1] ?? null),
      companyName: kind === 'group' ? null : 'Fabrikam',
      department: null,
      distinguishedName: `CN=${name},OU=${ou},DC=contoso,DC=com`,
    },
  };
}

export const SEED = {
  synced: seedObject(1, 'contact', 'Alex Wilber', 'Contacts', 'alex.wilber@fabrikam.com', [GROUP_DN]),
  transferred: seedObject(2, 'contact', 'Bianca Pisani', 'Contacts', 'bianca.pisani@fabrikam.com'),
  rolledBack: seedObject(3, 'contact', 'Cameron White', 'Contacts', 'cameron.white@fabrikam.com'),
  plain: seedObject(4, 'contact', 'Debra Berger', 'Contacts', null),
  group: seedObject(5, 'group', 'Sales Contacts', 'Groups', 'sales@contoso.com'),
  user: seedObject(6, 'user', 'Isaiah Langer', 'Users', 'isaiah.langer@contoso.com', [GROUP_DN]),
};

/** Response bodies are parsed JSON; tests assert their exact shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only JSON accessor
export type Json = any;

export interface Fixture {
  server: OnPremServer;
  tenant: FakeTenant;
  clock: { now(): number; advance(ms: number): void };
  call(
    method: string,
    path: string,
    query?: Record<string, string | string[]>,
    body?: unknown,
  ): Promise<{ status: number; body: Json }>;
  waitIdle(): Promise<void>;
  cycle(policy?: 'Delta' | 'Initial'): Promise<void>;
}

export const START = Date.parse('2026-11-27T12:00:00.000Z');

export function createFixture(overrides: Partial<OnPremOptions> = {}): Fixture {
  const tenant = new FakeTenant();
  for (const o of Object.values(SEED)) {
    const transferred = o === SEED.transferred;
    const rolledBack = o === SEED.rolledBack;
    tenant.add({
      id: o.cloudId,
      kind: o.kind,
      anchor: o.anchor,
      isCloudManaged: transferred,
      onPremisesSyncEnabled: transferred || rolledBack ? null : true,
      attrs: { ...o.attrs },
    });
  }
  // ticks 1 ms per read so that every record gets a distinct, increasing time
  let t = START;
  const clock = {
    now: () => (t += 1),
    advance: (ms: number) => {
      t += ms;
    },
  };
  const server = createOnPrem({
    tenant,
    objects: Object.values(SEED),
    clock,
    tenantDomain: 'contoso.onmicrosoft.com',
    forest: 'contoso.com',
    syncCycleMs: 200,
    event6956Provider: 'ADSync',
    connectSyncVersion: '2.5.79.0',
    cloudSyncAgentVersion: '1.1.1370.0',
    stagingMode: false,
    ...overrides,
  });
  const call: Fixture['call'] = async (method, path, query = {}, body) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    const res = await server.handle({ method, path, query: q, body });
    // what goes over the wire is JSON
    return { status: res.status, body: JSON.parse(JSON.stringify(res.body)) };
  };
  const waitIdle = async (): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const s = await call('GET', '/sync/scheduler');
      if (s.body.SyncCycleInProgress === false) return;
      if (Date.now() > deadline) throw new Error('sync cycle did not finish');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const cycle = async (policy?: 'Delta' | 'Initial'): Promise<void> => {
    const r = await call('POST', '/sync/cycle', {}, policy ? { PolicyType: policy } : undefined);
    if (r.status !== 200) throw new Error(`cycle start failed: ${JSON.stringify(r.body)}`);
    await waitIdle();
  };
  return { server, tenant, clock, call, waitIdle, cycle };
}
