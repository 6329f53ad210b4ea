/** Directory roles: the activated roles a user holds, and roleManagement role assignments. */
import { createHash } from 'node:crypto';
import { GraphError, evaluateFilter, filterProperties, parseFilter, parseSelect, project } from '../odata';
import type { RoleAssignment } from '../model';
import type { Ctx, GraphResponse, RouteSpec } from './context';
import { page } from './collections';
import { SCOPES, requireScopes } from './scopes';

function roleObjectId(tenantId: string, templateId: string): string {
  const h = createHash('sha1').update(`${tenantId}|${templateId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The directoryRole objects of the roles `oid` holds. */
export function directoryRoles(ctx: Ctx, oid: string): Record<string, unknown>[] {
  const t = ctx.tenant;
  return t.widsOf(oid).map((tpl) => ({
    '@odata.type': '#microsoft.graph.directoryRole',
    id: roleObjectId(t.state.tenantId, tpl),
    deletedDateTime: null,
    description: `${t.roleName(tpl)} (lab)`,
    displayName: t.roleName(tpl),
    roleTemplateId: tpl,
  }));
}

const ASSIGNMENT_PROPS = ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId', 'condition'];

/**
 * $filter on principalId / roleDefinitionId / directoryScopeId / id, then $select and paging. `extra`: the
 * properties the list adds to a role assignment's; `countable`: whether `$count=true` adds the count.
 */
function assignmentList(
  ctx: Ctx,
  all: readonly RoleAssignment[],
  contextPath: string,
  { extra = [], countable = true }: { extra?: string[]; countable?: boolean } = {},
): GraphResponse {
  let rows: Record<string, unknown>[] = all.map((r) => ({
    id: r.id,
    principalId: r.principalId,
    roleDefinitionId: r.roleDefinitionId,
    directoryScopeId: r.directoryScopeId,
    appScopeId: null,
    condition: null,
    ...Object.fromEntries(extra.map((k) => [k, k === 'memberType' ? 'Direct' : null])),
  }));
  rows = filterAssignments(ctx, rows);
  const select = parseSelect(ctx.req.query.get('$select'), [...ASSIGNMENT_PROPS, ...extra], 'unifiedRoleAssignment');
  const wantCount = countable && (ctx.req.query.get('$count') ?? '').toLowerCase() === 'true';
  return page(
    ctx,
    rows.map((r) => project(r, select)),
    contextPath,
    select,
    wantCount,
  );
}

/** The principalId of a `principalId eq '…'` filter, if the filter has one. */
function filteredPrincipal(ctx: Ctx): string | null {
  const m = /principalId\s+eq\s+'([^']+)'/i.exec(ctx.req.query.get('$filter') ?? '');
  return m?.[1]?.toLowerCase() ?? null;
}

export const roleAssignmentRoutes: RouteSpec[] = [
  {
    // beta only; includes the assignments of role-assignable groups the principal is a member of
    method: 'GET',
    pattern: '/roleManagement/directory/transitiveRoleAssignments',
    handler: (ctx) => {
      if (ctx.req.version !== 'beta')
        throw new GraphError(400, 'BadRequest', "Resource not found for the segment 'transitiveRoleAssignments'.");
      requireScopes(ctx, SCOPES.roleAssignments);
      if (!ctx.advanced)
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          "transitiveRoleAssignments only works with the request header 'ConsistencyLevel: eventual' and $count=true.",
        );
      const principal = filteredPrincipal(ctx);
      const rows = principal
        ? ctx.tenant.activeAssignmentsOf(principal).map((r) => ({ ...r, principalId: r.principalId }))
        : ctx.tenant.state.roleAssignments;
      // the filter matched the user already; keep group principals in the result
      const q = new URLSearchParams(ctx.req.query);
      q.delete('$filter');
      return assignmentList(
        { ...ctx, req: { ...ctx.req, query: principal ? q : ctx.req.query } },
        rows,
        'roleManagement/directory/transitiveRoleAssignments',
      );
    },
  },
  {
    // PIM: eligible assignments (not active until activated)
    method: 'GET',
    pattern: '/roleManagement/directory/roleEligibilityScheduleInstances',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.roleEligibility);
      const principal = filteredPrincipal(ctx);
      const rows = principal ? ctx.tenant.eligibleAssignmentsOf(principal) : (ctx.tenant.state.roleEligibilities ?? []);
      const q = new URLSearchParams(ctx.req.query);
      q.delete('$filter');
      return assignmentList(
        { ...ctx, req: { ...ctx.req, query: principal ? q : ctx.req.query } },
        rows,
        'roleManagement/directory/roleEligibilityScheduleInstances',
        { extra: ['memberType', 'startDateTime', 'endDateTime'] },
      );
    },
  },
  {
    method: 'GET',
    pattern: '/roleManagement/directory/roleAssignments',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.roleAssignments);
      // the lab answers $count=true on this list without @odata.count [U: whether Graph adds it here is not checked]
      return assignmentList(ctx, ctx.tenant.state.roleAssignments, 'roleManagement/directory/roleAssignments', {
        countable: false,
      });
    },
  },
];

/** `$filter` on role assignments: only the documented properties, anything else as Graph refuses it. */
function filterAssignments<T extends Record<string, unknown>>(ctx: Ctx, rows: T[]): T[] {
  const f = ctx.req.query.get('$filter');
  if (f === null) return rows;
  const node = parseFilter(f);
  for (const p of filterProperties(node)) {
    if (!['principalid', 'roledefinitionid', 'directoryscopeid', 'id'].includes(p.toLowerCase())) {
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Unsupported or invalid query filter clause specified for property '${p}' of resource 'UnifiedRoleAssignment'.`,
      );
    }
  }
  return rows.filter((r) => evaluateFilter(node, r));
}
