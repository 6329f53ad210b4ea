/** What consent detection and Cloud Sync discovery read: oauth2PermissionGrants and the service principals. */
import { evaluateFilter, parseFilter } from '../odata';
import { ID, ok, type Ctx, type RouteSpec } from './context';
import { notFound } from './errors';
import { GRAPH_APP_ID } from '../model';
import { CLOUD_SYNC_APP_DISPLAY_NAME, CLOUD_SYNC_APP_TEMPLATE_ID } from '../../cloudsync/model';
import { page } from './collections';
import { SCOPES, requireScopes } from './scopes';

/**
 * The tenant's service principals the lab knows: its own app, Microsoft Graph, and one per Cloud Sync
 * configuration (shaped like Microsoft's example: appDisplayName "Active Directory to Azure Active
 * Directory Provisioning", the template id among servicePrincipalNames; displayName and applicationTemplateId
 * per the `cloudSyncServicePrincipalName` and `cloudSyncApplicationTemplateId` variants; docs/reference/cloud-sync.md#finding-the-configuration).
 */
function servicePrincipals(ctx: Ctx): Record<string, unknown>[] {
  const s = ctx.tenant.state;
  const rows: Record<string, unknown>[] = [
    {
      id: s.appServicePrincipalId,
      appId: s.clientId,
      displayName: 'soa-pilot (lab)',
      appDisplayName: 'soa-pilot (lab)',
      applicationTemplateId: null,
      servicePrincipalType: 'Application',
      servicePrincipalNames: [s.clientId],
      tags: [],
    },
    {
      id: s.graphServicePrincipalId,
      appId: GRAPH_APP_ID,
      displayName: 'Microsoft Graph',
      appDisplayName: 'Microsoft Graph',
      applicationTemplateId: null,
      servicePrincipalType: 'Application',
      servicePrincipalNames: [GRAPH_APP_ID, 'https://graph.microsoft.com'],
      tags: [],
    },
  ];
  const svc = ctx.tenant.cloudSync;
  for (const cfg of svc?.configurations() ?? []) {
    rows.push({
      id: cfg.servicePrincipalId,
      appId: cfg.appId,
      accountEnabled: true,
      displayName: svc?.servicePrincipalDisplayName(cfg) ?? cfg.domain,
      appDisplayName: CLOUD_SYNC_APP_DISPLAY_NAME,
      applicationTemplateId:
        ctx.tenant.settings.cloudSyncApplicationTemplateId === 'templateId' ? CLOUD_SYNC_APP_TEMPLATE_ID : null,
      appOwnerOrganizationId: s.tenantId,
      homepage:
        'https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=AD2AADProvisioning|ISV9.1|primary|z',
      publisherName: 'Active Directory Application Registry',
      servicePrincipalType: 'Application',
      servicePrincipalNames: [
        'http://adapplicationregistry.onmicrosoft.com/adprovisioningtoaad/primary',
        CLOUD_SYNC_APP_TEMPLATE_ID,
      ],
      signInAudience: 'AzureADMultipleOrgs',
      tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
    });
  }
  return rows;
}

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
      return page(
        ctx,
        filtered(servicePrincipals(ctx), ctx.req.query.get('$filter')),
        'servicePrincipals',
        null,
        false,
      );
    },
  },
  {
    method: 'GET',
    pattern: `/servicePrincipals/${ID}`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.servicePrincipals);
      const id = (m[1] ?? '').toLowerCase();
      const sp = servicePrincipals(ctx).find((r) => String(r.id).toLowerCase() === id);
      if (!sp) throw notFound(m[1] ?? '');
      return ok({ '@odata.context': `${ctx.base}/$metadata#servicePrincipals/$entity`, ...sp });
    },
  },
];
