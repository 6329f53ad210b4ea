/**
 * Typed Graph calls for the SOA flows. Each function names the scopes its step needs (from
 * STEP_SCOPES), parses the parts of the response it relies on with zod, and resolves to a
 * `GraphResult` carrying the request-id. Nothing throws.
 */
import { z } from 'zod';
import type { GraphCall, GraphSession } from './graph-client';
import { ok, type GraphError, type GraphResult } from './graph-result';
import { STEP_SCOPES } from './scopes';
import {
  AUDIT_READER_ROLES,
  AUDIT_ROLE_NAMES,
  CONTACT_UPDATE_ROLES,
  ROLE_DISPLAY_NAME,
  ROLE_TEMPLATE,
  SOA_ROLES,
  SOA_ROLE_NAME,
} from './roles';

export type SoaObjectKind = 'contact' | 'user' | 'group';

const COLLECTION: Record<SoaObjectKind, string> = { contact: 'contacts', user: 'users', group: 'groups' };
const SOA_SCOPES: Record<SoaObjectKind, readonly string[]> = {
  contact: STEP_SCOPES.contacts,
  user: STEP_SCOPES.users,
  group: STEP_SCOPES.groups,
};
const SOA_ROLE_HINT = 'tenant-wide, or scoped to an administrative unit that contains the object';

function seg(id: string): string {
  return encodeURIComponent(id);
}

// ----------------------------------------------------------------------------------------------
// onPremisesSyncBehavior
// ----------------------------------------------------------------------------------------------

const syncBehaviorBody = z.object({ id: z.string().optional(), isCloudManaged: z.boolean() });
/** GET may come wrapped in `value` (as a doc sample shows) or flat; accept both (docs/reference/graph-and-identity.md#request-and-response-bodies). */
const syncBehaviorEither = z.union([syncBehaviorBody, z.object({ value: syncBehaviorBody })]);

export interface SyncBehavior {
  id: string;
  isCloudManaged: boolean;
}

export function getSyncBehavior(g: GraphSession, kind: SoaObjectKind, id: string): Promise<GraphResult<SyncBehavior>> {
  return g.call(
    {
      method: 'GET',
      path: `/${COLLECTION[kind]}/${seg(id)}/onPremisesSyncBehavior`,
      query: { $select: 'isCloudManaged' },
      scopes: SOA_SCOPES[kind],
      requiredRole: SOA_ROLE_NAME,
      roleHint: SOA_ROLE_HINT,
    },
    (body) => {
      const parsed = syncBehaviorEither.parse(body);
      const inner = 'value' in parsed ? parsed.value : parsed;
      return { id: inner.id ?? id, isCloudManaged: inner.isCloudManaged };
    },
  );
}

/** PATCH isCloudManaged; 204 (current docs) or 200 with the object (older docs) are both success. */
export function setCloudManaged(
  g: GraphSession,
  kind: SoaObjectKind,
  id: string,
  isCloudManaged: boolean,
): Promise<GraphResult<{ isCloudManaged: boolean | null }>> {
  return g.call(
    {
      method: 'PATCH',
      path: `/${COLLECTION[kind]}/${seg(id)}/onPremisesSyncBehavior`,
      headers: { 'Content-Type': 'application/json' },
      body: { isCloudManaged },
      scopes: SOA_SCOPES[kind],
      requiredRole: SOA_ROLE_NAME,
      roleHint: SOA_ROLE_HINT,
    },
    (body, status) => {
      if (status === 204 || body === undefined) return { isCloudManaged: null };
      const parsed = syncBehaviorEither.safeParse(body);
      if (!parsed.success) return { isCloudManaged: null };
      return { isCloudManaged: 'value' in parsed.data ? parsed.data.value.isCloudManaged : parsed.data.isCloudManaged };
    },
  );
}

// ----------------------------------------------------------------------------------------------
// orgContact
// ----------------------------------------------------------------------------------------------

export const orgContactSchema = z.object({
  id: z.string(),
  displayName: z.string().nullable().optional(),
  mail: z.string().nullable().optional(),
  mailNickname: z.string().nullable().optional(),
  companyName: z.string().nullable().optional(),
  givenName: z.string().nullable().optional(),
  surname: z.string().nullable().optional(),
  proxyAddresses: z.array(z.string()).optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
  onPremisesLastSyncDateTime: z.string().nullable().optional(),
});
export type OrgContact = z.infer<typeof orgContactSchema>;

