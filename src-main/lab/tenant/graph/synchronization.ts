/**
 * The synchronization API of a Cloud Sync configuration's service principal:
 * `/servicePrincipals/{id}/synchronization/jobs[/{jobId}[/schema|/provisionOnDemand|/start]]`.
 * Shapes, permissions and roles as Microsoft Graph documents them (docs/reference/cloud-sync.md).
 * `start` is accepted and recorded in the write log but runs no cycle: Microsoft says to use it for
 * paused or quarantined jobs only, never as a "sync now".
 */
import { z } from 'zod';
import { GraphError } from '../odata';
import type { CloudSyncConfiguration } from '../../cloudsync/model';
import { jobView, schemaView } from '../../cloudsync/schema';
import { ID, noContent, ok, type Ctx, type GraphResponse, type RouteSpec } from './context';
import { denied, notFound } from './errors';
import { SCOPES, requireScopes } from './scopes';

const SP = `/servicePrincipals/${ID}/synchronization/jobs`;

const provisionOnDemandBody = z.object({
  parameters: z
    .array(
      z.object({
        ruleId: z.string().min(1),
        subjects: z
          .array(
            z.object({
              objectId: z.string().min(1),
              objectTypeName: z.string().min(1),
              links: z.unknown().optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

function configuration(ctx: Ctx, spId: string, write: boolean): CloudSyncConfiguration {
  requireScopes(ctx, write ? SCOPES.synchronizationWrite : SCOPES.synchronizationRead);
  const action = write
    ? 'microsoft.directory/servicePrincipals/synchronizationJobs/manage'
    : 'microsoft.directory/servicePrincipals/synchronization/standard/read';
  if (!ctx.tenant.canTenantWide(ctx.who.oid, action)) throw denied();
  const cfg = ctx.tenant.cloudSync?.configurationBySp(spId);
  if (!cfg) throw notFound(spId);
  return cfg;
}

function job(ctx: Ctx, m: RegExpExecArray, write: boolean): CloudSyncConfiguration {
  const cfg = configuration(ctx, m[1] ?? '', write);
  if ((m[2] ?? '').toLowerCase() !== cfg.jobId.toLowerCase()) throw notFound(m[2] ?? '');
  return cfg;
}

function jobBody(ctx: Ctx, cfg: CloudSyncConfiguration): Record<string, unknown> {
  const svc = ctx.tenant.cloudSync;
  const counts = svc ? svc.counts(cfg) : { contact: 0, user: 0, group: 0 };
  return jobView(cfg, ctx.tenant.settings.cloudSyncCycleMs, counts);
}

function provisionOnDemand(ctx: Ctx, m: RegExpExecArray): GraphResponse {
  const cfg = job(ctx, m, true);
  const parsed = provisionOnDemandBody.safeParse(ctx.req.body);
  if (ctx.req.bodyInvalid || !parsed.success)
    throw new GraphError(400, 'BadRequest', 'The request body must carry "parameters" with a ruleId and subjects.');
  const params = parsed.data.parameters;
  const first = params[0];
  const subject = first?.subjects[0];
  if (!first || !subject || params.length > 1 || first.subjects.length > 1)
    throw new GraphError(400, 'BadRequest', 'On-demand provisioning takes one subject per request.');
  const svc = ctx.tenant.cloudSync;
  if (!svc) throw notFound(m[1] ?? '');
  const r = svc.provisionOnDemand(cfg, first.ruleId, subject, ctx.actor);
  if (!r.ok) throw new GraphError(r.status, r.code, r.message);
  ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, null, ctx.req.body, ctx.ids);
  return ok({
    '@odata.context': `${ctx.base}/$metadata#microsoft.graph.stringKeyStringValuePair`,
    key: r.key,
    value: r.value,
  });
}

export const synchronizationRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: SP,
    handler: (ctx, m) => {
      const cfg = configuration(ctx, m[1] ?? '', false);
      return ok({
        '@odata.context': `${ctx.base}/$metadata#servicePrincipals('${cfg.servicePrincipalId}')/synchronization/jobs`,
        value: [jobBody(ctx, cfg)],
      });
    },
  },
  {
    method: 'GET',
    pattern: `${SP}/${ID}`,
    handler: (ctx, m) => {
      const cfg = job(ctx, m, false);
      return ok({
        '@odata.context': `${ctx.base}/$metadata#servicePrincipals('${cfg.servicePrincipalId}')/synchronization/jobs/$entity`,
        ...jobBody(ctx, cfg),
      });
    },
  },
  {
    method: 'GET',
    pattern: `${SP}/${ID}/schema`,
    handler: (ctx, m) => {
      const cfg = job(ctx, m, false);
      return ok({
        '@odata.context': `${ctx.base}/$metadata#servicePrincipals('${cfg.servicePrincipalId}')/synchronization/jobs('${cfg.jobId}')/schema/$entity`,
        ...schemaView(cfg),
      });
    },
  },
  { method: 'POST', pattern: `${SP}/${ID}/provisionOnDemand`, handler: provisionOnDemand },
  {
    method: 'POST',
    pattern: `${SP}/${ID}/start`,
    handler: (ctx, m) => {
      job(ctx, m, true);
      ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, null, ctx.req.body ?? null, ctx.ids);
      return noContent();
    },
  },
];
