/**
 * Collections and single entities the Graph way: $select, $filter, $search, $orderby, $count,
 * $top and skiptoken paging, and the @odata.context each response carries.
 */
import type { DirObject } from '../model';
import {
  GraphError,
  evaluateFilter,
  filterProperties,
  matchesSearch,
  parseFilter,
  parseSearch,
  parseSelect,
  project,
  usesOperator,
  type FilterNode,
} from '../odata';
import { ok, type Ctx, type GraphResponse } from './context';
import { filterView } from './directory-objects';
import { MSG_COUNT_UNSUPPORTED, MSG_SEARCH_NEEDS_HEADER } from './errors';

export interface ListOptions {
  typeName: string;
  contextPath: string;
  selectable: readonly string[];
  filterable: readonly string[];
  /** $filter features that need advanced query mode on this resource */
  advancedOnly?: (n: FilterNode) => boolean;
  /** $filter functions this resource does not support at all (answered 400 Request_UnsupportedQuery) */
  unsupportedFunctions?: readonly string[];
  view: (o: DirObject) => Record<string, unknown>;
  searchable: boolean;
}

/** ne, not and endswith: the $filter features directory objects answer only in advanced query mode */
export function needsAdvancedQuery(n: FilterNode): boolean {
  return (n.t === 'cmp' && n.op === 'ne') || n.t === 'not' || (n.t === 'fn' && n.name === 'endswith');
}

export function list(ctx: Ctx, items: DirObject[], o: ListOptions): GraphResponse {
  const q = ctx.req.query;
  const wantCount = (q.get('$count') ?? '').toLowerCase() === 'true';
  if (wantCount && !ctx.advanced) throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
  const search = q.get('$search');
  if (search !== null) {
    if (!o.searchable) throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
    if (!ctx.advanced) throw new GraphError(400, 'Request_UnsupportedQuery', MSG_SEARCH_NEEDS_HEADER);
  }
  const select = parseSelect(q.get('$select'), o.selectable, o.typeName.charAt(0).toLowerCase() + o.typeName.slice(1));
  let rows = items;
  const filterSrc = q.get('$filter');
  if (filterSrc !== null) {
    const node = parseFilter(filterSrc);
    for (const p of filterProperties(node)) {
      const root = p.split('/')[0] ?? '';
      if (!o.filterable.some((f) => f.toLowerCase() === p.toLowerCase() || f.toLowerCase() === root.toLowerCase())) {
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          `Unsupported or invalid query filter clause specified for property '${root}' of resource '${o.typeName}'.`,
        );
      }
    }
    // contains() is for the reporting APIs (provisioning logs); directory objects refuse it
    const unsupported = [...(o.unsupportedFunctions ?? []), 'contains'];
    if (usesOperator(node, (n) => n.t === 'fn' && unsupported.includes(n.name.toLowerCase()))) {
      // answered the way Graph answers a query the resource does not support, advanced mode or not
      const p = filterProperties(node)[0] ?? '';
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Unsupported or invalid query filter clause specified for property '${p}' of resource '${o.typeName}'.`,
      );
    }
    if (!ctx.advanced && o.advancedOnly && usesOperator(node, o.advancedOnly)) {
      const p = filterProperties(node)[0] ?? '';
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Unsupported or invalid query filter clause specified for property '${p}' of resource '${o.typeName}'.`,
      );
    }
    rows = rows.filter((x) => evaluateFilter(node, filterView(x)));
  }
  if (search !== null) {
    const expr = parseSearch(search);
    rows = rows.filter((x) => matchesSearch(expr, filterView(x)));
  }
  const orderby = q.get('$orderby');
  if (orderby !== null) {
    const m = /^\s*displayName(\s+(asc|desc))?\s*$/i.exec(orderby);
    if (!m)
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Unsupported sort property '${orderby.trim().split(/\s+/)[0] ?? ''}' for '${o.typeName}'.`,
      );
    if (filterSrc !== null && !ctx.advanced)
      throw new GraphError(400, 'Request_UnsupportedQuery', `Sorting not supported for current query.`);
    const desc = (m[2] ?? '').toLowerCase() === 'desc';
    rows = [...rows].sort((a, b) => a.displayName.localeCompare(b.displayName) * (desc ? -1 : 1));
  }
  return page(
    ctx,
    rows.map((x) => project(o.view(x), select)),
    o.contextPath,
    select,
    wantCount,
  );
}

export function page(
  ctx: Ctx,
  all: Record<string, unknown>[],
  contextPath: string,
  select: string[] | null,
  wantCount: boolean,
  pageSizeMax = 999,
): GraphResponse {
  const q = ctx.req.query;
  const topRaw = q.get('$top');
  let top = ctx.tenant.settings.defaultPageSize;
  if (topRaw !== null) {
    const n = Number(topRaw);
    if (!Number.isInteger(n) || n < 1 || n > pageSizeMax) {
      throw new GraphError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${topRaw}'. Must be between 1 and ${pageSizeMax} inclusive.`,
      );
    }
    top = n;
  }
  let offset = 0;
  const skip = q.get('$skiptoken');
  if (skip !== null) {
    const m = /^RFNwdAoAAQAAAA(\d+)$/.exec(skip);
    if (!m)
      throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for query parameter '$skiptoken'.");
    offset = Number(m[1]);
  }
  const slice = all.slice(offset, offset + top);
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.base}/$metadata#${contextPath}${select ? `(${select.join(',')})` : ''}`,
  };
  if (wantCount) body['@odata.count'] = all.length;
  if (offset + top < all.length) {
    const parts: string[] = [];
    q.forEach((v, k) => {
      if (k !== '$skiptoken') parts.push(`${k}=${encodeURIComponent(v)}`);
    });
    parts.push(`$skiptoken=RFNwdAoAAQAAAA${offset + top}`);
    body['@odata.nextLink'] = `${ctx.base}${ctx.req.path}?${parts.join('&')}`;
  }
  body.value = slice;
  return ok(body);
}

export function entity(
  ctx: Ctx,
  view: Record<string, unknown>,
  selectable: readonly string[],
  typeName: string,
  contextPath: string,
): GraphResponse {
  const select = parseSelect(ctx.req.query.get('$select'), selectable, typeName);
  return ok({
    '@odata.context': `${ctx.base}/$metadata#${contextPath}${select ? `(${select.join(',')})` : ''}/$entity`,
    ...project(view, select),
  });
}