export const CONTACT_SELECT =
  'id,displayName,mail,mailNickname,companyName,givenName,surname,proxyAddresses,onPremisesSyncEnabled,onPremisesLastSyncDateTime';

export function getContact(
  g: GraphSession,
  id: string,
  select: string = CONTACT_SELECT,
): Promise<GraphResult<OrgContact>> {
  return g.call(
    { method: 'GET', path: `/contacts/${seg(id)}`, query: { $select: select }, scopes: STEP_SCOPES.contacts },
    (body) => orgContactSchema.parse(body),
  );
}

const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ value: z.array(item), '@odata.nextLink': z.string().optional(), '@odata.count': z.number().optional() });

export interface ContactSearch {
  /** Free text matched against displayName and mail with `$search` (advanced query, ConsistencyLevel). */
  text?: string;
  /** Raw `$filter` (e.g. `onPremisesSyncEnabled eq true`); `ne`/`not` need advanced mode, which is always on. */
  filter?: string;
  /** Page size (default 100, max 999). */
  top?: number;
  /** Stop after this many pages (default 50). */
  maxPages?: number;
  /** Go on from a page's `@odata.nextLink` (the next page of an earlier search). */
  from?: string;
}

export interface ContactPage {
  items: OrgContact[];
  pages: number;
  count: number | null;
  /** Present when maxPages stopped the walk before the end. */
  nextLink: string | null;
  /** Request id of every page, in order (evidence). */
  requestIds: (string | null)[];
}

