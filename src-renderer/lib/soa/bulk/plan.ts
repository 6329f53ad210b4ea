/**
 * The dry-run plan (reads only). For each selected object: its current SOA state and the action
 * the run will take. Transfer plans: transfer / skip already transferred / skip cloud-native /
 * blocked: not in the admin's AU scope. Rollback plans: rollback / skip not transferred / blocked:
 * cloud references (memberOf groups that are cloud-only or SOA-transferred) / blocked: cloud members
 * (groups) / blocked: scope. Groups get waves for the nesting order (children first on transfer,
 * parents first on rollback). The execution runs exactly `planItems(plan)`.
 */
import { z } from 'zod';
import type { Clock, GraphBatchPort, JournalPort } from './ports';
import { readMany, readCollection, type ReadResult } from './batch-reads';
import { collectionPage, directoryObject, parseIsCloudManaged, type DirectoryObject } from './graph-bodies';
import { OBJECT_TYPES, scopesFor, syncBehaviorUrl, type BulkObjectType } from './object-types';
import type { SelectedObject } from './selection';
import type { BulkAction, BulkItem } from './run-types';
import { classify, SOA_STATES, type Classification, type SoaState } from '../state';
import { TimeSlicer } from './time-slice';

export type PlanAction =
  | 'transfer'
  | 'rollback'
  | 'skipAlreadyTransferred'
  | 'skipCloudNative'
  | 'skipNotTransferred'
  | 'blockedCloudReferences'
  | 'blockedCloudMembers'
  | 'blockedNotInScope'
  | 'blockedUnreadable'
  /** a reference read (memberOf, members, AU membership) failed: never "no references" */
  | 'blockedCouldNotCheck';

export interface CloudReference {
  id: string;
  displayName: string | null;
  kind: 'group' | 'member';
  why: string;
}

export interface PlanEntry {
  objectId: string;
  objectType: BulkObjectType;
  displayName: string | null;
  mail: string | null;
  isCloudManaged: boolean | null;
  onPremisesSyncEnabled: boolean | null;
  /** Where the object stands in the SOA state table (lib/soa/state.ts). */
  state: SoaState;
  /** False when the state rests on indirect evidence (see `classify`). */
  stateCertain: boolean;
  action: PlanAction;
  reason: string;
  cloudReferences: CloudReference[];
  /** nesting wave for groups (0 for everything else) */
  wave: number;
  source: string;
  /** the admin overrode a "could not check" block for this object (journaled) */
  override?: { reason: string; at: string; opId: string };
}

export interface Plan {
  version: 1;
  planId: string;
  kind: BulkAction;
  objectType: BulkObjectType;
  createdAt: string;
  scope: AdminScope;
  entries: PlanEntry[];
  counts: Record<PlanAction, number>;
}

/** The admin's Hybrid Administrator scope: tenant-wide, or a set of administrative units. */
export type AdminScope = { kind: 'tenant' } | { kind: 'administrativeUnits'; ids: string[] };

export interface PlanOptions {
  kind: BulkAction;
  objectType: BulkObjectType;
  objects: SelectedObject[];
  graph: GraphBatchPort;
  scope: AdminScope;
  planId: string;
  /** Lower-case ids the journal shows as rolled back by soa-pilot (`rolledBackIds` in lib/soa/state.ts). */
  rolledBackIds?: ReadonlySet<string>;
  clock?: Clock;
  now?: () => Date;
  /** Gives the main thread back during the loops over every object (a plan of 50,000 must not freeze the UI). */
  slicer?: TimeSlicer;
}

/** Objects read and classified together while planning (their answers are dropped before the next chunk). */
export const PLAN_CHUNK = 1_000;

const HYBRID_ADMIN_TEMPLATE = '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2';
const GLOBAL_ADMIN_TEMPLATE = '62e90394-69f5-4237-9190-012177145e10';

