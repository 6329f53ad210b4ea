/**
 * The saved plan and what may change it: the plan file's exact text and what a saved file may hold (a file that
 * loads is the plan that was saved, field for field; a file that is wrong is refused), the counts a loaded plan
 * shows, and the admin's override of a "could not check" block (journaled first, word for word, and only for that
 * object).
 */
import { describe, expect, it } from 'vitest';
import {
  overrideCouldNotCheck,
  parsePlanFile,
  PLAN_PART_CHARS,
  planFileParts,
  planFileText,
  planItems,
  type Plan,
  type PlanEntry,
} from '../../../../../../src-renderer/lib/soa/bulk/plan';
import { TimeSlicer } from '../../../../../../src-renderer/lib/soa/bulk/time-slice';
import { memoryJournal } from './pipeline-fixture';
import { fakeEnv } from './slice-clock';

const ZERO = {
  transfer: 0,
  rollback: 0,
  skipAlreadyTransferred: 0,
  skipCloudNative: 0,
  skipNotTransferred: 0,
  blockedCloudReferences: 0,
  blockedCloudMembers: 0,
  blockedNotInScope: 0,
  blockedUnreadable: 0,
  blockedCouldNotCheck: 0,
};

function entry(objectId: string, over: Partial<PlanEntry> = {}): PlanEntry {
  return {
    objectId,
    objectType: 'contact',
    displayName: `Name of ${objectId}`,
    mail: null,
    isCloudManaged: true,
    onPremisesSyncEnabled: null,
    state: 'transferred',
    stateCertain: true,
    action: 'rollback',
    reason: 'Transferred; SOA will return to AD DS after the next sync cycle.',
    cloudReferences: [],
    wave: 0,
    source: 'test',
    ...over,
  };
}

/** A rollback plan with one entry of each kind the file can hold. */
function richPlan(): Plan {
  const entries: PlanEntry[] = [
    entry('c-1', { mail: 'ana@contoso.example', wave: 2 }),
    entry('c-2', {
      action: 'blockedCloudReferences',
      reason: 'Remove the cloud references first: Cloud Team.',
      cloudReferences: [
        { id: 'g-1', displayName: 'Cloud Team', kind: 'group', why: 'member of a cloud-only or SOA-transferred group' },
        { id: 'u-1', displayName: null, kind: 'member', why: 'cloud-only (or transferred) member' },
      ],
    }),
    entry('c-3', {
      displayName: null,
      override: { reason: 'checked by hand', at: '2026-12-02T10:00:00.000Z', opId: 'ov-1' },
    }),
    entry('c-4', { state: 'synced', isCloudManaged: false, onPremisesSyncEnabled: true, action: 'skipNotTransferred' }),
    entry('c-5', { state: 'rolledBackOrCloudNative', stateCertain: false, isCloudManaged: false }),
    entry('u-1', { objectType: 'user', state: 'unknown', stateCertain: false, action: 'blockedUnreadable' }),
    entry('g-1', { objectType: 'group', state: 'exchangeMastered', action: 'blockedCouldNotCheck' }),
  ];
  return {
    version: 1,
    planId: 'p-file',
    kind: 'rollback',
    objectType: 'contact',
    createdAt: '2026-12-02T09:00:00.000Z',
    scope: { kind: 'administrativeUnits', ids: ['au-1', 'au-2'] },
    entries,
    counts: {
      ...ZERO,
      rollback: 3,
      blockedCloudReferences: 1,
      skipNotTransferred: 1,
      blockedUnreadable: 1,
      blockedCouldNotCheck: 1,
    },
  };
}