function escapeSearch(term: string): string {
  return term.replace(/["\\]/g, ' ').trim();
}

/** List contacts page by page, following `@odata.nextLink`. Uses advanced query mode (ConsistencyLevel: eventual + $count). */
export async function searchContacts(g: GraphSession, q: ContactSearch = {}): Promise<GraphResult<ContactPage>> {
  const query: Record<string, string> = {
    $select: CONTACT_SELECT,
    $top: String(Math.min(Math.max(q.top ?? 100, 1), 999)),
    $count: 'true',
  };
  if (q.text && q.text.trim()) {
    const t = escapeSearch(q.text);
    query.$search = `"displayName:${t}" OR "mail:${t}"`;
  }
  if (q.filter) query.$filter = q.filter;
  const headers = { ConsistencyLevel: 'eventual' };
  const schema = pageSchema(orgContactSchema);
  const items: OrgContact[] = [];
  const requestIds: (string | null)[] = [];
  let count: number | null = null;
  let next: string | undefined = q.from;
  let pages = 0;
  const maxPages = q.maxPages ?? 50;
  do {
    const r = await g.call(
      next
        ? { method: 'GET', path: next, headers, scopes: STEP_SCOPES.contacts }
        : { method: 'GET', path: '/contacts', query, headers, scopes: STEP_SCOPES.contacts },
      (body) => schema.parse(body),
    );
    requestIds.push(r.requestId);
    if (!r.ok) return r;
    pages++;
    items.push(...r.value.value);
    if (count === null && r.value['@odata.count'] !== undefined) count = r.value['@odata.count'];
    next = r.value['@odata.nextLink'];
  } while (next && pages < maxPages);
  return ok(
    { items, pages, count, nextLink: next ?? null, requestIds },
    200,
    requestIds[requestIds.length - 1] ?? null,
  );
}

export interface ReadOnlyProbe {
  displayName: string;
  /** Graph's refusal of the no-op write (null: the write was accepted). Classify it with the object's state (lib/soa/proof.ts). */
  refusal: GraphError | null;
  /** Request id of the PATCH. */
  patchRequestId: string | null;
  patchStatus: number;
}

/**
 * Probe whether the cloud object is editable: PATCH `displayName` with its current value (a no-op
 * when allowed). Resolves ok with Graph's refusal (if any) as data; only a failed read of the current
 * name is a failure. The scopes the PATCH needs are not documented; callers may pass their own.
 */
export async function probeReadOnly(
  g: GraphSession,
  id: string,
  scopes: readonly string[] = STEP_SCOPES.contactEdit,
  write: {
    /** The session that sends the PATCH (another admin's proof sign-in); the read stays on `g`. */
    graph?: GraphSession;
    /** Called with the name about to be written, before the PATCH is sent (to journal the intent). */
    beforeWrite?: (displayName: string) => Promise<void>;
  } = {},
): Promise<GraphResult<ReadOnlyProbe>> {
  const current = await getContact(g, id, 'id,displayName');
  if (!current.ok) return current;
  const displayName = current.value.displayName ?? '';
  await write.beforeWrite?.(displayName);
  const r = await (write.graph ?? g).call(
    {
      method: 'PATCH',
      path: `/contacts/${seg(id)}`,
      headers: { 'Content-Type': 'application/json' },
      body: { displayName },
      scopes,
    },
    () => null,
  );
  return ok(
    {
      displayName,
      refusal: r.ok ? null : r.error,
      patchRequestId: r.requestId,
      patchStatus: r.ok ? r.status : r.error.status,
    },
    current.status,
    r.requestId,
  );
}

// ----------------------------------------------------------------------------------------------
// memberOf
// ----------------------------------------------------------------------------------------------

const directoryObjectSchema = z.object({
  id: z.string(),
  '@odata.type': z.string().optional(),
  displayName: z.string().nullable().optional(),
});

export interface MembershipRef {
  id: string;
  /** `group`, `administrativeUnit`, `directoryRole`, … (from `@odata.type`). */
  type: string;
  displayName: string | null;
}

export async function listMemberOf(
  g: GraphSession,
  kind: SoaObjectKind,
  id: string,
): Promise<GraphResult<MembershipRef[]>> {
  const out: MembershipRef[] = [];
  const schema = pageSchema(directoryObjectSchema);
  let next: string | undefined;
  let last: GraphResult<unknown> | undefined;
  let pages = 0;
  const scopes = STEP_SCOPES.membership;
  do {
    const r = await g.call(
      next
        ? { method: 'GET', path: next, scopes }
        : {
            method: 'GET',
            path: `/${COLLECTION[kind]}/${seg(id)}/memberOf`,
            query: { $select: 'id,displayName' },
            scopes,
          },
      (body) => schema.parse(body),
    );
    if (!r.ok) return r;
    last = r;
    pages++;
    for (const o of r.value.value) {
      out.push({
        id: o.id,
        type: (o['@odata.type'] ?? '#microsoft.graph.directoryObject').replace(/^#microsoft\.graph\./, ''),
        displayName: o.displayName ?? null,
      });
    }
    next = r.value['@odata.nextLink'];
  } while (next && pages < 50);
  return ok(out, 200, last?.requestId ?? null);
}

// ----------------------------------------------------------------------------------------------
// Audit log
// ----------------------------------------------------------------------------------------------

/** Both documented spellings of the transfer and of the undo activity (docs/reference/graph-and-identity.md#audit-activity-names). */
export const SOA_ACTIVITY = {
  transfer: ['Change Source of Authority from AD to cloud', 'Change Source of Authority from AD DS to cloud'],
  rollback: [
    'Undo changes to Source of Authority from AD DS to cloud',
    'Undo changes to Source of Authority from AD to cloud',
  ],
} as const;

const auditSchema = z.object({
  id: z.string(),
  activityDisplayName: z.string(),
  activityDateTime: z.string(),
  result: z.string().optional(),
  resultReason: z.string().nullable().optional(),
  category: z.string().optional(),
  correlationId: z.string().nullable().optional(),
  loggedByService: z.string().nullable().optional(),
  operationType: z.string().nullable().optional(),
  initiatedBy: z
    .object({
      user: z
        .object({ id: z.string().nullable().optional(), userPrincipalName: z.string().nullable().optional() })
        .nullable()
        .optional(),
      app: z
        .object({ appId: z.string().nullable().optional(), displayName: z.string().nullable().optional() })
        .nullable()
        .optional(),
    })
    .optional(),
  targetResources: z
    .array(
      z.object({
        id: z.string().nullable().optional(),
        displayName: z.string().nullable().optional(),
        type: z.string().nullable().optional(),
        modifiedProperties: z
          .array(
            z.object({
              displayName: z.string().nullable().optional(),
              oldValue: z.string().nullable().optional(),
              newValue: z.string().nullable().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
export type SoaAuditEvent = z.infer<typeof auditSchema> & { action: 'transfer' | 'rollback' };

export interface AuditQuery {
  targetId: string;
  /** t0: only events at or after this instant. */
  since: Date | string;
  /** Which activities (default both). */
  actions?: readonly ('transfer' | 'rollback')[];
}

function actionOf(name: string): 'transfer' | 'rollback' | undefined {
  const n = name.trim().toLowerCase();
  if (SOA_ACTIVITY.transfer.some((a) => a.toLowerCase() === n)) return 'transfer';
  if (SOA_ACTIVITY.rollback.some((a) => a.toLowerCase() === n)) return 'rollback';
  return undefined;
}

/** An instant as the audit `$filter` takes it: ISO 8601 in whole seconds, UTC. */
const isoSeconds = (d: Date | string): string =>
  (typeof d === 'string' ? new Date(d) : d).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * SOA audit events for one object since t0. The server filter narrows by time and target id; the
 * activity names are matched here (both spellings), because the exact `activityDisplayName` is unconfirmed.
 */
export async function findSoaAuditEvents(g: GraphSession, q: AuditQuery): Promise<GraphResult<SoaAuditEvent[]>> {
  const id = q.targetId.replace(/'/g, "''");
  const r = await readSoaAuditPages(g, {
    filter: `activityDateTime ge ${isoSeconds(q.since)} and targetResources/any(t:t/id eq '${id}')`,
    top: 100,
    actions: new Set(q.actions ?? ['transfer', 'rollback']),
    maxPages: 20,
  });
  return r.ok ? ok(r.value.events, r.status, r.requestId) : r;
}

/**
 * Pages through `/auditLogs/directoryAudits` with one `$filter` (at most `maxPages` pages) and keeps the SOA
 * events whose activity is one of `actions` (either spelling), oldest first.
 */
async function readSoaAuditPages(
  g: GraphSession,
  q: {
    filter: string;
    top: number;
    actions: ReadonlySet<SoaAuditEvent['action']>;
    maxPages: number;
    signal?: AbortSignal | undefined;
  },
): Promise<GraphResult<{ events: SoaAuditEvent[]; pages: number }>> {
  const schema = pageSchema(auditSchema);
  const access = {
    scopes: STEP_SCOPES.audit,
    requiredRole: AUDIT_ROLE_NAMES,
    ...(q.signal ? { signal: q.signal } : {}),
  };
  const out: SoaAuditEvent[] = [];
  let next: string | undefined;
  let last: GraphResult<unknown> | undefined;
  let pages = 0;
  do {
    const r = await g.call(
      next
        ? { method: 'GET', path: next, ...access }
        : {
            method: 'GET',
            path: '/auditLogs/directoryAudits',
            query: { $filter: q.filter, $top: String(q.top) },
            roleHint: 'tenant-wide; an administrative-unit scope does not cover the audit log',
            ...access,
          },
      (body) => schema.parse(body),
    );
    if (!r.ok) return r;
    last = r;
    pages++;
    for (const e of r.value.value) {
      const action = actionOf(e.activityDisplayName);
      if (action && q.actions.has(action)) out.push({ ...e, action });
    }
    next = r.value['@odata.nextLink'];
  } while (next && pages < q.maxPages);
  out.sort((a, b) => a.activityDateTime.localeCompare(b.activityDateTime));
  return ok({ events: out, pages }, 200, last?.requestId ?? null);
}

/**
 * The part both spellings of an activity share (docs/reference/graph-and-identity.md#audit-activity-names):
 * one `startswith` filter finds either spelling; the exact names are matched here afterwards.
 */
export const SOA_ACTIVITY_PREFIX = {
  transfer: 'Change Source of Authority from AD',
  rollback: 'Undo changes to Source of Authority from AD',
} as const;

export interface AuditWindowQuery {
  action: 'transfer' | 'rollback';
  /** the window's first and last instant (inclusive) */
  from: Date | string;
  to: Date | string;
  signal?: AbortSignal;
}

export interface AuditWindowPage {
  events: SoaAuditEvent[];
  /** the exact first request line, for the evidence */
  request: string;
  pages: number;
}

/**
 * Every SOA audit event of one action in a time window, for all objects at once (a bulk run): one
 * `$filter` on `activityDateTime` (ge/le) and the activity's shared prefix, paged through. Only events
 * whose name is one of the action's documented spellings are returned.
 */
export async function listSoaAuditEventsInWindow(
  g: GraphSession,
  q: AuditWindowQuery,
): Promise<GraphResult<AuditWindowPage>> {
  const from = isoSeconds(q.from);
  const to = isoSeconds(q.to);
  const prefix = SOA_ACTIVITY_PREFIX[q.action].replace(/'/g, "''");
  const filter = `activityDateTime ge ${from} and activityDateTime le ${to} and startswith(activityDisplayName,'${prefix}')`;
  const r = await readSoaAuditPages(g, {
    filter,
    top: 1000,
    actions: new Set([q.action]),
    maxPages: 100,
    signal: q.signal,
  });
  if (!r.ok) return r;
  return ok(
    {
      events: r.value.events,
      request: `GET ${g.baseUrl}/v1.0/auditLogs/directoryAudits?$filter=${filter}&$top=1000`,
      pages: r.value.pages,
    },
    r.status,
    r.requestId,
  );
}

// ----------------------------------------------------------------------------------------------
// Roles
// ----------------------------------------------------------------------------------------------

const roleAssignmentSchema = z.object({
  id: z.string(),
  principalId: z.string(),
  roleDefinitionId: z.string(),
  directoryScopeId: z.string(),
});
const directoryRoleSchema = z.object({ id: z.string(), roleTemplateId: z.string() });

export interface RoleAssignmentView {
  roleTemplateId: string;
  roleName: string;
  directoryScopeId: string;
  /** Set when the assignment is scoped to an administrative unit. */
  administrativeUnitId: string | null;
  /** Set when the role reaches the admin through a (role-assignable) group. */
  viaGroupId: string | null;
}

/** What the admin may do, for one role action: tenant-wide, or in some administrative units. */
export interface RoleReach {
  tenantWide: boolean;
  administrativeUnits: string[];
  /** Names of the roles that give it (active). */
  roles: string[];
}

export interface MyRoles {
  /** Active assignments, direct and through groups. */
  assignments: RoleAssignmentView[];
  /** Hybrid Administrator (or Global Administrator) held tenant-wide. */
  soaTenantWide: boolean;
  /** Administrative units where Hybrid Administrator is assigned. */
  soaAdministrativeUnits: string[];
  /** Names of audit-reader roles held tenant-wide. */
  auditReaderRoles: string[];
  /** Roles that may update contacts (PATCH /contacts/{id}: the write proofs). */
  contactUpdate: RoleReach;
  /** PIM-eligible (not active) assignments; null when they could not be read. */
  eligible: RoleAssignmentView[] | null;
  /** Why `eligible` is null. */
  eligibleError?: string;
  /** How the active roles were found. */
  source: 'transitiveRoleAssignments' | 'directAndTransitiveMemberOf';
}

function view(a: z.infer<typeof roleAssignmentSchema>, principalId: string): RoleAssignmentView {
  const m = /^\/administrativeUnits\/([^/]+)$/i.exec(a.directoryScopeId);
  return {
    roleTemplateId: a.roleDefinitionId,
    roleName: ROLE_DISPLAY_NAME[a.roleDefinitionId] ?? a.roleDefinitionId,
    directoryScopeId: a.directoryScopeId,
    administrativeUnitId: m?.[1] ?? null,
    viaGroupId: a.principalId.toLowerCase() === principalId.toLowerCase() ? null : a.principalId,
  };
}

function reach(assignments: readonly RoleAssignmentView[], roles: readonly string[]): RoleReach {
  const held = assignments.filter((a) => roles.includes(a.roleTemplateId));
  return {
    tenantWide: held.some((a) => a.directoryScopeId === '/'),
    administrativeUnits: [
      ...new Set(held.filter((a) => a.administrativeUnitId).map((a) => a.administrativeUnitId as string)),
    ],
    roles: [...new Set(held.map((a) => a.roleName))],
  };
}

/** Summarise active (and eligible) assignments into what the flows need. */
export function summariseRoles(
  assignments: RoleAssignmentView[],
  eligible: RoleAssignmentView[] | null,
  source: MyRoles['source'],
  eligibleError?: string,
): MyRoles {
  const tenantWide = assignments.filter((a) => a.directoryScopeId === '/');
  const soa = reach(assignments, SOA_ROLES);
  return {
    assignments,
    soaTenantWide: soa.tenantWide,
    soaAdministrativeUnits: assignments
      .filter((a) => a.administrativeUnitId && a.roleTemplateId === ROLE_TEMPLATE.hybridAdministrator)
      .map((a) => a.administrativeUnitId as string),
    auditReaderRoles: [
      ...new Set(tenantWide.filter((a) => AUDIT_READER_ROLES.includes(a.roleTemplateId)).map((a) => a.roleName)),
    ],
    contactUpdate: reach(assignments, CONTACT_UPDATE_ROLES),
    eligible,
    ...(eligibleError ? { eligibleError } : {}),
    source,
  };
}

async function readAll<T>(g: GraphSession, first: GraphCall, item: z.ZodType<T>): Promise<GraphResult<T[]>> {
  const schema = pageSchema(item);
  const out: T[] = [];
  let next: string | undefined;
  let last: GraphResult<unknown> | undefined;
  let pages = 0;
  do {
    const r = await g.call(next ? { ...first, path: next, query: {} } : first, (body) => schema.parse(body));
    if (!r.ok) return r;
    last = r;
    pages++;
    out.push(...(r.value.value as T[]));
    next = r.value['@odata.nextLink'];
  } while (next && pages < 20);
  return ok(out, 200, last?.requestId ?? null);
}

/** The v1.0 role assignments (active or eligible) of `/roleManagement/directory/{collection}` that match `filter`. */
function readRoleAssignments(
  g: GraphSession,
  collection: 'roleAssignments' | 'roleEligibilityScheduleInstances',
  filter: string,
): Promise<GraphResult<z.infer<typeof roleAssignmentSchema>[]>> {
  return readAll(
    g,
    {
      method: 'GET',
      path: `/roleManagement/directory/${collection}`,
      query: { $filter: filter },
      scopes: STEP_SCOPES.roles,
    },
    roleAssignmentSchema,
  );
}

/**
 * The signed-in admin's roles, as Graph resolves them:
 * - active roles from `GET /beta/roleManagement/directory/transitiveRoleAssignments` (needs
 *   `ConsistencyLevel: eventual`), which includes roles held through role-assignable groups and
 *   administrative-unit scopes; when that beta call is refused, the direct assignments plus
 *   `/me/transitiveMemberOf/microsoft.graph.directoryRole` (tenant-wide active roles, groups included);
 * - PIM-eligible roles from `roleEligibilityScheduleInstances` (not active until activated).
 * A 403 from the SOA call itself stays the final word (docs/reference/graph-and-identity.md#role-checks).
 */
export async function myRoles(g: GraphSession, principalId: string): Promise<GraphResult<MyRoles>> {
  const filter = `principalId eq '${principalId.replace(/'/g, "''")}'`;
  const transitive = await readAll(
    g,
    {
      method: 'GET',
      path: '/roleManagement/directory/transitiveRoleAssignments',
      version: 'beta',
      query: { $filter: filter, $count: 'true' },
      headers: { ConsistencyLevel: 'eventual' },
      scopes: STEP_SCOPES.roles,
    },
    roleAssignmentSchema,
  );
  let assignments: RoleAssignmentView[];
  let source: MyRoles['source'];
  let requestId = transitive.requestId;
  if (transitive.ok) {
    assignments = transitive.value.map((a) => view(a, principalId));
    source = 'transitiveRoleAssignments';
  } else {
    const direct = await readRoleAssignments(g, 'roleAssignments', filter);
    if (!direct.ok) return direct;
    const viaMe = await readAll(
      g,
      {
        method: 'GET',
        path: '/me/transitiveMemberOf/microsoft.graph.directoryRole',
        query: { $select: 'id,roleTemplateId' },
        scopes: STEP_SCOPES.me,
      },
      directoryRoleSchema,
    );
    assignments = direct.value.map((a) => view(a, principalId));
    if (viaMe.ok) {
      for (const r of viaMe.value) {
        if (assignments.some((a) => a.roleTemplateId === r.roleTemplateId && a.directoryScopeId === '/')) continue;
        assignments.push({
          roleTemplateId: r.roleTemplateId,
          roleName: ROLE_DISPLAY_NAME[r.roleTemplateId] ?? r.roleTemplateId,
          directoryScopeId: '/',
          administrativeUnitId: null,
          viaGroupId: 'group',
        });
      }
    }
    source = 'directAndTransitiveMemberOf';
    requestId = direct.requestId;
  }
  const eligibleRead = await readRoleAssignments(g, 'roleEligibilityScheduleInstances', filter);
  const eligible = eligibleRead.ok ? eligibleRead.value.map((a) => view(a, principalId)) : null;
  return ok(
    summariseRoles(assignments, eligible, source, eligibleRead.ok ? undefined : eligibleRead.error.message),
    200,
    requestId,
  );
}
