/**
 * onPremisesSyncBehavior of contacts, users and groups: reading and switching the source of
 * authority (isCloudManaged).
 */
import { z } from 'zod';
import type { DirObject } from '../model';
import { GraphError, parseSelect, project } from '../odata';
import { HYBRID_ROLES } from '../tenant';
import { ID, noContent, ok, type Ctx, type RouteSpec } from './context';
import { objectOf } from './directory-objects';
import { MSG_NOT_SYNCED, denied } from './errors';
import { SCOPES, requireScopes } from './scopes';

const soaPatchSchema = z
  .object({
    '@odata.type': z.string().optional(),
    isCloudManaged: z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]),
  })
  .strict();

function soaTarget(ctx: Ctx, kind: DirObject['kind'], id: string | undefined): DirObject {
  requireScopes(ctx, SCOPES.soa[kind]);
  const o = objectOf(ctx, kind, id);
  if (!ctx.tenant.hasRoleOver(ctx.who.oid, HYBRID_ROLES, o.id)) throw denied();
  return o;
}

function routesFor(seg: string, kind: DirObject['kind']): RouteSpec[] {
  return [
    {
      method: 'GET',
      pattern: `/${seg}/${ID}/onPremisesSyncBehavior`,
      handler: (ctx, m) => {
        const o = soaTarget(ctx, kind, m[1]);
        const select = parseSelect(ctx.req.query.get('$select'), ['id', 'isCloudManaged'], 'onPremisesSyncBehavior');
        return ok({
          '@odata.context': `${ctx.base}/$metadata#${seg}('${o.id}')/onPremisesSyncBehavior${select ? `(${select.join(',')})` : ''}/$entity`,
          ...project({ id: o.id, isCloudManaged: o.isCloudManaged }, select),
        });
      },
    },
    {
      method: 'PATCH',
      pattern: `/${seg}/${ID}/onPremisesSyncBehavior`,
      handler: (ctx, m) => {
        const o = soaTarget(ctx, kind, m[1]);
        const parsed = soaPatchSchema.safeParse(ctx.req.body);
        if (ctx.req.bodyInvalid || !parsed.success) {
          throw new GraphError(
            400,
            'BadRequest',
            'Write request is invalid: the body must be {"isCloudManaged": true|false}.',
          );
        }
        const raw = parsed.data.isCloudManaged;
        const value = typeof raw === 'boolean' ? raw : raw.toLowerCase() === 'true';
        const r = ctx.tenant.setCloudManaged(o, value, ctx.actor, ctx.ids);
        if (r === 'notSynced') throw new GraphError(400, 'Request_BadRequest', MSG_NOT_SYNCED);
        ctx.tenant.logWrite(ctx.actor, 'PATCH', `/${ctx.req.version}${ctx.req.path}`, o.id, ctx.req.body, ctx.ids);
        return noContent();
      },
    },
  ];
}

export const syncBehaviorRoutes: RouteSpec[] = [
  ...routesFor('contacts', 'contact'),
  ...routesFor('users', 'user'),
  ...routesFor('groups', 'group'),
];
