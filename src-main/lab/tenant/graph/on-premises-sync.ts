/**
 * The tenant's onPremisesSynchronization (beta; v1.0 accepted too): configuration and the
 * features a Hybrid Administrator can switch.
 */
import { z } from 'zod';
import { GraphError } from '../odata';
import { ID, noContent, ok, type Ctx, type RouteSpec } from './context';
import { denied, notFound } from './errors';
import { SCOPES, requireScopes } from './scopes';

const onPremSyncPatchSchema = z
  .object({
    features: z
      .object({
        blockCloudObjectTakeoverThroughHardMatchEnabled: z.boolean().optional(),
        blockSoftMatchEnabled: z.boolean().optional(),
        passwordSyncEnabled: z.boolean().optional(),
        softMatchOnUpnEnabled: z.boolean().optional(),
      })
      .passthrough(),
  })
  .passthrough();

function syncView(ctx: Ctx): Record<string, unknown> {
  return {
    id: ctx.tenant.state.onPremisesSynchronizationId,
    configuration: {
      accidentalDeletionPrevention: { synchronizationPreventionType: 'enabledForCount', alertThreshold: 500 },
      synchronizationInterval: 'PT30M',
      customerRequestedSynchronizationInterval: null,
    },
    features: { ...ctx.tenant.state.onPremisesSyncFeatures },
    synchronizationClientVersion: ctx.tenant.state.synchronizationClientVersion,
  };
}

export const onPremisesSyncRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/directory/onPremisesSynchronization',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.onPremSyncRead);
      return ok({
        '@odata.context': `${ctx.base}/$metadata#directory/onPremisesSynchronization`,
        value: [syncView(ctx)],
      });
    },
  },
  {
    method: 'GET',
    pattern: `/directory/onPremisesSynchronization/${ID}`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.onPremSyncRead);
      if (m[1] !== ctx.tenant.state.onPremisesSynchronizationId) throw notFound(m[1] ?? '');
      return ok({
        '@odata.context': `${ctx.base}/$metadata#directory/onPremisesSynchronization/$entity`,
        ...syncView(ctx),
      });
    },
  },
  {
    method: 'PATCH',
    pattern: `/directory/onPremisesSynchronization/${ID}`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.onPremSyncWrite);
      if (m[1] !== ctx.tenant.state.onPremisesSynchronizationId) throw notFound(m[1] ?? '');
      if (!ctx.tenant.canTenantWide(ctx.who.oid, 'microsoft.directory/onPremisesSynchronization/standard/update'))
        throw denied();
      const parsed = onPremSyncPatchSchema.safeParse(ctx.req.body);
      if (!parsed.success) throw new GraphError(400, 'BadRequest', 'Write request is invalid.');
      const f = ctx.tenant.state.onPremisesSyncFeatures;
      const p = parsed.data.features;
      if (p.blockCloudObjectTakeoverThroughHardMatchEnabled !== undefined)
        f.blockCloudObjectTakeoverThroughHardMatchEnabled = p.blockCloudObjectTakeoverThroughHardMatchEnabled;
      if (p.blockSoftMatchEnabled !== undefined) f.blockSoftMatchEnabled = p.blockSoftMatchEnabled;
      if (p.passwordSyncEnabled !== undefined) f.passwordSyncEnabled = p.passwordSyncEnabled;
      if (p.softMatchOnUpnEnabled !== undefined) f.softMatchOnUpnEnabled = p.softMatchOnUpnEnabled;
      ctx.tenant.logWrite(
        ctx.actor,
        'PATCH',
        `/${ctx.req.version}${ctx.req.path}`,
        m[1] ?? null,
        ctx.req.body,
        ctx.ids,
      );
      return noContent();
    },
  },
];