export async function buildPlan(o: PlanOptions): Promise<Plan> {
  const info = OBJECT_TYPES[o.objectType];
  const scopes = scopesFor(o.objectType);
  const opts = { scopes, ...(o.clock ? { clock: o.clock } : {}) };
  const needMemberOf = o.kind === 'rollback' || o.objectType === 'group';
  const slicer = o.slicer ?? new TimeSlicer();

  let auMembers: Set<string> | undefined;
  if (o.scope.kind === 'administrativeUnits') {
    auMembers = new Set<string>();
    for (const au of o.scope.ids) {
      const members = await readCollection(o.graph, `/directory/administrativeUnits/${au}/members?$select=id`, opts);
      for (const m of members) auMembers.add(m.id);
    }
  }

  const selectedIds = new Set(o.objects.map((s) => s.id));
  const parentsOf = new Map<string, string[]>();
  const entries: PlanEntry[] = [];
  // The objects are read and classified PLAN_CHUNK at a time: only one chunk's answers are held at once (a plan of
  // 50,000 objects would otherwise hold 100,000 response bodies until the end, and collecting them freezes the UI).
  for (let first = 0; first < o.objects.length; first += PLAN_CHUNK) {
    const chunk = o.objects.slice(first, first + PLAN_CHUNK);
    const requests: { key: string; url: string }[] = [];
    for (const s of chunk) {
      requests.push(
        { key: `obj:${s.id}`, url: `/${info.collection}/${s.id}?$select=${info.select}` },
        { key: `soa:${s.id}`, url: syncBehaviorUrl(o.objectType, s.id) },
      );
      if (needMemberOf)
        requests.push({
          key: `mo:${s.id}`,
          url: `/${info.collection}/${s.id}/memberOf?$select=id,displayName,onPremisesSyncEnabled`,
        });
      if (o.kind === 'rollback' && o.objectType === 'group')
        requests.push({
          key: `mem:${s.id}`,
          url: `/groups/${s.id}/members?$select=id,displayName,onPremisesSyncEnabled`,
        });
    }
    const results = await readMany(o.graph, requests, opts);
    for (const sel of chunk) {
      if (slicer.due()) await slicer.yieldNow();
      const objRes = results.get(`obj:${sel.id}`);
      const soaRes = results.get(`soa:${sel.id}`);
      const obj = objRes?.status === 200 ? directoryObject.safeParse(objRes.body) : undefined;
      const isCloudManaged = soaRes?.status === 200 ? (parseIsCloudManaged(soaRes.body) ?? null) : null;
      const base = {
        objectId: sel.id,
        objectType: o.objectType,
        displayName: (obj?.success ? obj.data.displayName : undefined) ?? sel.displayName,
        mail: (obj?.success ? obj.data.mail : undefined) ?? sel.mail,
        source: sel.source,
        cloudReferences: [] as CloudReference[],
        wave: 0,
      };
      const c = classify({
        isCloudManaged,
        onPremisesSyncEnabled: obj?.success ? (obj.data.onPremisesSyncEnabled ?? null) : undefined,
        onPremisesLastSyncDateTime: obj?.success ? obj.data.onPremisesLastSyncDateTime : undefined,
        onPremisesImmutableId: obj?.success && o.objectType === 'user' ? obj.data.onPremisesImmutableId : undefined,
        objectId: sel.id,
        rolledBackByThisApp: o.rolledBackIds?.has(sel.id.toLowerCase()) ?? false,
      });
      const classified = { state: c.state, stateCertain: c.certain };
      if (auMembers && !auMembers.has(sel.id)) {
        // checked first: an AU-scoped admin may not even be allowed to read the object's SOA state
        entries.push({
          ...base,
          isCloudManaged,
          onPremisesSyncEnabled: obj?.success ? (obj.data.onPremisesSyncEnabled ?? null) : null,
          ...classified,
          action: 'blockedNotInScope',
          reason: "Not a member of the administrative units the admin's Hybrid Administrator role is scoped to.",
        });
        continue;
      }
      if (!obj?.success || isCloudManaged === null) {
        entries.push({
          ...base,
          isCloudManaged,
          onPremisesSyncEnabled: null,
          state: 'unknown',
          stateCertain: false,
          action: 'blockedUnreadable',
          reason: `Could not read the object (${describe(objRes)}, onPremisesSyncBehavior ${describe(soaRes)}).`,
        });
        continue;
      }
      const onPremisesSyncEnabled = obj.data.onPremisesSyncEnabled ?? null;
      const memberOfRead = results.get(`mo:${sel.id}`);
      const membersRead = results.get(`mem:${sel.id}`);
      // a read the plan did not send (memberOf when transferring contacts or users, members unless rolling back
      // groups) gives an empty list
      const memberOf = parseList(memberOfRead);
      if (o.objectType === 'group') {
        parentsOf.set(
          sel.id,
          memberOf.filter((g) => selectedIds.has(g.id)).map((g) => g.id),
        );
      }
      const entry: PlanEntry = {
        ...base,
        isCloudManaged,
        onPremisesSyncEnabled,
        ...classified,
        action: o.kind,
        reason: '',
      };
      if (o.kind === 'transfer') {
        if (isCloudManaged) setAction(entry, 'skipAlreadyTransferred', 'isCloudManaged is already true.');
        else if (onPremisesSyncEnabled !== true) setAction(entry, 'skipCloudNative', notSyncedReason(c));
        else setAction(entry, 'transfer', 'Synced from AD DS; SOA will move to the cloud.');
      } else {
        const refs: CloudReference[] = memberOf
          // selected groups are rolled back in the same run, parents first, so they are not blocking references
          .filter(
            (g) =>
              (g['@odata.type'] ?? '#microsoft.graph.group') === '#microsoft.graph.group' &&
              g.onPremisesSyncEnabled !== true &&
              !selectedIds.has(g.id),
          )
          .map((g) => ({
            id: g.id,
            displayName: g.displayName ?? null,
            kind: 'group' as const,
            why: 'member of a cloud-only or SOA-transferred group',
          }));
        const cloudMembers: CloudReference[] = parseList(membersRead)
          .filter((m) => m.onPremisesSyncEnabled !== true && !selectedIds.has(m.id))
          .map((m) => ({
            id: m.id,
            displayName: m.displayName ?? null,
            kind: 'member' as const,
            why: 'cloud-only (or transferred) member',
          }));
        entry.cloudReferences = [...refs, ...cloudMembers];
        // a rollback plan always reads memberOf; a group's members too
        const failedReads = [
          ...(readOk(memberOfRead) ? [] : [{ what: 'memberOf', read: memberOfRead }]),
          ...(o.objectType === 'group' && !readOk(membersRead) ? [{ what: 'members', read: membersRead }] : []),
        ];
        const unchecked = failedReads.map(({ what, read }) => `${what} (${describe(read)})`);
        // a refusal (401/403) is fixed by a permission; a server that kept failing, by trying again later
        const serverFailed = failedReads.some(
          ({ read }) => read !== undefined && (read.status === 0 || read.status === 429 || read.status >= 500),
        );
        const fix = serverFailed
          ? 'Graph kept failing for this read; plan again later'
          : `Fix the read (permission ${MEMBERSHIP_SCOPES_TEXT}) and plan again`;
        if (!isCloudManaged) setAction(entry, 'skipNotTransferred', 'isCloudManaged is already false.');
        else if (unchecked.length > 0)
          setAction(
            entry,
            'blockedCouldNotCheck',
            `Could not check the cloud references: reading ${unchecked.join(' and ')} failed, so nothing is known about them (a failed read is never "no references"). ${fix}, or override for this object.`,
          );
        else if (refs.length > 0)
          setAction(
            entry,
            'blockedCloudReferences',
            `Remove the cloud references first: ${refs.map((r) => r.displayName ?? r.id).join(', ')}.`,
          );
        else if (cloudMembers.length > 0)
          setAction(
            entry,
            'blockedCloudMembers',
            `The group has ${cloudMembers.length} cloud-only member(s); remove them before rolling back.`,
          );
        else setAction(entry, 'rollback', 'Transferred; SOA will return to AD DS after the next sync cycle.');
      }
      entries.push(entry);
    }
  }
  if (o.objectType === 'group') assignWaves(entries, parentsOf, o.kind);
  const counts = Object.fromEntries(ALL_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  for (const e of entries) counts[e.action]++;
  return {
    version: 1,
    planId: o.planId,
    kind: o.kind,
    objectType: o.objectType,
    createdAt: (o.now ?? (() => new Date()))().toISOString(),
    scope: o.scope,
    entries,
    counts,
  };
}

export const ALL_ACTIONS: readonly PlanAction[] = [
  'transfer',
  'rollback',
  'skipAlreadyTransferred',
  'skipCloudNative',
  'skipNotTransferred',
  'blockedCloudReferences',
  'blockedCloudMembers',
  'blockedNotInScope',
  'blockedUnreadable',
  'blockedCouldNotCheck',
];

function setAction(e: PlanEntry, action: PlanAction, reason: string): void {
  e.action = action;
  e.reason = reason;
}

function describe(r: ReadResult | undefined): string {
  if (!r) return 'no answer';
  return r.gaveUp !== undefined ? r.gaveUp : `HTTP ${r.status}`;
}

const MEMBERSHIP_SCOPES_TEXT = 'OrgContact.Read.All + Group.Read.All, or Directory.Read.All';

function readOk(r: ReadResult | undefined): boolean {
  return r?.status === 200 && collectionPage.safeParse(r.body).success;
}

function parseList(r: ReadResult | undefined): DirectoryObject[] {
  if (!r || r.status !== 200) return [];
  const p = collectionPage.safeParse(r.body);
  return p.success ? p.data.value : [];
}

/** Why a transfer plan skips an object that is neither synced nor transferred. */
function notSyncedReason(c: Classification): string {
  switch (c.state) {
    case 'rolledBackPending':
      return c.certain
        ? 'Rolled back by soa-pilot and not yet taken over by the sync client; nothing to transfer.'
        : 'Synced from AD DS once, neither synced nor cloud-managed now (most likely rolled back and waiting for the sync client); nothing to transfer.';
    case 'cloudNative':
      return 'Cloud-native (never synced from AD DS); nothing to transfer.';
    case 'exchangeMastered':
      return 'onPremisesSyncEnabled is false: mastered in Exchange Online; SOA transfer does not apply.';
    default:
      return 'onPremisesSyncEnabled is not true: the object is cloud-native (or rolled back and pending takeover; Graph cannot tell these apart).';
  }
}

/**
 * Nesting order: on transfer a group's wave is its height (groups without selected child groups
 * first); on rollback its depth (groups without selected parents first). Cycles are cut.
 */
function assignWaves(entries: PlanEntry[], parentsOf: Map<string, string[]>, kind: BulkAction): void {
  const childrenOf = new Map<string, string[]>();
  for (const [child, parents] of parentsOf)
    for (const p of parents) childrenOf.set(p, [...(childrenOf.get(p) ?? []), child]);
  const memo = new Map<string, number>();
  const walk = (id: string, edges: Map<string, string[]>, stack: Set<string>): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (stack.has(id)) return 0;
    stack.add(id);
    let w = 0;
    for (const next of edges.get(id) ?? []) w = Math.max(w, walk(next, edges, stack) + 1);
    stack.delete(id);
    memo.set(id, w);
    return w;
  };
  const edges = kind === 'transfer' ? childrenOf : parentsOf;
  for (const e of entries) e.wave = walk(e.objectId, edges, new Set());
}