describe('the plan file', () => {
  it('loads back as exactly the plan that was saved, for a rollback and for a transfer plan', async () => {
    const plan = richPlan();
    expect(parsePlanFile(await planFileText(plan))).toEqual(plan);
    const transfer: Plan = {
      ...plan,
      kind: 'transfer',
      objectType: 'user',
      scope: { kind: 'tenant' },
      entries: [entry('u-2', { objectType: 'user', action: 'transfer', state: 'synced', wave: 1 })],
      counts: { ...ZERO, transfer: 1 },
    };
    expect(parsePlanFile(await planFileText(transfer))).toEqual(transfer);
    expect(parsePlanFile(JSON.stringify({ ...transfer, objectType: 'contact' })).objectType).toBe('contact');
    expect(parsePlanFile(JSON.stringify({ ...transfer, objectType: 'group' })).objectType).toBe('group');
  });

  it('counts the actions from the entries, whatever counts the file claims', () => {
    const plan = richPlan();
    const lying = JSON.stringify({ ...plan, counts: { transfer: 99 } });
    expect(parsePlanFile(lying).counts).toEqual(plan.counts);
  });

  it('refuses a file that is not a plan (each bound with its failing case)', () => {
    const plan = richPlan();
    const withEntry = (over: Record<string, unknown>): string =>
      JSON.stringify({ ...plan, entries: [{ ...entry('c-1'), ...over }] });
    expect(() => parsePlanFile(withEntry({ wave: -1 }))).toThrow();
    expect(() => parsePlanFile(withEntry({ wave: 1.5 }))).toThrow();
    expect(() => parsePlanFile(withEntry({ action: 'delete' }))).toThrow();
    expect(() => parsePlanFile(withEntry({ objectType: 'device' }))).toThrow();
    expect(() => parsePlanFile(withEntry({ objectId: '' }))).toThrow();
    expect(() => parsePlanFile(withEntry({ state: 'somewhere' }))).toThrow();
    expect(() =>
      parsePlanFile(withEntry({ cloudReferences: [{ id: 'g', displayName: null, kind: 'x', why: '' }] })),
    ).toThrow();
    expect(() => parsePlanFile(JSON.stringify({ ...plan, version: 2 }))).toThrow();
    expect(() => parsePlanFile(JSON.stringify({ ...plan, kind: 'delete' }))).toThrow();
    expect(() => parsePlanFile(JSON.stringify({ ...plan, scope: { kind: 'everything' } }))).toThrow();
    expect(() => parsePlanFile(JSON.stringify({ ...plan, planId: '' }))).toThrow();
    expect(() => parsePlanFile('{')).toThrow();
  });

  it('reads an entry saved without stateCertain as certain, and the old state spelling under the one vocabulary', () => {
    const plan = richPlan();
    const old = JSON.stringify({
      ...plan,
      entries: [
        {
          ...entry('c-1', { state: 'rolledBackOrCloudNative' }),
          state: 'cloudNativeOrRolledBack',
          stateCertain: undefined,
        },
        { ...entry('c-2', { state: 'rolledBackPending' }), stateCertain: undefined },
      ],
    });
    expect(parsePlanFile(old).entries.map((e) => [e.state, e.stateCertain])).toEqual([
      ['rolledBackOrCloudNative', true],
      ['rolledBackPending', true],
    ]);
  });

  it('is JSON.stringify(plan, null, 2) even when a field before the entries is an empty string', async () => {
    const plan: Plan = { ...richPlan(), createdAt: '', scope: { kind: 'administrativeUnits', ids: [''] } };
    expect(await planFileText(plan)).toBe(JSON.stringify(plan, null, 2));
  });

  it('is made without giving the main thread back when the work is quick (the failing case of a yield per entry)', async () => {
    const plan: Plan = { ...richPlan(), entries: Array.from({ length: 200 }, (_, i) => entry(`c-${i}`)) };
    const env = fakeEnv(0);
    expect(await planFileText(plan, new TimeSlicer(env, 10))).toBe(JSON.stringify(plan, null, 2));
    expect(env.yields).toBe(0);
  });
});

describe('the plan file in pieces', () => {
  it('a piece may be exactly the part size; one character less makes two pieces', async () => {
    const plan: Plan = { ...richPlan(), entries: [], counts: ZERO };
    const text = JSON.stringify(plan, null, 2);
    expect(await planFileParts(plan, new TimeSlicer(), text.length)).toEqual([text]);
    const two = await planFileParts(plan, new TimeSlicer(), text.length - 1);
    expect(two).toHaveLength(2);
    expect(two.join('')).toBe(text);
  });

  it('a plan longer than one piece reads back whole: the pieces are joined with nothing between them', async () => {
    const long = 'x'.repeat(1_000);
    const entries = Array.from({ length: 1_200 }, (_, i) => entry(`c-${i}`, { reason: long }));
    const plan: Plan = { ...richPlan(), entries, counts: { ...ZERO, rollback: 1_200 } };
    const text = JSON.stringify(plan, null, 2);
    expect(text.length).toBeGreaterThan(PLAN_PART_CHARS);
    expect((await planFileParts(plan)).length).toBe(2);
    expect(await planFileText(plan)).toBe(text);
  });
});

