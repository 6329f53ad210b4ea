/** Directory roles: the activated roles a user holds, and roleManagement role assignments. */
import { createHash } from 'node:crypto';
import { GraphError, evaluateFilter, filterProperties, parseFilter, parseSelect, project } from '../odata';
import type { Ctx, RouteSpec } from './context';
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

export const roleAssignmentRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/roleManagement/directory/roleAssignments',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.roleAssignments);
      let rows: Record<string, unknown>[] = ctx.tenant.state.roleAssignments.map((r) => ({
        id: r.id,
        principalId: r.principalId,
        roleDefinitionId: r.roleDefinitionId,
        directoryScopeId: r.directoryScopeId,
        appScopeId: null,
        condition: null,
      }));
      const f = ctx.req.query.get('$filter');
      if (f !== null) {
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
        rows = rows.filter((r) => evaluateFilter(node, r));
      }
      const select = parseSelect(
        ctx.req.query.get('$select'),
        ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId', 'condition'],
        'unifiedRoleAssignment',
      );
      return page(
        ctx,
        rows.map((r) => project(r, select)),
        'roleManagement/directory/roleAssignments',
        select,
        false,
      );
    },
  },
];