/**
 * Override a "could not check" block for one object: journaled first (an intent and its result, so it
 * is never pending), then the entry becomes a rollback carrying the override. Other blocks cannot be
 * overridden here.
 */
export async function overrideCouldNotCheck(
  plan: Plan,
  objectId: string,
  reason: string,
  journal: JournalPort,
  ids: { opId: string; runId?: string; now?: Date },
): Promise<Plan> {
  const e = plan.entries.find((x) => x.objectId === objectId);
  if (!e || e.action !== 'blockedCouldNotCheck')
    throw new Error('Only an object blocked as "could not check" can be overridden.');
  if (!reason.trim()) throw new Error('Say why the override is safe (it goes into the journal).');
  await journal.append([
    {
      kind: 'intent',
      opId: ids.opId,
      ...(ids.runId ? { runId: ids.runId } : {}),
      objectType: e.objectType,
      objectId: e.objectId,
      ...(e.displayName ? { displayName: e.displayName } : {}),
      action: 'planOverride',
      before: { action: e.action, reason: e.reason },
      request: { method: 'NONE', url: `plan ${plan.planId}: override "could not check"`, body: { reason } },
    },
    {
      kind: 'result',
      opId: ids.opId,
      outcome: 'done',
      verified: false,
      reason: `Admin override of "could not check": ${reason}`,
    },
  ]);
  const at = (ids.now ?? new Date()).toISOString();
  const entries = plan.entries.map((x) =>
    x.objectId === objectId
      ? {
          ...x,
          action: plan.kind,
          reason: `Overridden by the admin (${reason}); the references were NOT checked: ${x.reason}`,
          override: { reason, at, opId: ids.opId },
        }
      : x,
  );
  const counts = Object.fromEntries(ALL_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  for (const x of entries) counts[x.action]++;
  return { ...plan, entries, counts };
}

/** The pipeline items of a plan: only its transfer / rollback entries, in wave order. */
export function planItems(plan: Plan): BulkItem[] {
  return plan.entries
    .filter((e) => e.action === 'transfer' || e.action === 'rollback')
    .map((e) => ({
      objectId: e.objectId,
      objectType: e.objectType,
      ...(e.displayName ? { displayName: e.displayName } : {}),
      action: plan.kind,
      wave: e.wave,
    }));
}

/** Resolve the signed-in admin's Hybrid Administrator scope from their role assignments. */
export async function resolveAdminScope(
  graph: GraphBatchPort,
  options: { clock?: Clock } = {},
): Promise<AdminScope | { kind: 'none' }> {
  const opts = {
    scopes: ['RoleManagement.Read.Directory', 'User.Read'],
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const me = (await readMany(graph, [{ key: 'me', url: '/me?$select=id' }], opts)).get('me');
  const meObj = me?.status === 200 ? directoryObject.safeParse(me.body) : undefined;
  if (!meObj?.success) throw new Error(`Could not read the signed-in admin (HTTP ${me?.status ?? 0}).`);
  const assignments = await readCollection(
    graph,
    `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${meObj.data.id}'`)}`,
    opts,
  );
  const aus: string[] = [];
  for (const a of assignments) {
    const roleDefinitionId = typeof a['roleDefinitionId'] === 'string' ? a['roleDefinitionId'] : '';
    const scopeId = typeof a['directoryScopeId'] === 'string' ? a['directoryScopeId'] : '';
    if (roleDefinitionId !== HYBRID_ADMIN_TEMPLATE && roleDefinitionId !== GLOBAL_ADMIN_TEMPLATE) continue;
    if (scopeId === '/') return { kind: 'tenant' };
    const m = /^\/administrativeUnits\/(.+)$/.exec(scopeId);
    if (m?.[1]) aus.push(m[1]);
  }
  return aus.length > 0 ? { kind: 'administrativeUnits', ids: aus } : { kind: 'none' };
}

const planEntrySchema = z.object({
  objectId: z.string().min(1).max(100),
  objectType: z.enum(['contact', 'user', 'group']),
  displayName: z.string().nullable(),
  mail: z.string().nullable(),
  isCloudManaged: z.boolean().nullable(),
  onPremisesSyncEnabled: z.boolean().nullable(),
  // plans saved before the one vocabulary spelled it `cloudNativeOrRolledBack`
  state: z.preprocess(
    (v) => (v === 'cloudNativeOrRolledBack' ? 'rolledBackOrCloudNative' : v),
    z.enum(SOA_STATES as unknown as [SoaState, ...SoaState[]]),
  ),
  stateCertain: z.boolean().default(true),
  action: z.enum(ALL_ACTIONS as unknown as [PlanAction, ...PlanAction[]]),
  reason: z.string(),
  cloudReferences: z.array(
    z.object({
      id: z.string(),
      displayName: z.string().nullable(),
      kind: z.enum(['group', 'member']),
      why: z.string(),
    }),
  ),
  wave: z.number().int().min(0),
  source: z.string(),
  override: z.object({ reason: z.string(), at: z.string(), opId: z.string() }).optional(),
});

export const planFileSchema = z.object({
  version: z.literal(1),
  planId: z.string().min(1).max(60),
  kind: z.enum(['transfer', 'rollback']),
  objectType: z.enum(['contact', 'user', 'group']),
  createdAt: z.string(),
  scope: z.union([
    z.object({ kind: z.literal('tenant') }),
    z.object({ kind: z.literal('administrativeUnits'), ids: z.array(z.string()) }),
  ]),
  entries: z.array(planEntrySchema),
  counts: z.record(z.string(), z.number()),
});

/** Parse a saved plan (JSON from `report.save`); the run executes exactly its transfer/rollback entries. */
export function parsePlanFile(text: string): Plan {
  const parsed = planFileSchema.parse(JSON.parse(text));
  return { ...parsed, counts: countActions(parsed.entries) };
}

function countActions(entries: readonly PlanEntry[]): Record<PlanAction, number> {
  const counts = Object.fromEntries(ALL_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  for (const e of entries) counts[e.action]++;
  return counts;
}

/**
 * Characters per piece of a plan's saved text (`planFileParts`): each piece is one `report.savePart`
 * (at most `REPORT_PART_MAX_CHARS`), so the text of a 50,000-object plan (about 25 MB) is never one string.
 */
export const PLAN_PART_CHARS = 1_000_000;

/**
 * A plan's saved text in pieces of at most `partChars` characters (a longer entry is a piece of its own); their
 * concatenation is exactly `JSON.stringify(plan, null, 2)`. Made in time slices: each entry is serialised on its
 * own and a piece is joined from about 2,000 of them, so no step handles the whole text.
 */
export async function planFileParts(
  plan: Plan,
  slicer: TimeSlicer = new TimeSlicer(),
  partChars: number = PLAN_PART_CHARS,
): Promise<string[]> {
  const entriesMarker = '\u0000entries\u0000';
  const head = JSON.stringify({ ...plan, entries: entriesMarker }, null, 2);
  const marker = JSON.stringify(entriesMarker);
  const at = head.indexOf(marker);
  const parts: string[] = [];
  let held: string[] = [];
  let heldChars = 0;
  const add = (text: string): void => {
    if (heldChars > 0 && heldChars + text.length > partChars) {
      parts.push(held.join(''));
      held = [];
      heldChars = 0;
    }
    held.push(text);
    heldChars += text.length;
  };
  add(head.slice(0, at));
  if (plan.entries.length === 0) add('[]');
  else {
    add('[\n');
    let first = true;
    for (const e of plan.entries) {
      // an entry at depth 2: every line of its own indented text moves in by four spaces (strings hold no raw newline)
      add((first ? '    ' : ',\n    ') + JSON.stringify(e, null, 2).replace(/\n/g, '\n    '));
      first = false;
      if (slicer.due()) await slicer.yieldNow();
    }
    add('\n  ]');
  }
  add(head.slice(at + marker.length));
  if (heldChars > 0) parts.push(held.join(''));
  return parts;
}

/** A plan's saved text in one string: exactly `JSON.stringify(plan, null, 2)` (small plans, tests). */
export async function planFileText(plan: Plan, slicer: TimeSlicer = new TimeSlicer()): Promise<string> {
  return (await planFileParts(plan, slicer)).join('');
}
