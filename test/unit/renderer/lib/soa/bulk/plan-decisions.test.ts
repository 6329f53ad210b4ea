/**
 * What the dry-run plan decides for each object, pinned word for word on a scripted Graph: which reads it sends
 * (and with which scopes and clock), the action, SOA state and reason for every state an object can be in, what an
 * admin scoped to administrative units may not touch, what a rollback finds blocking (cloud references, cloud
 * members), what it cannot check and which fix it names, and the waves of nested groups. Each pass condition has
 * its failing case next to it.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan, type Plan, type PlanOptions } from '../../../../../../src-renderer/lib/soa/bulk/plan';
import { OBJECT_TYPES, scopesFor, type BulkObjectType } from '../../../../../../src-renderer/lib/soa/bulk/object-types';
import { TimeSlicer } from '../../../../../../src-renderer/lib/soa/bulk/time-slice';
import type { SelectedObject } from '../../../../../../src-renderer/lib/soa/bulk/selection';
import { ScriptedGraph, denied, notFound, ok, page, serverError, type Scripted } from './scripted-graph';
import { virtualClock } from './pipeline-fixture';
import { fakeEnv } from './slice-clock';

const COLLECTION = { contact: 'contacts', user: 'users', group: 'groups' } as const;

/** An object's own read and its SOA read in the script (`soa` false/true, or any answer). */
function put(
  table: Record<string, Scripted>,
  type: BulkObjectType,
  id: string,
  fields: Record<string, unknown> | Scripted,
  soa: boolean | Scripted,
): void {
  const isAnswer = (v: unknown): v is Scripted =>
    typeof v === 'function' || v === 'none' || (typeof v === 'object' && v !== null && 'status' in v);
  table[`/${COLLECTION[type]}/${id}`] = isAnswer(fields) ? fields : ok({ id, ...fields });
  table[`/${COLLECTION[type]}/${id}/onPremisesSyncBehavior`] =
    typeof soa === 'boolean' ? ok({ isCloudManaged: soa }) : soa;
}

const sel = (id: string, objectType: BulkObjectType = 'contact', mail: string | null = null): SelectedObject => ({
  id,
  objectType,
  displayName: `selected ${id}`,
  mail,
  source: 'csv:objects.csv',
});

async function plan(
  graph: ScriptedGraph,
  kind: PlanOptions['kind'],
  objectType: BulkObjectType,
  objects: (string | SelectedObject)[],
  extra: Partial<PlanOptions> = {},
): Promise<Plan> {
  return buildPlan({
    kind,
    objectType,
    objects: objects.map((o) => (typeof o === 'string' ? sel(o, objectType) : o)),
    graph,
    scope: { kind: 'tenant' },
    planId: 'p-decisions',
    clock: virtualClock(),
    ...extra,
  });
}

const row = (p: Plan): [string, string, string, boolean, string][] =>
  p.entries.map((e) => [e.objectId, e.action, e.state, e.stateCertain, e.reason]);

const NOT_IN_SCOPE = "Not a member of the administrative units the admin's Hybrid Administrator role is scoped to.";
const FIX_PERMISSION =
  'Fix the read (permission OrgContact.Read.All + Group.Read.All, or Directory.Read.All) and plan again, or override for this object.';
const FIX_LATER = 'Graph kept failing for this read; plan again later, or override for this object.';
const couldNotCheck = (reads: string, fix: string): string =>
  `Could not check the cloud references: reading ${reads} failed, so nothing is known about them (a failed read is never "no references"). ${fix}`;

