/** What consent detection reads: oauth2PermissionGrants and the two service principals. */
import { evaluateFilter, parseFilter } from '../odata';
import type { RouteSpec } from './context';
import { page } from './collections';
import { SCOPES, requireScopes } from './scopes';

function filtered(rows: Record<string, unknown>[], filter: string | null): Record<string, unknown>[] {
  if (filter === null) return rows;
  const node = parseFilter(filter);
  return rows.filter((r) => evaluateFilter(node, r));
}

export const consentRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/oauth2PermissionGrants',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.grants);
      const rows = filtered(
        ctx.tenant.state.grants.map((g) => ({ ...g })),
        ctx.req.query.get('$filter'),
      );
      return page(ctx, rows, 'oauth2PermissionGrants', null, false);
    },
  },
  {
    method: 'GET',
    pattern: '/servicePrincipals',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.servicePrincipals);
      const s = ctx.tenant.state;
      const all: Record<string, unknown>[] = [
        {
          id: s.appServicePrincipalId,
          appId: s.clientId,
          displayName: 'soa-pilot (lab)',
          servicePrincipalType: 'Application',
        },
        {
          id: s.graphServicePrincipalId,
          appId: '00000003-0000-0000-c000-000000000000',
          displayName: 'Microsoft Graph',
          servicePrincipalType: 'Application',
        },
      ];
      return page(ctx, filtered(all, ctx.req.query.get('$filter')), 'servicePrincipals', null, false);
    },
  },
];
