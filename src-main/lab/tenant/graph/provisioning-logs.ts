/**
 * Provisioning logs (`GET /auditLogs/provisioning`, provisioningObjectSummary), newest first.
 * `$filter` with eq, contains, gt and lt (and/or; case sensitive, per the `provisioningLogFilterCase`
 * variant), `$top`, `$skiptoken`; the reporting
 * limit (5 requests per 10 s) is the router's audit bucket. Needs Entra ID P1/P2.
 * docs/reference/cloud-sync.md#provisioning-logs
 */
import { GraphError, evaluateFilter, filterProperties, parseFilter, usesOperator } from '../odata';
import type { Ctx, GraphResponse, RouteSpec } from './context';
import { page } from './collections';
import { denied } from './errors';
import { SCOPES, requireScopes } from './scopes';

const FILTERABLE = [
  'id',
  'activitydatetime',
  'tenantid',
  'jobid',
  'cycleid',
  'changeid',
  'provisioningaction',
  'provisioningstatusinfo',
  'sourceidentity',
  'targetidentity',
  'servicePrincipal'.toLowerCase(),
  'initiatedby',
  'sourcesystem',
  'targetsystem',
];

/** [C?] the answer Graph gives a reporting API in a tenant without Entra ID P1/P2 (message [U]). */
export const MSG_NO_PREMIUM = "Neither tenant is B2C or tenant doesn't have premium license";

function provisioning(ctx: Ctx): GraphResponse {
  requireScopes(ctx, SCOPES.audit);
  if (!ctx.tenant.canTenantWide(ctx.who.oid, 'microsoft.directory/provisioningLogs/allProperties/read')) throw denied();
  if (!ctx.tenant.settings.entraIdPremium)
    throw new GraphError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', MSG_NO_PREMIUM);
  let rows: Record<string, unknown>[] = (ctx.tenant.cloudSync?.visibleLog() ?? []).map((e) => ({ ...e }));
  const f = ctx.req.query.get('$filter');
  if (f !== null) {
    const node = parseFilter(f);
    for (const p of filterProperties(node)) {
      const root = (p.split('/')[0] ?? '').toLowerCase();
      if (!FILTERABLE.includes(root))
        throw new GraphError(
          400,
          'BadRequest',
          `Invalid filter clause: property '${p}' of resource 'provisioningObjectSummary' is not filterable.`,
        );
    }
    const unsupported = usesOperator(
      node,
      (n) =>
        (n.t === 'cmp' && n.op !== 'eq' && n.op !== 'gt' && n.op !== 'lt') ||
        (n.t === 'fn' && n.name !== 'contains') ||
        n.t === 'not',
    );
    if (unsupported)
      throw new GraphError(
        400,
        'BadRequest',
        'Invalid filter clause: provisioning logs support eq, contains, gt and lt.',
      );
    // "The filters are all case sensitive" (Microsoft); what that covers is the lab setting provisioningLogFilterCase
    const mode = ctx.tenant.settings.provisioningLogFilterCase;
    const fc = { values: mode !== 'insensitive', names: mode === 'valuesAndNames' };
    rows = rows.filter((r) => evaluateFilter(node, r, {}, fc));
  }
  rows.sort((a, b) => String(b.activityDateTime).localeCompare(String(a.activityDateTime)));
  const orderby = ctx.req.query.get('$orderby');
  if (orderby !== null && /activityDateTime\s+asc/i.test(orderby)) rows.reverse();
  return page(ctx, rows, 'auditLogs/provisioning', null, false, 1000);
}

export const provisioningLogRoutes: RouteSpec[] = [
  { method: 'GET', pattern: '/auditLogs/provisioning', handler: provisioning },
];
