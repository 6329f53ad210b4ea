/** Users: list, read (by id or UPN), memberOf. */
import { ID, type RouteSpec } from './context';
import { entity, list, needsAdvancedQuery, type ListOptions } from './collections';
import { USER_PROPS, objectOf, userView } from './directory-objects';
import { notFound } from './errors';
import { memberOfResponse } from './membership';
import { SCOPES, requireScopes } from './scopes';

const userList: ListOptions = {
  typeName: 'User',
  contextPath: 'users',
  selectable: USER_PROPS,
  filterable: [
    'displayName',
    'mail',
    'userPrincipalName',
    'onPremisesSyncEnabled',
    'onPremisesImmutableId',
    'department',
    'companyName',
    'givenName',
    'surname',
    'id',
    'onPremisesSyncBehavior/isCloudManaged',
  ],
  advancedOnly: needsAdvancedQuery,
  view: (o) => userView(o, false),
  searchable: true,
};

export const userRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/users',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.usersRead);
      return list(ctx, ctx.tenant.objectsOf('user'), userList);
    },
  },
  {
    method: 'GET',
    pattern: `/users/${ID}`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.usersRead);
      const id = m[1] ?? '';
      const o = ctx.tenant.object(id) ?? ctx.tenant.adminByUpn(decodeURIComponent(id));
      if (!o || o.kind !== 'user') throw notFound(id);
      return entity(ctx, userView(o, (ctx.req.query.get('$select') ?? '') !== ''), USER_PROPS, 'user', 'users');
    },
  },
  {
    method: 'GET',
    pattern: `/users/${ID}/memberOf`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.usersRead);
      return memberOfResponse(ctx, objectOf(ctx, 'user', m[1]), false);
    },
  },
];