describe('the reads a plan sends', () => {
  const urlsOf = async (kind: PlanOptions['kind'], type: BulkObjectType): Promise<ScriptedGraph> => {
    const g = new ScriptedGraph();
    put(g.table, type, 'o-1', { onPremisesSyncEnabled: true }, false);
    await plan(g, kind, type, ['o-1']);
    return g;
  };
  const own = (type: BulkObjectType): string[] => [
    `/${COLLECTION[type]}/o-1?$select=${OBJECT_TYPES[type].select}`,
    `/${COLLECTION[type]}/o-1/onPremisesSyncBehavior?$select=isCloudManaged`,
  ];
  const memberOf = (type: BulkObjectType): string =>
    `/${COLLECTION[type]}/o-1/memberOf?$select=id,displayName,onPremisesSyncEnabled`;
  const members = '/groups/o-1/members?$select=id,displayName,onPremisesSyncEnabled';

  it('a transfer of contacts or users reads only the object and its SOA state (no memberships)', async () => {
    for (const type of ['contact', 'user'] as const) {
      const g = await urlsOf('transfer', type);
      expect(g.urls).toEqual(own(type));
      expect(g.scopes).toEqual([scopesFor(type)]);
    }
  });

  it("a transfer of groups also reads memberOf (the nesting order), not the group's members", async () => {
    const g = await urlsOf('transfer', 'group');
    expect(g.urls).toEqual([...own('group'), memberOf('group')]);
    expect(g.scopes).toEqual([scopesFor('group')]);
  });

  it('a rollback reads memberOf (cloud references); of a group, its members too (cloud members)', async () => {
    expect((await urlsOf('rollback', 'contact')).urls).toEqual([...own('contact'), memberOf('contact')]);
    expect((await urlsOf('rollback', 'user')).urls).toEqual([...own('user'), memberOf('user')]);
    expect((await urlsOf('rollback', 'group')).urls).toEqual([...own('group'), memberOf('group'), members]);
  });

  it("an AU-scoped plan reads each administrative unit's members with the plan's scopes", async () => {
    const g = new ScriptedGraph({
      '/directory/administrativeUnits/au-1/members': page({ id: 'c-1' }),
      '/directory/administrativeUnits/au-2/members': page({ id: 'c-2' }),
    });
    put(g.table, 'contact', 'c-1', { onPremisesSyncEnabled: true }, false);
    put(g.table, 'contact', 'c-2', { onPremisesSyncEnabled: true }, false);
    const p = await plan(g, 'transfer', 'contact', ['c-1', 'c-2'], {
      scope: { kind: 'administrativeUnits', ids: ['au-1', 'au-2'] },
    });
    expect(g.urls.slice(0, 2)).toEqual([
      '/directory/administrativeUnits/au-1/members?$select=id',
      '/directory/administrativeUnits/au-2/members?$select=id',
    ]);
    expect(g.scopes.every((s) => JSON.stringify(s) === JSON.stringify(scopesFor('contact')))).toBe(true);
    // a member of either unit is in scope
    expect(p.entries.map((e) => e.action)).toEqual(['transfer', 'transfer']);
  });

  it("the reads wait on the plan's clock (a 429's Retry-After is slept there, not in real time)", async () => {
    const g = new ScriptedGraph();
    put(
      g.table,
      'contact',
      'c-1',
      (attempt) =>
        attempt === 1
          ? { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests' } } }
          : ok({ id: 'c-1', onPremisesSyncEnabled: true }),
      false,
    );
    const clock = virtualClock();
    const p = await plan(g, 'transfer', 'contact', ['c-1'], { clock });
    expect(p.entries[0]?.action).toBe('transfer');
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
  });

  it('classifying quickly never gives the main thread back (the failing case of yielding on every object)', async () => {
    const g = new ScriptedGraph();
    const ids = Array.from({ length: 50 }, (_, i) => `c-${i}`);
    for (const id of ids) put(g.table, 'contact', id, { onPremisesSyncEnabled: true }, false);
    const env = fakeEnv(0);
    const p = await plan(g, 'transfer', 'contact', ids, { slicer: new TimeSlicer(env, 10) });
    expect(p.counts.transfer).toBe(50);
    expect(env.yields).toBe(0);
  });

  it('the plan carries its id, kind, type, scope and the time it was made', async () => {
    const g = new ScriptedGraph();
    put(g.table, 'user', 'u-1', { onPremisesSyncEnabled: true }, false);
    const p = await plan(g, 'transfer', 'user', ['u-1'], {
      planId: 'p-42',
      scope: { kind: 'tenant' },
      now: () => new Date('2026-12-02T10:00:00.000Z'),
    });
    expect({ ...p, entries: [] }).toEqual({
      version: 1,
      planId: 'p-42',
      kind: 'transfer',
      objectType: 'user',
      createdAt: '2026-12-02T10:00:00.000Z',
      scope: { kind: 'tenant' },
      entries: [],
      counts: {
        transfer: 1,
        rollback: 0,
        skipAlreadyTransferred: 0,
        skipCloudNative: 0,
        skipNotTransferred: 0,
        blockedCloudReferences: 0,
        blockedCloudMembers: 0,
        blockedNotInScope: 0,
        blockedUnreadable: 0,
        blockedCouldNotCheck: 0,
      },
    });
  });
});

describe('a transfer plan, state by state', () => {
  const ONCE = '2026-11-30T22:00:00Z';
  function tenant(): ScriptedGraph {
    const g = new ScriptedGraph();
    put(g.table, 'contact', 'c-synced', { onPremisesSyncEnabled: true, onPremisesLastSyncDateTime: ONCE }, false);
    put(g.table, 'contact', 'c-done', { onPremisesSyncEnabled: null }, true);
    put(g.table, 'contact', 'c-lagging', { onPremisesSyncEnabled: true }, true);
    put(g.table, 'contact', 'c-native', { onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: null }, false);
    put(g.table, 'contact', 'c-exchange', { onPremisesSyncEnabled: false }, false);
    put(g.table, 'contact', 'C-Journal', { onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: ONCE }, false);
    put(g.table, 'contact', 'c-once', { onPremisesSyncEnabled: null, onPremisesLastSyncDateTime: ONCE }, false);
    put(g.table, 'contact', 'c-silent', { onPremisesSyncEnabled: null }, false);
    // a contact has no onPremisesImmutableId: one in its body is not read as "synced once"
    put(g.table, 'contact', 'c-immutable', { onPremisesSyncEnabled: null, onPremisesImmutableId: 'abc=' }, false);
    return g;
  }
  const ids = [
    'c-synced',
    'c-done',
    'c-lagging',
    'c-native',
    'c-exchange',
    'C-Journal',
    'c-once',
    'c-silent',
    'c-immutable',
  ];

  it('says for each object what the run will do, its state, and why', async () => {
    const p = await plan(tenant(), 'transfer', 'contact', ids, { rolledBackIds: new Set(['c-journal']) });
    expect(row(p)).toEqual([
      ['c-synced', 'transfer', 'synced', true, 'Synced from AD DS; SOA will move to the cloud.'],
      ['c-done', 'skipAlreadyTransferred', 'transferred', true, 'isCloudManaged is already true.'],
      ['c-lagging', 'skipAlreadyTransferred', 'transferred', false, 'isCloudManaged is already true.'],
      [
        'c-native',
        'skipCloudNative',
        'cloudNative',
        true,
        'Cloud-native (never synced from AD DS); nothing to transfer.',
      ],
      [
        'c-exchange',
        'skipCloudNative',
        'exchangeMastered',
        true,
        'onPremisesSyncEnabled is false: mastered in Exchange Online; SOA transfer does not apply.',
      ],
      [
        'C-Journal',
        'skipCloudNative',
        'rolledBackPending',
        true,
        'Rolled back by soa-pilot and not yet taken over by the sync client; nothing to transfer.',
      ],
      [
        'c-once',
        'skipCloudNative',
        'rolledBackPending',
        false,
        'Synced from AD DS once, neither synced nor cloud-managed now (most likely rolled back and waiting for the sync client); nothing to transfer.',
      ],
      [
        'c-silent',
        'skipCloudNative',
        'rolledBackOrCloudNative',
        false,
        'onPremisesSyncEnabled is not true: the object is cloud-native (or rolled back and pending takeover; Graph cannot tell these apart).',
      ],
      [
        'c-immutable',
        'skipCloudNative',
        'rolledBackOrCloudNative',
        false,
        'onPremisesSyncEnabled is not true: the object is cloud-native (or rolled back and pending takeover; Graph cannot tell these apart).',
      ],
    ]);
    expect(p.counts).toMatchObject({ transfer: 1, skipAlreadyTransferred: 2, skipCloudNative: 6 });
  });

  it('without a journal, nothing counts as rolled back by soa-pilot (synced once stays "not confirmed")', async () => {
    const p = await plan(tenant(), 'transfer', 'contact', ['C-Journal']);
    expect(row(p)[0]?.slice(2, 4)).toEqual(['rolledBackPending', false]);
  });

  it("a user's onPremisesImmutableId shows it was synced once (a contact's is not read)", async () => {
    const g = new ScriptedGraph();
    put(g.table, 'user', 'u-immutable', { onPremisesSyncEnabled: null, onPremisesImmutableId: 'abc=' }, false);
    put(g.table, 'user', 'u-never', { onPremisesSyncEnabled: null, onPremisesImmutableId: null }, false);
    const p = await plan(g, 'transfer', 'user', ['u-immutable', 'u-never']);
    expect(p.entries.map((e) => [e.objectId, e.state, e.stateCertain])).toEqual([
      ['u-immutable', 'rolledBackPending', false],
      ['u-never', 'cloudNative', true],
    ]);
  });

  it("an entry carries Graph's name, mail and sync flag; the selection's name and mail only where Graph has none", async () => {
    const g = new ScriptedGraph();
    put(
      g.table,
      'contact',
      'c-1',
      { displayName: 'Ana Graph', mail: 'ana@graph.example', onPremisesSyncEnabled: true },
      false,
    );
    put(g.table, 'contact', 'c-2', { displayName: null, mail: null, onPremisesSyncEnabled: true }, false);
    const p = await plan(g, 'transfer', 'contact', [
      sel('c-1', 'contact', 'ana@csv.example'),
      sel('c-2', 'contact', 'bo@csv.example'),
    ]);
    expect(p.entries[0]).toEqual({
      objectId: 'c-1',
      objectType: 'contact',
      displayName: 'Ana Graph',
      mail: 'ana@graph.example',
      isCloudManaged: false,
      onPremisesSyncEnabled: true,
      state: 'synced',
      stateCertain: true,
      action: 'transfer',
      reason: 'Synced from AD DS; SOA will move to the cloud.',
      cloudReferences: [],
      wave: 0,
      source: 'csv:objects.csv',
    });
    expect([p.entries[1]?.displayName, p.entries[1]?.mail]).toEqual(['selected c-2', 'bo@csv.example']);
  });
});

describe('an object that cannot be read', () => {
  it('is blocked as unreadable with both reads named, its state unknown, and the selection standing in', async () => {
    const g = new ScriptedGraph();
    put(g.table, 'contact', 'c-gone', notFound, false);
    put(g.table, 'contact', 'c-refused', { onPremisesSyncEnabled: true }, denied);
    put(g.table, 'contact', 'c-odd', { onPremisesSyncEnabled: true }, ok({ isCloudManaged: 'yes' }));
    put(g.table, 'contact', 'c-failing', serverError, false);
    const p = await plan(g, 'transfer', 'contact', [
      sel('c-gone', 'contact', 'gone@csv.example'),
      'c-refused',
      'c-odd',
      'c-failing',
    ]);
    expect(p.entries[0]).toEqual({
      objectId: 'c-gone',
      objectType: 'contact',
      displayName: 'selected c-gone',
      mail: 'gone@csv.example',
      isCloudManaged: false,
      onPremisesSyncEnabled: null,
      state: 'unknown',
      stateCertain: false,
      action: 'blockedUnreadable',
      reason: 'Could not read the object (HTTP 404, onPremisesSyncBehavior HTTP 200).',
      cloudReferences: [],
      wave: 0,
      source: 'csv:objects.csv',
    });
    expect(p.entries.slice(1).map((e) => [e.action, e.isCloudManaged, e.onPremisesSyncEnabled, e.state])).toEqual([
      ['blockedUnreadable', null, null, 'unknown'],
      ['blockedUnreadable', null, null, 'unknown'],
      ['blockedUnreadable', false, null, 'unknown'],
    ]);
    expect(p.entries[1]?.reason).toBe('Could not read the object (HTTP 200, onPremisesSyncBehavior HTTP 403).');
    expect(p.entries[2]?.reason).toBe('Could not read the object (HTTP 200, onPremisesSyncBehavior HTTP 200).');
    expect(p.entries[3]?.reason).toMatch(
      /^Could not read the object \(HTTP 500 on 4 attempts over [\d.]+ s, onPremisesSyncBehavior HTTP 200\)\.$/,
    );
    expect(p.counts.blockedUnreadable).toBe(4);
  });

  it('only a 200 is read as the object or its SOA state, whatever the body of another status says', async () => {
    const g = new ScriptedGraph();
    put(g.table, 'contact', 'c-1', { status: 203, body: { id: 'c-1', onPremisesSyncEnabled: true } }, false);
    put(g.table, 'contact', 'c-2', { onPremisesSyncEnabled: true }, { status: 203, body: { isCloudManaged: false } });
    const p = await plan(g, 'transfer', 'contact', ['c-1', 'c-2']);
    expect(p.entries.map((e) => [e.action, e.isCloudManaged])).toEqual([
      ['blockedUnreadable', false],
      ['blockedUnreadable', null],
    ]);
  });
});

describe('an admin scoped to administrative units', () => {
  it('gets every object outside the units blocked first, readable or not, with what was read', async () => {
    const g = new ScriptedGraph({ '/directory/administrativeUnits/au-1/members': page({ id: 'c-in' }) });
    put(g.table, 'contact', 'c-in', { onPremisesSyncEnabled: true }, false);
    put(g.table, 'contact', 'c-out', { onPremisesSyncEnabled: true }, false);
    put(g.table, 'contact', 'c-out-done', { onPremisesSyncEnabled: null }, true);
    put(g.table, 'contact', 'c-out-unreadable', denied, denied);
    const scope = { kind: 'administrativeUnits' as const, ids: ['au-1'] };
    const p = await plan(g, 'transfer', 'contact', ['c-in', 'c-out', 'c-out-done', 'c-out-unreadable'], { scope });
    expect(
      p.entries.map((e) => [e.objectId, e.action, e.isCloudManaged, e.onPremisesSyncEnabled, e.state, e.reason]),
    ).toEqual([
      ['c-in', 'transfer', false, true, 'synced', 'Synced from AD DS; SOA will move to the cloud.'],
      ['c-out', 'blockedNotInScope', false, true, 'synced', NOT_IN_SCOPE],
      ['c-out-done', 'blockedNotInScope', true, null, 'transferred', NOT_IN_SCOPE],
      ['c-out-unreadable', 'blockedNotInScope', null, null, 'unknown', NOT_IN_SCOPE],
    ]);
    const r = await plan(g, 'rollback', 'contact', ['c-out-done'], { scope });
    expect(r.entries.map((e) => [e.action, e.reason])).toEqual([['blockedNotInScope', NOT_IN_SCOPE]]);
  });
});

describe('a rollback plan', () => {
  const memberOfOf = (id: string, type: BulkObjectType = 'contact'): string => `/${COLLECTION[type]}/${id}/memberOf`;

  it('rolls back a transferred object with no cloud references; skips one not transferred', async () => {
    const g = new ScriptedGraph({ [memberOfOf('c-clean')]: page(), [memberOfOf('c-synced')]: page() });
    put(g.table, 'contact', 'c-clean', { onPremisesSyncEnabled: null }, true);
    put(g.table, 'contact', 'c-synced', { onPremisesSyncEnabled: true }, false);
    const p = await plan(g, 'rollback', 'contact', ['c-clean', 'c-synced']);
    expect(row(p)).toEqual([
      ['c-clean', 'rollback', 'transferred', true, 'Transferred; SOA will return to AD DS after the next sync cycle.'],
      ['c-synced', 'skipNotTransferred', 'synced', true, 'isCloudManaged is already false.'],
    ]);
  });

  it('blocks on cloud-only groups it is a member of, by name (or id), and not on synced groups or other kinds', async () => {
    const g = new ScriptedGraph({
      [memberOfOf('c-1')]: page(
        { id: 'g-cloud', displayName: 'Cloud Team', onPremisesSyncEnabled: null },
        { id: 'g-anon', '@odata.type': '#microsoft.graph.group', onPremisesSyncEnabled: false },
        { id: 'g-synced', '@odata.type': '#microsoft.graph.group', displayName: 'DL', onPremisesSyncEnabled: true },
        {
          id: 'au-x',
          '@odata.type': '#microsoft.graph.administrativeUnit',
          displayName: 'AU',
          onPremisesSyncEnabled: null,
        },
        { id: 'role-x', '@odata.type': '#microsoft.graph.directoryRole', displayName: 'Role' },
      ),
    });
    put(g.table, 'contact', 'c-1', { onPremisesSyncEnabled: null }, true);
    const p = await plan(g, 'rollback', 'contact', ['c-1']);
    const why = 'member of a cloud-only or SOA-transferred group';
    expect(p.entries[0]).toMatchObject({
      action: 'blockedCloudReferences',
      reason: 'Remove the cloud references first: Cloud Team, g-anon.',
      cloudReferences: [
        { id: 'g-cloud', displayName: 'Cloud Team', kind: 'group', why },
        { id: 'g-anon', displayName: null, kind: 'group', why },
      ],
    });
  });

  it("blocks a group with cloud-only members (not synced ones, not the run's own groups), listing them", async () => {
    const g = new ScriptedGraph({
      [memberOfOf('g-1', 'group')]: page(),
      [memberOfOf('g-2', 'group')]: page(),
      '/groups/g-1/members': page(
        { id: 'u-cloud', displayName: 'Ana Cloud', onPremisesSyncEnabled: null },
        { id: 'u-anon' },
        { id: 'u-synced', displayName: 'Bo', onPremisesSyncEnabled: true },
        { id: 'g-2', displayName: 'Selected', onPremisesSyncEnabled: null },
      ),
      '/groups/g-2/members': page(),
    });
    put(g.table, 'group', 'g-1', { onPremisesSyncEnabled: null }, true);
    put(g.table, 'group', 'g-2', { onPremisesSyncEnabled: null }, true);
    const p = await plan(g, 'rollback', 'group', ['g-1', 'g-2']);
    const why = 'cloud-only (or transferred) member';
    expect(p.entries[0]).toMatchObject({
      action: 'blockedCloudMembers',
      reason: 'The group has 2 cloud-only member(s); remove them before rolling back.',
      cloudReferences: [
        { id: 'u-cloud', displayName: 'Ana Cloud', kind: 'member', why },
        { id: 'u-anon', displayName: null, kind: 'member', why },
      ],
    });
    expect(p.entries[1]?.action).toBe('rollback');
  });

  it('a group with both: the references block first, and both kinds are listed', async () => {
    const g = new ScriptedGraph({
      [memberOfOf('g-1', 'group')]: page({ id: 'g-cloud', displayName: 'Cloud Team', onPremisesSyncEnabled: null }),
      '/groups/g-1/members': page({ id: 'u-cloud', displayName: 'Ana Cloud', onPremisesSyncEnabled: null }),
    });
    put(g.table, 'group', 'g-1', { onPremisesSyncEnabled: null }, true);
    const p = await plan(g, 'rollback', 'group', ['g-1']);
    expect(p.entries[0]?.action).toBe('blockedCloudReferences');
    expect(p.entries[0]?.cloudReferences.map((r) => [r.id, r.kind])).toEqual([
      ['g-cloud', 'group'],
      ['u-cloud', 'member'],
    ]);
  });

  describe('could not check', () => {
    const oneContact = async (memberOf: Scripted): Promise<Plan> => {
      const g = new ScriptedGraph({ [memberOfOf('c-1')]: memberOf });
      put(g.table, 'contact', 'c-1', { onPremisesSyncEnabled: null }, true);
      return plan(g, 'rollback', 'contact', ['c-1']);
    };

    it('a refused memberOf read names the read and the permission that fixes it', async () => {
      const p = await oneContact(denied);
      expect(p.entries[0]).toMatchObject({
        action: 'blockedCouldNotCheck',
        cloudReferences: [],
        reason: couldNotCheck('memberOf (HTTP 403)', FIX_PERMISSION),
      });
      expect(p.counts.blockedCouldNotCheck).toBe(1);
    });

    it('a 200 whose body is no collection is a failed read, never "no references"', async () => {
      const p = await oneContact(ok({ unexpected: true }));
      expect(p.entries[0]).toMatchObject({
        action: 'blockedCouldNotCheck',
        cloudReferences: [],
        reason: couldNotCheck('memberOf (HTTP 200)', FIX_PERMISSION),
      });
    });

    it('a refusal whose body looks like a list is not read as the list', async () => {
      const p = await oneContact({
        status: 403,
        body: { value: [{ id: 'g-cloud', displayName: 'Cloud Team', onPremisesSyncEnabled: null }] },
      });
      expect(p.entries[0]).toMatchObject({ action: 'blockedCouldNotCheck', cloudReferences: [] });
      expect(p.entries[0]?.reason).toBe(couldNotCheck('memberOf (HTTP 403)', FIX_PERMISSION));
    });

    it('a read Graph kept failing (5xx, 429, no answer) says to plan again later; a 404 names the permission', async () => {
      const p500 = await oneContact(serverError);
      expect(p500.entries[0]?.reason).toMatch(
        /^Could not check the cloud references: reading memberOf \(HTTP 500 on 4 attempts over [\d.]+ s\) failed/,
      );
      expect(p500.entries[0]?.reason.endsWith(FIX_LATER)).toBe(true);
      const p429 = await oneContact({ status: 429, headers: { 'Retry-After': '1' }, body: {} });
      expect(p429.entries[0]?.reason).toMatch(/reading memberOf \(HTTP 429 on 12 attempts over [\d.]+ s\) failed/);
      expect(p429.entries[0]?.reason.endsWith(FIX_LATER)).toBe(true);
      const lost = await oneContact('none');
      expect(lost.entries[0]?.reason).toMatch(
        /reading memberOf \(no answer \(network error\) on 4 attempts over [\d.]+ s\) failed/,
      );
      expect(lost.entries[0]?.reason.endsWith(FIX_LATER)).toBe(true);
      const p404 = await oneContact(notFound);
      expect(p404.entries[0]?.reason).toBe(couldNotCheck('memberOf (HTTP 404)', FIX_PERMISSION));
    });

    it("a group's failed members read blocks too; with memberOf failing as well both are named", async () => {
      const groupPlan = async (memberOf: Scripted, members: Scripted): Promise<Plan> => {
        const g = new ScriptedGraph({ [memberOfOf('g-1', 'group')]: memberOf, '/groups/g-1/members': members });
        put(g.table, 'group', 'g-1', { onPremisesSyncEnabled: null }, true);
        return plan(g, 'rollback', 'group', ['g-1']);
      };
      expect((await groupPlan(page(), denied)).entries[0]).toMatchObject({
        action: 'blockedCouldNotCheck',
        reason: couldNotCheck('members (HTTP 403)', FIX_PERMISSION),
      });
      expect((await groupPlan(denied, denied)).entries[0]?.reason).toBe(
        couldNotCheck('memberOf (HTTP 403) and members (HTTP 403)', FIX_PERMISSION),
      );
      // the members read is what kept failing: try again later, not a permission
      const later = await groupPlan(denied, serverError);
      expect(later.entries[0]?.reason).toMatch(
        /^Could not check the cloud references: reading memberOf \(HTTP 403\) and members \(HTTP 500 on 4 attempts/,
      );
      expect(later.entries[0]?.reason.endsWith(FIX_LATER)).toBe(true);
    });

    it('an object not transferred is skipped even when its references could not be read', async () => {
      const g = new ScriptedGraph({ [memberOfOf('c-1')]: denied });
      put(g.table, 'contact', 'c-1', { onPremisesSyncEnabled: true }, false);
      expect((await plan(g, 'rollback', 'contact', ['c-1'])).entries[0]?.action).toBe('skipNotTransferred');
    });
  });
});

describe('nesting waves of groups', () => {
  it('a rollback ignores parents outside the selection (a synced parent is no reference and no wave)', async () => {
    const g = new ScriptedGraph({
      '/groups/g-child/memberOf': page({ id: 'g-parent', displayName: 'Parent', onPremisesSyncEnabled: true }),
      '/groups/g-child/members': page(),
    });
    put(g.table, 'group', 'g-child', { onPremisesSyncEnabled: null }, true);
    const p = await plan(g, 'rollback', 'group', ['g-child']);
    expect(p.entries.map((e) => [e.action, e.wave])).toEqual([['rollback', 0]]);
  });

  it('a nesting cycle is cut, each group once: the first walked gets the higher wave', async () => {
    const g = new ScriptedGraph({
      '/groups/g-a/memberOf': page({ id: 'g-b', onPremisesSyncEnabled: true }),
      '/groups/g-b/memberOf': page({ id: 'g-a', onPremisesSyncEnabled: true }),
      '/groups/g-c/memberOf': page({ id: 'g-b', onPremisesSyncEnabled: true }),
    });
    put(g.table, 'group', 'g-a', { onPremisesSyncEnabled: true }, false);
    put(g.table, 'group', 'g-b', { onPremisesSyncEnabled: true }, false);
    put(g.table, 'group', 'g-c', { onPremisesSyncEnabled: true }, false);
    const p = await plan(g, 'transfer', 'group', ['g-a', 'g-b', 'g-c']);
    // transfer: children first. g-a's walk goes g-a → g-b (its child) → g-a (cut) and g-c; g-b is remembered at 1
    expect(p.entries.map((e) => [e.objectId, e.wave])).toEqual([
      ['g-a', 2],
      ['g-b', 1],
      ['g-c', 0],
    ]);
  });
});
