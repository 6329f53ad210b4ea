/** The signed-in user: /me, and its memberOf / transitiveMemberOf with the directory roles it holds. */
import type { DirObject } from '../model';
import { GraphError, parseSelect, project } from '../odata';
import type { Ctx, GraphResponse, RouteSpec } from './context';
import { entity, page } from './collections';
import { DIRECTORY_OBJECT_PROPS, USER_PROPS, typedView, userView } from './directory-objects';
import { MSG_COUNT_UNSUPPORTED, notFound } from './errors';
import { memberOf } from './membership';
import { directoryRoles } from './roles';
import { SCOPES, requireScopes } from './scopes';

function me(ctx: Ctx): DirObject {
  const o = ctx.tenant.object(ctx.who.oid);
  if (!o) throw notFound(ctx.who.oid);
  return o;
}

function rolesOfMe(ctx: Ctx, includeGroups: boolean, transitive: boolean): GraphResponse {
  requireScopes(ctx, SCOPES.me);
  const o = me(ctx);
  const roles = directoryRoles(ctx, o.id);
  const groups = includeGroups ? memberOf(ctx, o, transitive).map((g) => typedView(g)) : [];
  const all = [...groups, ...roles];
  const select = parseSelect(
    ctx.req.query.get('$select'),
    [...DIRECTORY_OBJECT_PROPS, 'roleTemplateId', 'description'],
    'directoryObject',
  );
  const wantCount = (ctx.req.query.get('$count') ?? '').toLowerCase() === 'true';
  if (wantCount && !ctx.advanced) throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
  return page(
    ctx,
    all.map((x) => project(x, select)),
    includeGroups ? 'directoryObjects' : 'directoryRoles',
    select,
    wantCount,
  );
}

export const meRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/me',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.me);
      return entity(ctx, userView(me(ctx), (ctx.req.query.get('$select') ?? '') !== ''), USER_PROPS, 'user', 'users');
    },
  },
  { method: 'GET', pattern: '/me/memberOf', handler: (ctx) => rolesOfMe(ctx, true, false) },
  { method: 'GET', pattern: '/me/transitiveMemberOf', handler: (ctx) => rolesOfMe(ctx, true, true) },
  {
    method: 'GET',
    pattern: '/me/memberOf/microsoft\\.graph\\.directoryRole',
    handler: (ctx) => rolesOfMe(ctx, false, false),
  },
  {
    method: 'GET',
    pattern: '/me/transitiveMemberOf/microsoft\\.graph\\.directoryRole',
    handler: (ctx) => rolesOfMe(ctx, false, true),
  },
];
