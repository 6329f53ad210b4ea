/** Directory audit logs (auditLogs/directoryAudits), newest first, for the audit reader roles. */
import type { AuditEntry } from '../model';
import { GraphError, evaluateFilter, filterProperties, parseFilter, parseSelect, project } from '../odata';
import type { Ctx, GraphResponse, RouteSpec } from './context';
import { page } from './collections';
import { denied } from './errors';
import { SCOPES, requireScopes } from './scopes';

function audits(ctx: Ctx): GraphResponse {
  requireScopes(ctx, SCOPES.audit);
  if (!ctx.tenant.canTenantWide(ctx.who.oid, 'microsoft.directory/auditLogs/allProperties/read')) throw denied();
  let rows: Record<string, unknown>[] = ctx.tenant.state.audit
    .filter((e: AuditEntry) => ctx.tenant.auditVisible(e))
    .map((e) => ({ ...e }));
  const f = ctx.req.query.get('$filter');
  if (f !== null) {
    const node = parseFilter(f);
    const allowed = [
      'activitydisplayname',
      'activitydatetime',
      'targetresources',
      'correlationid',
      'id',
      'loggedbyservice',
      'category',
      'result',
      'initiatedby',
    ];
    for (const p of filterProperties(node)) {
      const root = (p.split('/')[0] ?? '').toLowerCase();
      if (!allowed.includes(root))
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          `Unsupported or invalid query filter clause specified for property '${p}' of resource 'DirectoryAudit'.`,
        );
    }
    rows = rows.filter((r) => evaluateFilter(node, r));
  }
  rows.sort((a, b) => String(b.activityDateTime).localeCompare(String(a.activityDateTime)));
  const orderby = ctx.req.query.get('$orderby');
  if (orderby !== null && /activityDateTime\s+asc/i.test(orderby)) rows.reverse();
  const select = parseSelect(
    ctx.req.query.get('$select'),
    [
      'id',
      'category',
      'correlationId',
      'result',
      'resultReason',
      'activityDisplayName',
      'activityDateTime',
      'loggedByService',
      'operationType',
      'initiatedBy',
      'targetResources',
      'additionalDetails',
    ],
    'directoryAudit',
  );
  return page(
    ctx,
    rows.map((r) => project(r, select)),
    'auditLogs/directoryAudits',
    select,
    false,
    1000,
  );
}

export const auditRoutes: RouteSpec[] = [{ method: 'GET', pattern: '/auditLogs/directoryAudits', handler: audits }];