describe('the items a plan runs', () => {
  it('are its transfer and rollback entries only, with their wave, and a name only where there is one', () => {
    expect(planItems(richPlan())).toEqual([
      { objectId: 'c-1', objectType: 'contact', displayName: 'Name of c-1', action: 'rollback', wave: 2 },
      { objectId: 'c-3', objectType: 'contact', action: 'rollback', wave: 0 },
      { objectId: 'c-5', objectType: 'contact', displayName: 'Name of c-5', action: 'rollback', wave: 0 },
    ]);
  });
});

describe('overriding a "could not check" block', () => {
  const blockedReason =
    'Could not check the cloud references: reading memberOf (HTTP 403) failed, so nothing is known about them.';
  function blockedPlan(): Plan {
    return {
      ...richPlan(),
      planId: 'p-ov',
      entries: [
        entry('c-blocked', { action: 'blockedCouldNotCheck', reason: blockedReason }),
        entry('c-anon', { action: 'blockedCouldNotCheck', reason: blockedReason, displayName: null }),
        entry('c-other', { action: 'rollback' }),
      ],
      counts: { ...ZERO, rollback: 1, blockedCouldNotCheck: 2 },
    };
  }

  it('journals an intent and its result first, word for word, then runs that object only', async () => {
    const journal = memoryJournal();
    const plan = blockedPlan();
    const over = await overrideCouldNotCheck(plan, 'c-blocked', 'checked in the portal', journal, {
      opId: 'ov-1',
      runId: 'run-1',
      now: new Date('2026-12-02T10:30:00.000Z'),
    });
    expect(journal.records.map(({ seq: _s, at: _a, tenant: _t, ...r }) => r)).toEqual([
      {
        kind: 'intent',
        opId: 'ov-1',
        runId: 'run-1',
        objectType: 'contact',
        objectId: 'c-blocked',
        displayName: 'Name of c-blocked',
        action: 'planOverride',
        before: { action: 'blockedCouldNotCheck', reason: blockedReason },
        request: {
          method: 'NONE',
          url: 'plan p-ov: override "could not check"',
          body: { reason: 'checked in the portal' },
        },
      },
      {
        kind: 'result',
        opId: 'ov-1',
        outcome: 'done',
        verified: false,
        reason: 'Admin override of "could not check": checked in the portal',
      },
    ]);
    expect(over.entries).toEqual([
      {
        ...plan.entries[0],
        action: 'rollback',
        reason: `Overridden by the admin (checked in the portal); the references were NOT checked: ${blockedReason}`,
        override: { reason: 'checked in the portal', at: '2026-12-02T10:30:00.000Z', opId: 'ov-1' },
      },
      plan.entries[1],
      plan.entries[2],
    ]);
    expect(over.counts).toEqual({ ...ZERO, rollback: 2, blockedCouldNotCheck: 1 });
    expect(plan.entries[0]?.action).toBe('blockedCouldNotCheck'); // the plan given is not changed
    expect(planItems(over).map((i) => i.objectId)).toEqual(['c-blocked', 'c-other']);
  });

  it('leaves out a run id and a name it does not have', async () => {
    const journal = memoryJournal();
    await overrideCouldNotCheck(blockedPlan(), 'c-anon', 'ok', journal, { opId: 'ov-2' });
    const intent = journal.records[0] as Record<string, unknown>;
    expect('runId' in intent).toBe(false);
    expect('displayName' in intent).toBe(false);
  });

  it('refuses any other object, and an override without a reason, before journaling anything', async () => {
    const journal = memoryJournal();
    const plan = blockedPlan();
    await expect(overrideCouldNotCheck(plan, 'c-other', 'x', journal, { opId: 'o' })).rejects.toThrow(
      'Only an object blocked as "could not check" can be overridden.',
    );
    await expect(overrideCouldNotCheck(plan, 'c-missing', 'x', journal, { opId: 'o' })).rejects.toThrow(
      'Only an object blocked as "could not check" can be overridden.',
    );
    await expect(overrideCouldNotCheck(plan, 'c-blocked', ' \n', journal, { opId: 'o' })).rejects.toThrow(
      'Say why the override is safe (it goes into the journal).',
    );
    expect(journal.records).toEqual([]);
  });

  it('changes nothing when the journal write fails', async () => {
    const plan = blockedPlan();
    const failing = { ...memoryJournal(), append: () => Promise.reject(new Error('disk full')) };
    await expect(overrideCouldNotCheck(plan, 'c-blocked', 'ok', failing, { opId: 'o' })).rejects.toThrow('disk full');
    expect(plan.entries[0]?.action).toBe('blockedCouldNotCheck');
  });
});
