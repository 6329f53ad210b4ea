/** memberOf and transitiveMemberOf: the groups and administrative units an object belongs to. */
import type { DirObject } from '../model';
import { GraphError, parseSelect, project } from '../odata';
import type { Ctx, GraphResponse } from './context';
import { page } from './collections';
import { DIRECTORY_OBJECT_PROPS, typedView } from './directory-objects';
import { MSG_COUNT_UNSUPPORTED } from './errors';

export function memberOf(ctx: Ctx, o: DirObject, transitive: boolean): DirObject[] {
  const t = ctx.tenant;
  const direct = t.groups().filter((g) => g.members.includes(o.id));
  if (!transitive) return direct;
  const seen = new Map<string, DirObject>();
  const queue = [...direct];
  while (queue.length > 0) {
    const g = queue.shift();
    if (!g || seen.has(g.id)) continue;
    seen.set(g.id, g);
    queue.push(...t.groups().filter((p) => p.members.includes(g.id)));
  }
  return [...seen.values()];
}

export function memberOfResponse(ctx: Ctx, o: DirObject, transitive: boolean): GraphResponse {
  const groups = memberOf(ctx, o, transitive).map((g) => typedView(g));
  const aus = ctx.tenant.administrativeUnitsOf(o.id).map((a) => ({
    '@odata.type': '#microsoft.graph.administrativeUnit',
    id: a.id,
    deletedDateTime: null,
    displayName: a.displayName,
    description: a.description,
    visibility: null,
  }));
  const select = parseSelect(
    ctx.req.query.get('$select'),
    [...DIRECTORY_OBJECT_PROPS, 'description', 'visibility'],
    'directoryObject',
  );
  if ((ctx.req.query.get('$count') ?? '').toLowerCase() === 'true' && !ctx.advanced)
    throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
  return page(
    ctx,
    [...groups, ...aus].map((x) => project(x, select)),
    'directoryObjects',
    select,
    (ctx.req.query.get('$count') ?? '') === 'true',
  );
}
