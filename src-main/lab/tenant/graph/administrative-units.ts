/** Administrative units: list, read, members, and adding or removing a member ($ref). */
import { z } from 'zod';
import type { AdministrativeUnit, DirObject } from '../model';
import { GraphError, evaluateFilter, parseFilter, parseSelect, project } from '../odata';
import { ID, noContent, type Ctx, type RouteSpec } from './context';
import { entity, page } from './collections';
import { DIRECTORY_OBJECT_PROPS, typedView } from './directory-objects';
import { denied, notFound } from './errors';
import { SCOPES, requireScopes } from './scopes';

const AU_PROPS = ['id', 'deletedDateTime', 'displayName', 'description', 'visibility', 'membershipType'];

const refSchema = z.object({ '@odata.id': z.string().min(1) }).strict();

function auView(a: { id: string; displayName: string; description: string }): Record<string, unknown> {
  return {
    id: a.id,
    deletedDateTime: null,
    displayName: a.displayName,
    description: a.description,
    visibility: null,
    membershipType: null,
  };
}

function findAu(ctx: Ctx, id: string | undefined): AdministrativeUnit {
  const a = ctx.tenant.state.administrativeUnits.find((x) => x.id === id);
  if (!a) throw notFound(id ?? '');
  return a;
}

export const administrativeUnitRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/directory/administrativeUnits',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.auRead);
      let rows = ctx.tenant.state.administrativeUnits.map(auView);
      const f = ctx.req.query.get('$filter');
      if (f !== null) {
        const node = parseFilter(f);
        rows = rows.filter((r) => evaluateFilter(node, r));
      }
      const select = parseSelect(ctx.req.query.get('$select'), AU_PROPS, 'administrativeUnit');
      return page(
        ctx,
        rows.map((r) => project(r, select)),
        'directory/administrativeUnits',
        select,
        false,
      );
    },
  },
  {
    method: 'GET',
    pattern: `/directory/administrativeUnits/${ID}`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.auRead);
      return entity(ctx, auView(findAu(ctx, m[1])), AU_PROPS, 'administrativeUnit', 'directory/administrativeUnits');
    },
  },
  {
    method: 'GET',
    pattern: `/directory/administrativeUnits/${ID}/members`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.auRead);
      const a = findAu(ctx, m[1]);
      const rows = ctx.tenant
        .administrativeUnitMembers(a)
        .map((id) => ctx.tenant.object(id))
        .filter((x): x is DirObject => x !== undefined)
        .map(typedView);
      const select = parseSelect(ctx.req.query.get('$select'), DIRECTORY_OBJECT_PROPS, 'directoryObject');
      return page(
        ctx,
        rows.map((r) => project(r, select)),
        'directoryObjects',
        select,
        false,
      );
    },
  },
  {
    method: 'POST',
    pattern: `/directory/administrativeUnits/${ID}/members/\\$ref`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.auWrite);
      const a = findAu(ctx, m[1]);
      if (!ctx.tenant.canTenantWide(ctx.who.oid, 'microsoft.directory/administrativeUnits/members/update'))
        throw denied();
      const parsed = refSchema.safeParse(ctx.req.body);
      if (!parsed.success)
        throw new GraphError(
          400,
          'BadRequest',
          'Invalid request body: expected {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.',
        );
      const idMatch = /\/([0-9a-fA-F-]{36})\/?$/.exec(parsed.data['@odata.id']);
      const memberId = idMatch?.[1]?.toLowerCase() ?? '';
      const target = ctx.tenant.object(memberId);
      if (!target) throw notFound(memberId);
      if (target.kind === 'contact' && !ctx.tenant.settings.contactsInAdministrativeUnits) {
        // the lab's "contacts are not AU members" variant: only users, groups and devices are documented
        throw new GraphError(
          400,
          'Request_BadRequest',
          "Unsupported referenced-object resource identifier for link property 'members'.",
        );
      }
      if (a.members.includes(target.id)) {
        throw new GraphError(
          400,
          'Request_BadRequest',
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
      }
      a.members.push(target.id);
      ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, target.id, ctx.req.body, ctx.ids);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    pattern: `/directory/administrativeUnits/${ID}/members/${ID}/\\$ref`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.auWrite);
      const a = findAu(ctx, m[1]);
      if (!ctx.tenant.canTenantWide(ctx.who.oid, 'microsoft.directory/administrativeUnits/members/update'))
        throw denied();
      const mid = (m[2] ?? '').toLowerCase();
      if (!a.members.includes(mid)) throw notFound(mid);
      a.members = a.members.filter((x) => x !== mid);
      ctx.tenant.logWrite(ctx.actor, 'DELETE', `/${ctx.req.version}${ctx.req.path}`, mid, null, ctx.ids);
      return noContent();
    },
  },
];
