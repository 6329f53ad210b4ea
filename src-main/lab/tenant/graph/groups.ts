/** Groups: list, read, members, memberOf. */
import type { DirObject } from '../model';
import { parseSelect, project } from '../odata';
import { ID, type RouteSpec } from './context';
import { entity, list, needsAdvancedQuery, page, type ListOptions } from './collections';
import { DIRECTORY_OBJECT_PROPS, GROUP_PROPS, groupView, objectOf, typedView } from './directory-objects';
import { memberOfResponse } from './membership';
import { SCOPES, requireScopes } from './scopes';

const groupList: ListOptions = {
  typeName: 'Group',
  contextPath: 'groups',
  selectable: GROUP_PROPS,
  filterable: [
    'displayName',
    'mail',
    'mailEnabled',
    'securityEnabled',
    'onPremisesSyncEnabled',
    'id',
    'groupTypes',
    'onPremisesSyncBehavior/isCloudManaged',
  ],
  advancedOnly: needsAdvancedQuery,
  view: groupView,
  searchable: true,
};

export const groupRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/groups',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.groupsRead);
      return list(ctx, ctx.tenant.objectsOf('group'), groupList);
    },
  },
  {
    method: 'GET',
    pattern: `/groups/${ID}`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.groupsRead);
      return entity(ctx, groupView(objectOf(ctx, 'group', m[1])), GROUP_PROPS, 'group', 'groups');
    },
  },
  {
    method: 'GET',
    pattern: `/groups/${ID}/members`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.groupsRead);
      const g = objectOf(ctx, 'group', m[1]);
      const members = g.members.map((id) => ctx.tenant.object(id)).filter((x): x is DirObject => x !== undefined);
      const select = parseSelect(ctx.req.query.get('$select'), DIRECTORY_OBJECT_PROPS, 'directoryObject');
      return page(
        ctx,
        members.map((x) => project(typedView(x), select)),
        'directoryObjects',
        select,
        false,
      );
    },
  },
  {
    method: 'GET',
    pattern: `/groups/${ID}/memberOf`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.groupsRead);
      return memberOfResponse(ctx, objectOf(ctx, 'group', m[1]), false);
    },
  },
];
